import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODES, STAGES } from '../../src/probe/index.js';
import { renderJson } from '../../src/report/json.js';
import { FAIL_ON, REPORT_STATUSES, type Report, SEVERITIES } from '../../src/result/model.js';
import { RULE_IDS } from '../../src/result/rules.js';
import { type RealRun, startRealRun } from './real-run.js';

interface SchemaNode {
  $ref?: string;
  enum?: unknown[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  $defs?: Record<string, SchemaNode>;
  [keyword: string]: unknown;
}

const schema = JSON.parse(
  readFileSync(new URL('../../src/report/report.schema.json', import.meta.url), 'utf8'),
) as SchemaNode & { $defs: Record<string, SchemaNode> };

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats.default(ajv);
const validate = ajv.compile(schema);

function errorsOf(value: unknown): string[] {
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

function def(name: string): SchemaNode {
  const node = schema.$defs[name];
  if (!node) throw new Error(`no $defs.${name} in the schema`);
  return node;
}

/** Follows `$ref` and a nullable `anyOf` to the node that describes an object's or array's contents. */
function resolve(node: SchemaNode): SchemaNode {
  if (node.$ref) return resolve(def(node.$ref.replace('#/$defs/', '')));
  const object = node.anyOf?.find((n) => n.$ref !== undefined);
  return object ? resolve(object) : node;
}

/** Every object in `value` lists its keys in the order of its schema's `properties`. */
function expectSchemaOrder(value: unknown, node: SchemaNode, path = '$'): void {
  const at = resolve(node);
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      if (at.items) expectSchemaOrder(item, at.items, `${path}[${i}]`);
    });
    return;
  }
  if (typeof value !== 'object' || value === null || !at.properties) return;
  const declared = Object.keys(at.properties);
  const keys = Object.keys(value);
  expect(keys, path).toEqual(declared.filter((key) => keys.includes(key)));
  for (const key of keys) {
    const child = at.properties[key];
    if (child) expectSchemaOrder((value as Record<string, unknown>)[key], child, `${path}.${key}`);
  }
}

/** The same data with every object's keys in reverse order: what another producer might write. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reversedKeys(v)]),
  );
}

let run: RealRun;
beforeAll(async () => {
  run = await startRealRun();
});
afterAll(async () => {
  await run?.close();
});

describe('the JSON report', () => {
  it('is the report itself, pretty-printed with two spaces', () => {
    const out = renderJson(run.report);
    expect(JSON.parse(out)).toEqual(run.report);
    expect(out).toMatch(/^\{\n {2}"schemaVersion": 2,\n {2}"tool": \{\n {4}"name": "smtp-port-probe"/);
    expect(out.endsWith('}\n')).toBe(true);
  });

  it('from real probes (ok with TLS and AUTH, auth_failed, dns_error, refused, rejected) matches the schema', () => {
    const statuses = run.report.results.map((row) => row.status);
    expect(statuses).toEqual(['ok', 'auth_failed', 'dns_error', 'refused', 'rejected']);
    const [ok] = run.report.results;
    expect(ok?.tls?.certificate).toBeDefined();
    expect(ok?.auth).toMatchObject({ outcome: 'accepted' });
    expect(errorsOf(JSON.parse(renderJson(run.report)))).toEqual([]);
  });

  it('writes keys in the schema order whatever order the report was built in', () => {
    const shuffled = reversedKeys(run.report) as Report;
    const out = renderJson(shuffled);
    expect(out).toBe(renderJson(run.report));
    expectSchemaOrder(JSON.parse(out), schema);
  });

  it('keeps every optional field of the model, in schema order', () => {
    const report = structuredClone(run.report);
    report.configFile = '.github/smtp-probe.yml';
    const [row] = report.results;
    if (!row) throw new Error('no row');
    row.reply = { code: 250, enhanced: '2.0.0', lines: ['ok'] };
    row.errorCode = 'EXAMPLE';
    row.hint = 'a hint';
    row.envelope = {
      from: 'app@example.test',
      to: 'ops@example.test',
      mailFrom: { code: 250, lines: ['ok'] },
      rcptTo: { code: 250, lines: ['ok'] },
    };
    if (row.smtp)
      Object.assign(row.smtp, { starttlsInjectedBytes: 8, starttlsInjectedSample: '250 x\\r\\n' });
    const out = JSON.parse(renderJson(reversedKeys(report) as Report));
    expect(errorsOf(out)).toEqual([]);
    expectSchemaOrder(out, schema);
    expect(out.results[0].timings).toEqual(row.timings);
    expect(Object.keys(out.results[0].timings)).toEqual(STAGES.filter((s) => s in row.timings));
  });
});

describe('report.schema.json', () => {
  it('is draft 2020-12 with a versioned $id', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe('https://smtp-port-probe.dev/schema/report-2.json');
  });

  it('has the code catalogues as its enums, so the two cannot drift', () => {
    expect(def('status').enum).toEqual([...REPORT_STATUSES]);
    expect(def('stage').enum).toEqual([...STAGES]);
    expect(def('rule').enum).toEqual([...RULE_IDS]);
    expect(def('mode').enum).toEqual([...MODES]);
    expect(def('severity').enum).toEqual([...SEVERITIES]);
    expect(def('failOn').enum).toEqual([...FAIL_ON]);
  });

  it('rejects a status the catalogue does not know', () => {
    const report = structuredClone(run.report) as unknown as { results: Array<{ status: string }> };
    const [row] = report.results;
    if (row) row.status = 'kinda_ok';
    expect(errorsOf(report)).toContain('/results/0/status must be equal to one of the allowed values');
  });

  it('rejects a row with a missing field', () => {
    const report = structuredClone(run.report) as unknown as { results: Array<Record<string, unknown>> };
    delete report.results[1]?.explanation;
    expect(errorsOf(report)).toContain("/results/1 must have required property 'explanation'");
  });

  it('rejects a field the model does not have', () => {
    const report = { ...structuredClone(run.report), extra: true };
    expect(errorsOf(report)).toContain(' must NOT have additional properties');
  });

  it('rejects an unknown rule and an unknown stage in timings', () => {
    const report = structuredClone(run.report) as unknown as {
      findings: Array<{ rule: string }>;
      results: Array<{ timings: Record<string, number> }>;
    };
    const [finding] = report.findings;
    if (finding) finding.rule = 'port-is-sad';
    const [row] = report.results;
    if (row) row.timings.handshake = 3;
    const errors = errorsOf(report);
    expect(errors).toContain('/findings/0/rule must be equal to one of the allowed values');
    expect(errors).toContain('/results/0/timings property name must be valid');
  });
});
