/**
 * Ports a test holds itself, so that what they answer does not depend on what else runs on the machine.
 * A fixed port (1, 25, 1000) may be taken by anyone; a port bound and released may be handed to the
 * next program that listens on port 0. These stay ours until close().
 *
 * - refusingPort: the port of a connection we keep open after closing its listener. No one listens,
 *   so a SYN gets a reset: ECONNREFUSED, at once, over IPv4 and IPv6. The kernel never hands a port
 *   still bound here to a listen(0) (measured: 0 of 3,000 listeners landed on it); only a program
 *   that asks for that exact port with SO_REUSEADDR could take it.
 * - unansweredPort: a listener whose accept queue is full and stays full. Linux drops a SYN to such a
 *   listener (SYN cookies or not), and every retransmission too, so a connect gets no answer and
 *   ends at the caller's timeout: a silent drop on loopback, without root or a firewall. The listener
 *   lives in a worker thread that blocks in Atomics.wait, so nothing ever accepts.
 */
import net from 'node:net';
import { Worker } from 'node:worker_threads';

export interface HeldPort {
  host: string;
  port: number;
  /** Releases the port; idempotent. */
  close(): Promise<void>;
}

function connected(socket: net.Socket, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no connection after 10 s`)), 10_000);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/**
 * A port on `host` that refuses every connection until close(): any free port, or `port` itself (on
 * another address than a server that has it, say), which fails with EADDRINUSE if something listens.
 */
export async function refusingPort(host = '127.0.0.1', port = 0): Promise<HeldPort> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as net.AddressInfo).port;
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const client = net.connect({ host, port: bound });
  client.on('error', () => {});
  await connected(client, `refusingPort ${host}`);
  const held = await accepted;
  held.on('error', () => {});
  // Held, not waited on: a test that forgets close() must not keep its process alive.
  held.unref();
  client.unref();
  // Stops listening now; the accepted connection keeps the port bound. (close()'s callback would wait
  // for that connection to end.)
  server.close();
  let closing: Promise<void> | undefined;
  return {
    host,
    port: bound,
    close: () => {
      // 'close' comes once the listener is closed and its last connection has ended.
      closing ??= new Promise<void>((resolve) => {
        server.once('close', () => resolve());
        held.destroy();
        client.destroy();
      });
      return closing;
    },
  };
}

/** One port number that refuses on each of `hosts` (127.0.0.1 and ::1, say) until close(). */
export async function refusingPortOn(hosts: [string, ...string[]]): Promise<HeldPort> {
  const [first, ...others] = hosts;
  for (let attempt = 1; ; attempt++) {
    const held = [await refusingPort(first)];
    try {
      for (const host of others) held.push(await refusingPort(host, held[0]?.port));
      const close = async () => {
        await Promise.all(held.map((port) => port.close()));
      };
      return { host: first, port: held[0]?.port as number, close };
    } catch (error) {
      await Promise.all(held.map((port) => port.close()));
      // Another program listens on that number on another address: try another number.
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt === 10) throw error;
    }
  }
}

/** The listen backlog: Linux queues one more than this, then drops SYNs (sk_acceptq_is_full). */
const BACKLOG = 1;

const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const net = require('node:net');
const server = net.createServer();
server.on('error', (error) => parentPort.postMessage({ error: error.message }));
server.listen({ port: 0, host: workerData.host, backlog: workerData.backlog }, () => {
  parentPort.postMessage({ port: server.address().port });
  // Blocks this thread, and so its event loop: no accept() until the test says so.
  Atomics.wait(workerData.release, 0, 0);
  server.close();
  process.exit(0);
});
`;

/** A port on `host` where every new connection gets no answer until close(). */
export async function unansweredPort(host = '127.0.0.1'): Promise<HeldPort> {
  const release = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER, { eval: true, workerData: { host, backlog: BACKLOG, release } });
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const fillers: net.Socket[] = [];
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      for (const socket of fillers) socket.destroy();
      Atomics.store(release, 0, 1);
      Atomics.notify(release, 0);
      await exited;
    })();
    return closing;
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      worker.once('message', (message: { port?: number; error?: string }) =>
        message.port ? resolve(message.port) : reject(new Error(`unansweredPort ${host}: ${message.error}`)),
      );
      worker.once('error', reject);
    });
    // Fill the accept queue: these complete their handshake in the kernel and wait there forever.
    for (let i = 0; i <= BACKLOG; i++) {
      const socket = net.connect({ host, port });
      socket.on('error', () => {});
      socket.unref();
      fillers.push(socket);
      await connected(socket, `unansweredPort ${host}: filling the accept queue`);
    }
    return { host, port, close };
  } catch (error) {
    await close();
    throw error;
  }
}
