/**
 * A local stand-in for AWS Lambda: it answers the Invoke API and a Function URL by running the handler
 * (lambda/index.ts from the source, or the bundle dist/lambda/index.js), after verifying every request's
 * SigV4 signature with the same maintained signer the clients use, against credentials only the test knows.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Context } from 'aws-lambda';
import { type Build, lambdaEntry } from './entry-points.js';

export interface FakeLambda {
  url: string;
  /** Every request: what was asked, and whether its signature verified. */
  requests: Array<{ path: string; region: string | undefined; verified: boolean }>;
  close(): Promise<void>;
}

type Handler = (event: unknown, context: Context) => Promise<unknown>;

function context(functionName: string): Context {
  const deadline = Date.now() + 30_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: 'local-request',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** The signature the request should carry, recomputed from its own signed headers and body. */
async function verify(
  req: http.IncomingMessage,
  body: string,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
): Promise<{ ok: boolean; region: string | undefined }> {
  const authorization = req.headers.authorization ?? '';
  const scope = /Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization);
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  if (!scope || scope[1] !== credentials.accessKeyId || !/^\d{8}T\d{6}Z$/.test(amzDate))
    return { ok: false, region: scope?.[3] };
  const region = scope[3] as string;
  const url = new URL(req.url ?? '/', 'http://placeholder');
  const headers = Object.fromEntries(signedHeaders.map((h) => [h, String(req.headers[h] ?? '')]));
  const signer = new SignatureV4({ service: scope[4] as string, region, credentials, sha256: Sha256 });
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const expected = await signer.sign(
    {
      method: req.method ?? 'POST',
      protocol: 'http:',
      hostname: String(req.headers.host ?? '').replace(/:\d+$/, ''),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body,
    },
    { signingDate },
  );
  return { ok: expected.headers.authorization === authorization, region };
}

export async function startFakeLambda(options: {
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** A region whose verified requests go to another stand-in (one inside a network namespace). */
  forward?: (region: string) => string | undefined;
  /** The handler to run: the source (default) or the bundle. */
  build?: Build;
}): Promise<FakeLambda> {
  const { handler } = (await import(lambdaEntry(options.build ?? 'source'))) as { handler: Handler };
  const requests: FakeLambda['requests'] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const { ok, region } = await verify(req, body, options.credentials);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    requests.push({ path, region, verified: ok });
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    };
    if (!ok) {
      return send(403, {
        message: 'The request signature we calculated does not match the signature you provided.',
      });
    }
    const elsewhere = options.forward?.(region ?? '');
    if (elsewhere) {
      const answer = await fetch(`${elsewhere}${req.url ?? '/'}`, { method: 'POST', body });
      return send(answer.status, await answer.text());
    }
    const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(path);
    try {
      if (invoke) {
        const result = await handler(JSON.parse(body), context(decodeURIComponent(invoke[1] as string)));
        return send(200, result, { 'x-amz-executed-version': '$LATEST' });
      }
      // A Function URL: the request becomes a payload 2.0 event, the handler's result the HTTP answer.
      const result = (await handler(
        {
          version: '2.0',
          rawPath: path,
          rawQueryString: '',
          headers: req.headers,
          requestContext: {
            http: { method: req.method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: '' },
          },
          body,
          isBase64Encoded: false,
        },
        context('function-url'),
      )) as { statusCode: number; body: string };
      return send(result.statusCode, result.body);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return send(
        200,
        { errorMessage: message, errorType: 'Error' },
        { 'x-amz-function-error': 'Unhandled' },
      );
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
