import { Sha256 } from '@aws-crypto/sha256-js';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Answer } from '../contract/index.js';
import { answerFrom, httpStatusError, VantageError } from './answers.js';
import type { RemoteVantageSpec } from './spec.js';

export { VantageError } from './answers.js';

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
      new InvokeCommand({
        // An ARN reaches another account; a qualifier, a version or alias.
        FunctionName: spec.functionArn ?? spec.functionName,
        ...(spec.qualifier ? { Qualifier: spec.qualifier } : {}),
        Payload: Buffer.from(body),
      }),
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
    if (response.status !== 200) throw httpStatusError(response.status, text);
    return answerFrom(text);
  } catch (error) {
    throw failure(error, permissions);
  }
}
