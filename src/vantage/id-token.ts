/**
 * Google ID tokens for Cloud Run functions: given by the user (google-github-actions/auth's `id_token`
 * output, `gcloud auth print-identity-token`), or minted with google-auth-library where the
 * credentials can (a service account key, the metadata server, an impersonated service account).
 * A token is a secret: no message here ever contains one, only its audience, identity and expiry.
 */
import { decodeJwt } from 'jose';
import { VantageError } from './answers.js';

export interface IdToken {
  token: string;
  audiences: string[];
  /** Seconds since the epoch (`exp`). */
  expires?: number;
  /** The identity the token speaks for (a service account's email). */
  email?: string;
}

/** One or more tokens, separated by whitespace or commas (one per audience when functions differ). */
export function parseIdTokens(text: string): IdToken[] {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  return parts.map((token, i) => {
    try {
      const claims = decodeJwt(token);
      const audiences = Array.isArray(claims.aud) ? claims.aud : claims.aud ? [claims.aud] : [];
      return {
        token,
        audiences,
        ...(typeof claims.exp === 'number' ? { expires: claims.exp } : {}),
        ...(typeof claims.email === 'string' ? { email: claims.email } : {}),
      };
    } catch {
      throw new VantageError(
        `the ID token${parts.length > 1 ? ` ${i + 1} of ${parts.length}` : ''} in \`gcp_id_token\` is not a JWT`,
      );
    }
  });
}

/**
 * The audience Cloud Run expects by default: the function's URL without a trailing slash (the root of
 * a `run.app` host, or the function's path under `cloudfunctions.net`).
 */
export function audienceOf(url: URL): string {
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

const matches = (token: IdToken, audience: string) =>
  token.audiences.some((aud) => aud.replace(/\/+$/, '') === audience);

/**
 * The token for this function: the one whose audience is its URL; else the only one given, whose
 * audience may be a custom audience the function accepts (`--add-custom-audiences`), for one token
 * that serves every region.
 */
export function tokenFor(tokens: readonly IdToken[], audience: string, nowSeconds: number): IdToken {
  const token = tokens.find((t) => matches(t, audience)) ?? (tokens.length === 1 ? tokens[0] : undefined);
  if (!token) {
    const given = tokens.map((t) => t.audiences.join(' ') || 'none').join(', ');
    throw new VantageError(
      `none of the ${tokens.length} ID tokens in \`gcp_id_token\` has the audience ${audience} (theirs: ${given})`,
    );
  }
  if (token.expires !== undefined && token.expires <= nowSeconds) {
    throw new VantageError(
      `the ID token in \`gcp_id_token\` expired at ${new Date(token.expires * 1000).toISOString()} (Google ID tokens last an hour): mint a fresh one`,
    );
  }
  return token;
}

/** Minted tokens, per audience, reused while they have a minute left. */
const minted = new Map<string, Promise<IdToken>>();

/**
 * A token minted by google-auth-library's Application Default Credentials for this audience. Workload
 * Identity Federation and gcloud user credentials cannot mint ID tokens: the error says what to give.
 */
export async function mintIdToken(audience: string, signal: AbortSignal): Promise<IdToken> {
  const cached = minted.get(audience);
  const now = Date.now() / 1000;
  const reusable = await cached?.catch(() => undefined);
  if (reusable && (reusable.expires ?? 0) > now + 60) return reusable;
  const fresh = mint(audience);
  minted.set(audience, fresh);
  fresh.catch(() => minted.delete(audience));
  return abortable(fresh, signal);
}

async function mint(audience: string): Promise<IdToken> {
  const { GoogleAuth } = await import('google-auth-library');
  let token: string;
  try {
    const client = await new GoogleAuth().getIdTokenClient(audience);
    token = await client.idTokenProvider.fetchIdToken(audience);
  } catch (error) {
    throw mintFailure(error);
  }
  const [parsed] = parseIdTokens(token);
  if (!parsed) throw new VantageError('google-auth-library minted an empty ID token');
  return parsed;
}

function mintFailure(error: unknown): VantageError {
  const message = error instanceof Error ? error.message : String(error);
  const give =
    'give one in `gcp_id_token` (google-github-actions/auth with token_format: id_token, or gcloud auth print-identity-token)';
  if (/Cannot fetch ID token in this environment/.test(message)) {
    return new VantageError(
      `these Google credentials cannot mint an ID token (Workload Identity Federation and gcloud user credentials cannot): ${give}`,
    );
  }
  if (/Could not load the default credentials/.test(message)) {
    return new VantageError(
      `no Google credentials to mint an ID token with: ${give}, or set GOOGLE_APPLICATION_CREDENTIALS to a service account key, or run on Google Cloud`,
    );
  }
  return new VantageError(`could not mint a Google ID token: ${message.split('\n')[0]?.slice(0, 200)}`);
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new VantageError('no answer in time'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new VantageError('no answer in time (minting the ID token)'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
