/**
 * Cold start of the three bundles, measured from outside: spawn the process, and note the moment a local
 * listener on 127.0.0.1 accepts its first connection ("first probe sent"), then the moment it exits.
 * The listener plays a minimal SMTP server (220, 250 to EHLO/HELO, 221 to QUIT) so that every run is a
 * whole, successful probe and exits the way it would in use.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { runChild } from '../lib/child.js';

export const BUNDLES = ['cli', 'action', 'lambda'] as const;
export type Bundle = (typeof BUNDLES)[number];

/** What one connection to the listener did; `at` is performance.now() in this process. */
interface Visit {
  at: number;
  quit: boolean;
  quitAt?: number;
}

export interface FirstProbeListener {
  port: number;
  /** Starts watching for the next process: its first connection is the one that counts. */
  arm(): { visit(): Visit | undefined };
  close(): Promise<void>;
}

export async function startFirstProbeListener(): Promise<FirstProbeListener> {
  const sockets = new Set<net.Socket>();
  let current: { visit?: Visit } | undefined;
  const server = net.createServer((socket) => {
    const visit: Visit = { at: performance.now(), quit: false };
    if (current && !current.visit) current.visit = visit;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.write('220 bench.test ESMTP\r\n');
    let buffer = '';
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      for (let end = buffer.indexOf('\r\n'); end !== -1; end = buffer.indexOf('\r\n')) {
        const verb = buffer.slice(0, 4).toUpperCase();
        buffer = buffer.slice(end + 2);
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250 bench.test\r\n');
        else if (verb === 'QUIT') {
          visit.quit = true;
          visit.quitAt = performance.now();
          socket.end('221 bye\r\n');
        } else socket.write('502 5.5.1 not here\r\n');
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    arm() {
      const watch: { visit?: Visit } = {};
      current = watch;
      return { visit: () => watch.visit };
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A process to time: what to spawn, and where its bundle lives (the file a rebuild may remove). */
export interface Launch {
  args: string[];
  env: NodeJS.ProcessEnv;
  bundleFile: string;
}

/** The environment as it is, or with NODE_EXTRA_CA_CERTS removed (Node then skips parsing that file). */
export function baseEnv(withExtraCa: boolean): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (!withExtraCa) delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

/** `npx smtp-probe 127.0.0.1:PORT --mode plain`, as the brief's command line. */
export function cliLaunch(root: string, port: number, env: NodeJS.ProcessEnv): Launch {
  const bundleFile = join(root, 'dist/cli/index.js');
  return { args: [bundleFile, `127.0.0.1:${port}`, '--mode', 'plain'], env, bundleFile };
}

/**
 * The Action as a runner starts it: action.yml's defaults as INPUT_*, no github-token (so no check run
 * and no comment: nothing leaves loopback), the command files in `workspace`. Any INPUT_* or GITHUB_*
 * inherited from an enclosing workflow is dropped first, and GITHUB_API_URL points at a closed loopback
 * port as a second guard.
 */
export async function actionLaunch(
  root: string,
  port: number,
  env: NodeJS.ProcessEnv,
  workspace: string,
): Promise<Launch> {
  const action = parse(await readFile(join(root, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: string }>;
  };
  const inputs: Record<string, string> = Object.fromEntries(
    Object.entries(action.inputs).map(([name, spec]) => [`INPUT_${name.toUpperCase()}`, spec.default ?? '']),
  );
  const eventPath = join(workspace, 'event.json');
  await writeFile(eventPath, '{}');
  // @actions/core appends to these and refuses a summary file that does not exist.
  await writeFile(join(workspace, 'summary.md'), '');
  await writeFile(join(workspace, 'output.txt'), '');
  const kept = Object.fromEntries(
    Object.entries(env).filter(([name]) => !name.startsWith('INPUT_') && !name.startsWith('GITHUB_')),
  );
  const bundleFile = join(root, 'dist/action/index.js');
  return {
    args: [bundleFile],
    bundleFile,
    env: {
      ...kept,
      ...inputs,
      'INPUT_GITHUB-TOKEN': '',
      INPUT_TARGETS: `127.0.0.1:${port}`,
      INPUT_MODE: 'plain',
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_API_URL: 'http://127.0.0.1:9',
      GITHUB_STEP_SUMMARY: join(workspace, 'summary.md'),
      GITHUB_OUTPUT: join(workspace, 'output.txt'),
      GITHUB_WORKSPACE: workspace,
      RUNNER_TEMP: workspace,
    },
  };
}

/**
 * The Lambda as its runtime would meet it: a fresh process imports the bundle (part of the cold start),
 * then calls the handler once with a direct-invoke event and a fake context. The destination policy
 * refuses loopback unless the test switch is on and the port allowed; AWS_LAMBDA_FUNCTION_NAME would
 * refuse the switch, so it is removed. The script prints when the import ended (ms since the process
 * began, Node's own clock) and the statuses, on one `BENCH` line.
 */
export function lambdaLaunch(root: string, port: number, env: NodeJS.ProcessEnv): Launch {
  const bundleFile = join(root, 'dist/lambda/index.js');
  // A contract 2 request (src/contract): one plain job, one profile.
  const event = {
    contract: 2,
    profiles: [
      {
        timeout: 10_000,
        connectTimeout: 10_000,
        greetingTimeout: 10_000,
        commandTimeout: 10_000,
        retries: 0,
        tls: {},
      },
    ],
    jobs: [{ host: '127.0.0.1', port, mode: 'plain', profile: 0 }],
  };
  const script = `
    const importStart = performance.now();
    const { handler } = await import(${JSON.stringify(pathToFileURL(bundleFile).href)});
    const importEnd = performance.now();
    const deadline = Date.now() + 30000;
    const context = {
      callbackWaitsForEmptyEventLoop: false, functionName: 'smtp-port-probe', functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:smtp-port-probe',
      memoryLimitInMB: '256', awsRequestId: 'bench-packaging', logGroupName: '/aws/lambda/smtp-port-probe',
      logStreamName: 'bench', getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done() {}, fail() {}, succeed() {},
    };
    const answer = await handler(${JSON.stringify(event)}, context);
    const statuses = Array.isArray(answer.results) ? answer.results.map((r) => r.result.status) : [];
    console.log('BENCH ' + JSON.stringify({ importStart, importEnd, statuses }));
  `;
  const lambdaEnv: NodeJS.ProcessEnv = {
    ...env,
    SMTP_PROBE_TEST_ALLOW_NON_GLOBAL: '1',
    // What Lambda sets for a cold start; Powertools logs cold_start: false without it.
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    SMTP_PROBE_ALLOWED_PORTS: String(port),
    AWS_REGION: 'eu-west-1',
  };
  delete lambdaEnv.AWS_LAMBDA_FUNCTION_NAME;
  return { args: ['--input-type=module', '-e', script], env: lambdaEnv, bundleFile };
}

export interface ColdStart {
  /** spawn → the listener accepted the process's first connection. */
  firstProbeMs: number;
  /** spawn → exit. */
  exitMs: number;
  /** The SMTP dialog: first connection → QUIT received. */
  dialogMs?: number;
  /** Lambda only: how long `import()` of the bundle took inside the process. */
  importMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Another engineer rebuilds dist/ meanwhile: a bundle may be missing for a few seconds. */
async function waitForBundle(file: string): Promise<void> {
  for (let waited = 0; !existsSync(file); waited += 250) {
    if (waited > 60_000) throw new Error(`${file} is missing (no bundle after 60 s; run npm run bundle)`);
    await sleep(250);
  }
}

/** One timed run; retried (up to 3 times) only when the bundle vanished under it. */
export async function coldStart(
  launch: Launch,
  listener: FirstProbeListener,
  cwd: string,
): Promise<ColdStart> {
  for (let attempt = 1; ; attempt += 1) {
    await waitForBundle(launch.bundleFile);
    const watch = listener.arm();
    const started = performance.now();
    const run = await runChild(process.execPath, launch.args, { env: launch.env, cwd, timeoutMs: 30_000 });
    const visit = watch.visit();
    const lambdaLine = run.stdout.split('\n').find((line) => line.startsWith('BENCH '));
    const lambda = lambdaLine
      ? (JSON.parse(lambdaLine.slice(6)) as { importStart: number; importEnd: number; statuses: string[] })
      : undefined;
    const completed =
      visit?.quit === true && (run.code === 0 || run.code === 1) && (!lambda || lambda.statuses[0] === 'ok');
    if (visit && completed) {
      return {
        firstProbeMs: visit.at - started,
        exitMs: run.ms,
        ...(visit.quitAt !== undefined ? { dialogMs: visit.quitAt - visit.at } : {}),
        ...(lambda ? { importMs: lambda.importEnd - lambda.importStart } : {}),
      };
    }
    const vanished =
      !existsSync(launch.bundleFile) || /Cannot find module|ERR_MODULE_NOT_FOUND/.test(run.stderr);
    if (vanished && attempt < 3) continue;
    throw new Error(
      `${launch.bundleFile} did not complete a probe of 127.0.0.1:${listener.port} ` +
        `(exit ${run.code}, ${visit ? (visit.quit ? 'QUIT seen' : 'connected, no QUIT') : 'never connected'}): ` +
        `${run.stderr.slice(-600) || run.stdout.slice(-600)}`,
    );
  }
}
