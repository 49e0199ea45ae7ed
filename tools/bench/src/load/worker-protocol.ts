import type { Histogram } from '../stats/latency-summary.js';

/**
 * Messages between the harness and its load-generator processes (IPC). Workers live in their
 * own processes so that generating load never runs on a server's event loop.
 */

/** How subscribers talk to the server under test. */
export type ClientKind = 'ws-raw' | 'socketio' | 'switchboard';

export interface ClientSpec {
  url: string;
  /** Rooms to join after connecting (none: connect only). */
  rooms: string[];
  localAddress: string;
  /** Switchboard JWT. */
  token?: string;
}

/** The event payload every peer carries, so all of them move the same bytes. */
export interface BenchPayload {
  projectId: string;
  /** Step number: arrivals of an earlier step are counted as late, not as this step's. */
  s: number;
  /** Per-room message number within the step, from 0. */
  n: number;
  /** Publish time, µs of the machine's monotonic clock (process.hrtime, same clock in every process). */
  t: number;
  pad: string;
}

export type ToSubscriber =
  | {
      type: 'connect';
      kind: ClientKind;
      clients: ClientSpec[];
      concurrency: number;
      timeoutMs: number;
      /**
       * Open-loop arrivals: client i starts at i / ratePerSec s, and its connect time counts from
       * then, so a server that falls behind the ramp shows it as latency (no coordinated
       * omission); `concurrency` bounds the attempts in flight. Absent: `concurrency` closed lanes.
       */
      ratePerSec?: number;
    }
  | { type: 'step-begin'; step: number }
  | { type: 'step-end'; step: number }
  | { type: 'peek'; step: number }
  | { type: 'close' };

export interface ConnectReport {
  type: 'connected';
  ok: number;
  failed: number;
  /** Connect + subscribe time of each successful client, ms. */
  connectMs: number[];
  /** First few failure reasons. */
  errors: string[];
  /** Members per room among the clients that subscribed successfully. */
  members: Record<string, number>;
}

export interface StepReport {
  type: 'step-report';
  step: number;
  /** Unique deliveries of this step's messages, per room. */
  unique: Record<string, number>;
  duplicates: number;
  /** Deliveries of an earlier step's messages that arrived during this one. */
  late: number;
  latency: Histogram;
  /** Clients that dropped during the step. */
  disconnects: number;
}

/** Unique deliveries of the current step so far (the harness waits until they stop growing). */
export interface PeekReport {
  type: 'peek-report';
  step: number;
  unique: number;
}

export type FromSubscriber =
  ConnectReport | StepReport | PeekReport | { type: 'fatal'; message: string };

export type PublisherKind = 'ws-raw' | 'socketio' | 'switchboard';

export type ToPublisher =
  | { type: 'init'; kind: PublisherKind; target: string; keyPrefix?: string; dealershipId?: string }
  | {
      type: 'step';
      step: number;
      rate: number;
      durationMs: number;
      rooms: string[];
      payloadBytes: number;
      maxInFlight: number;
    }
  | { type: 'close' };

export type FromPublisher =
  | { type: 'ready' }
  | {
      type: 'step-done';
      step: number;
      published: Record<string, number>;
      attempted: number;
      errors: number;
      elapsedMs: number;
      firstError?: string;
    }
  | { type: 'fatal'; message: string };

/** µs on the machine's monotonic clock (CLOCK_MONOTONIC is system-wide on Linux). */
export function nowMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
