import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { defaultMode } from '../probe/index.js';
import { cutInput, quoteInput } from '../result/settings.js';
import { type ConfigData, compact, configSchema, describeValue, IPV6_HINT } from './config-schema.js';
import { controlFromEntry } from './controls.js';
import { copyExpectations, redactCredentials, toTargetPlan } from './targets.js';
import {
  DEFAULT_PORTS,
  type Expectations,
  type FailOn,
  type PlanOptions,
  type PortPlan,
  type SourceLocation,
  type TargetPlan,
  UsageError,
} from './types.js';

export interface ConfigResult {
  targets: TargetPlan[];
  /** `controls:`: servers known to answer from anywhere (src/plan/controls.ts). */
  controls: TargetPlan[];
  /** Only what the file sets; the caller layers it over flags and DEFAULT_OPTIONS. */
  options: Partial<PlanOptions>;
  /** `defaults.expect`: applies to every target, wherever it was given (file, flag, input). */
  defaultExpect?: Expectations;
  failOn?: FailOn;
  file: string;
}

type Path = ReadonlyArray<PropertyKey>;

/** `targets[1].ports[0]`: the path as the user would point at it in the file. */
function formatPath(path: Path): string {
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

// The parser's own wording for this one names a function of its API, not what the user should do.
const ONE_DOCUMENT =
  'a config file holds one document: remove the second "---" and what follows, or merge them';

const where = (location: SourceLocation): string => `${location.file}:${location.line}:${location.column}`;

/**
 * Finds the node a path points at. A key that is absent (a missing required key) stops the walk at its
 * parent mapping, which is where the user must add it; `unknownKey` points at that key itself.
 */
function findNode(doc: Document, path: Path, unknownKey?: string): Node | undefined {
  let node: unknown = doc.contents;
  const step = (key: PropertyKey): boolean => {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => String(isScalar(item.key) ? item.key.value : item.key) === String(key),
      );
      if (!pair) return false;
      node = pair.value ?? pair.key;
      // `host:` with nothing after it: a null scalar with an empty range; the key is the better spot.
      if (isScalar(node) && node.value === null && pair.key) node = pair.key;
      return true;
    }
    if (isSeq(node) && typeof key === 'number' && node.items[key] !== undefined) {
      node = node.items[key];
      return true;
    }
    return false;
  };
  for (const key of path) if (!step(key)) break;
  if (unknownKey !== undefined) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === unknownKey);
      if (pair?.key) node = pair.key;
    }
  }
  return node as Node | undefined;
}

interface Problem {
  path: Path;
  message: string;
  unknownKey?: string;
}

/**
 * Unwraps unions: of the branches that failed, the one whose problem is not "wrong type right here"
 * is the one the user meant (a mapping target with a bad port, not "expected a string").
 */
function problemsOf(issues: readonly z.core.$ZodIssue[], prefix: Path = []): Problem[] {
  return issues.flatMap((issue): Problem[] => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union') {
      const meant = issue.errors.find((branch) =>
        branch.some((inner) => !(inner.code === 'invalid_type' && inner.path.length === 0)),
      );
      if (meant) return problemsOf(meant, path);
    }
    const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    return [{ path, message: issue.message, ...(unknownKey !== undefined ? { unknownKey } : {}) }];
  });
}

function locate(doc: Document, lines: LineCounter, file: string, path: Path, unknownKey?: string) {
  const offset = findNode(doc, path, unknownKey)?.range?.[0] ?? 0;
  const { line, col } = lines.linePos(offset);
  return { file, line, column: col };
}

/** Deep for `cert`, shallow for the rest: later layers (target, then port) win. */
function mergeExpectations(...layers: Array<Expectations | undefined>): Expectations {
  const merged: Expectations = {};
  for (const layer of layers) {
    if (!layer) continue;
    const { cert, ...rest } = layer;
    Object.assign(merged, rest);
    if (cert) merged.cert = { ...merged.cert, ...cert };
  }
  return copyExpectations(merged);
}

function optionsOf(defaults: NonNullable<ConfigData['defaults']> | undefined): Partial<PlanOptions> {
  if (!defaults) return {};
  const { tls } = defaults;
  const caFiles = tls?.ca_file === undefined ? undefined : [tls.ca_file].flat();
  return compact({
    timeout: defaults.timeout,
    connectTimeout: defaults.connect_timeout,
    greetingTimeout: defaults.greeting_timeout,
    commandTimeout: defaults.command_timeout,
    overallTimeout: defaults.overall_timeout,
    helo: defaults.helo,
    concurrency: defaults.concurrency,
    retries: defaults.retries,
    tls:
      tls &&
      compact({
        ca: caFiles?.map((file) => file.pem),
        minVersion: tls.min_version,
        allowUnverifiedAuth: tls.allow_unverified_auth,
        allowPlaintextAuth: tls.allow_plaintext_auth,
      }),
  });
}

type TargetEntry = NonNullable<ConfigData['targets']>[number];

