import { connect as netConnect, type Socket } from 'node:net';
import { untilDeadline } from './deadline.js';
import { ProbeFailure, socketFailure } from './failure.js';

/** Errors are read by whoever is waiting on the socket; this keeps a late one from crashing the process. */
export function ignoreLateErrors(socket: Socket): void {
  socket.on('error', () => {});
}

/**
 * Opens a TCP connection to an address (never a name: DNS is its own stage, and the address that was
 * resolved, and perhaps vetted, is the one used). On failure the socket is already destroyed.
 */
export function connectTcp(
  address: string,
  port: number,
  family: 4 | 6,
  deadline: number,
  signal: AbortSignal | undefined,
): Promise<Socket> {
  let socket: Socket | undefined;
  return untilDeadline<Socket>(
    deadline,
    () =>
      new ProbeFailure('timeout', `no answer to the TCP connection to ${address} port ${port}`, {
        errorCode: 'ECONNECTTIMEOUT',
      }),
    signal,
    ({ resolve, reject }) => {
      const s = netConnect({ host: address, port, family, noDelay: true });
      socket = s;
      ignoreLateErrors(s);
      const onConnect = () => resolve(s);
      const onError = (error: Error) => reject(socketFailure(error, `connecting to ${address} port ${port}`));
      s.once('connect', onConnect);
      s.once('error', onError);
      return () => {
        s.off('connect', onConnect);
        s.off('error', onError);
      };
    },
  ).catch((error: unknown) => {
    socket?.destroy();
    throw error;
  });
}
