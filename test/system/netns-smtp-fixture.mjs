/**
 * A minimal SMTP server for tests inside a network namespace (started with spawnInNetns):
 * `node netns-smtp-fixture.mjs ADDRESS:PORT [ADDRESS:PORT...]` (IPv6 as `[addr]:port`).
 * Sends its 220 greeting at once and answers EHLO, HELO, NOOP, RSET and QUIT, each reply in one
 * write with Nagle off, so that every reply is one segment and a test can count round trips.
 * No STARTTLS, no AUTH, no reverse lookup (smtp-server does one before its greeting, which would
 * add a DNS timeout inside a namespace without a resolver). Prints `listening ADDRESS PORT`.
 */
import net from 'node:net';

const NAME = 'fixture.netns.test';

function reply(line) {
  const verb = line.split(' ')[0].toUpperCase();
  switch (verb) {
    case 'EHLO':
      return `250-${NAME} greets ${line.slice(5)}\r\n250-PIPELINING\r\n250 8BITMIME\r\n`;
    case 'HELO':
      return `250 ${NAME}\r\n`;
    case 'NOOP':
    case 'RSET':
      return '250 2.0.0 OK\r\n';
    case 'QUIT':
      return '221 2.0.0 Bye\r\n';
    default:
      return '500 5.5.2 Command unrecognised\r\n';
  }
}

function serve(socket) {
  socket.setNoDelay(true);
  socket.on('error', () => {});
  socket.write(`220 ${NAME} ESMTP netns fixture\r\n`);
  let buffered = '';
  socket.on('data', (chunk) => {
    buffered += chunk.toString('latin1');
    for (let end = buffered.indexOf('\n'); end !== -1; end = buffered.indexOf('\n')) {
      const line = buffered.slice(0, end).replace(/\r$/, '');
      buffered = buffered.slice(end + 1);
      const text = reply(line);
      if (text.startsWith('221')) {
        socket.end(text);
        return;
      }
      socket.write(text);
    }
    // A client that never sends a line end gets no reply; bound what it can make us hold.
    if (buffered.length > 4096) socket.destroy();
  });
}

for (const spec of process.argv.slice(2)) {
  const match = /^\[?([^\]]+)\]?:(\d+)$/.exec(spec);
  if (!match) {
    console.error(`netns-smtp-fixture: "${spec}" is not ADDRESS:PORT or [IPV6]:PORT`);
    process.exit(2);
  }
  const [, host, port] = match;
  const server = net.createServer(serve);
  server.on('error', (error) => {
    console.error(`netns-smtp-fixture: ${host} port ${port}: ${error.message}`);
    process.exit(1);
  });
  server.listen(Number(port), host, () => console.log(`listening ${host} ${port}`));
}
