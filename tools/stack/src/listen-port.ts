import { createServer } from 'node:net';

// Below Linux's ephemeral range (32768-60999): a port the OS picks with listen(0) is taken from
// that range, and so is every outgoing connection's local port. An instance started a moment
// after the port was chosen could find it taken by another instance's Redis connection.
const LOW = 20_000;
const HIGH = 32_000;

function tryListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port free on 127.0.0.1 now, outside the range outgoing connections take their ports from. */
export async function listenPort(taken: ReadonlySet<number> = new Set()): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (!taken.has(port) && (await tryListen(port))) return port;
  }
  throw new Error(`no free port between ${LOW} and ${HIGH}`);
}
