import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/plan/config.js';
import { STATUS_MEANINGS, STATUSES } from '../../src/probe/catalogue.js';
import { RULE_IDS, RULES } from '../../src/result/rules.js';
import { testPki } from '../helpers/certs.js';

const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
const section = (from: string, to: string) =>
  readme.slice(readme.indexOf(from), readme.indexOf(to, readme.indexOf(from)));

describe('README', () => {
  it('documents every status of the catalogue with the meaning the code exports', () => {
    const rows = [
      ...section('### Status catalogue', '### Options').matchAll(/^\| `([a-z_]+)`\s*\| (.+?)\s*\|$/gm),
    ];
    expect(rows.map((m) => [m[1], m[2]])).toEqual(
      STATUSES.map((status) => [status, STATUS_MEANINGS[status]]),
    );
  });

  it('documents every finding rule with its severity', () => {
    const rows = [
      ...section('### Findings', '### Recommendation').matchAll(/^\| `([a-z-]+)`\s*\| (\w+)\s*\|/gm),
    ];
    expect(rows.map((m) => [m[1], m[2]])).toEqual(RULE_IDS.map((rule) => [rule, RULES[rule].severity]));
  });

  it('shows a config example that the config loader accepts', async () => {
    const example = /```yaml\n(# \.github\/smtp-probe\.yml\n[\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const dir = await mkdtemp(join(tmpdir(), 'readme-config-'));
    await mkdir(join(dir, 'certs'));
    await writeFile(join(dir, 'certs', 'ca.pem'), (await testPki()).ca.cert);
    await writeFile(join(dir, 'smtp-probe.yml'), example as string);
    const config = await loadConfig('smtp-probe.yml', { MJ_USER: 'u', MJ_PASS: 'p' }, dir);
    expect(config.targets.map((t) => t.name)).toEqual([
      'smtp.example.com',
      'mailjet',
      'relay.example.org',
      'internal-relay.example.org',
      'mx:example.com',
      '2001:db8::1',
    ]);
    expect(config.failOn).toBe('warning');
  });
});
