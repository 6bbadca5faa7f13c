#!/usr/bin/env node
// Runs a command while something listens on the ports tests once assumed closed: port 1 and every port
// from 1000 to 1044, on 127.0.0.1 to 127.0.0.16 and on ::1. The listeners accept and say nothing (the
// worst case for a test expecting `refused`), count what connects, and are released when the command
// ends. It proves the suite holds its own ports: the results must not change, and no test connects.
//
//   sudo node test/system/with-held-ports.mjs -- npx vitest run --project source --project bundle
//
// Ports below 1024 need root. Exit status: the command's, or 3 when a port could not be held.
import { spawn } from 'node:child_process';
import net from 'node:net';

const separator = process.argv.indexOf('--');
const command = separator === -1 ? [] : process.argv.slice(separator + 1);
if (command.length === 0) {
  console.error('usage: node test/system/with-held-ports.mjs -- COMMAND [ARGS...]');
  process.exit(2);
}

const PORTS = [1, ...Array.from({ length: 45 }, (_, i) => 1000 + i)];
const HOSTS = [...Array.from({ length: 16 }, (_, i) => `127.0.0.${i + 1}`), '::1'];
const connections = new Map();
const sockets = new Set();

const servers = await Promise.all(
  HOSTS.flatMap((host) =>
    PORTS.map(
      (port) =>
        new Promise((resolve) => {
          const server = net.createServer((socket) => {
            const key = `${host.includes(':') ? `[${host}]` : host}:${port}`;
            connections.set(key, (connections.get(key) ?? 0) + 1);
            sockets.add(socket);
            socket.on('error', () => {});
            socket.once('close', () => sockets.delete(socket));
            socket.resume(); // reads and discards, answers nothing
          });
          server.once('error', (error) => resolve({ host, port, error }));
          server.listen({ port, host, exclusive: true }, () => resolve({ host, port, server }));
        }),
    ),
  ),
);
const failed = servers.filter((s) => s.error);
const release = async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.filter((s) => s.server).map((s) => new Promise((r) => s.server.close(r))));
};
if (failed.length > 0) {
  for (const { host, port, error } of failed.slice(0, 5))
    console.error(`cannot hold ${host}:${port}: ${error.code}`);
  await release();
  process.exit(3);
}
console.error(
  `with-held-ports: listening on ports 1 and 1000-1044 of ${HOSTS.length} loopback addresses (${servers.length} listeners)`,
);

const child = spawn(command[0], command.slice(1), { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
const code = await new Promise((resolve) =>
  child.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))),
);
const total = [...connections.values()].reduce((a, b) => a + b, 0);
console.error(
  `with-held-ports: ${total} connection(s) reached the held ports` +
    (total ? `: ${[...connections].map(([k, n]) => `${k} x${n}`).join(', ')}` : ''),
);
await release();
process.exit(code);
