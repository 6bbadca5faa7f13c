/**
 * Every adapter, run the way its users run it, for tests that must hold for all of them: the CLI
 * in-process (`main`) and bundled (dist/cli, a subprocess), the bundled Action (a subprocess with a fake
 * GitHub), and the Lambda handler (in-process, its log lines kept).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Context } from 'aws-lambda';
import { handler } from '../../lambda/handler.js';
import { main } from '../../src/cli/main.js';
import { type Answer, CONTRACT_VERSION } from '../../src/contract/index.js';
import type { Credentials } from '../helpers/canary.js';

const run = promisify(execFile);
const BIN = new URL('../../dist/cli/index.js', import.meta.url).pathname;

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment variables the CLI reads the credentials from (`--auth-user-env`, `--auth-pass-env`). */
export const CREDENTIAL_FLAGS = ['--auth-user-env', 'SMTP_USER', '--auth-pass-env', 'SMTP_PASS'];
export const credentialEnv = (auth: Credentials) => ({ SMTP_USER: auth.username, SMTP_PASS: auth.password });

export async function cliInProcess(
  argv: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (t: string) => (stdout += t), isTTY: false },
    stderr: { write: (t: string) => (stderr += t), isTTY: false },
    env,
    cwd,
  });
  return { code, stdout, stderr };
}

export async function cliBundle(argv: string[], env: Record<string, string>, cwd: string): Promise<CliRun> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...argv], {
      timeout: 30_000,
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

export async function tempDir(prefix: string, files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

export const readText = (path: string) => readFile(path, 'utf8');

function context(remainingMs = 30_000): Context {
  const deadline = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'smtp-port-probe',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:smtp-port-probe',
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/smtp-port-probe',
    logStreamName: '2026/11/28/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** One job on 127.0.0.1 with the profile given, as a contract request. */
export function lambdaRequest(port: number, profile: object) {
  return {
    contract: CONTRACT_VERSION,
    profiles: [
      {
        timeout: 5_000,
        connectTimeout: 1_000,
        greetingTimeout: 2_000,
        commandTimeout: 2_000,
        retries: 0,
        tls: {},
        ...profile,
      },
    ],
    jobs: [{ host: '127.0.0.1', port, mode: 'starttls', profile: 0 }],
  };
}

/**
 * Invokes the handler in-process, as a deployed function would run with the test switch on (this
 * machine's servers are on loopback) and `port` allowed. Returns the answer and every line logged.
 */
export async function invokeLambda(
  request: unknown,
  port: number,
): Promise<{ answer: Answer; logs: string }> {
  const saved = {
    switch: process.env.SMTP_PROBE_TEST_ALLOW_NON_GLOBAL,
    ports: process.env.SMTP_PROBE_ALLOWED_PORTS,
  };
  process.env.SMTP_PROBE_TEST_ALLOW_NON_GLOBAL = '1';
  process.env.SMTP_PROBE_ALLOWED_PORTS = `25,587,${port}`;
  const logs: string[] = [];
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const keep = ((chunk: string | Uint8Array) => {
    logs.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = keep;
  process.stderr.write = keep;
  try {
    const answer = (await handler(request, context())) as Answer;
    return { answer, logs: logs.join('') };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    restore('SMTP_PROBE_TEST_ALLOW_NON_GLOBAL', saved.switch);
    restore('SMTP_PROBE_ALLOWED_PORTS', saved.ports);
  }
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
