/**
 * The machine view: the Report itself, described by `report.schema.json`. Keys are written in one
 * fixed order (the schema's, which is the model's) whatever order the object was built in, so that two
 * runs diff cleanly and two reports read alike whatever built them.
 */
import { STAGES } from '../probe/index.js';
import type { Report } from '../result/model.js';

type Shape =
  | 'report'
  | 'tool'
  | 'vantageReport'
  | 'vantageFacts'
  | 'row'
  | 'reply'
  | 'timings'
  | 'smtp'
  | 'greeting'
  | 'ehlo'
  | 'keywords'
  | 'tls'
  | 'certificate'
  | 'chainCertificate'
  | 'auth'
  | 'envelope'
  | 'transcriptLine'
  | 'finding'
  | 'location'
  | 'recommendation'
  | 'verdict';

/** A key, or a key whose value (or each element of it) has a shape of its own. */
type Field = string | readonly [key: string, shape: Shape];

/**
 * The order of every closed object's keys; a test holds it equal to the schema's `properties`. Open
 * maps (`sorted`) have no order of their own, so theirs is alphabetical.
 */
const KEY_ORDER: Readonly<Record<Shape, readonly Field[] | 'sorted'>> = {
  report: [
    'schemaVersion',
    ['tool', 'tool'],
    'startedAt',
    'durationMs',
    'configFile',
    ['vantages', 'vantageReport'],
    ['results', 'row'],
    ['findings', 'finding'],
    ['recommendations', 'recommendation'],
    ['verdict', 'verdict'],
  ],
  tool: ['name', 'version'],
  vantageReport: ['label', 'kind', 'region', ['facts', 'vantageFacts'], 'error'],
  vantageFacts: [
    'provider',
    'region',
    'functionName',
    'functionVersion',
    'runtime',
    'architecture',
    'requestId',
  ],
  row: [
    'target',
    'vantage',
    'control',
    'host',
    'port',
    'mode',
    'address',
    'family',
    'status',
    'stage',
    ['reply', 'reply'],
    'errorCode',
    'explanation',
    'hint',
    'durationMs',
    ['timings', 'timings'],
    ['smtp', 'smtp'],
    ['tls', 'tls'],
    ['auth', 'auth'],
    ['envelope', 'envelope'],
    'retries',
    ['transcript', 'transcriptLine'],
    'transcriptTruncated',
  ],
  reply: ['code', 'enhanced', 'lines'],
  timings: STAGES,
  smtp: [
    ['greeting', 'greeting'],
    'heloFallback',
    ['ehlo', 'ehlo'],
    ['ehloAfterTls', 'ehlo'],
    'starttlsInjectedBytes',
    'starttlsInjectedSample',
  ],
  greeting: ['code', 'text'],
  ehlo: [
    'domain',
    ['keywords', 'keywords'],
    'size',
    'pipelining',
    'eightBitMime',
    'smtpUtf8',
    'chunking',
    'starttls',
    'enhancedStatusCodes',
    'dsn',
    'auth',
  ],
  keywords: 'sorted',
  tls: [
    'mode',
    'protocol',
    'cipher',
    'servername',
    'trusted',
    'trustError',
    'hostnameMatch',
    'hostnameError',
    ['certificate', 'certificate'],
    ['chain', 'chainCertificate'],
  ],
  certificate: [
    'subject',
    'issuer',
    'subjectAltNames',
    'validFrom',
    'validTo',
    'daysUntilExpiry',
    'expired',
    'notYetValid',
    'fingerprint256',
    'serialNumber',
    'selfSigned',
  ],
  chainCertificate: ['subject', 'issuer', 'validTo', 'fingerprint256'],
  auth: ['mechanism', 'outcome', 'withheld', ['reply', 'reply']],
  envelope: ['from', 'to', ['mailFrom', 'reply'], ['rcptTo', 'reply']],
  transcriptLine: ['at', 'dir', 'text'],
  finding: [
    'rule',
    'vantage',
    'control',
    'severity',
    'message',
    'hint',
    'target',
    'host',
    'port',
    'address',
    ['location', 'location'],
  ],
  location: ['file', 'line', 'column'],
  recommendation: ['target', 'vantage', 'port', 'mode', 'outcome', 'reason'],
  verdict: ['pass', 'failOn', 'errors', 'warnings', 'notices'],
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A copy of `value` with its keys in the shape's order; keys the shape does not know follow, as found. */
function ordered(value: unknown, shape: Shape | undefined): unknown {
  if (Array.isArray(value)) return value.map((item) => ordered(item, shape));
  if (shape === undefined || !isRecord(value)) return value;
  const order = KEY_ORDER[shape];
  const out: Record<string, unknown> = {};
  for (const field of order === 'sorted' ? Object.keys(value).sort() : order) {
    const [key, nested] = typeof field === 'string' ? [field, undefined] : field;
    if (Object.hasOwn(value, key)) out[key] = ordered(value[key], nested);
  }
  // Unknown keys are kept, not dropped: losing data silently is worse than an unexpected key, and the
  // schema (additionalProperties: false) is what tells a consumer about them.
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(out, key)) out[key] = value[key];
  }
  return out;
}

/** The report as pretty-printed JSON (2 spaces, trailing newline), keys in the schema's order. */
export function renderJson(report: Report): string {
  return `${JSON.stringify(ordered(report, 'report'), null, 2)}\n`;
}
