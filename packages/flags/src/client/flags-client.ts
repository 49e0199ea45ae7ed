import { EventEmitter } from 'node:events';
import { parseMessage } from '@switchboard/events';
import type { Keyspace } from '@switchboard/keyspace';
import type { Cluster, Redis } from 'ioredis';
import { Histogram, type Registry } from 'prom-client';
import { evaluateFlag, isEnabledResult } from '../engine/evaluate.js';
import type { FlagContext, FlagReader } from '../flag-reader.js';
import {
  type EvaluationResult,
  type Flag,
  FlagChangeMessage,
  type FlagDefinition,
} from '../model/flag-schema.js';
import { flagCommands } from '../store/flag-commands.js';
import { FlagStoreError } from '../store/flag-store-error.js';
import { type FlagStore, createFlagStore } from '../store/flag-store.js';

export interface FlagsLogger {
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

export interface FlagsClientOptions {
  /** A command connection (e.g. `app.redis`); the client makes its own subscriber from it. */
  redis: Redis | Cluster;
  keyspace: Keyspace;
  logger?: FlagsLogger;
  /** isEnabled of a key the snapshot does not hold. Default false. */
  fallback?: boolean;
  /** Registers `feature_flag_sdk_update_lag_seconds` here when given. */
  registry?: Registry;
  /** Recorded as the actor of flags this client creates with ensureFlags. Default `system:flags-sdk`. */
  actor?: string;
}

export interface FlagChange {
  key: string;
  flag: Flag | undefined;
  previous: Flag | undefined;
  /** Where the change came from: a live message, a full re-sync, or a local write. */
  source: 'message' | 'resync' | 'local';
  /** Publish -> applied here, for live messages. */
  lagMs?: number;
}

export type EnsureFlag = FlagDefinition & { key: string };

interface Events {
  change: [FlagChange];
  synced: [{ flags: number }];
  error: [Error];
}

/**
 * The in-process flags SDK: holds every flag in memory and evaluates with the same engine as
 * the flag service, so `isEnabled` is a synchronous map lookup plus rule checks. It loads all
 * flags at start, applies each change message from the changes channel, and re-loads everything
 * whenever its subscriber reconnects, because messages published during an outage are lost.
 * While Redis is down it keeps answering from the last snapshot.
 */
export class FlagsClient extends EventEmitter<Events> implements FlagReader {
  readonly store: FlagStore;
  private snapshot = new Map<string, Flag>();
  private subscriber: Redis | Cluster | undefined;
  private loading: FlagChangeMessage[] | undefined;
  private ensured: EnsureFlag[] = [];
  private started = false;
  private closed = false;
  private resyncTimer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private syncAgain = false;
  private lag: Histogram | undefined;
  /** Publish -> apply lag of the last live message, in ms. */
  lastLagMs: number | undefined;

  constructor(private readonly options: FlagsClientOptions) {
    super();
    this.store = createFlagStore(options.redis, { keyspace: options.keyspace });
    if (options.registry) this.registerMetrics(options.registry);
  }

  /** Adds `feature_flag_sdk_update_lag_seconds` to a registry (e.g. `app.metrics` once the app is built). */
  registerMetrics(registry: Registry): void {
    const existing = registry.getSingleMetric('feature_flag_sdk_update_lag_seconds') as
      Histogram | undefined;
    this.lag =
      existing ??
      new Histogram({
        name: 'feature_flag_sdk_update_lag_seconds',
        help: 'Time from a flag change being published to this process applying it.',
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
        registers: [registry],
      });
  }

  /** FlagReader.onChange: the key of every change, from any source. */
  onChange(listener: (key: string) => void): () => void {
    const handler = (change: FlagChange) => listener(change.key);
    this.on('change', handler);
    return () => this.off('change', handler);
  }

