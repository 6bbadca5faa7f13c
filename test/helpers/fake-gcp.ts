/**
 * Local stand-ins for Google Cloud's side of a Cloud Run function: a token issuer (an RSA key the test
 * generates, standing in for Google's), the front Cloud Run puts before a function deployed with
 * --no-allow-unauthenticated (it verifies the Bearer ID token's signature, issuer, audience and expiry,
 * answers 401 or 403 as Cloud Run does, and forwards what passes), and a metadata server that mints ID
 * tokens the way Compute Engine's and Cloud Run's do (GCE_METADATA_HOST points google-auth-library at it).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, generateKeyPair, type JWTPayload, jwtVerify, SignJWT } from 'jose';

export const GOOGLE_ISSUER = 'https://accounts.google.com';

export interface TokenIssuer {
  /** A signed ID token; `expiresIn` in seconds from now (negative: already expired). */
  sign(claims: { aud: string; email?: string; expiresIn?: number }): Promise<string>;
  publicKey: CryptoKey;
}

export async function tokenIssuer(): Promise<TokenIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return {
    publicKey,
    sign: ({ aud, email, expiresIn = 3_600 }) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ ...(email ? { email, email_verified: true } : {}) })
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key', typ: 'JWT' })
        .setIssuer(GOOGLE_ISSUER)
        .setAudience(aud)
        .setSubject('112233445566778899000')
        .setIssuedAt(now - 5)
        .setExpirationTime(now + expiresIn)
        .sign(privateKey);
    },
  };
}

export interface FrontRequest {
  path: string;
  /** Why the token was refused (401), or the identity that was let through or denied (403). */
  outcome: 'forwarded' | 'unauthenticated' | 'forbidden';
  reason?: string;
  claims?: JWTPayload;
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function closer(server: http.Server): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Cloud Run's front for one function: `audience` is its URL (the front's own URL when not given);
 * `invokers` are the identities holding roles/run.invoker; `forward` is where the function listens.
 */
export async function startGcpFront(options: {
  issuer: TokenIssuer;
  invokers: readonly string[];
  forward: string;
  audience?: string;
}): Promise<{ url: string; requests: FrontRequest[]; close(): Promise<void> }> {
  const requests: FrontRequest[] = [];
  let audience = options.audience ?? '';
  const server = http.createServer(async (req, res) => {
    const body = await readBody(req);
    const path = req.url ?? '/';
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const refuse = (status: 401 | 403, record: FrontRequest) => {
      requests.push(record);
      res.writeHead(status, { 'content-type': 'text/html' }).end(`<h1>Error: ${status}</h1>`);
    };
    if (!bearer) return refuse(401, { path, outcome: 'unauthenticated', reason: 'no bearer token' });
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(bearer, options.issuer.publicKey, {
        issuer: GOOGLE_ISSUER,
        audience: [audience, `${audience}/`],
        requiredClaims: ['exp', 'aud'],
        algorithms: ['RS256'],
      }));
    } catch (error) {
      return refuse(401, { path, outcome: 'unauthenticated', reason: (error as Error).message });
    }
    if (typeof claims.email !== 'string' || !options.invokers.includes(claims.email)) {
      return refuse(403, { path, outcome: 'forbidden', claims });
    }
    requests.push({ path, outcome: 'forwarded', claims });
    const answer = await fetch(new URL(path, options.forward), {
      method: req.method ?? 'POST',
      headers: { 'content-type': String(req.headers['content-type'] ?? 'application/octet-stream') },
      ...(body.length > 0 ? { body } : {}),
    });
    res
      .writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' })
      .end(Buffer.from(await answer.arrayBuffer()));
  });
  const url = await listen(server);
  audience ||= url;
  return { url, requests, close: closer(server) };
}

/**
 * The metadata server's two answers google-auth-library needs: that it is there (`Metadata-Flavor:
 * Google`), and an ID token for the default service account and the audience asked for.
 */
export async function startMetadataServer(
  issuer: TokenIssuer,
  email: string,
): Promise<{ host: string; audiences: string[]; close(): Promise<void> }> {
  const audiences: string[] = [];
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://metadata');
    const send = (status: number, text: string) =>
      res.writeHead(status, { 'metadata-flavor': 'Google', 'content-type': 'text/plain' }).end(text);
    if (req.headers['metadata-flavor'] !== 'Google') return send(403, 'Missing Metadata-Flavor header');
    if (url.pathname === '/computeMetadata/v1/instance' || url.pathname === '/computeMetadata/v1/instance/')
      return send(200, 'attributes/\nservice-accounts/\n');
    if (url.pathname === '/computeMetadata/v1/instance/service-accounts/default/identity') {
      const audience = url.searchParams.get('audience') ?? '';
      audiences.push(audience);
      return send(200, await issuer.sign({ aud: audience, email }));
    }
    return send(404, 'not found');
  });
  const url = await listen(server);
  return { host: new URL(url).host, audiences, close: closer(server) };
}
