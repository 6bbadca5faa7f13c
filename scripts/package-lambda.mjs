// Zips dist/lambda (the handler's ncc bundle) into dist/lambda.zip, ready to upload or to point SAM at.
// Entry is index.handler. Fixed timestamps keep the archive the same for the same bundle.
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yazl from 'yazl';

const dir = new URL('../dist/lambda/', import.meta.url).pathname;
const out = new URL('../lambda.zip', import.meta.url).pathname;
const zip = new yazl.ZipFile();
const mtime = new Date('2026-01-01T00:00:00Z');
for (const name of readdirSync(dir).sort()) {
  zip.addBuffer(readFileSync(join(dir, name)), name, { mtime, mode: 0o100644 });
}
zip.end();
zip.outputStream.pipe(createWriteStream(out)).on('close', () => console.log(`wrote ${out}`));
