import type { SwitchboardClient } from '@switchboard/client';

// Several components may follow the same room: the client holds one membership per room, so
// the last component to let go is the one that unsubscribes.
const counts = new WeakMap<SwitchboardClient, Map<string, number>>();

export function retainRoom(client: SwitchboardClient, room: string): Promise<void> {
  let rooms = counts.get(client);
  if (!rooms) counts.set(client, (rooms = new Map()));
  const count = rooms.get(room) ?? 0;
  rooms.set(room, count + 1);
  return count === 0 ? client.subscribe(room) : Promise.resolve();
}

export function releaseRoom(client: SwitchboardClient, room: string): void {
  const rooms = counts.get(client);
  const count = rooms?.get(room) ?? 0;
  if (count <= 1) {
    rooms?.delete(room);
    client.unsubscribe(room);
  } else rooms?.set(room, count - 1);
}
