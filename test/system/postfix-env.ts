/**
 * The Postfix instance that test/system/setup.sh starts on loopback, and the other SMTP clients (swaks,
 * openssl s_client) the system tests compare the probe with. Everything here talks to 127.0.0.1 or
 * ::1 only. The SASL password never leaves this module unredacted: what a client printed is passed
 * through `redact` before a test sees it, so that a failing assertion cannot print it.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import net from 'node:net';

export const POSTFIX_DIR = process.env.SMTP_PROBE_SYSTEM_DIR ?? '/var/tmp/smtp-probe-system';
export const POSTFIX_PORTS = [25, 587, 465, 2525] as const;

export interface PostfixEnv {
  dir: string;
  caFile: string;
  /** The test CA, PEM. */
  ca: string;
  /** The certificate Postfix serves, as setup.sh wrote it. */
  serverCert: X509Certificate;
  username: string;
  password: string;
  /** The machine has ::1, so Postfix listens there too (setup.sh uses inet_protocols = all then). */
  ipv6: boolean;
}

export type PostfixPrerequisites = { ok: true; env: PostfixEnv } | { ok: false; reason: string };

/** Resolves true when something accepts a TCP connection there within `ms`. */
export function accepts(host: string, port: number, ms = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), ms);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * accepts(), tried again for up to `patienceMs`: a Postfix that is slow to accept (its smtpd busy, the
 * machine loaded, this process's timers late) is waited for, not taken for missing.
 */
async function acceptsWithin(host: string, port: number, patienceMs: number): Promise<boolean> {
  const giveUp = performance.now() + patienceMs;
  for (;;) {
    if (await accepts(host, port)) return true;
    if (performance.now() >= giveUp) return false;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** ::1 on the loopback interface: setup.sh makes Postfix listen there exactly when this holds. */
function machineHasIpv6Loopback(): boolean {
  try {
    return readFileSync('/proc/net/if_inet6', 'utf8')
      .split('\n')
      .some((line) => /^0{31}1\s.*\slo$/.test(line.trim()));
  } catch {
    return false;
  }
}

/**
 * The state directory's files are there and Postfix accepts connections on all four ports (and on
 * ::1:587 where the machine has ::1). With SMTP_PROBE_SYSTEM_TESTS=required a slow port is waited for
 * up to 20 s before it counts as missing.
 */
export async function postfixPrerequisites(): Promise<PostfixPrerequisites> {
  const patienceMs = process.env.SMTP_PROBE_SYSTEM_TESTS === 'required' ? 20_000 : 0;
  const dir = POSTFIX_DIR;
  const caFile = `${dir}/tls/ca.pem`;
  let ca: string;
  let serverCert: X509Certificate;
  let username: string;
  let password: string;
  try {
    ca = await readFile(caFile, 'utf8');
    serverCert = new X509Certificate(await readFile(`${dir}/tls/server.pem`));
    username = (await readFile(`${dir}/sasl-username`, 'utf8')).trim();
    password = (await readFile(`${dir}/sasl-password`, 'utf8')).trim();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `the Postfix state in ${dir} is incomplete (${reason})` };
  }
  for (const port of POSTFIX_PORTS) {
    if (!(await acceptsWithin('127.0.0.1', port, patienceMs))) {
      return { ok: false, reason: `nothing accepts connections on 127.0.0.1 port ${port}` };
    }
  }
  const ipv6 = machineHasIpv6Loopback();
  if (ipv6 && !(await acceptsWithin('::1', 587, patienceMs))) {
    return { ok: false, reason: 'this machine has ::1, but nothing accepts connections on ::1 port 587' };
  }
  return { ok: true, env: { dir, caFile, ca, serverCert, username, password, ipv6 } };
}

/** The ways the password could appear in a client's output: itself, and in AUTH PLAIN/LOGIN payloads. */
function secretForms(env: PostfixEnv): string[] {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  return [
    env.password,
    b64(env.password),
    b64(`\0${env.username}\0${env.password}`),
    b64(`${env.username}\0${env.username}\0${env.password}`),
  ];
}

/** `text` with every form of the password replaced by `****`. */
export function redact(text: string, env: PostfixEnv): string {
  let out = text;
  for (const secret of secretForms(env)) out = out.split(secret).join('****');
  return out;
}

/** True when no form of the password appears in `text`. */
export function containsPassword(text: string, env: PostfixEnv): boolean {
  return secretForms(env).some((secret) => text.includes(secret));
}

interface Run {
  code: number;
  /** stdout then stderr, redacted */
  output: string;
}

function run(env: PostfixEnv, command: string, args: string[], input = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { timeout: 15_000 }, (error, stdout, stderr) => {
      const code = typeof error?.code === 'number' ? error.code : error ? -1 : 0;
      if (error && code === -1) {
        reject(new Error(`${command} failed to run: ${redact(error.message, env)}`));
        return;
      }
      resolve({ code, output: redact(`${stdout}${stderr}`, env) });
    });
    child.stdin?.end(input);
  });
}

/** SHA-256 fingerprint of a PEM certificate as the openssl CLI computes it, `AB:CD:…`. */
async function opensslFingerprint(env: PostfixEnv, pem: string): Promise<string | undefined> {
  const { code, output } = await run(env, 'openssl', ['x509', '-noout', '-fingerprint', '-sha256'], pem);
  return code === 0 ? /Fingerprint=([0-9A-F:]+)/i.exec(output)?.[1]?.toUpperCase() : undefined;
}

