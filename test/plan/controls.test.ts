import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInputs } from '../../src/action/inputs.js';
import { parseCliArgs } from '../../src/cli/args.js';
import { CLI_SPELLING } from '../../src/cli/spelling.js';
import { buildPlan } from '../../src/plan/build.js';
import { parseConfig } from '../../src/plan/config.js';
import { parseControlSpec } from '../../src/plan/controls.js';
import { runnerEnvironment } from '../../src/plan/runner-environment.js';
import { UsageError } from '../../src/plan/types.js';
import { usageError } from '../helpers/usage-error.js';

async function rejection(promise: Promise<unknown>): Promise<UsageError> {
  const error = await promise.then(
    () => new Error('expected a UsageError, got a result'),
    (reason: unknown) => reason,
  );
  if (error instanceof UsageError) return error;
  throw error;
}

describe('controls', () => {
  it('are written like targets, always with a port: host:port, a port list, smtps://', () => {
    expect(
      parseControlSpec('smtp.example.net:25,587', '--control').ports.map((p) => [p.port, p.mode]),
    ).toEqual([
      [25, 'starttls'],
      [587, 'starttls'],
    ]);
    expect(
      parseControlSpec('smtps://smtp.example.net', '--control').ports.map((p) => [p.port, p.mode]),
    ).toEqual([[465, 'tls']]);
    expect(parseControlSpec('[2001:db8::25]:25', '--control').host).toBe('2001:db8::25');
  });

  it.each([
    ['a bare host', 'smtp.example.net', /a control needs its port, as in smtp\.example\.net:587/],
    ['a bare IPv6 address', '2001:db8::25', /as in \[2001:db8::25\]:587/],
    ['credentials', 'smtp://user:secret@smtp.example.net:587', /takes no credentials/],
    ['an mx domain', 'mx:example.net', /a control is one host/],
  ])('refuse %s, naming where it came from', (_what, spec, message) => {
    const error = usageError(() => parseControlSpec(spec, '--control "x"'));
    expect(error.message).toMatch(/^--control "x": /);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('secret');
  });

  it('in a config file: strings and mappings, each with its file location, and no expectations', () => {
    const config = parseConfig(
      'targets:\n  - relay.example.org:25\ncontrols:\n  - smtp.example.net:587\n  - { name: ours, host: mx.example.com, ports: [25, { port: 465, mode: tls }] }\n',
      'smtp-probe.yml',
      {},
    );
    expect(
      config.controls.map((c) => [
        c.name,
        c.host,
        c.ports.map((p) => `${p.port}/${p.mode}`),
        c.location?.line,
      ]),
    ).toEqual([
      ['smtp.example.net', 'smtp.example.net', ['587/starttls'], 4],
      ['ours', 'mx.example.com', ['25/starttls', '465/tls'], 5],
    ]);
  });

  it('a control in the file with credentials or expectations is a mistake at its line', () => {
    expect(
      usageError(() =>
        parseConfig('controls:\n  - { host: a.example, ports: [25], expect: { tls: none } }\n', 'c.yml', {}),
      ).message,
    ).toMatch(/^c\.yml:2:37: controls\[0\]: unknown key "expect"/);
  });

  it('from the file and from the adapter, in the plan beside the targets; a control that is also a target is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'controls-'));
    await writeFile(join(dir, 'smtp-probe.yml'), 'controls:\n  - ctl.example.net:25\n');
    const { plan } = await buildPlan({
      targets: ['relay.example.org:25'],
      configPath: 'smtp-probe.yml',
      controls: ['ctl.example.net:587', 'other.example.net:25'],
      env: {},
      cwd: dir,
    });
    expect(plan.controls?.map((c) => [c.name, c.ports.map((p) => p.port)])).toEqual([
      ['ctl.example.net', [25, 587]],
      ['other.example.net', [25]],
    ]);
    expect(plan.targets.map((t) => t.name)).toEqual(['relay.example.org']);
    const both = await rejection(
      buildPlan({ targets: ['relay.example.org:25'], controls: ['relay.example.org:25'], env: {}, cwd: dir }),
    );
    expect(both.describe(CLI_SPELLING)).toBe(
      '--control: relay.example.org:25 is both a target and a control: a control is evidence about the port, so name another server',
    );
  });
});

describe('controls from the adapters', () => {
  it('the CLI takes --control, repeatable; the Action input controls, one per line with comments', () => {
    expect(
      parseCliArgs(['relay:25', '--control', 'a.example:25', '--control', 'b.example:587']).controls,
    ).toEqual(['a.example:25', 'b.example:587']);
    process.env.INPUT_CONTROLS = 'a.example:25 # ours\n\nsmtps://b.example\n';
    try {
      const { plan } = readInputs();
      expect(plan.controls).toEqual(['a.example:25', 'smtps://b.example']);
      expect(plan.controlSource?.(1, 'smtps://b.example')).toBe(
        'input controls line 3 ("smtps://b.example")',
      );
    } finally {
      delete process.env.INPUT_CONTROLS;
    }
  });
});

describe('where the runner is', () => {
  it.each([
    [{ GITHUB_ACTIONS: 'true', RUNNER_ENVIRONMENT: 'github-hosted', CI: 'true' }, 'github-hosted'],
    [{ GITHUB_ACTIONS: 'true', RUNNER_ENVIRONMENT: 'self-hosted', CI: 'true' }, 'self-hosted'],
    [{ GITHUB_ACTIONS: 'true', CI: 'true' }, 'github-actions'],
    [{ CI: 'true', GITLAB_CI: 'true' }, 'ci'],
    [{ CI: '1' }, 'ci'],
    [{ CI: 'false' }, 'local'],
    [{}, 'local'],
  ])('%j is %s', (env, expected) => {
    expect(runnerEnvironment(env)).toBe(expected);
  });

  it('the plan carries it from the environment the adapter hands over', async () => {
    const { plan } = await buildPlan({
      targets: ['relay.example.org:25'],
      env: { GITHUB_ACTIONS: 'true', RUNNER_ENVIRONMENT: 'github-hosted' },
      cwd: tmpdir(),
    });
    expect(plan.runner).toBe('github-hosted');
  });
});
