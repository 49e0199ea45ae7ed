import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';

/**
 * The Socket.IO peer: one Socket.IO 4 instance with @socket.io/redis-adapter (the classic
 * pub/sub adapter, the one most deployments use). Clients join rooms with
 * `emit("subscribe", room, ack)`; events come from @socket.io/redis-emitter in another process.
 */
const redisUrl = process.env.REDIS_URL;
if (!redisUrl) throw new Error('REDIS_URL is required');
const pub = new Redis(redisUrl);
const sub = pub.duplicate();

const http = createServer();
const io = new Server(http, {
  transports: ['websocket'],
  perMessageDeflate: false,
  serveClient: false,
});
io.adapter(createAdapter(pub, sub));

io.on('connection', (socket) => {
  socket.on('subscribe', (room: unknown, ack?: (ok: boolean) => void) => {
    if (typeof room !== 'string') return ack?.(false);
    // The in-memory adapter joins synchronously; there is nothing to wait for.
    void socket.join(room);
    ack?.(true);
  });
});

http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = http.address();
  process.send?.({
    type: 'listening',
    port: typeof address === 'object' && address ? address.port : 0,
  });
});
process.on('disconnect', () => process.exit(0));
