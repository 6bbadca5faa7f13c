import net from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface LocalServer {
  port: number;
  close(): Promise<void>;
}

/**
 * smtp-server 3.21 starts an implicit-TLS handshake one `setImmediate` after accepting a socket; if the
 * socket is destroyed in between, it wraps the dead socket anyway and Node 20 segfaults in
 * `SSL_get_version` (seen here with gdb). Refuse the upgrade of a socket that is already gone.
 */
export function guardImplicitTlsUpgrade(server: SMTPServer): void {
  const upgrade = server._upgrade.bind(server);
  server._upgrade = (socket, callback) => {
    if (socket.destroyed) {
      callback(Object.assign(new Error('socket closed before the TLS handshake'), { code: 'ECONNRESET' }));
      return;
    }
    upgrade(socket, callback);
  };
}

/** An smtp-server on 127.0.0.1 at a free port that accepts no mail; close() drops every connection. */
export async function startLocalSmtp(options: SMTPServerOptions): Promise<LocalServer> {
  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    closeTimeout: 200,
    onData(stream, _session, callback) {
      stream.on('end', () =>
        callback(Object.assign(new Error('this demo server takes no mail'), { responseCode: 554 })),
      );
      stream.resume();
    },
    ...options,
  });
  guardImplicitTlsUpgrade(server);
  server.on('error', () => {});
  const sockets = new Set<net.Socket>();
  server.server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.server.address() as net.AddressInfo).port));
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** A port on 127.0.0.1 where nothing listens: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
