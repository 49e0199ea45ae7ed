import { GLOBAL_ROOM } from '@switchboard/events';
import type { Keyspace } from '@switchboard/keyspace';

/** The channel a room's events are PUBLISHed on: `global` has the broadcast channel, every other room its own. */
export function roomChannel(ks: Keyspace, room: string, key: string): string {
  return room === GLOBAL_ROOM ? ks.realtime.broadcastChannel() : ks.realtime.roomChannel(key);
}

/** The channels a gateway instance holds for its whole life: broadcast, its direct channel (user rooms), migration notices. */
export function instanceChannels(ks: Keyspace, instanceId: string): string[] {
  return [
    ks.realtime.broadcastChannel(),
    ks.realtime.directChannel(instanceId),
    ks.realtime.migrationChannel(),
  ];
}
