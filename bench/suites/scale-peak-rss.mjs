/**
 * Preloaded into the CLI by the scale benchmark (`node --import`): when the process exits, writes its
 * peak RSS to the file named by SCALE_PEAK_RSS_FILE. VmHWM from /proc/self/status is the figure used:
 * process.resourceUsage().maxRSS (getrusage) also counts anonymous memory the process had between fork
 * and exec, which is the spawning parent's (a parent holding a 300 MB Buffer gave a bare `node -e` a
 * maxRSS of 290 MB and a VmHWM of 40 MB). It is written too, to show the difference.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const out = process.env.SCALE_PEAK_RSS_FILE;
if (out) {
  process.once('exit', () => {
    const status = readFileSync('/proc/self/status', 'utf8');
    const vmHwmKb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
    writeFileSync(out, JSON.stringify({ vmHwmKb, maxRssKb: process.resourceUsage().maxRSS }));
  });
}
