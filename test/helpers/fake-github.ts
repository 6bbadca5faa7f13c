/**
 * A local HTTP server that answers the REST endpoints the Action uses the way api.github.com does
 * (status codes, JSON shapes, the 403 a read-only token gets), and records every request.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

export interface FakeGitHub {
  url: string;
  requests: RecordedRequest[];
  /** Comments on issue/PR numbers, as GitHub would list them. */
  comments: Map<number, Array<{ id: number; body: string }>>;
  /** When set, every request is refused the way a fork PR's read-only token is. */
  forbidden: boolean;
  close(): Promise<void>;
}

const FORBIDDEN = {
  message: 'Resource not accessible by integration',
  documentation_url: 'https://docs.github.com/rest/checks/runs#create-a-check-run',
  status: '403',
};

export async function startFakeGitHub(): Promise<FakeGitHub> {
  let nextId = 1000;
  const state: FakeGitHub = {
    url: '',
    requests: [],
    comments: new Map(),
    forbidden: false,
    close: async () => {},
  };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const path = req.url ?? '/';
    const method = req.method ?? 'GET';
    state.requests.push({
      method,
      path,
      authorization: req.headers.authorization,
      body: text ? JSON.parse(text) : undefined,
    });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    if (state.forbidden) return send(403, FORBIDDEN);
    const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    const checkRuns = /^\/repos\/[^/]+\/[^/]+\/check-runs(?:\/(\d+))?$/.exec(path);
    const issueComments = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments(?:\?.*)?$/.exec(path);
    const oneComment = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(path);
    if (checkRuns && method === 'POST' && !checkRuns[1]) {
      return send(201, { id: nextId++, status: body.status, head_sha: body.head_sha, name: body.name });
    }
    if (checkRuns?.[1] && method === 'PATCH') {
      return send(200, {
        id: Number(checkRuns[1]),
        status: body.status ?? 'in_progress',
        conclusion: body.conclusion ?? null,
      });
    }
    if (issueComments) {
      const issue = Number(issueComments[1]);
      const list = state.comments.get(issue) ?? [];
      if (method === 'GET') return send(200, list);
      if (method === 'POST') {
        const comment = { id: nextId++, body: String(body.body) };
        state.comments.set(issue, [...list, comment]);
        return send(201, comment);
      }
    }
    if (oneComment && method === 'PATCH') {
      const comment = [...state.comments.values()].flat().find((c) => c.id === Number(oneComment[1]));
      if (!comment) return send(404, { message: 'Not Found' });
      comment.body = String(body.body);
      return send(200, comment);
    }
    send(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return state;
}
