import { quoteInput, UsageError, type UsageSource } from '../result/settings.js';

/*
 * Vantage texts, parsed without loading a cloud SDK: a CLI run from the runner alone never loads one
 * (clients.ts, gcp-client.ts), which is most of the bundle's start-up time.
 */

/** Where to probe from: here, a Lambda (by name or ARN), a Lambda Function URL, or a Google Cloud function. */
export type VantageSpec =
  | { kind: 'runner'; label: 'runner' }
  | {
      kind: 'aws-lambda';
      label: string;
      region: string;
      functionName: string;
      /** A version or alias (`live`, `7`, `$LATEST`). */
      qualifier?: string;
      /** The function's full ARN, when it was given as one (another account, another partition). */
      functionArn?: string;
    }
  | { kind: 'function-url'; label: string; region: string; url: URL }
  | { kind: 'gcp'; label: string; region: string; url: URL };

/** A vantage somewhere else, reached through its cloud's API. */
export type RemoteVantageSpec = Exclude<VantageSpec, { kind: 'runner' }>;

const AWS_REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** A version number, `$LATEST`, or an alias (which may not be all digits, and which the pattern admits). */
const QUALIFIER = /^(?:\$LATEST|[A-Za-z0-9_-]{1,128})$/;
const LAMBDA_ARN = /^arn:(aws|aws-cn|aws-us-gov):lambda:([^:]+):(\d{12}):function:([^:]+)(?::([^:]+))?$/;
/** Google Cloud regions: `europe-west1`, `us-central1`, `northamerica-northeast2`. */
const GCP_REGION = /^[a-z]+-[a-z]+\d{1,2}$/;

const FORMS =
  'runner, aws-lambda:REGION:FUNCTION[:QUALIFIER], a Lambda ARN, https://ID.lambda-url.REGION.on.aws/ or gcp:REGION:URL';

/**
 * Vantage texts checked once, `runner` when none is given. The same vantage given twice counts once;
 * two different functions that would share a label (two in one region) are labelled in full.
 */
export function parseVantages(
  texts: readonly string[],
  source: (index: number) => UsageSource,
): VantageSpec[] {
  const specs = (texts.length > 0 ? texts : ['runner']).map((text, i) => parseVantage(text, source(i)));
  const unique = specs.filter((spec, i) => specs.findIndex((s) => identity(s) === identity(spec)) === i);
  return unique.map((spec) =>
    spec.kind !== 'runner' && unique.some((s) => s !== spec && s.label === spec.label)
      ? { ...spec, label: fullLabel(spec) }
      : spec,
  );
}

/** What a vantage calls: equal for two texts that name the same function. */
function identity(spec: VantageSpec): string {
  switch (spec.kind) {
    case 'runner':
      return 'runner';
    case 'aws-lambda':
      return `aws-lambda:${spec.functionArn ?? `${spec.region}:${spec.functionName}`}:${spec.qualifier ?? ''}`;
    default:
      return `${spec.kind}:${spec.url.href}`;
  }
}

function fullLabel(spec: RemoteVantageSpec): string {
  switch (spec.kind) {
    case 'aws-lambda': {
      const account = spec.functionArn?.split(':')[4];
      return [spec.label, account, spec.functionName, spec.qualifier].filter(Boolean).join(':');
    }
    case 'function-url':
      return `${spec.label}:${spec.url.hostname.split('.')[0]}`;
    case 'gcp':
      return `${spec.label}:${spec.url.host}${spec.url.pathname.replace(/\/$/, '')}`;
  }
}

/**
 * `runner`; `aws-lambda:REGION:FUNCTION` or `aws-lambda:REGION:FUNCTION:QUALIFIER`;
 * `arn:aws:lambda:REGION:ACCOUNT:function:FUNCTION[:QUALIFIER]`; `https://ID.lambda-url.REGION.on.aws/`;
 * `gcp:REGION:URL` (a Cloud Run functions URL; plain http only to this machine, for a local
 * functions-framework).
 */
