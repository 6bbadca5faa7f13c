import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ProbeOptions, type ProbeResult, REDACTED } from '../../src/probe/index.js';
import { base64After, canaryCredentials, leaks } from '../helpers/canary.js';
import { type TestPki, testPki } from '../helpers/certs.js';
import { type ConnectionScript, type ServerHandle, startRawServer } from '../helpers/raw-server.js';
import { type Answer, probeWithin, starttlsServer } from './hostile-kit.js';

/*
 * A hostile (or merely careless) server repeats what it was sent: `535 user=… pass=…`, `501 cannot
 * decode <base64>`. Each server here is verified (trusted CA, right name), so the credentials go to it,
 * and it echoes them in every form it can; the whole result, serialised, must hold none of them.
 */
const TIMEOUT = 3_000;
const auth = canaryCredentials();
const plainPayload = Buffer.from(`\0${auth.username}\0${auth.password}`).toString('base64');
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

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
    helo: 'probe.test',
    tls: { ca: pki.ca.cert },
    auth,
  };
});
afterEach(async () => {
  await Promise.all(handles.map((h) => h.close()));
  handles = [];
});

async function serve(script: ConnectionScript): Promise<{ host: string; port: number }> {
  const handle = await startRawServer(script);
  handles.push(handle);
  return { host: '127.0.0.1', port: handle.port };
}

/** Every echo a server could make of what it decoded, as the lines of one reply. */
function echoes(code: number): string {
  const { username: u, password: p } = auth;
  return [
    `${code}-user=${u} pass=${p}`,
    `${code}-USER=${u.toUpperCase()} PASS=${p.toUpperCase()}`,
    `${code}-cannot decode ${plainPayload}`,
    `${code}-login steps ${b64(u)} ${b64(p)}`,
    `${code}-shifted ${base64After('x', p)} ${base64After('xy', p)} ${base64After('xyz', u)}`,
    `${code}-url ${encodeURIComponent(u)}&${encodeURIComponent(p).toLowerCase()}`,
    `${code} 5.7.8 that is all`,
  ].join('\n');
}

function expectNoLeak(result: ProbeResult): void {
  const json = JSON.stringify(result);
  expect(leaks(json, auth)).toEqual([]);
  expect(json).toContain(REDACTED);
}

describe('a server that repeats the credentials back', () => {
  it('in a 535 to AUTH PLAIN: the reply, explanation and transcript hold none of them', async () => {
    const target = await serve(starttlsServer(pki.valid, { secure: { AUTH: echoes(535) } }));
    const { result } = await probeWithin(TIMEOUT, target, options);
    expect(result).toMatchObject({ status: 'auth_failed', stage: 'auth', reply: { code: 535 } });
    expect(result.reply?.lines[0]).toBe(`user=${REDACTED} pass=${REDACTED}`);
    expect(result.explanation).toBe(
      `the server refused the credentials (535): 535 user=${REDACTED} pass=${REDACTED}`,
    );
    expectNoLeak(result);
  });

  it('after a 334 to AUTH PLAIN with its initial response: the payload sent twice, masked twice', async () => {
    const received: string[] = [];
    const answer: Answer = (socket, line) => {
      received.push(line);
      socket.write(received.length === 1 ? '334 \r\n' : `${echoes(535).split('\n').join('\r\n')}\r\n`);
    };
    const target = await serve(starttlsServer(pki.valid, { secure: { AUTH: answer, '*': answer } }));
    const { result } = await probeWithin(TIMEOUT, target, options);
    expect(result).toMatchObject({ status: 'auth_failed', stage: 'auth' });
    expect(received).toEqual([`AUTH PLAIN ${plainPayload}`, plainPayload]);
    const sent = result.sessions[0]?.transcript.filter((l) => l.dir === '>').map((l) => l.text);
    expect(sent).toEqual([
      'EHLO probe.test',
      'STARTTLS',
      'EHLO probe.test',
      `AUTH PLAIN ${REDACTED}`,
      REDACTED,
      'QUIT',
    ]);
    expectNoLeak(result);
  });

  it('in the challenges of AUTH LOGIN and the refusal after it', async () => {
    let step = 0;
    const answer: Answer = (socket, line) => {
      step += 1;
      if (step === 1) socket.write('334 VXNlcm5hbWU6\r\n');
      else if (step === 2) socket.write(`334 got ${line}, now the password\r\n`);
      else socket.write(`${echoes(535).split('\n').join('\r\n')}\r\n`);
    };
    const target = await serve(
      starttlsServer(pki.valid, {
        secure: { EHLO: '250-hostile.test\n250 AUTH LOGIN', AUTH: answer, '*': answer },
      }),
    );
    const { result } = await probeWithin(TIMEOUT, target, options);
    expect(result).toMatchObject({ status: 'auth_failed', stage: 'auth' });
    expect(result.sessions[0]?.auth?.mechanism).toBe('LOGIN');
    expect(result.sessions[0]?.transcript.map((l) => l.text)).toContain(
      `334 got ${REDACTED}, now the password`,
    );
    expectNoLeak(result);
  });

  it('on a retry, in its greeting, EHLO keywords and bytes injected after STARTTLS', async () => {
    // The first session hands the credentials over and is told to come back later; the second
    // session repeats them everywhere before AUTH, where no reply of ours is involved.
    let connection = 0;
    const first = starttlsServer(pki.valid, { secure: { AUTH: '454 4.7.0 try again later' } });
    const second = starttlsServer(pki.valid, {
      greeting: `220 hostile.test ESMTP ${auth.password}`,
      plain: { EHLO: `250-hostile.test\n250-X-${b64(auth.password)}\n250-${auth.username}\n250 STARTTLS` },
      starttls: (socket, upgrade) => {
        socket.write(`220 2.0.0 go ahead\r\n${auth.password} and ${plainPayload}`);
        upgrade();
      },
    });
    const target = await serve((socket, ctx) => {
      connection += 1;
      (connection === 1 ? first : second)(socket, ctx);
    });
    const { result } = await probeWithin(TIMEOUT, target, { ...options, retries: 1, retryDelay: 20 });
    expect(connection).toBe(2);
    const session = result.sessions[0];
    expect(session).toMatchObject({
      retries: 1,
      smtp: { greeting: { text: `hostile.test ESMTP ${REDACTED}` } },
    });
    expect(Object.keys(session?.smtp.ehlo?.keywords ?? {})).toContain(REDACTED);
    expect(session?.smtp.starttlsInjectedSample).toBe(`${REDACTED} and ${REDACTED}`);
    expectNoLeak(result);
  });

  it('a secret cut in half by the transcript line limit leaves no half behind', async () => {
    // The transcript keeps 512 characters of a line: the password straddles that cut.
    const padding = 'x'.repeat(512 - '535 '.length - 12);
    const target = await serve(
      starttlsServer(pki.valid, { secure: { AUTH: `535 ${padding}${auth.password}` } }),
    );
    const { result } = await probeWithin(TIMEOUT, target, options);
    const line = result.sessions[0]?.transcript.find((l) => l.text.startsWith('535 '));
    expect(line?.text).toBe(`535 ${padding}${REDACTED}`);
    expect(JSON.stringify(result)).not.toContain(auth.password.slice(0, 12));
  });
});
