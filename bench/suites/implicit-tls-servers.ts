/**
 * Servers the implicit-TLS benchmark contrasts with Postfix: a minimal Node SMTPS server on 127.0.0.1
 * whose greeting is written either with the handshake's last flight or in a write of its own (as
 * Postfix does), with and without TCP_NODELAY; and the same Postfix-like server inside a network
 * namespace, where a route with `quickack 1` makes the client's kernel ACK at once.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import type { Pem } from '../../test/helpers/certs.js';
import { createNetns, netnsPrerequisites, spawnInNetns } from '../../test/helpers/netns.js';

export interface LocalServer {
  port: number;
  close(): Promise<void>;
}

/** Answers EHLO and QUIT, line by line; anything else gets 502. */
function converse(socket: tls.TLSSocket): void {
  let pending = '';
  socket.on('data', (chunk: Buffer) => {
    pending += chunk.toString('latin1');
    for (let end = pending.indexOf('\n'); end !== -1; end = pending.indexOf('\n')) {
      const verb = pending.slice(0, end).trim().split(' ')[0]?.toUpperCase();
      pending = pending.slice(end + 1);
      if (verb === 'EHLO') socket.write('250-localhost\r\n250 PIPELINING\r\n');
      else if (verb === 'QUIT') socket.end('221 2.0.0 Bye\r\n');
      else socket.write('502 5.5.2 Error: command not recognized\r\n');
    }
  });
}

/**
 * A minimal SMTPS server. `greeting: 'same-turn'` writes 220 inside 'secureConnection': Node then
 * sends it in the same write as the handshake's last records. `'next-turn'` writes it one event-loop
 * turn later, a write of its own, as Postfix does once SSL_accept has returned.
 */
export async function startNodeSmtps(
  pem: Pem,
  options: { noDelay: boolean; greeting: 'same-turn' | 'next-turn' },
): Promise<LocalServer> {
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ key: pem.key, cert: pem.cert, noDelay: options.noDelay }, (socket) => {
    socket.on('error', () => {});
    const greet = () => {
      if (!socket.destroyed) socket.write('220 localhost ESMTP bench\r\n');
    };
    if (options.greeting === 'same-turn') greet();
    else setImmediate(greet);
    converse(socket);
  });
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

export interface NetnsSamples {
  /** By contender (`normal/TLSv1.3`, `quickack/TLSv1.2`...): one entry per run. */
  samples: Record<string, { handshakeMs: number; greetingMs: number; delayedAcks: number | null }[]>;
  /** `ip route get` for both addresses, to show which route the client used. */
  routes: string[];
}

const CHILD = fileURLToPath(new URL('./implicit-tls-netns.mjs', import.meta.url));

/**
 * Runs implicit-tls-netns.mjs inside a fresh namespace: a Postfix-like server (greeting in a write of
 * its own, Nagle on) on 127.0.0.1 and 127.0.0.2, where 127.0.0.2 is reached through a local route with
 * `quickack 1` and source 127.0.0.1, so that only the client's socket uses it. Returns the reason
 * instead when namespaces cannot be made here.
 */
export async function quickackInNetns(pem: Pem, ca: string, runs: number): Promise<NetnsSamples | string> {
  const ready = netnsPrerequisites();
  if (!ready.ok) return ready.reason;
  const dir = await mkdtemp(`${tmpdir()}/spp-bench-itls-`);
  const ns = await createNetns({ name: 'itls' }).catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  try {
    await writeFile(`${dir}/key.pem`, pem.key, { mode: 0o600 });
    await writeFile(`${dir}/cert.pem`, pem.cert);
    await writeFile(`${dir}/ca.pem`, ca);
    await ns.exec(
      ['ip', 'route', 'add', 'local', '127.0.0.2/32', 'dev', 'lo', 'table', 'local'].concat([
        'src',
        '127.0.0.1',
        'quickack',
        '1',
      ]),
    );
    const routes: string[] = [];
    for (const address of ['127.0.0.1', '127.0.0.2']) {
      const { stdout } = await ns.exec(['ip', 'route', 'get', address]);
      routes.push(stdout.replace(/\s+/g, ' ').trim());
    }
    const child = spawnInNetns(ns, process.execPath, [CHILD, dir, String(runs)]);
    try {
      const line = await child.waitForLine(/^(result|error) /, 120_000);
      if (line.startsWith('error ')) throw new Error(`the namespace client failed: ${line.slice(6)}`);
      return { samples: JSON.parse(line.slice(7)) as NetnsSamples['samples'], routes };
    } finally {
      await child.kill();
    }
  } finally {
    await ns.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}