export function parseVantage(text: string, source: UsageSource): VantageSpec {
  if (text === 'runner') return { kind: 'runner', label: 'runner' };
  const lambda = /^aws-lambda:([^:]+):([^:]+)(?::([^:]*))?$/.exec(text);
  if (lambda) {
    const [, region = '', functionName = '', qualifier] = lambda;
    return lambdaSpec(region, functionName, qualifier, undefined, source);
  }
  const arn = LAMBDA_ARN.exec(text);
  if (arn) {
    const [, partition = '', region = '', account = '', functionName = '', qualifier] = arn;
    const functionArn = `arn:${partition}:lambda:${region}:${account}:function:${functionName}`;
    return lambdaSpec(region, functionName, qualifier, functionArn, source);
  }
  if (text.startsWith('arn:')) {
    throw new UsageError(
      `${quoteInput(text)} is not a Lambda function ARN: arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`,
      source,
    );
  }
  const gcp = /^gcp:([^:]*):(.*)$/.exec(text);
  if (gcp) return gcpSpec(gcp[1] ?? '', gcp[2] ?? '', source);
  const url = urlOf(text);
  const region = url ? /^[a-z0-9]+\.lambda-url\.([a-z0-9-]+)\.on\.aws$/.exec(url.hostname)?.[1] : undefined;
  if (url?.protocol === 'https:' && region && AWS_REGION.test(region)) {
    return { kind: 'function-url', label: `function-url:${region}`, region, url };
  }
  throw new UsageError(`${quoteInput(text)} is not a vantage: use ${FORMS}`, source);
}

function lambdaSpec(
  region: string,
  functionName: string,
  qualifier: string | undefined,
  functionArn: string | undefined,
  source: UsageSource,
): VantageSpec {
  if (!AWS_REGION.test(region)) throw new UsageError(`${quoteInput(region)} is not an AWS region`, source);
  if (!FUNCTION_NAME.test(functionName))
    throw new UsageError(`${quoteInput(functionName)} is not a function name`, source);
  if (qualifier !== undefined && !QUALIFIER.test(qualifier)) {
    throw new UsageError(
      `${quoteInput(qualifier)} is not a function version or alias (a number, $LATEST or an alias name)`,
      source,
    );
  }
  return {
    kind: 'aws-lambda',
    label: `aws-lambda:${region}`,
    region,
    functionName,
    ...(qualifier === undefined ? {} : { qualifier }),
    ...(functionArn === undefined ? {} : { functionArn }),
  };
}

function urlOf(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

function gcpSpec(region: string, text: string, source: UsageSource): VantageSpec {
  if (!GCP_REGION.test(region)) {
    throw new UsageError(
      `${quoteInput(region)} is not a Google Cloud region (e.g. europe-west1): use gcp:REGION:URL`,
      source,
    );
  }
  const url = urlOf(text);
  if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(url.hostname)))) {
    throw new UsageError(
      `${quoteInput(text)} is not the function's https:// URL (e.g. https://smtp-port-probe-123456789012.${region}.run.app)`,
      source,
    );
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new UsageError(
      `the URL of gcp:${region} must not carry credentials, a query or a fragment: the ID token authenticates`,
      source,
    );
  }
  // Both URL forms name their region: `NAME-PROJECTNUMBER.REGION.run.app`, `REGION-PROJECT.cloudfunctions.net`.
  const named =
    /\.([a-z]+-[a-z]+\d{1,2})\.run\.app$/.exec(url.hostname)?.[1] ??
    /^([a-z]+-[a-z]+\d{1,2})-[a-z0-9-]+\.cloudfunctions\.net$/.exec(url.hostname)?.[1];
  if (named && named !== region) {
    throw new UsageError(
      `${url.hostname} is in ${named}, not ${region}: write gcp:${named}:${url.href}`,
      source,
    );
  }
  return { kind: 'gcp', label: `gcp:${region}`, region, url };
}
