/**
 * The latency suite's process half: the CLI against swaks and `openssl s_client`, each a whole process
 * from spawn to exit, doing one SMTP dialog with Postfix; a bare `node -e ''` for what Node's start costs.
 */
import { existsSync, statSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { type Pem, testPki } from '../../test/helpers/certs.js';
import { type PostfixEnv, redact } from '../../test/system/postfix-env.js';
import { type ChildRun, runChild } from '../lib/child.js';
import { interleaved, median, round } from '../lib/stats.js';
import type { BenchContext } from '../lib/types.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = `${ROOT}dist/cli/index.js`;
export const PROCESS_PORTS = [587, 465] as const;
const SMTP_INPUT = 'EHLO bench.test\nQUIT\n';

/** The child's environment without NODE_EXTRA_CA_CERTS: Node then skips parsing that bundle at start. */
const ENV_UNSET = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => name !== 'NODE_EXTRA_CA_CERTS'),
);

export interface ProcessContender {
  name: string;
  /** `as is`, `NODE_EXTRA_CA_CERTS unset`, or `-` for programs that are not Node. */
  environment: string;
  command: (port: number) => { command: string; args: string[]; input?: string; env?: NodeJS.ProcessEnv };
  /** Why the run did not do the whole dialog, or undefined when it did. */
  failure: (run: ChildRun, port: number) => string | undefined;
  /** Runs of dist/cli/index.js, which is rebuilt now and then while the suite runs. */
  needsCli?: boolean;
}

const exitedZero = (run: ChildRun) => (run.code === 0 ? undefined : `exit code ${run.code}`);

/** swaks prints `<~` for what it read inside TLS: the EHLO reply there, then the 221 to QUIT. */
const swaksFailure = (run: ChildRun) =>
  exitedZero(run) ??
  (/^<~\s+250 /m.test(run.stdout) && /^<~\s+221/m.test(run.stdout)
    ? undefined
    : 'no 250 EHLO and 221 QUIT reply inside TLS');

export function processContenders(env: PostfixEnv): ProcessContender[] {
  const cli = (environment: string, childEnv: NodeJS.ProcessEnv): ProcessContender => ({
    name: 'smtp-probe CLI',
    environment,
    command: (port) => ({
      command: process.execPath,
      args: [CLI, `127.0.0.1:${port}`, '--ca', env.caFile],
      env: childEnv,
    }),
    failure: exitedZero,
    needsCli: true,
  });
  const swaks = (name: string, extra: string[]): ProcessContender => ({
    name,
    environment: '-',
    command: (port) => ({
      command: 'swaks',
      args: [
        ...['--server', '127.0.0.1', '--port', String(port)],
        port === 465 ? '--tls-on-connect' : '-tls',
        ...extra,
        ...['--quit-after', 'EHLO'],
      ],
    }),
    failure: swaksFailure,
  });
  const bare = (environment: string, childEnv: NodeJS.ProcessEnv): ProcessContender => ({
    name: "node -e ''",
    environment,
    command: () => ({ command: process.execPath, args: ['-e', ''], env: childEnv }),
    failure: exitedZero,
  });
  return [
    cli('as is', process.env),
    cli('NODE_EXTRA_CA_CERTS unset', ENV_UNSET),
    {
      // What starting the CLI costs without a probe: the rest of the CLI's time is the probe and its report.
      name: 'smtp-probe --version',
      environment: 'as is',
      command: () => ({ command: process.execPath, args: [CLI, '--version'] }),
      failure: (run) =>
        exitedZero(run) ?? (/smtp-probe \d/.test(run.stdout) ? undefined : 'no version printed'),
      needsCli: true,
    },
    swaks('swaks --quit-after EHLO', []),
    swaks('swaks --quit-after EHLO --tls-verify', ['--tls-verify', '--tls-ca-path', env.caFile]),
    {
      name: 'openssl s_client',
      environment: '-',
      command: (port) => ({
        command: 'openssl',
        args: [
          ...['s_client', '-connect', `127.0.0.1:${port}`, '-quiet', '-crlf'],
          ...['-CAfile', env.caFile, '-verify_return_error'],
          ...(port === 465 ? [] : ['-starttls', 'smtp', '-name', 'bench.test']),
        ],
        // -quiet implies -ign_eof: s_client stays until Postfix closes after the 221.
        input: SMTP_INPUT,
      }),
      failure: (run) =>
        exitedZero(run) ??
        (/^250 /m.test(run.stdout) && /^221 /m.test(run.stdout) ? undefined : 'no 250 and 221 replies'),
    },
    bare('as is', process.env),
    bare('NODE_EXTRA_CA_CERTS unset', ENV_UNSET),
  ];
}

