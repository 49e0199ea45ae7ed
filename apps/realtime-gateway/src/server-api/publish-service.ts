import { createHash } from 'node:crypto';
import type { PrincipalClaims } from '@switchboard/auth';
import { AppError, ErrorCode } from '@switchboard/errors';
import { type EventType, eventFieldProblem } from '@switchboard/events';
import type { Keyspace } from '@switchboard/keyspace';
import type { RedisClient } from '@switchboard/redis';
import type { Publisher } from '@switchboard/room-log';
import { resolveApiAccess } from './resolve-access.js';
import type { PublishBody, PublishResult } from './schemas.js';

const IDEMPOTENCY_TTL_SEC = 24 * 3600;
const PUBLISH_ROUTE = 'POST /api/realtime/publish';

/** 400 VALIDATION_ERROR naming the field, before anything is checked against the ACL or Redis. */
export function assertValidEvent(event: string, data: unknown): asserts event is EventType {
  const problem = eventFieldProblem(event, data);
  if (problem)
    throw new AppError(ErrorCode.VALIDATION_ERROR, problem.message, { field: problem.field });
}

interface StoredAnswer {
  fingerprint: string;
  result: PublishResult;
}

/**
 * Publishing for the server API: checks, then the same room log as every publisher. With an
 * idempotencyKey the event id is derived from the caller and key, so even two concurrent first
 * requests append one event (the room log appends an id once), and the first answer is kept
 * 24 h (a key reused for another request is 409 IDEMPOTENCY_CONFLICT).
 */
export class PublishService {
  constructor(
    private readonly redis: RedisClient,
    private readonly ks: Keyspace,
    private readonly publisher: Publisher,
  ) {}

  async publish(principal: PrincipalClaims, body: PublishBody): Promise<PublishResult> {
    assertValidEvent(body.event, body.data);
    const dealershipId = await resolveApiAccess(
      this.redis,
      this.ks,
      principal,
      'publish',
      body.room,
      body.dealershipId,
    );
    if (body.idempotencyKey === undefined) return this.append(dealershipId, body);
    const recordKey = this.ks.idempotency.record(
      'realtime',
      principal.dealershipId,
      principal.sub,
      PUBLISH_ROUTE,
      body.idempotencyKey,
    );
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([dealershipId, body.room, body.event, body.data]))
      .digest('base64url');
    const stored = await this.redis.get(recordKey);
    if (stored) return this.replay(stored, fingerprint);
    const id = `idem-${createHash('sha256').update(recordKey).digest('base64url').slice(0, 32)}`;
    const result = await this.append(dealershipId, body, id);
    const answer: StoredAnswer = { fingerprint, result };
    // NX: of two concurrent first requests the first answer stays (both carry the same seq).
    await this.redis.set(recordKey, JSON.stringify(answer), 'EX', IDEMPOTENCY_TTL_SEC, 'NX');
    return result;
  }

  private replay(stored: string, fingerprint: string): PublishResult {
    const answer = JSON.parse(stored) as StoredAnswer;
    if (answer.fingerprint !== fingerprint)
      throw new AppError(
        ErrorCode.IDEMPOTENCY_CONFLICT,
        'This idempotencyKey was used with a different publish.',
      );
    return answer.result;
  }

  async append(
    dealershipId: string,
    body: Pick<PublishBody, 'room' | 'event' | 'data'>,
    id?: string,
  ): Promise<PublishResult> {
    const published = await this.publisher.publish({
      room: body.room,
      dealershipId,
      event: body.event as EventType,
      data: body.data as never,
      ...(id ? { id } : {}),
    });
    return { id: published.id, room: body.room, seq: published.seq, epoch: published.epoch };
  }
}
