import { Sha256 } from '@aws-crypto/sha256-js';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Report } from '../report/model.js';
import type { ProbeRequest } from './request.js';
import type { VantageSpec } from './vantage-spec.js';

/** A vantage that could not answer (403, timeout, function error, bad response); hides no other vantage. */
export class VantageError extends Error {
  readonly vantage: string;

  constructor(vantage: string, message: string) {
    super(`${vantage}: ${message}`);
    this.name = 'VantageError';
    this.vantage = vantage;
  }
}

/** The handler's answer: a report, or its typed error. */
function reportFrom(vantage: string, text: string): Report {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new VantageError(vantage, 'answered with something that is not JSON');
  }
  const error = (body as { error?: { type?: string; field?: string; message?: string } }).error;
  if (error) throw new VantageError(vantage, `${error.type ?? 'error'}: ${error.message ?? 'no message'}`);
  if ((body as Partial<Report>).schemaVersion !== 1 || !Array.isArray((body as Partial<Report>).results)) {
    throw new VantageError(vantage, 'answered with something that is not a version 1 report');
  }
  return body as Report;
}

function failure(vantage: string, error: unknown, permission: string): VantageError {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  if (status === 403 || e.name === 'AccessDeniedException') {
    return new VantageError(
      vantage,
      `access denied (403): the credentials need ${permission} on this function`,
    );
  }
  if (e.name === 'AbortError' || e.name === 'TimeoutError')
    return new VantageError(vantage, 'no answer in time');
  return new VantageError(vantage, `${e.name ?? 'Error'}: ${e.message ?? String(error)}`);
}

/**
 * Invokes the function through the Lambda Invoke API with the default credential chain
 * (AWS_ENDPOINT_URL_LAMBDA, when set, points the SDK at another endpoint).
 */
export async function invokeLambda(
  spec: Extract<VantageSpec, { kind: 'aws-lambda' }>,
  request: ProbeRequest,
  signal?: AbortSignal,
): Promise<Report> {
  const client = new LambdaClient({ region: spec.region, maxAttempts: 1 });
  try {
    const out = await client.send(
      new InvokeCommand({ FunctionName: spec.functionName, Payload: Buffer.from(JSON.stringify(request)) }),
      signal ? { abortSignal: signal } : {},
    );
    const text = Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8');
    if (out.FunctionError) {
      const message =
        (JSON.parse(text || '{}') as { errorMessage?: string }).errorMessage ?? out.FunctionError;
      throw new VantageError(spec.label, `the function failed: ${message}`);
    }
    return reportFrom(spec.label, text);
  } catch (error) {
    if (error instanceof VantageError) throw error;
    throw failure(spec.label, error, 'lambda:InvokeFunction');
  } finally {
    client.destroy();
  }
}

/** POSTs to a Function URL with AuthType AWS_IAM, the request signed with SigV4 (service `lambda`). */
export async function invokeFunctionUrl(
  spec: Extract<VantageSpec, { kind: 'function-url' }>,
  request: ProbeRequest,
  signal?: AbortSignal,
): Promise<Report> {
  const body = JSON.stringify(request);
  const { url } = spec;
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
    const response = await fetch(url, {
      method: 'POST',
      headers: signed.headers,
      body,
      ...(signal ? { signal } : {}),
    });
    const text = await response.text();
    if (response.status === 403) {
      throw new VantageError(
        spec.label,
        'access denied (403): the credentials need lambda:InvokeFunctionUrl on this function',
      );
    }
    if (response.status !== 200 && response.status !== 400) {
      throw new VantageError(spec.label, `answered HTTP ${response.status}`);
    }
    return reportFrom(spec.label, text);
  } catch (error) {
    if (error instanceof VantageError) throw error;
    throw failure(spec.label, error, 'lambda:InvokeFunctionUrl');
  }
}
