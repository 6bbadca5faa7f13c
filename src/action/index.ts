/** The Action's entry point: it only starts run() (tests and local-action import main.ts directly). */
import { run } from './main.js';

await run();
