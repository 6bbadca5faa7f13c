import type { ResolvedOptions } from './options.js';
import type { Redactor } from './redact.js';
import type { ProbeTarget } from './types.js';

/** One session to run: the target, one of its addresses, the options and the target's deadline. */
export interface SessionPlan {
  target: Required<ProbeTarget>;
  address: string;
  family: 4 | 6;
  options: ResolvedOptions;
  /** The target's absolute deadline (`performance.now()` clock): no stage runs past it. */
  deadline: number;
  /** Finds the credentials in what the server sends back, for the transcript. */
  redact: Redactor;
}