  /** Loads every flag and subscribes to changes; resolves once the snapshot is loaded. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const subscriber = this.options.redis.duplicate();
    this.subscriber = subscriber;
    subscriber.on('error', (error: Error) =>
      this.options.logger?.warn({ err: error }, 'flags subscriber error'),
    );
    subscriber.on('message', (_channel: string, message: string) => this.onMessage(message));
    let firstReady = true;
    subscriber.on('ready', () => {
      // ioredis re-subscribes on reconnect; whatever was published meanwhile is lost, so reload.
      if (firstReady) {
        firstReady = false;
        return;
      }
      this.options.logger?.info({}, 'flags subscriber reconnected; re-syncing');
      // Without throwOnError resync() never rejects: it logs and retries on its own.
      void this.resync();
    });
    await subscriber.subscribe(this.store.keyspace.changesChannel());
    await this.resync({ throwOnError: true });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.resyncTimer);
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber) await subscriber.quit().catch(() => subscriber.disconnect());
  }

  /**
   * Replaces the snapshot with what Redis holds now (after re-creating ensured flags). Calls
   * made while one runs are folded into one more run after it, so loads never interleave.
   */
  async resync(options: { throwOnError?: boolean } = {}): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      try {
        do {
          this.syncAgain = false;
          await this.loadSnapshot(options);
        } while (this.syncAgain && !this.closed);
      } finally {
        this.syncing = undefined;
      }
    })();
    return this.syncing;
  }

  private async loadSnapshot({ throwOnError = false }: { throwOnError?: boolean }): Promise<void> {
    if (this.closed) return;
    this.loading = [];
    try {
      await this.createMissing(this.ensured);
      const flags = await this.store.getAll();
      const next = new Map(flags.map((flag) => [flag.key, flag]));
      const buffered = this.loading;
      this.loading = undefined;
      const previous = this.snapshot;
      this.snapshot = next;
      for (const [key, flag] of next) {
        const before = previous.get(key);
        if (before?.version !== flag.version || before.updatedAt !== flag.updatedAt)
          this.emit('change', { key, flag, previous: before, source: 'resync' });
      }
      for (const [key, before] of previous) {
        if (!next.has(key))
          this.emit('change', { key, flag: undefined, previous: before, source: 'resync' });
      }
      // Messages that arrived while loading may be newer than what the load read.
      for (const message of buffered ?? []) this.applyMessage(message);
      this.emit('synced', { flags: next.size });
    } catch (error) {
      this.loading = undefined;
      if (throwOnError) throw error;
      this.options.logger?.warn({ err: error }, 'flags re-sync failed; retrying');
      clearTimeout(this.resyncTimer);
      // Never rejects (no throwOnError): a failure lands here again.
      this.resyncTimer = setTimeout(() => void this.resync(), 1_000);
      this.resyncTimer.unref();
    }
  }

  /**
   * Creates each flag that does not exist yet (atomically; an existing flag is never changed),
   * then remembers them so a Redis that lost its data gets them back on the next re-sync.
   */
  async ensureFlags(flags: EnsureFlag[]): Promise<void> {
    this.ensured = [
      ...this.ensured.filter((known) => !flags.some((flag) => flag.key === known.key)),
      ...flags,
    ];
    await this.createMissing(flags);
    if (this.started) {
      for (const flag of await Promise.all(flags.map((entry) => this.store.get(entry.key))))
        if (flag) this.apply(flag, 'local');
    }
  }

  private async createMissing(flags: EnsureFlag[]): Promise<void> {
    const commands = flagCommands(this.store);
    for (const { key, ...definition } of flags) {
      try {
        await commands.create(key, definition, {
          actor: { id: this.options.actor ?? 'system:flags-sdk' },
          reason: 'created at first start',
        });
      } catch (error) {
        if (!(error instanceof FlagStoreError && error.kind === 'exists')) throw error;
      }
    }
  }

  private onMessage(raw: string): void {
    // Validated at the edge: a message another writer got wrong must not replace a good flag.
    const message = parseMessage(FlagChangeMessage, raw);
    if (!message) {
      this.options.logger?.warn(
        { raw: raw.slice(0, 200) },
        'ignoring malformed flag change message',
      );
      return;
    }
    if (this.loading) {
      this.loading.push(message);
      return;
    }
    this.applyMessage(message);
  }

  private applyMessage(message: FlagChangeMessage): void {
    const lagMs = Date.now() - message.publishedAt;
    if (this.apply(message.flag, 'message', lagMs)) {
      this.lastLagMs = lagMs;
      this.lag?.observe(Math.max(0, lagMs) / 1000);
    }
  }

  /** Applies a flag if it is newer than the one held; the flag service calls it after its own writes. */
  apply(flag: Flag, source: FlagChange['source'] = 'local', lagMs?: number): boolean {
    const previous = this.snapshot.get(flag.key);
    if (previous && previous.version >= flag.version) return false;
    this.snapshot.set(flag.key, flag);
    this.emit('change', {
      key: flag.key,
      flag,
      previous,
      source,
      ...(lagMs !== undefined ? { lagMs } : {}),
    });
    return true;
  }

  getFlag(key: string): Flag | undefined {
    return this.snapshot.get(key);
  }

  flags(): Flag[] {
    return [...this.snapshot.values()];
  }

  evaluate(key: string, context: FlagContext = {}): EvaluationResult {
    return evaluateFlag(this.snapshot.get(key), context, key);
  }

  isEnabled(key: string, context: FlagContext = {}): boolean {
    const flag = this.snapshot.get(key);
    if (!flag) return this.options.fallback ?? false;
    return isEnabledResult(flag, evaluateFlag(flag, context, key));
  }

  /** The flag's value for this context, or `defaultValue` when missing, erroring or of another type. */
  getValue<T>(key: string, defaultValue: T, context: FlagContext = {}): T {
    const result = this.evaluate(key, context);
    if (result.errorCode || result.value === undefined) return defaultValue;
    if (
      defaultValue !== undefined &&
      defaultValue !== null &&
      typeof result.value !== typeof defaultValue
    )
      return defaultValue;
    return result.value as T;
  }
}

export function createFlagsClient(options: FlagsClientOptions): FlagsClient {
  return new FlagsClient(options);
}
