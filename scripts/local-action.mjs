// `npm run local-action [-- ENV_FILE]`: runs src/action/main.ts under @github/local-action with the
// inputs in ENV_FILE (default .env, see .env.example), and exits as a runner would end the step: 1 when
// the Action failed.
//
// local-action's @actions/core stub keeps core.setFailed's exit code in its own memory and exits 0
// whatever happened. setFailed prints a bare `::error::message` line, and it is the only call in the Action
// that does (every annotation carries a title=), so that line is the failure this watches for.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const envFile = resolve(process.argv[2] ?? '.env');
if (!existsSync(envFile)) {
  console.error(
    `local-action: ${envFile} does not exist: cp .env.example .env and edit the inputs (README: Running it locally)`,
  );
  process.exit(2);
}

const bin = fileURLToPath(
  new URL('../node_modules/@github/local-action/bin/local-action.js', import.meta.url),
);
const child = spawn(process.execPath, [bin, 'run', root, 'src/action/main.ts', envFile], {
  cwd: root,
  stdio: ['inherit', 'pipe', 'inherit'],
});

let failed = false;
createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
  process.stdout.write(`${line}\n`);
  // Colours, when forced (FORCE_COLOR), would come before the command.
  if (stripVTControlCharacters(line).startsWith('::error::')) failed = true;
});

// Exit codes go through process.exitCode, so that the output piped above is all written first.
child.on('close', (code, signal) => {
  if (signal) {
    console.error(`local-action: ended by ${signal}`);
    process.exitCode = 1;
  } else if (code !== 0) {
    process.exitCode = code ?? 1;
  } else if (failed) {
    console.error('local-action: the Action failed (core.setFailed, the ::error:: line above): exit 1');
    process.exitCode = 1;
  }
});
