import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ProbeOptions, REDACTED } from '../../src/probe/index.js';
import { canaryCredentials } from '../helpers/canary.js';
import { type TestPki, testPki } from '../helpers/certs.js';
import { type ServerHandle, startRawServer, starttlsScript } from '../helpers/raw-server.js';
import { probeWithin, starttlsServer } from './hostile-kit.js';

/*
 * RFC 3207 §6: whatever the server sends after its 220 to STARTTLS and before the handshake is
 * discarded, and the probe reports it whatever its shape: a reply, a command, bytes without a line end.
 */
const TIMEOUT = 3_000;
let pki: TestPki;
let options: ProbeOptions;
let handles: ServerHandle[] = [];
beforeAll(async () => {
  pki = await testPki();
  options = {
    timeout: TIMEOUT,
    connectTimeout: 500,
    greetingTimeout: 1_000,
    commandTimeout: 1_000,
    tls: { ca: pki.ca.cert },
  };
});
afterEach(async () => {
  await Promise.all(handles.map((h) => h.close()));
  handles = [];
});

async function injecting(after220: string | Buffer) {
  const data = Buffer.concat([Buffer.from('220 2.0.0 go ahead\r\n'), Buffer.from(after220)]);
  const handle = await startRawServer(starttlsScript(pki.valid, data));
  handles.push(handle);
  return { host: '127.0.0.1', port: handle.port };
}

describe('bytes injected after the 220 to STARTTLS', () => {
  it.each([
    ['a well-formed reply', '250 2.1.0 sender ok\r\n', '250 2.1.0 sender ok\\r\\n'],
    ['two replies', '250-injected\r\n250 AUTH PLAIN\r\n', '250-injected\\r\\n250 AUTH PLAIN\\r\\n'],
    ['a command', 'MAIL FROM:<x@evil>\r\n', 'MAIL FROM:<x@evil>\\r\\n'],
    ['bytes without a line end', 'abc', 'abc'],
    ['half a reply line', '250-partial', '250-partial'],
    ['a reply, then garbage', '250 ok\r\nRCPT TO:<y@evil>', '250 ok\\r\\nRCPT TO:<y@evil>'],
    [
      'control and 8-bit bytes',
      Buffer.from([0x00, 0x1b, 0x5b, 0x32, 0x4a, 0xff, 0x5c, 0x22]),
      '\\x00\\x1b[2J\\xff\\\\\\"',
    ],
  ])('%s: counted, shown escaped, and the session still ok', async (_what, injected, sample) => {
    const target = await injecting(injected);
    const { result } = await probeWithin(TIMEOUT, target, options);
    expect(result).toMatchObject({ status: 'ok', stage: 'quit' });
    const smtp = result.sessions[0]?.smtp;
    expect(smtp?.starttlsInjectedBytes).toBe(Buffer.byteLength(injected as string, 'latin1'));
    expect(smtp?.starttlsInjectedSample).toBe(sample);
    expect(result.sessions[0]?.transcript.map((l) => l.text)).toContain(
      `discarded ${smtp?.starttlsInjectedBytes} bytes the server sent after 220 to STARTTLS (RFC 3207 §6): "${sample}"`,
    );
    // Nothing injected was acted on: the EHLO after TLS is the server's real one.
    expect(smtp?.ehloAfterTls?.auth).toEqual(['PLAIN']);
  });

  it('a long injection is counted whole; the sample is its first 64 bytes', async () => {
    const injected = `${'250-x'.repeat(40)}\r\n`;
    const target = await injecting(injected);
    const { result } = await probeWithin(TIMEOUT, target, options);
    const smtp = result.sessions[0]?.smtp;
    expect(smtp?.starttlsInjectedBytes).toBe(injected.length);
    expect(smtp?.starttlsInjectedSample).toBe(injected.slice(0, 64));
  });

  it('nothing after the 220: no count and no sample', async () => {
    const target = await injecting('');
    const { result } = await probeWithin(TIMEOUT, target, options);
    expect(result.status).toBe('ok');
    expect(result.sessions[0]?.smtp).not.toHaveProperty('starttlsInjectedBytes');
    expect(result.sessions[0]?.smtp).not.toHaveProperty('starttlsInjectedSample');
  });

  it('credentials in the injected bytes are redacted before the sample is cut: no half of them', async () => {
    const auth = canaryCredentials();
    const junk = 'j'.repeat(50);
    const handle = await startRawServer(
      starttlsServer(pki.valid, {
        starttls: (socket, upgrade) => {
          socket.write(`220 2.0.0 go ahead\r\n${junk}${auth.password}`);
          upgrade();
        },
      }),
    );
    handles.push(handle);
    const { result } = await probeWithin(
      TIMEOUT,
      { host: '127.0.0.1', port: handle.port },
      { ...options, auth },
    );
    expect(result.status).toBe('ok');
    expect(result.sessions[0]?.smtp.starttlsInjectedSample).toBe(`${junk}${REDACTED}`);
    expect(JSON.stringify(result)).not.toContain(auth.password.slice(0, 10));
  });
});
