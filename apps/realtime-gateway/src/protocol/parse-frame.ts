import { Value } from '@sinclair/typebox/value';
import { ErrorCode } from '@switchboard/errors';
import {
  type ClientFrame,
  type ClientFrameType,
  clientFrameSchemas,
  clientFrameTypes,
} from '@switchboard/protocol';

export type ParseResult =
  { ok: true; frame: ClientFrame } | { ok: false; code: ErrorCode; message: string };

/** Parses and validates one text frame; a bad frame yields an `error` frame, never a close. */
export function parseClientFrame(raw: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, code: ErrorCode.VALIDATION_ERROR, message: 'The frame is not valid JSON.' };
  }
  const type = (value as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !(clientFrameTypes as readonly string[]).includes(type)) {
    return {
      ok: false,
      code: ErrorCode.VALIDATION_ERROR,
      message: `Unknown frame type; expected one of ${clientFrameTypes.join(', ')}.`,
    };
  }
  const schema = clientFrameSchemas[type as ClientFrameType];
  if (!Value.Check(schema, value)) {
    const first = [...Value.Errors(schema, value)][0];
    return {
      ok: false,
      code: ErrorCode.VALIDATION_ERROR,
      message: `Invalid ${type} frame${first ? `: ${first.path || '/'} ${first.message}` : ''}.`,
    };
  }
  return { ok: true, frame: value as ClientFrame };
}
