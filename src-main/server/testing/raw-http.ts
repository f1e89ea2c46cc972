/**
 * Raw HTTP over a socket, for fault tests: request lines and bytes no HTTP client would send.
 * Used by *.test.ts only.
 */
import net from 'node:net';

/** Sends raw bytes; returns the server's answer once complete, or whatever came before it closed or went quiet. */
export function raw(port: number, bytes: string | Buffer, quietMs = 1_500): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(done, quietMs);
    };
    socket.on('connect', () => {
      socket.write(bytes);
      arm();
    });
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      if (complete(Buffer.concat(chunks).toString('latin1'))) done();
      else arm();
    });
    socket.on('end', done);
    socket.on('close', done);
    // A reset after the answer still counts as answered; before it, the test sees an empty string.
    socket.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? done() : reject(e)));
  });
}

/** A whole response has arrived: headers and the body they announce (101: headers only). */
function complete(answer: string): boolean {
  const end = answer.indexOf('\r\n\r\n');
  if (end < 0) return false;
  if (status(answer) === 101) return true;
  const head = answer.slice(0, end);
  if (/\r\ntransfer-encoding: *chunked/i.test(head)) return answer.endsWith('\r\n0\r\n\r\n');
  const length = /\r\ncontent-length: *(\d+)/i.exec(head);
  return length !== null && answer.length - end - 4 >= Number(length[1]);
}

/** The status code of the first response in a raw answer, or 0 when there was none. */
export function status(answer: string): number {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(answer);
  return m ? Number(m[1]) : 0;
}

/** The JSON body of a raw answer (content-length framed). */
export function jsonBody(answer: string): unknown {
  return JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
}
