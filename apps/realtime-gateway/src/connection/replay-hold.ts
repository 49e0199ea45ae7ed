import type { LiveMessage } from '@switchboard/room-log';

/**
 * A membership's live messages while it is not live yet (joining, replaying history, or waiting
 * for the client's first frame). Live messages that overtook a replay would reach the client
 * ahead of older ones, so they wait here and are handed over in arrival order once the replay
 * is done. The only place that decides whether a membership is held.
 */
export class ReplayHold {
  /** null once live. A new membership starts held: its position is not known yet. */
  private held: LiveMessage[] | null = [];

  get isHolding(): boolean {
    return this.held !== null;
  }

  /** Holds live messages again (a room joined a second time is replayed anew). */
  holdAgain(): void {
    this.held ??= [];
  }

  /** Keeps `message` if the membership is held; false means it is live and the caller delivers. */
  offer(message: LiveMessage): boolean {
    if (!this.held) return false;
    this.held.push(message);
    return true;
  }

  /**
   * Puts `messages` ahead of what is held (a user's offline queue: older than anything live).
   * Also holds a membership that had gone live, so they are not lost.
   */
  holdFirst(messages: LiveMessage[]): void {
    this.held = [...messages, ...(this.held ?? [])];
  }

  /** Goes live: every held message, in order, goes to `deliver` (which drops duplicates). */
  handOver(deliver: (message: LiveMessage) => void): void {
    const held = this.held ?? [];
    this.held = null;
    for (const message of held) deliver(message);
  }
}
