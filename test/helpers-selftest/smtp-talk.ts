/** Minimal SMTP client used only by the helper self-tests (the product has its own). */
import net from 'node:net';
import tls from 'node:tls';

export interface Reply {
  code: number;
  lines: string[];
}

export class SmtpTalk {
  private buffer = '';
  private pending: string[] = [];
  private waiter: (() => void) | undefined;
  private closed = false;

  private constructor(public socket: net.Socket) {
    this.attach(socket);
  }

  static connect(port: number, host: string, secure?: tls.ConnectionOptions): Promise<SmtpTalk> {
    return new Promise((resolve, reject) => {
      const socket = secure
        ? tls.connect({ ...secure, port, host }, () => resolve(new SmtpTalk(socket)))
        : net.connect(port, host, () => resolve(new SmtpTalk(socket)));
      socket.once('error', reject);
      socket.setTimeout(3000, () => socket.destroy(new Error('client timeout')));
    });
  }

  private attach(socket: net.Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('latin1');
      let i = this.buffer.indexOf('\n');
      while (i !== -1) {
        this.pending.push(this.buffer.slice(0, i).replace(/\r$/, ''));
        this.buffer = this.buffer.slice(i + 1);
        i = this.buffer.indexOf('\n');
      }
      this.waiter?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
    socket.on('error', () => {});
  }

  /** Reads one (possibly multi-line) reply. */
  async read(): Promise<Reply> {
    const lines: string[] = [];
    for (;;) {
      const line = this.pending.shift();
      if (line === undefined) {
        if (this.closed) throw new Error(`connection closed; partial reply: ${lines.join(' | ')}`);
        await new Promise<void>((resolve) => {
          this.waiter = resolve;
        });
        this.waiter = undefined;
        continue;
      }
      lines.push(line);
      if (/^\d{3}(?: |$)/.test(line)) return { code: Number(line.slice(0, 3)), lines };
    }
  }

  async command(line: string): Promise<Reply> {
    this.socket.write(`${line}\r\n`);
    return this.read();
  }

  /** Upgrades the socket to TLS after a 220 reply to STARTTLS. */
  startTls(options: tls.ConnectionOptions): Promise<tls.TLSSocket> {
    return new Promise((resolve, reject) => {
      this.socket.removeAllListeners('data');
      this.socket.removeAllListeners('close');
      const secure = tls.connect({ ...options, socket: this.socket }, () => resolve(secure));
      secure.once('error', reject);
      this.socket = secure;
      this.attach(secure);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
