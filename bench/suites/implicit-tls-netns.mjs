/**
 * Runs inside a network namespace the implicit-tls benchmark made (ip netns exec): a Postfix-like
 * SMTPS server (greeting in a write of its own, one event-loop turn after the handshake, Nagle on) on
 * 127.0.0.1 and 127.0.0.2, and plain node:tls clients that time handshake and greeting to each,
 * round-robin so that both routes share the same moments. 127.0.0.2 is reached through a route with
 * `quickack 1`. Prints one line, `result {json}` (or `error message`), and exits.
 * Arguments: the folder holding key.pem, cert.pem and ca.pem; how many runs per contender.
 */
import { readFileSync } from 'node:fs';
import tls from 'node:tls';

const [dir, runsArg] = process.argv.slice(2);
const runs = Number(runsArg);
const key = readFileSync(`${dir}/key.pem`);
const cert = readFileSync(`${dir}/cert.pem`);
const ca = readFileSync(`${dir}/ca.pem`, 'utf8');

function delayedAcks() {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
  const at = lines.findIndex((line) => line.startsWith('TcpExt:'));
  const names = lines[at].split(' ');
  return Number(lines[at + 1].split(' ')[names.indexOf('DelayedACKs')]);
}

async function listen(host) {
  const server = tls.createServer({ key, cert }, (socket) => {
    socket.on('error', () => {});
    setImmediate(() => socket.destroyed || socket.write('220 localhost ESMTP bench\r\n'));
    socket.on('data', (chunk) => {
      if (/QUIT/i.test(chunk.toString())) socket.end('221 2.0.0 Bye\r\n');
    });
  });
  server.on('tlsClientError', () => {});
  await new Promise((resolve) => server.listen(0, host, resolve));
  return server;
}

function sample(host, port, maxVersion) {
  return new Promise((resolve, reject) => {
    let before = 0;
    let connectedAt = 0;
    let securedAt = 0;
    const socket = tls.connect({ host, port, ca, servername: 'localhost', maxVersion });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no greeting from ${host}:${port} in 5 s`));
    }, 5_000);
    socket.on('session', () => {});
    socket.once('connect', () => {
      connectedAt = performance.now();
    });
    socket.once('secureConnect', () => {
      securedAt = performance.now();
      before = delayedAcks();
    });
    socket.once('data', () => {
      const result = {
        handshakeMs: securedAt - connectedAt,
        greetingMs: performance.now() - securedAt,
        delayedAcks: delayedAcks() - before,
      };
      clearTimeout(timer);
      socket.end('QUIT\r\n');
      socket.once('close', () => resolve(result));
      setTimeout(() => socket.destroy(), 200).unref();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    });
  });
}

const servers = [];
try {
  const normal = await listen('127.0.0.1');
  servers.push(normal);
  const quick = await listen('127.0.0.2');
  servers.push(quick);
  const contenders = {
    'normal/TLSv1.3': () => sample('127.0.0.1', normal.address().port, 'TLSv1.3'),
    'quickack/TLSv1.3': () => sample('127.0.0.2', quick.address().port, 'TLSv1.3'),
    'normal/TLSv1.2': () => sample('127.0.0.1', normal.address().port, 'TLSv1.2'),
    'quickack/TLSv1.2': () => sample('127.0.0.2', quick.address().port, 'TLSv1.2'),
  };
  const samples = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
  // One untimed round first, like bench/lib/stats interleaved().
  for (let round = 0; round < runs + 1; round += 1) {
    for (const [name, run] of Object.entries(contenders)) {
      const result = await run();
      if (round > 0) samples[name].push(result);
    }
  }
  process.stdout.write(`result ${JSON.stringify(samples)}\n`);
} catch (error) {
  process.stdout.write(`error ${error instanceof Error ? error.message : String(error)}\n`);
} finally {
  for (const server of servers) server.close();
}
