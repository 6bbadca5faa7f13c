/**
 * Controls: servers known to answer on given ports from anywhere (a provider's submission host on 587, a
 * host of the user's own on 25). Every vantage probes them beside the targets, in the same invocation,
 * so that a port that fails from one vantage can be told apart: its network blocks the port, the target
 * filters that vantage, or the target is down (src/judge/attribution.ts). They are written like targets,
 * but always with a port, and without credentials, envelope or expectations: only whether the port
 * answers counts.
 */
import { defaultMode, type Mode } from '../probe/index.js';
import { parseTargetSpec } from './targets.js';
import { type SourceLocation, type TargetPlan, UsageError } from './types.js';

/** A control as the config file gives it in a mapping: host, ports (each with an optional mode), mode. */
export interface ControlEntry {
  name?: string | undefined;
  host: string;
  ports: Array<{ port: number; mode?: Mode | undefined }>;
  mode?: Mode | undefined;
}

/**
 * Reads one control: `host:587`, `host:25,587`, `[2001:db8::1]:25`, `smtp://host:587`, `smtps://host`.
 * A bare host is refused (a control vouches for the ports it is known to answer on, so they are
 * named), and so are credentials and `mx:`.
 */
export function parseControlSpec(spec: string, source: string, mode?: Mode): TargetPlan {
  // No default ports: a control without one is a mistake, not a probe of 25, 465, 587 and 2525.
  const parsed = parseTargetSpec(spec, source, { ports: [], ...(mode ? { mode } : {}) });
  if (parsed.mx) {
    throw new UsageError(
      `a control is one host, not ${JSON.stringify(parsed.display)}: give host:port`,
      source,
    );
  }
  if (parsed.auth) {
    throw new UsageError(
      `a control takes no credentials (${JSON.stringify(parsed.display)}): only whether the port answers counts`,
      source,
    );
  }
  if (parsed.ports.length === 0) {
    throw new UsageError(
      `a control needs its port, as in ${parsed.host.includes(':') ? `[${parsed.host}]` : parsed.host}:587: it vouches only for the ports it is known to answer on`,
      source,
    );
  }
  return controlPlan(parsed.host, parsed.host, parsed.ports);
}

/** A control from a config mapping. */
export function controlFromEntry(entry: ControlEntry, location: SourceLocation): TargetPlan {
  const ports = entry.ports.map((p) => {
    const mode = p.mode ?? entry.mode;
    return { port: p.port, mode: mode ?? defaultMode(p.port), explicit: mode !== undefined };
  });
  return { ...controlPlan(entry.name ?? entry.host, entry.host, ports), location };
}

function controlPlan(
  name: string,
  host: string,
  ports: Array<{ port: number; mode: Mode; explicit: boolean }>,
): TargetPlan {
  return {
    name,
    host,
    mx: false,
    ports: ports.map(({ port, mode, explicit }) => ({ port, mode, modeExplicit: explicit, expect: {} })),
    require: 'all',
  };
}

/**
 * Controls from the file, then the adapter's, merged by name. A control on the same name and port as a
 * target would make their rows indistinguishable: refused, naming both.
 */
export function mergeControls(
  targets: readonly TargetPlan[],
  fromFile: readonly TargetPlan[],
  given: readonly TargetPlan[],
): TargetPlan[] {
  const controls: TargetPlan[] = [];
  for (const control of [...fromFile, ...given]) {
    for (const port of control.ports) {
      if (targets.some((t) => t.name === control.name && t.ports.some((p) => p.port === port.port))) {
        throw new UsageError(
          `${control.name}:${port.port} is both a target and a control: a control is evidence about the port, so name another server`,
          { setting: 'controls' },
        );
      }
    }
    const same = controls.find((c) => c.name === control.name);
    if (!same) {
      controls.push({ ...control, ports: [...control.ports] });
      continue;
    }
    if (same.host !== control.host) {
      throw new UsageError(
        `control ${JSON.stringify(control.name)} is listed twice with different hosts; give each a distinct name`,
        { setting: 'controls' },
      );
    }
    for (const port of control.ports)
      if (!same.ports.some((p) => p.port === port.port)) same.ports.push(port);
  }
  return controls;
}
