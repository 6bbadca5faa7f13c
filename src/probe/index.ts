/** The probe core's public surface: everything the CLI, the Action and the Lambda may use. */
export {
  defaultMode,
  MODES,
  type Mode,
  type ProbeStatus,
  STAGES,
  STATUS_MEANINGS,
  STATUSES,
  type Stage,
} from './catalogue.js';
export { type MxLookup, mxHosts } from './mx.js';
export {
  DEFAULT_LIMITS,
  DEFAULT_TIMEOUTS,
  isHeloName,
  isMailbox,
  type Limits,
  type Lookup,
  type ProbeOptions,
  resolveTarget,
  type TlsVersion,
} from './options.js';
export { probe } from './probe.js';
export {
  OverallDeadline,
  type PerTargetOptions,
  type ProbeAllOptions,
  type ProbeAllTarget,
  probeAll,
} from './probe-all.js';
export { REDACTED } from './redact.js';
export type * from './types.js';
