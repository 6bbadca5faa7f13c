import { spawn } from 'node:child_process';

export interface ChildRun {
  /** From spawn() to the 'exit' event, ms. */
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program to its end and times it from spawn to exit. Output is kept (bounded) so that a failed
 * run can be reported; a run that outlives `timeoutMs` is killed and rejected.
 */
export function runChild(
  command: string,
  args: string[],
  options: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    let stdout = '';
    let stderr = '';
    const keep = (text: string, chunk: Buffer) => (text.length < 200_000 ? text + chunk.toString() : text);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout = keep(stdout, chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = keep(stderr, chunk);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} ran over ${options.timeoutMs ?? 60_000} ms`));
    }, options.timeoutMs ?? 60_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      const ms = performance.now() - started;
      clearTimeout(timer);
      resolve({ ms, code, stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}
