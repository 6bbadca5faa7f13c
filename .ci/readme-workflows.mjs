// Writes every complete workflow in README.md (a ```yaml block with `on:` and `jobs:`) to its own file
// in the directory given, so that CI can validate the workflows the README tells people to copy.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
mkdirSync(dir, { recursive: true });
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)]
  .map((m) => m[1])
  .filter((b) => /^on:/m.test(b) && /^jobs:/m.test(b));
if (blocks.length === 0) {
  console.error('README.md has no workflow to validate');
  process.exit(1);
}
blocks.forEach((block, i) => {
  const file = join(dir, `readme-workflow-${i + 1}.yml`);
  writeFileSync(file, block);
  console.log(file);
});
