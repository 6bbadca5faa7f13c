import type { Answer } from '../contract/index.js';
import { answerFrom, httpStatusError, VantageError } from './answers.js';
import { audienceOf, type IdToken, mintIdToken, parseIdTokens, tokenFor } from './id-token.js';
import type { RemoteVantageSpec } from './spec.js';

/**
 * POSTs the request to a Cloud Run function deployed with --no-allow-unauthenticated, with a Google
 * ID token as the Bearer token: one of those given (`idTokens`, the text of the `gcp_id_token`
 * setting), else one google-auth-library mints for the function's URL.
 */
export async function invokeGcp(
  spec: Extract<RemoteVantageSpec, { kind: 'gcp' }>,
  body: string,
  signal: AbortSignal,
  idTokens?: string,
): Promise<Answer> {
  const audience = audienceOf(spec.url);
  try {
    const token = idTokens?.trim()
      ? tokenFor(parseIdTokens(idTokens), audience, Date.now() / 1000)
      : await mintIdToken(audience, signal);
    const response = await fetch(spec.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' },
      body,
      signal,
      // A redirect would carry the token elsewhere: a function's own URL never redirects.
      redirect: 'manual',
    });
    const text = await response.text();
    if (response.status === 401 || response.status === 403) throw refused(response.status, token, audience);
    if (response.status !== 200) throw httpStatusError(response.status, text);
    return answerFrom(text);
  } catch (error) {
    throw failure(error);
  }
}

/**
 * Cloud Run's own refusals, before the function runs: 401 for a token it does not accept (audience,
 * expiry, signature), 403 for an identity without roles/run.invoker.
 */
function refused(status: 401 | 403, token: IdToken, audience: string): VantageError {
  const theirs = token.audiences.length > 0 ? token.audiences.join(', ') : 'none';
  const who = token.email ?? 'its identity';
  return new VantageError(
    status === 401
      ? `unauthenticated (401): the ID token was not accepted; its audience must be ${audience} (or a custom audience of the function; the token's is ${theirs}), it must be unexpired, and ${who} needs roles/run.invoker on this function`
      : `access denied (403): ${who} needs roles/run.invoker on this function (the token's audience: ${theirs}, this function's: ${audience})`,
  );
}

function failure(error: unknown): VantageError {
  if (error instanceof VantageError) return error;
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'AbortError' || e.name === 'TimeoutError') return new VantageError('no answer in time');
  // fetch() says only "fetch failed"; the cause says why (ECONNREFUSED, ENOTFOUND, a TLS error).
  const cause = e.cause?.code ?? e.cause?.message;
  return new VantageError(cause ? `could not reach the function: ${cause}` : `${e.name}: ${e.message}`);
}
