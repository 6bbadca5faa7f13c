/**
 * The README's Google Cloud deploy recipe and workflow, held to what the function and the client do:
 * the entry point the bundle exports, the timeout the function reads, the runtime the toolchain tests,
 * and ID tokens whose audiences are the URLs the vantages name.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { audienceOf } from '../../src/vantage/id-token.js';
import { parseVantage } from '../../src/vantage/spec.js';
import { engineNodeMajors, gcpNodeMajor } from '../helpers/node-runtime.js';

const root = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const action = parse(readFileSync(new URL('action.yml', root), 'utf8')) as {
  inputs: Record<string, unknown>;
};

/** The shell lines of the README, continuation lines joined. */
const commands = readme.replace(/\\\n\s*/g, ' ').split('\n');
const deploy = commands.filter((line) => /^\s*gcloud functions deploy /.test(line));
const flag = (line: string, name: string) => new RegExp(`--${name}=(\\S+)`).exec(line)?.[1];

interface Step {
  id?: string;
  uses?: string;
  with?: Record<string, unknown>;
}

function gcpWorkflow(): Step[] {
  const workflows = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((m) => parse(m[1] as string) as { on?: unknown; jobs?: Record<string, { steps?: Step[] }> })
    .filter((w) => w.on !== undefined && w.jobs !== undefined)
    .map((w) => Object.values(w.jobs ?? {}).flatMap((j) => j.steps ?? []));
  const found = workflows.filter((steps) =>
    steps.some((s) => s.uses?.startsWith('google-github-actions/auth@')),
  );
  expect(found).toHaveLength(1);
  return found[0] as Step[];
}

describe("the README's Google Cloud guide", () => {
  it('deploys dist/gcp as a 2nd gen HTTP function that only invokers may call, on the runtime the toolchain tests', async () => {
    expect(deploy.length).toBeGreaterThanOrEqual(1);
    for (const line of deploy) {
      for (const option of ['--gen2', '--trigger-http', '--no-allow-unauthenticated'])
        expect(line.split(/\s+/)).toContain(option);
      expect(flag(line, 'runtime')).toBe(`nodejs${gcpNodeMajor()}`);
      expect(flag(line, 'source')).toBe('dist/gcp');
      // The entry point is what the bundle exports (and registers with functions-framework).
      const bundle = (await import(new URL('dist/gcp/index.js', root).href)) as Record<string, unknown>;
      expect(typeof bundle[flag(line, 'entry-point') ?? '']).toBe('function');
      // The function answers before the platform's timeout only if it is told that timeout.
      const timeout = /^(\d+)s$/.exec(flag(line, 'timeout') ?? '')?.[1];
      const env = Object.fromEntries(
        (flag(line, 'set-env-vars') ?? '').split(',').map((kv) => kv.split('=', 2) as [string, string]),
      );
      expect(env.SMTP_PROBE_TIMEOUT_SECONDS).toBe(timeout);
      expect(env).toMatchObject({ SMTP_PROBE_REGION: '$REGION', NODE_OPTIONS: '--enable-source-maps' });
      expect(flag(line, 'region')).toBe('$REGION');
    }
    expect(engineNodeMajors()).toContain(gcpNodeMajor());
    const manifest = JSON.parse(readFileSync(new URL('dist/gcp/package.json', root), 'utf8'));
    expect(manifest).toMatchObject({ type: 'module', main: 'index.js' });
    expect(Object.keys(manifest.dependencies)).toEqual(['@google-cloud/functions-framework']);
  });

  it('grants roles/run.invoker on every function to the one invoker service account the workflow impersonates', () => {
    const grants = commands.filter((line) =>
      /gcloud functions add-invoker-policy-binding smtp-port-probe /.test(line),
    );
    expect(grants).toHaveLength(1);
    expect(flag(grants[0] as string, 'member')).toBe(
      'serviceAccount:smtp-port-probe-invoker@$PROJECT.iam.gserviceaccount.com',
    );
    const regions = /^for REGION in ([a-z0-9 -]+); do$/m.exec(readme)?.[1]?.split(' ') ?? [];
    expect(regions.length).toBeGreaterThanOrEqual(2);
    const project = /^PROJECT=(\S+)$/m.exec(readme)?.[1];

    const steps = gcpWorkflow();
    const auths = steps.filter((s) => s.uses?.startsWith('google-github-actions/auth@'));
    const vantages = String(steps.find((s) => s.with?.vantages)?.with?.vantages)
      .split('\n')
      .filter((v) => v.startsWith('gcp:'))
      .map((v) => parseVantage(v, 'README'))
      .map((spec) => spec as Extract<typeof spec, { kind: 'gcp' }>);
    expect(vantages.map((v) => v.region).sort()).toEqual([...regions].sort());
    // One token per function: each auth step's audience is one vantage's URL, as the client matches it.
    expect(auths.map((a) => a.with?.id_token_audience).sort()).toEqual(
      vantages.map((v) => audienceOf(v.url)).sort(),
    );
    for (const auth of auths) {
      expect(auth.with).toMatchObject({
        token_format: 'id_token',
        service_account: `smtp-port-probe-invoker@${project}.iam.gserviceaccount.com`,
        id_token_include_email: true,
      });
    }
    const tokens = String(steps.find((s) => s.with?.['gcp-id-token'])?.with?.['gcp-id-token']);
    expect(tokens.trim().split('\n')).toEqual(auths.map((a) => `\${{ steps.${a.id}.outputs.id_token }}`));
    expect(Object.keys(action.inputs)).toContain('gcp-id-token');
  });
});
