import { describe, expect, it } from 'vitest';
import { Progress } from '../../src/cli/progress.js';

function output(isTTY: boolean) {
  const writes: string[] = [];
  return { out: { isTTY, write: (t: string) => writes.push(t) }, writes };
}

describe('progress on stderr', () => {
  it('stays quiet during the first second, then shows done/total and the current target, and clears', async () => {
    const { out, writes } = output(true);
    const progress = new Progress(out);
    progress.update(1, 4, 'relay:587');
    expect(writes).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    progress.update(2, 4, 'relay:2525');
    expect(writes).toEqual(['\r\u001b[2K[2/4] relay:2525']);
    progress.clear();
    expect(writes.at(-1)).toBe('\r\u001b[2K');
  });

  it('writes nothing when stderr is not a terminal', async () => {
    const { out, writes } = output(false);
    const progress = new Progress(out);
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    progress.update(1, 1, 'x:25');
    progress.clear();
    expect(writes).toEqual([]);
  });
});
