import { WebSocket, WebSocketServer } from 'ws';

/**
 * The "limit" peer: a bare `ws` broadcast server in one process, no Redis, no auth, no history.
 * A publisher connection sends `{type:"publish", room, data}`; the frame is serialized once and
 * written to every member of the room. What a gateway could reach if fan-out cost nothing.
 */
const rooms = new Map<string, Set<WebSocket>>();
const server = new WebSocketServer({
  host: '127.0.0.1',
  port: Number(process.env.PORT ?? 0),
  perMessageDeflate: false,
});

server.on('connection', (ws) => {
  const joined = new Set<string>();
  ws.on('message', (raw) => {
    const frame = JSON.parse(raw.toString()) as { type: string; room: string; data?: unknown };
    if (frame.type === 'subscribe') {
      let members = rooms.get(frame.room);
      if (!members) rooms.set(frame.room, (members = new Set()));
      members.add(ws);
      joined.add(frame.room);
      ws.send(JSON.stringify({ type: 'subscribed', room: frame.room }));
    } else if (frame.type === 'publish') {
      const members = rooms.get(frame.room);
      if (!members) return;
      const out = JSON.stringify({ type: 'event', room: frame.room, data: frame.data });
      for (const member of members) if (member.readyState === WebSocket.OPEN) member.send(out);
    }
  });
  ws.on('close', () => {
    for (const room of joined) rooms.get(room)?.delete(ws);
  });
});

server.on('listening', () => {
  const address = server.address();
  process.send?.({
    type: 'listening',
    port: typeof address === 'object' && address ? address.port : 0,
  });
});
process.on('disconnect', () => process.exit(0));
