import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  os: string;
  node: string;
  openssl: string;
  postfix: string | null;
  swaks: string | null;
  /** NODE_EXTRA_CA_CERTS makes every Node process parse that bundle at start: it moves process times. */
  nodeExtraCaCerts: string | null;
}

function quiet(command: string, args: string[]): string | null {
  try {
    return execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 5_000 })
      .toString()
      .trim();
  } catch {
    return null;
  }
}

export function describeMachine(): Machine {
  let os = 'unknown';
  try {
    os = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? os;
  } catch {
    // not Linux, or no os-release
  }
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    os,
    node: process.version,
    openssl: process.versions.openssl ?? 'unknown',
    postfix: quiet('postconf', ['-d', '-h', 'mail_version']),
    swaks: quiet('swaks', ['--version'])?.split('\n')[0] ?? null,
    nodeExtraCaCerts: process.env.NODE_EXTRA_CA_CERTS ?? null,
  };
}

export function machineLine(m: Machine): string {
  return [
    `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB`,
    `${m.os}, Linux ${m.kernel}`,
    `Node ${m.node} (OpenSSL ${m.openssl})`,
    m.postfix ? `Postfix ${m.postfix}` : 'no Postfix',
    m.nodeExtraCaCerts ? `NODE_EXTRA_CA_CERTS=${m.nodeExtraCaCerts}` : 'NODE_EXTRA_CA_CERTS unset',
  ].join(' · ');
}
