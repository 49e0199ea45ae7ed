import type { ClientKind, PublisherKind } from '../load/worker-protocol.js';
import type { HotFunction } from '../report/cpu-profile.js';

/** A system under test for the fan-out scenario, already running. */
export interface FanoutTarget {
  name: string;
  clientKind: ClientKind;
  /** WebSocket/Socket.IO endpoints; subscribers are spread over them round-robin. */
  endpoints: string[];
  publisherKind: PublisherKind;
  /** Redis URL (switchboard, socketio) or publish endpoint (ws-raw). */
  publisherTarget: string;
  keyPrefix?: string;
  dealershipId?: string;
  /** Token for subscriber i (Switchboard only). */
  tokenFor?: (index: number) => string;
  /** Processes whose CPU the report shows (the servers and Redis). */
  serverPids: number[];
  stop(): Promise<void>;
  /** After stop: the hottest functions of the profiled instance, when profiling was on. */
  profile?(): HotFunction[] | undefined;
}