function firstPem(text: string): string | undefined {
  return /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text)?.[0];
}

export interface SwaksSession extends Run {
  /** STARTTLS in the plaintext EHLO reply. */
  starttls: boolean;
  /** AUTH mechanisms advertised in plaintext (`<-`) and inside TLS (`<~`). */
  authPlain: string[];
  authTls: string[];
  /** e.g. `TLSv1.3`, from `=== TLS started with cipher TLSv1.3:…`. */
  tlsProtocol?: string;
  /** The server certificate's SHA-256 fingerprint (openssl CLI), from `--tls-get-peer-cert`. */
  fingerprint256?: string;
  /** The reply to AUTH: the last 235 or 5xx line. */
  authReply?: { code: number; enhanced?: string };
}

/**
 * swaks as a person would run it, stopping after AUTH (or EHLO without credentials). `tls` is
 * `starttls` (--tls) or `implicit` (--tls-on-connect); the certificate is verified with the test CA.
 */
export async function swaks(
  env: PostfixEnv,
  opts: { port: number; tls: 'starttls' | 'implicit'; password?: string },
): Promise<SwaksSession> {
  const args = ['--server', '127.0.0.1', '--port', String(opts.port), '--helo', 'probe.test'];
  args.push(opts.tls === 'starttls' ? '--tls' : '--tls-on-connect');
  args.push('--tls-verify', '--tls-ca-path', env.caFile, '--tls-get-peer-cert');
  if (opts.password !== undefined) {
    args.push('--auth', 'PLAIN', '--auth-user', env.username, '--auth-password', opts.password);
  }
  args.push('--quit-after', opts.password !== undefined ? 'AUTH' : 'EHLO');
  const result = await run(env, 'swaks', args);
  const lines = result.output.split('\n');
  const mechanisms = (prefix: string) =>
    lines
      .map((line) => new RegExp(`^${prefix}\\s+250[- ]AUTH (.+)$`).exec(line)?.[1])
      .find((found) => found !== undefined)
      ?.trim()
      .split(/\s+/) ?? [];
  const authLine = lines.map((line) => /^<~\*?\s+(235|5\d\d)(?: (\d\.\d+\.\d+))?/.exec(line)).find(Boolean);
  const pem = firstPem(lines.map((line) => line.replace(/^=== /, '')).join('\n'));
  const tlsProtocol = /TLS started with cipher (TLSv[\d.]+):/.exec(result.output)?.[1];
  const fingerprint256 = pem ? await opensslFingerprint(env, pem) : undefined;
  return {
    ...result,
    starttls: lines.some((line) => /^<-\s+250[- ]STARTTLS$/.test(line)),
    authPlain: mechanisms('<-'),
    authTls: mechanisms('<~'),
    ...(tlsProtocol ? { tlsProtocol } : {}),
    ...(fingerprint256 ? { fingerprint256 } : {}),
    ...(authLine
      ? { authReply: { code: Number(authLine[1]), ...(authLine[2] ? { enhanced: authLine[2] } : {}) } }
      : {}),
  };
}

export interface SClientSession extends Run {
  /** `Verify return code: 0 (ok)` with -verify_return_error: the chain and the name were verified. */
  verified: boolean;
  verifiedPeername?: string;
  /** From `New, TLSv1.3, Cipher is …`. */
  protocol?: string;
  subject?: string;
  fingerprint256?: string;
}

/**
 * `openssl s_client` with the test CA, verifying the chain and the name `localhost`, and failing on any
 * verification error. `starttls` adds `-starttls smtp`; otherwise TLS starts at once (port 465).
 */
export async function sClient(
  env: PostfixEnv,
  opts: { host?: string; port: number; starttls: boolean },
): Promise<SClientSession> {
  const host = opts.host ?? '127.0.0.1';
  const connect = net.isIPv6(host) ? `[${host}]:${opts.port}` : `${host}:${opts.port}`;
  const args = ['s_client', '-connect', connect, '-CAfile', env.caFile, '-verify_return_error'];
  args.push('-servername', 'localhost', '-verify_hostname', 'localhost');
  if (opts.starttls) args.push('-starttls', 'smtp', '-name', 'probe.test');
  // s_client reads stdin only once TLS is up: QUIT ends the session politely, EOF ends s_client.
  const result = await run(env, 'openssl', args, 'QUIT\r\n');
  const pem = firstPem(result.output);
  const protocol = /^New, (TLSv[\d.]+), Cipher is/m.exec(result.output)?.[1];
  const subject = /^subject=(.+)$/m.exec(result.output)?.[1]?.trim();
  const peername = /^Verified peername: (.+)$/m.exec(result.output)?.[1]?.trim();
  const fingerprint256 = pem ? await opensslFingerprint(env, pem) : undefined;
  return {
    ...result,
    verified: /^\s*Verify return code: 0 \(ok\)$/m.test(result.output),
    ...(peername ? { verifiedPeername: peername } : {}),
    ...(protocol ? { protocol } : {}),
    ...(subject ? { subject } : {}),
    ...(fingerprint256 ? { fingerprint256 } : {}),
  };
}
