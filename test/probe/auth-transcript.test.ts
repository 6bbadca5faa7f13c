import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthFailure, authenticate } from '../../src/probe/auth.js';
import { DEFAULT_LIMITS } from '../../src/probe/options.js';
import { NOTHING_SECRET, REDACTED } from '../../src/probe/redact.js';
import { Transcript } from '../../src/probe/transcript.js';
import { Wire } from '../../src/probe/wire.js';
import { canaryCredentials, leaks } from '../helpers/canary.js';
import type { ServerHandle } from '../helpers/raw-server.js';
import { startRawServer } from '../helpers/raw-server.js';
import { recordingSmtp } from '../helpers/recording-smtp.js';

/*
 * auth.ts masks every payload it sends at the source, whatever the server answers: these tests run it
 * without the redactor (which would hide a payload that reached the transcript), on a real socket.
 */
const auth = canaryCredentials();
let handle: ServerHandle | undefined;
let socket: net.Socket | undefined;
afterEach(async () => {
  socket?.destroy();
  await handle?.close();
});

async function wireTo(answers: Parameters<typeof recordingSmtp>[0]) {
  const recorder = recordingSmtp(answers);
  handle = await startRawServer(recorder.script);
  const s = net.connect(handle.port, '127.0.0.1');
  socket = s;
  await new Promise((resolve) => s.once('connect', resolve));
  const transcript = new Transcript(performance.now(), 32 * 1024, NOTHING_SECRET);
  const wire = new Wire(s, DEFAULT_LIMITS, transcript, undefined);
  await wire.readReply('greeting', performance.now() + 2_000);
  return { wire, transcript, recorder };
}

const deadline = () => performance.now() + 2_000;

describe('AUTH payloads in the transcript', () => {
  it('AUTH PLAIN answered 334 despite its initial response: the payload goes twice, masked twice', async () => {
    let step = 0;
    const { wire, transcript, recorder } = await wireTo({
      answers: {
        AUTH: (_line, s) => {
          step += 1;
          s.write(step === 1 ? '334 \r\n' : '535 5.7.8 no\r\n');
        },
        '*': (_line, s) => {
          s.write('535 5.7.8 no\r\n');
        },
      },
    });
    await expect(authenticate(wire, ['PLAIN'], auth, deadline)).rejects.toBeInstanceOf(AuthFailure);
    const payload = Buffer.from(`\0${auth.username}\0${auth.password}`).toString('base64');
    expect(recorder.lines.slice(-2)).toEqual([`AUTH PLAIN ${payload}`, payload]);
    const sent = transcript.lines.filter((l) => l.dir === '>').map((l) => l.text);
    expect(sent).toEqual([`AUTH PLAIN ${REDACTED}`, REDACTED]);
    expect(leaks(JSON.stringify(transcript.lines), auth)).toEqual([]);
  });

  it('AUTH LOGIN: the user name and password steps are masked', async () => {
    const { wire, transcript } = await wireTo({});
    await expect(authenticate(wire, ['LOGIN'], auth, deadline)).resolves.toMatchObject({
      mechanism: 'LOGIN',
      outcome: 'accepted',
    });
    const sent = transcript.lines.filter((l) => l.dir === '>').map((l) => l.text);
    expect(sent).toEqual(['AUTH LOGIN', REDACTED, REDACTED]);
    expect(leaks(JSON.stringify(transcript.lines), auth)).toEqual([]);
  });
});