/** dist/cli/index.js is rebuilt by another engineer now and then: wait for it rather than fail. */
async function cliReady(timeoutMs = 60_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (existsSync(CLI)) {
      const mtime = statSync(CLI).mtimeMs;
      // A bundle written in the last second may still be being written.
      if (Date.now() - mtime > 1_000) return mtime;
    }
    if (Date.now() > until) throw new Error(`${CLI} is missing: run 'npm run bundle:cli' first`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** One run, spawn to exit; a CLI run that failed while the bundle was being replaced is run again. */
async function runOnce(c: ProcessContender, port: number, env: PostfixEnv): Promise<ChildRun> {
  for (let attempt = 1; ; attempt += 1) {
    const before = c.needsCli ? await cliReady() : 0;
    const { command, args, input, env: childEnv } = c.command(port);
    const run = await runChild(command, args, {
      timeoutMs: 20_000,
      cwd: ROOT,
      ...(input !== undefined ? { input } : {}),
      ...(childEnv ? { env: childEnv } : {}),
    });
    const failure = c.failure(run, port);
    if (failure === undefined) return run;
    const rebuilt = c.needsCli && (!existsSync(CLI) || statSync(CLI).mtimeMs !== before);
    if (!rebuilt || attempt >= 3) {
      const output = redact(`${run.stdout}\n${run.stderr}`, env).trim().slice(-600);
      throw new Error(`${c.name} (${c.environment}) on Postfix ${port} failed: ${failure}\n${output}`);
    }
  }
}

export interface ProcessSamples {
  /** Per contender (same order as given), spawn-to-exit medians, ms. */
  medians: number[];
  /** What the CLI itself reported as the probe's latency (its LATENCY column), median ms, by environment. */
  cliReportedMs: Record<string, number>;
  samples: number;
}

/**
 * Every contender once per round, round-robin; the figure is runChild's spawn-to-exit time, not the
 * wall time of the round (which would include waiting for a CLI bundle being rebuilt).
 */
export async function measureProcesses(
  contenders: ProcessContender[],
  port: number,
  env: PostfixEnv,
  runs: number,
  warmup: number,
): Promise<ProcessSamples> {
  const times: number[][] = contenders.map(() => []);
  const reported: Record<string, number[]> = {};
  const entries = contenders.map((c, i) => [
    String(i),
    async () => {
      const run = await runOnce(c, port, env);
      times[i]?.push(run.ms);
      const latency = /\sok\s.*?(\d+(?:\.\d+)?) ms\s*$/m.exec(run.stdout)?.[1];
      if (c.needsCli && latency)
        reported[c.environment] = [...(reported[c.environment] ?? []), Number(latency)];
    },
  ]);
  await interleaved(Object.fromEntries(entries) as Record<string, () => Promise<void>>, runs, warmup);
  const timedOnly = (values: number[]) => values.slice(warmup);
  return {
    medians: times.map((values) => round(median(timedOnly(values)))),
    cliReportedMs: Object.fromEntries(
      Object.entries(reported)
        .filter(([, values]) => values.length > warmup)
        .map(([environment, values]) => [environment, round(median(timedOnly(values)))]),
    ),
    samples: runs,
  };
}

/** Runs `fn` with a server listening on 127.0.0.1; the server and every socket are gone afterwards. */
async function withServer<T>(server: net.Server, fn: (port: number) => Promise<T>): Promise<T> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return await fn((server.address() as net.AddressInfo).port);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export const GREETING_DELAY_MS = 150;

/**
 * Does `openssl s_client`, fed its commands on stdin, send before the server's greeting? A server that
 * holds its 220 back for 150 ms records whether any byte came in first. With -starttls smtp, s_client
 * reads the greeting itself; the server hangs up after the EHLO, so that run ends in an error by design.
 */
export async function sClientSendsBeforeGreeting(mode: 'starttls' | 'tls', pem: Pem): Promise<boolean> {
  let early = false;
  const onSocket = (socket: net.Socket) => {
    let greeted = false;
    let received = '';
    // Ends the session once the command it waits for is in, whether it came before the 220 or after.
    const answer = () => {
      if (!greeted || socket.destroyed) return;
      if (mode === 'starttls' && received.includes('EHLO')) socket.end('250 bench.test\r\n');
      if (mode === 'tls' && received.includes('QUIT')) socket.end('250 bench.test\r\n221 bye\r\n');
    };
    socket.on('data', (chunk: Buffer) => {
      if (!greeted) early = true;
      received += chunk.toString();
      answer();
    });
    setTimeout(() => {
      greeted = true;
      if (!socket.destroyed) socket.write('220 bench.test ESMTP\r\n');
      answer();
    }, GREETING_DELAY_MS).unref();
  };
  const server =
    mode === 'tls'
      ? tls.createServer({ key: pem.key, cert: pem.cert }, onSocket)
      : net.createServer(onSocket);
  if (mode === 'tls') server.on('tlsClientError', () => {});
  return withServer(server, async (port) => {
    const args = ['s_client', '-connect', `127.0.0.1:${port}`, '-quiet', '-crlf'];
    if (mode === 'starttls') args.push('-starttls', 'smtp');
    await runChild('openssl', args, { input: SMTP_INPUT, timeoutMs: 5_000 }).catch(() => undefined);
    return early;
  });
}

export interface ProcessResults {
  contenders: ProcessContender[];
  byPort: Record<(typeof PROCESS_PORTS)[number], ProcessSamples>;
  sClientEarly: { starttls: boolean; tls: boolean };
}

export async function processResults(
  context: BenchContext,
  runs: number,
  warmup: number,
): Promise<ProcessResults | undefined> {
  const postfix = context.postfix;
  if (!postfix) return undefined;
  const contenders = processContenders(postfix);
  const pki = await testPki();
  context.log(`latency: does openssl s_client send before the greeting?`);
  const sClientEarly = {
    starttls: await sClientSendsBeforeGreeting('starttls', pki.valid),
    tls: await sClientSendsBeforeGreeting('tls', pki.valid),
  };
  const byPort = {} as ProcessResults['byPort'];
  for (const port of PROCESS_PORTS) {
    context.log(`latency: processes on Postfix ${port}`);
    byPort[port] = await measureProcesses(contenders, port, postfix, runs, warmup);
  }
  return { contenders, byPort, sClientEarly };
}

/** The medians of the process table, by contender and environment: `cli`, `cliUnset`, `swaks`... */
export function processFigure(
  p: ProcessResults,
  port: 587 | 465,
  name: string,
  environment?: string,
): number {
  const i = p.contenders.findIndex((c) => c.name === name && (!environment || c.environment === environment));
  return p.byPort[port].medians[i] ?? Number.NaN;
}
