import { UsageError, type UsageSource } from '../result/settings.js';

/*
 * Vantage texts, parsed without loading the AWS SDK: a CLI run from the runner alone never loads the
 * SDK (clients.ts), which is most of the bundle's start-up time.
 */

/** Vantage texts checked once, `runner` when none is given, each named once. */
export function parseVantages(
  texts: readonly string[],
  source: (index: number) => UsageSource,
): VantageSpec[] {
  const specs = (texts.length > 0 ? texts : ['runner']).map((text, i) => parseVantage(text, source(i)));
  return specs.filter((spec, i) => specs.findIndex((s) => s.label === spec.label) === i);
}

/** Where to probe from: here, a Lambda by region and name, or a Lambda Function URL. */
export type VantageSpec =
  | { kind: 'runner'; label: 'runner' }
  | { kind: 'aws-lambda'; label: string; region: string; functionName: string }
  | { kind: 'function-url'; label: string; region: string; url: URL };

/** A vantage somewhere else, reached through its cloud's API. */
export type RemoteVantageSpec = Exclude<VantageSpec, { kind: 'runner' }>;

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** `runner`, `aws-lambda:REGION:FUNCTION`, or `https://ID.lambda-url.REGION.on.aws/`. */
export function parseVantage(text: string, source: UsageSource): VantageSpec {
  if (text === 'runner') return { kind: 'runner', label: 'runner' };
  const lambda = /^aws-lambda:([^:]+):([^:]+)$/.exec(text);
  if (lambda) {
    const [, region = '', functionName = ''] = lambda;
    if (!REGION.test(region)) throw new UsageError(`${JSON.stringify(region)} is not an AWS region`, source);
    if (!FUNCTION_NAME.test(functionName))
      throw new UsageError(`${JSON.stringify(functionName)} is not a function name`, source);
    return { kind: 'aws-lambda', label: `aws-lambda:${region}`, region, functionName };
  }
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  const region = url ? /^[a-z0-9]+\.lambda-url\.([a-z0-9-]+)\.on\.aws$/.exec(url.hostname)?.[1] : undefined;
  if (url?.protocol === 'https:' && region && REGION.test(region)) {
    return { kind: 'function-url', label: `function-url:${region}`, region, url };
  }
  throw new UsageError(
    `${JSON.stringify(text)} is not a vantage: use runner, aws-lambda:REGION:FUNCTION or https://ID.lambda-url.REGION.on.aws/`,
    source,
  );
}
