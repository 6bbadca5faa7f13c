import { Sha256 } from '@aws-crypto/sha256-js';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { type Answer, AnswerError, ContractMismatch, decodeAnswer } from '../contract/index.js';
import type { RemoteVantageSpec } from './spec.js';

/**
 * Why a vantage could not answer (403, timeout, function error, bad answer). The message does not
 * repeat the vantage's label: the report names the vantage beside it.
 */
export class VantageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VantageError';
  }
}

/** The contract answer from the function's reply text; a contract error keeps its own words. */
function answerFrom(text: string): Answer {
  try {
    return decodeAnswer(text);
  } catch (error) {
    if (error instanceof AnswerError || error instanceof ContractMismatch)
      throw new VantageError(error.message);
    throw error;
  }
}

function failure(error: unknown, permissions: string): VantageError {
  if (error instanceof VantageError) return error;
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  if (status === 403 || e.name === 'AccessDeniedException') {
    return new VantageError(`access denied (403): the credentials need ${permissions} on this function`);
  }
  if (e.name === 'AbortError' || e.name === 'TimeoutError') return new VantageError('no answer in time');
  return new VantageError(`${e.name ?? 'Error'}: ${e.message ?? String(error)}`);
}

/**
 * Invokes the function through the Lambda Invoke API with the default credential chain
 * (AWS_ENDPOINT_URL_LAMBDA, when set, points the SDK at another endpoint).
 */
export async function invokeLambda(
  spec: Extract<RemoteVantageSpec, { kind: 'aws-lambda' }>,
  body: string,
  signal: AbortSignal,
): Promise<Answer> {
  const client = new LambdaClient({ region: spec.region, maxAttempts: 1 });
  try {
    const out = await client.send(
      new InvokeCommand({ FunctionName: spec.functionName, Payload: Buffer.from(body) }),
      { abortSignal: signal },
    );
    const text = Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8');
    if (out.FunctionError) {
      let message = out.FunctionError;
      try {
        message = (JSON.parse(text || '{}') as { errorMessage?: string }).errorMessage ?? message;
      } catch {
        // The payload of a crashed function need not be JSON: the error kind alone is said.
      }
      throw new VantageError(`the function failed: ${message}`);
    }
    return answerFrom(text);
  } catch (error) {
    throw failure(error, 'lambda:InvokeFunction');
  } finally {
    client.destroy();
  }
}

/**
 * POSTs to a Function URL with AuthType AWS_IAM, the request signed with SigV4 (service `lambda`).
 * Since October 2025 the caller needs both lambda:InvokeFunctionUrl and lambda:InvokeFunction.
 */
export async function invokeFunctionUrl(
  spec: Extract<RemoteVantageSpec, { kind: 'function-url' }>,
  body: string,
  signal: AbortSignal,
): Promise<Answer> {
  const { url } = spec;
  const permissions = 'lambda:InvokeFunctionUrl and lambda:InvokeFunction (both are required)';
  try {
    const signer = new SignatureV4({
      service: 'lambda',
      region: spec.region,
      credentials: defaultProvider(),
      sha256: Sha256,
    });
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { host: url.host, 'content-type': 'application/json' },
      body,
    });
    const response = await fetch(url, { method: 'POST', headers: signed.headers, body, signal });
    const text = await response.text();
    if (response.status === 403)
      throw new VantageError(`access denied (403): the credentials need ${permissions} on this function`);
    if (response.status !== 200) {
      // An error answer says why (bad request, internal error with its request id); anything else is a status.
      let why = '';
      try {
        answerFrom(text);
      } catch (error) {
        if (error instanceof VantageError && !/not JSON|not an object/.test(error.message))
          why = `: ${error.message}`;
      }
      throw new VantageError(`answered HTTP ${response.status}${why}`);
    }
    return answerFrom(text);
  } catch (error) {
    throw failure(error, permissions);
  }
}
