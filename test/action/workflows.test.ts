import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/plan/config.js';

const root = new URL('../../', import.meta.url);

describe('the repository as an Action', () => {
  it('action.yml runs the bundle on node24 and declares every input and output the README documents', async () => {
    const action = parse(await readFile(new URL('action.yml', root), 'utf8')) as {
      runs: { using: string; main: string };
      inputs: Record<string, unknown>;
      outputs: Record<string, unknown>;
    };
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/action/index.js' });
    const readme = await readFile(new URL('README.md', root), 'utf8');
    const section = readme.slice(readme.indexOf('## The GitHub Action'), readme.indexOf('### Deploy gate'));
    const documented = [...section.matchAll(/^\| `([a-z-]+)`(?:, `([a-z-]+)`)?\s*\|/gm)]
      .flatMap((m) => [m[1], m[2]])
      .filter(Boolean);
    expect(documented.sort()).toEqual([...Object.keys(action.inputs), ...Object.keys(action.outputs)].sort());
  });

  it("the CI workflow's service-container config is one the loader accepts", async () => {
    const config = await loadConfig('.github/smtp-service.yml', {}, new URL('.', root).pathname);
    expect(config.targets[0]?.ports).toEqual([
      expect.objectContaining({ port: 1025, mode: 'plain', expect: { tls: 'none' } }),
    ]);
  });
});
