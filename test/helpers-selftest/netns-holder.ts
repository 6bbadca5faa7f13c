/**
 * Run by netns-cleanup.test.ts (`node --import tsx netns-holder.ts netns|delay`): makes a namespace, or
 * a delayed link, with the test helpers, prints `ready <name>`, and waits to be signalled.
 */
import { createDelayLink } from '../helpers/delay-link.js';
import { createNetns } from '../helpers/netns.js';

const handle =
  process.argv[2] === 'delay'
    ? await createDelayLink({ delayMs: 10, name: 'holder' })
    : await createNetns({ name: 'holder' });
console.log(`ready ${handle.name}`);
setInterval(() => {}, 60_000);
