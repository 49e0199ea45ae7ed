import { type RedisClient, createRedis } from '@switchboard/redis';
import type { RoomLogLogger } from './log.js';

export interface ChannelSubscriberOptions {
  url: string;
  name: string;
  /** Channels held for the instance's whole life (ws:broadcast, ws:direct:<id>, ws:migration). */
  fixedChannels: string[];
  onMessage(channel: string, message: string): void;
  onReconnectAttempt(attempt: number): void;
  /** Redis came back after a disconnect: channels are resubscribed; rooms should catch up. */
  onRecovered(): void;
  onConnectionChange(connected: boolean): void;
  log: RoomLogLogger;
  /** Channels per SUBSCRIBE when resubscribing after a reconnect. Default 500. */
  batchSize?: number;
}

/**
 * The one pub/sub connection of an instance. It owns the set of wanted channels, so after a
 * reconnect it resubscribes them itself, in batches, then tells the rooms to catch up from
 * history (messages published while it was away never reach a subscriber).
 */
export class ChannelSubscriber {
  readonly client: RedisClient;
  private readonly wanted = new Set<string>();
  private readonly fixed: Set<string>;
  private connected = false;
  private everReady = false;

  constructor(private readonly options: ChannelSubscriberOptions) {
    this.fixed = new Set(options.fixedChannels);
    for (const channel of options.fixedChannels) this.wanted.add(channel);
    this.client = createRedis(options.url, {
      name: options.name,
      maxRetriesPerRequest: null,
      onReconnectAttempt: options.onReconnectAttempt,
    });
    // Resubscription is ours (batched, followed by catch-up), not ioredis's.
    (this.client.options as { autoResubscribe?: boolean }).autoResubscribe = false;
    this.client.on('error', (error: Error) =>
      options.log.warn({ err: error }, 'redis subscriber error'),
    );
    this.client.on('message', (channel: string, message: string) =>
      options.onMessage(channel, message),
    );
    this.client.on('close', () => this.setConnected(false));
    // onReady() logs a failed resubscribe itself; the next reconnect tries again.
    this.client.on('ready', () => void this.onReady());
  }

  get isConnected(): boolean {
    return this.connected;
  }

  roomChannelCount(): number {
    return this.wanted.size - this.fixed.size;
  }

  /** Resolves once subscribed (or at once while Redis is down: the reconnect subscribes it). */
  async add(channel: string): Promise<void> {
    if (this.wanted.has(channel)) return;
    this.wanted.add(channel);
    if (!this.connected) return;
    await this.client
      .subscribe(channel)
      .catch((error: Error) => this.options.log.warn({ err: error, channel }, 'subscribe failed'));
  }

  async remove(channel: string): Promise<void> {
    if (!this.wanted.delete(channel) || !this.connected) return;
    // Fails only when the connection drops; the reconnect resubscribes `wanted`, which no longer has it.
    await this.client.unsubscribe(channel).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }

  private setConnected(value: boolean): void {
    if (this.connected === value) return;
    this.connected = value;
    this.options.onConnectionChange(value);
  }

  private async onReady(): Promise<void> {
    const batchSize = this.options.batchSize ?? 500;
    const done = new Set<string>();
    try {
      // Loop: rooms joined while a batch was in flight are picked up by the next pass.
      for (;;) {
        const todo = [...this.wanted].filter((channel) => !done.has(channel));
        if (todo.length === 0) break;
        for (let i = 0; i < todo.length; i += batchSize)
          await this.client.subscribe(...todo.slice(i, i + batchSize));
        for (const channel of todo) done.add(channel);
      }
    } catch (error) {
      this.options.log.warn({ err: error }, 'resubscribe failed');
      return;
    }
    this.setConnected(true);
    if (this.everReady) this.options.onRecovered();
    this.everReady = true;
  }
}
