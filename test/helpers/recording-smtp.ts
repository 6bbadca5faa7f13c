/**
 * A scriptable SMTP server that records every byte it receives in clear (before STARTTLS on the TCP
 * socket, after it decrypted), for tests that must prove what never reached a server.
 */
import type net from 'node:net';
import tls from 'node:tls';
import type { Pem } from './certs.js';
import { type ConnectionScript, lineReader } from './raw-server.js';

/** Answers by upper-case verb; a function may write anything. `AUTH` gets every AUTH and each step after. */
export type Answers = Record<string, string | ((line: string, socket: net.Socket) => void)>;

export interface RecordingOptions {
  /** Offer STARTTLS with this certificate; without it, the session stays in plaintext. */
  starttls?: Pem;
  /** Answers that replace the defaults: EHLO with AUTH PLAIN LOGIN, AUTH 235, QUIT 221, others 250. */
  answers?: Answers;
  greeting?: string;
}

export interface Recorder {
  script: ConnectionScript;
  /** Everything every connection received in clear, as Latin-1 text (one character per byte). */
  received(): string;
  /** The command lines received, in order. */
  lines: string[];
}

export function recordingSmtp(options: RecordingOptions = {}): Recorder {
  const chunks: Buffer[] = [];
  const lines: string[] = [];
  const script: ConnectionScript = (socket) => {
    /** Lines still expected in an AUTH dialog (RFC 4954): a LOGIN's user name and password. */
    let authSteps = 0;
    const converse = (s: net.Socket, secure: boolean) => {
      const record = (chunk: Buffer) => chunks.push(Buffer.from(chunk));
      s.on('data', record);
      const stop = lineReader(s, (line) => {
        lines.push(line);
        const verb = authSteps > 0 ? 'AUTH' : (line.split(' ')[0] ?? '').toUpperCase();
        const custom = options.answers?.[verb];
        if (typeof custom === 'function') return custom(line, s);
        if (custom !== undefined) return void s.write(`${custom.split('\n').join('\r\n')}\r\n`);
        switch (verb) {
          case 'EHLO': {
            const tlsLine = options.starttls && !secure ? '250-STARTTLS\r\n' : '';
            return void s.write(`250-rec.test\r\n${tlsLine}250 AUTH PLAIN LOGIN\r\n`);
          }
          case 'STARTTLS': {
            if (!options.starttls || secure) return void s.write('502 5.5.1 no\r\n');
            stop();
            s.off('data', record);
            s.write('220 2.0.0 go ahead\r\n');
            const upgraded = new tls.TLSSocket(s, {
              isServer: true,
              key: options.starttls.key,
              cert: options.starttls.cert,
            });
            upgraded.on('error', () => {});
            return converse(upgraded, true);
          }
          case 'AUTH':
            if (authSteps === 0 && /^AUTH LOGIN$/i.test(line)) authSteps = 2;
            else if (authSteps === 0 && /^AUTH PLAIN$/i.test(line)) authSteps = 1;
            else if (authSteps > 0) authSteps -= 1;
            if (authSteps === 2) return void s.write('334 VXNlcm5hbWU6\r\n');
            if (authSteps === 1)
              return void s.write(/^AUTH PLAIN$/i.test(line) ? '334 \r\n' : '334 UGFzc3dvcmQ6\r\n');
            return void s.write('235 2.7.0 ok\r\n');
          case 'QUIT':
            return void s.end('221 2.0.0 bye\r\n');
          default:
            return void s.write('250 2.0.0 ok\r\n');
        }
      });
    };
    socket.write(`${options.greeting ?? '220 rec.test ESMTP'}\r\n`);
    converse(socket, socket instanceof tls.TLSSocket);
  };
  return { script, received: () => Buffer.concat(chunks).toString('latin1'), lines };
}
