import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { refusingPort, refusingPortOn, unansweredPort } from '../helpers/ports.js';

/** One TCP connect: 'connected', 'timeout' after `ms`, or the error code. */
function connect(host: string, port: number, ms: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (outcome: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => done('timeout'), ms);
    socket.once('connect', () => done('connected'));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}

describe('ports a test holds', () => {
  for (const host of ['127.0.0.1', '::1']) {
    it(`a refusing port on ${host} refuses until it is closed, and no one else can listen there meanwhile`, async () => {
      const held = await refusingPort(host);
      expect(await connect(host, held.port, 2_000)).toBe('ECONNREFUSED');
      expect(await connect(host, held.port, 2_000)).toBe('ECONNREFUSED');
      // A listener asking for any free port is never given this one while it is held.
      const others = await Promise.all(
        Array.from({ length: 200 }, async () => {
          const server = net.createServer();
          await new Promise<void>((resolve) => server.listen(0, host, resolve));
          return server;
        }),
      );
      expect(others.map((s) => (s.address() as net.AddressInfo).port)).not.toContain(held.port);
      await Promise.all(others.map((s) => new Promise((resolve) => s.close(resolve))));
      await held.close();
      await held.close(); // idempotent
    });

    it(`an unanswered port on ${host} leaves a connect unanswered past a SYN retransmission (1 s)`, async () => {
      const held = await unansweredPort(host);
      expect(await connect(host, held.port, 1_500)).toBe('timeout');
      await held.close(); // resolves once the listener's thread has ended
      await held.close(); // idempotent
    });
  }

  it('refusingPortOn holds one port number on every address it is given', async () => {
    const held = await refusingPortOn(['127.0.0.1', '::1']);
    expect(await connect('127.0.0.1', held.port, 2_000)).toBe('ECONNREFUSED');
    expect(await connect('::1', held.port, 2_000)).toBe('ECONNREFUSED');
    await held.close();
  });

  it('refusingPort on a port that is listened on fails with EADDRINUSE instead of holding nothing', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await expect(refusingPort('127.0.0.1', port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await new Promise((resolve) => server.close(resolve));
  });
});
