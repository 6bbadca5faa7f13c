import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  actionNodeMajor,
  currentNodeMajor,
  engineNodeMajors,
  pinnedNodeVersion,
} from '../helpers/node-runtime.js';

const root = new URL('../../', import.meta.url).pathname;
const pinnedMajor = Number(pinnedNodeVersion().split('.')[0]);

interface Workflow {
  jobs: Record<string, { steps?: Array<{ uses?: string; with?: Record<string, unknown> }> }>;
}

/** .github/workflows/*.yml and the workflows the README tells people to copy (.ci/readme-workflows.mjs). */
function workflows(): Array<[string, Workflow]> {
  const own = readdirSync(join(root, '.github/workflows')).map((f) => join(root, '.github/workflows', f));
  const out = mkdtempSync(join(tmpdir(), 'readme-workflows-'));
  const readme = execFileSync(process.execPath, [join(root, '.ci/readme-workflows.mjs'), out], {
    encoding: 'utf8',
  })
    .trim()
    .split('\n');
  return [...own, ...readme].map((file) => [file, parse(readFileSync(file, 'utf8')) as Workflow]);
}

describe('the Node versions the project runs on', () => {
  it('npm test runs on the Node that package.json pins (its `node` devDependency)', () => {
    expect(process.versions.node).toBe(pinnedNodeVersion());
  });

  it('the pinned Node is the major action.yml runs the Action on, and one that engines names', () => {
    expect(pinnedMajor).toBe(actionNodeMajor());
    expect(engineNodeMajors()).toContain(pinnedMajor);
    expect(currentNodeMajor()).toBe(pinnedMajor);
  });

  it('every workflow that sets up Node sets up the pinned major', () => {
    const setups = workflows().flatMap(([file, workflow]) =>
      Object.values(workflow.jobs).flatMap((job) =>
        (job.steps ?? [])
          .filter((step) => step.uses?.startsWith('actions/setup-node@'))
          .map((step) => ({ file, nodeVersion: step.with?.['node-version'] })),
      ),
    );
    expect(setups.length).toBeGreaterThan(0);
    for (const setup of setups) expect(setup).toEqual({ file: setup.file, nodeVersion: pinnedMajor });
  });
});
