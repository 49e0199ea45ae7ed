import type { SwitchboardClient } from '@switchboard/client';

// Several components may follow the same room: the client holds one membership per room, so
// the last component to let go is the one that unsubscribes. The membership's event filter is
// what all of them want together: every event as soon as one of them wants every event.
type Wanted = readonly string[] | undefined;
const holders = new WeakMap<SwitchboardClient, Map<string, Wanted[]>>();

const keyOf = (wanted: Wanted): string => (wanted === undefined ? '*' : [...wanted].join('\n'));

function union(wanted: Wanted[]): string[] | undefined {
  if (wanted.some((types) => types === undefined)) return undefined;
  return [...new Set(wanted.flatMap((types) => types ?? []))].sort();
}

function applyFilter(client: SwitchboardClient, room: string, events: string[] | undefined) {
  return client.subscribe(room, events ? { events } : {});
}

export function retainRoom(
  client: SwitchboardClient,
  room: string,
  events?: readonly string[],
): Promise<void> {
  let rooms = holders.get(client);
  if (!rooms) holders.set(client, (rooms = new Map()));
  const current = rooms.get(room) ?? [];
  const before = current.length > 0 ? keyOf(union(current)) : undefined;
  rooms.set(room, [...current, events && [...events].sort()]);
  const after = union(rooms.get(room)!);
  return before === keyOf(after) ? Promise.resolve() : applyFilter(client, room, after);
}

export function releaseRoom(
  client: SwitchboardClient,
  room: string,
  events?: readonly string[],
): void {
  const rooms = holders.get(client);
  const current = rooms?.get(room) ?? [];
  const mine = keyOf(events && [...events].sort());
  const index = current.findIndex((wanted) => keyOf(wanted) === mine);
  const rest = current.filter((_, i) => i !== index);
  if (rest.length === 0) {
    rooms?.delete(room);
    client.unsubscribe(room);
    return;
  }
  rooms!.set(room, rest);
  const before = keyOf(union(current));
  const after = union(rest);
  // A refused filter change is reported through the client's `error` event.
  if (before !== keyOf(after)) applyFilter(client, room, after).catch(() => undefined);
}