function targetPlanOf(
  entry: TargetEntry,
  defaultExpect: Expectations | undefined,
  at: (path: Path) => SourceLocation,
  path: Path,
): TargetPlan {
  const location = at(path);
  if ('spec' in entry) {
    return toTargetPlan(entry.spec, { expect: mergeExpectations(defaultExpect), location });
  }
  const host = entry.host ?? entry.mx ?? '';
  const entries = entry.mx
    ? [{ port: 25, mode: undefined, expect: undefined }]
    : (entry.ports ?? DEFAULT_PORTS.map((port) => ({ port, mode: undefined, expect: undefined })));
  const ports = entries
    .map(
      (p, index): PortPlan => ({
        port: p.port,
        mode: p.mode ?? entry.mode ?? defaultMode(p.port),
        modeExplicit: (p.mode ?? entry.mode) !== undefined,
        expect: mergeExpectations(defaultExpect, entry.expect, p.expect),
        location: entry.ports ? at([...path, 'ports', index]) : location,
      }),
    )
    // A port listed twice with the same settings (checkTarget refuses different ones) is probed once.
    .filter((p, i, all) => all.findIndex((q) => q.port === p.port) === i);
  const user = entry.username_env;
  const pass = entry.password_env;
  return {
    name: entry.name ?? (entry.mx ? `mx:${host}` : host),
    host,
    mx: entry.mx !== undefined,
    ports,
    require: entry.require ?? 'all',
    ...(user && pass
      ? {
          auth: { username: user.value, password: pass.value },
          credentialRefs: { usernameEnv: user.name, passwordEnv: pass.name },
        }
      : {}),
    ...(entry.envelope ? { envelope: entry.envelope } : {}),
    location,
  };
}

/** The line at a YAML error, to name what the parser choked on (credentials in URLs hidden). */
function lineAt(text: string, lines: LineCounter, offset: number): string {
  const { line } = lines.linePos(offset);
  const start = lines.lineStarts[line - 1] ?? 0;
  const end = text.indexOf('\n', start);
  const content = redactCredentials(text.slice(start, end === -1 ? undefined : end).trim());
  return content.length > 60 ? `${content.slice(0, 60)}…` : content;
}

/**
 * Reads a config file's text. Every mistake becomes one UsageError at `file:line:column`: the first
 * YAML syntax error, else the first schema problem in document order.
 */
export function parseConfig(
  text: string,
  file: string,
  env: Record<string, string | undefined>,
  /** Where relative paths in the file (ca_file) start; the file's own directory by default. */
  dir: string = dirname(file),
): ConfigResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (path: Path, unknownKey?: string) => locate(doc, lines, file, path, unknownKey);
  const syntax = doc.errors[0];
  if (syntax) {
    const { line, col } = lines.linePos(syntax.pos[0]);
    const near = lineAt(text, lines, syntax.pos[0]);
    const bracketed = /\[[0-9A-Fa-f]*:[0-9A-Fa-f:.]*\]/.test(near) ? ` (${IPV6_HINT})` : '';
    const message = `${syntax.code === 'MULTIPLE_DOCS' ? ONE_DOCUMENT : syntax.message}${bracketed}`;
    throw new UsageError(
      `invalid YAML: ${message}${near ? ` (at ${JSON.stringify(near)})` : ''}`,
      `${file}:${line}:${col}`,
    );
  }
  if (doc.contents === null) {
    throw new UsageError(
      'the config file is empty: expected a mapping with targets and defaults',
      `${file}:1:1`,
    );
  }
  let data: unknown;
  try {
    // maxAliasCount keeps a "billion laughs" file from expanding without bound.
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new UsageError(`cannot read the YAML: ${cutInput((error as Error).message, 200)}`, `${file}:1:1`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new UsageError(
      `expected a mapping with targets and defaults at the top, got ${describeValue(data)}`,
      where(at([])),
    );
  }
  const parsed = configSchema({ dir, env }).safeParse(data, { reportInput: true });
  if (!parsed.success) {
    const located = problemsOf(parsed.error.issues).map((problem) => ({
      problem,
      location: at(problem.path, problem.unknownKey),
    }));
    located.sort((a, b) => a.location.line - b.location.line || a.location.column - b.location.column);
    const first = located[0];
    if (!first) throw new UsageError('invalid config', `${file}:1:1`);
    const path = formatPath(first.problem.path);
    throw new UsageError(
      path ? `${path}: ${first.problem.message}` : first.problem.message,
      where(first.location),
    );
  }
  const config = parsed.data;
  const defaultExpect = config.defaults?.expect;
  return {
    targets: (config.targets ?? []).map((entry, index) =>
      targetPlanOf(entry, defaultExpect, at, ['targets', index]),
    ),
    controls: (config.controls ?? []).map((entry, index) => {
      const location = at(['controls', index]);
      return 'plan' in entry ? { ...entry.plan, location } : controlFromEntry(entry, location);
    }),
    options: optionsOf(config.defaults),
    ...(defaultExpect ? { defaultExpect } : {}),
    ...(config.fail_on ? { failOn: config.fail_on } : {}),
    file,
  };
}

/** Reads and parses a config file; a file that cannot be read is a UsageError naming the path. */
export async function loadConfig(
  path: string,
  env: Record<string, string | undefined> = process.env,
  /** `path` is read relative to this, and keeps the name it was given in every message and location. */
  cwd: string = process.cwd(),
): Promise<ConfigResult> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, path), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory, not a file'
          : (code ?? 'unreadable');
    throw new UsageError(`cannot read config file ${quoteInput(path)}: ${reason}`, cutInput(path));
  }
  return parseConfig(text, path, env, resolve(cwd, dirname(path)));
}
