import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STATUS_MEANINGS, STATUSES } from '../../src/probe/catalogue.js';

describe('README', () => {
  it('documents every status of the catalogue with the meaning the code exports', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### Status catalogue'), readme.indexOf('### Options'));
    const rows = [...section.matchAll(/^\| `([a-z_]+)`\s*\| (.+?)\s*\|$/gm)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual(STATUSES.map((status) => [status, STATUS_MEANINGS[status]]));
  });
});
