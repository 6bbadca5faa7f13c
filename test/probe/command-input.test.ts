import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ProbeOptions, probe, probeAll } from '../../src/probe/index.js';
import { type ServerHandle, startRawServer } from '../helpers/raw-server.js';

/*
 * Every value the core puts into a command line (the EHLO/HELO name, MAIL FROM and RCPT TO, the AUTH
 * user name and password) is refused when it holds CR, LF or NUL: CR LF would end the command and
 * start another of the caller's choosing (RFC 5321 §2.3.8), a NUL ends a string on many servers.
 * The error names the field and never echoes a credential.
 */
const CANARY = 'secret-canary';
const valid: ProbeOptions = { timeout: 1_000 };

let server: ServerHandle;
let connections = 0;
beforeAll(async () => {
  server = await startRawServer((socket) => {
    connections += 1;
    socket.end('220 never.test\r\n');
  });
});
afterAll(async () => {
  await server.close();
});

const cases: Array<[string, string, ProbeOptions]> = [];
for (const [char, name] of [
  ['\r', 'CR'],
  ['\n', 'LF'],
  ['\0', 'NUL'],
] as const) {
  cases.push(
    [`helo with ${name}`, 'options.helo', { helo: `probe.test${char}RSET` }],
    [
      `envelope.from with ${name}`,
      'options.envelope.from',
      { envelope: { from: `app@example.test${char}` } },
    ],
    [
      `envelope.from with ${name} inside`,
      'options.envelope.from',
      { envelope: { from: `a${char}p@example.test` } },
    ],
    [
      `envelope.to with ${name}`,
      'options.envelope.to',
      { envelope: { from: 'app@example.test', to: `ops@example.test${char}DATA` } },
    ],
    [
      `auth.username with ${name}`,
      'options.auth.username',
      { auth: { username: `${CANARY}${char}x`, password: 'p' } },
    ],
    [
      `auth.password with ${name}`,
      'options.auth.password',
      { auth: { username: 'user', password: `${CANARY}${char}` } },
    ],
  );
}

describe('CR, LF and NUL where a command is built', () => {
  it.each(cases)(
    '%s is a RangeError naming the field, and nothing is sent',
    async (_what, field, options) => {
      const before = connections;
      const attempt = probe(
        { host: '127.0.0.1', port: server.port, mode: 'plain' },
        { ...valid, ...options },
      );
      await expect(attempt).rejects.toThrow(RangeError);
      await expect(attempt).rejects.toThrow(`${field} must not contain CR, LF or NUL`);
      await expect(attempt).rejects.not.toThrow(CANARY);
      expect(connections).toBe(before);
    },
  );

  it('a per-target option of probeAll is checked the same way, before any target is probed', async () => {
    const before = connections;
    const attempt = probeAll(
      [
        { host: '127.0.0.1', port: server.port, mode: 'plain' },
        {
          host: '127.0.0.1',
          port: server.port,
          mode: 'plain',
          options: { envelope: { from: 'app@example.test\0' } },
        } as never,
      ],
      valid,
    );
    await expect(attempt).rejects.toThrow('options.envelope.from must not contain CR, LF or NUL');
    expect(connections).toBe(before);
  });

  it('other control characters in an address are refused too', async () => {
    const attempt = probe(
      { host: '127.0.0.1', port: server.port },
      { ...valid, envelope: { from: 'app\u0007@example.test' } },
    );
    await expect(attempt).rejects.toThrow('options.envelope.from must be a mail address');
  });

  it('a servername with a line break is refused as not a host name', async () => {
    const attempt = probe(
      { host: '127.0.0.1', port: server.port },
      { ...valid, tls: { servername: 'a.test\r\nx' } },
    );
    await expect(attempt).rejects.toThrow('options.tls.servername must be a host name');
  });
});
