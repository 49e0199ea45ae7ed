import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { EventCatalog, isEventType } from './catalog/index.js';
import { parseRoom } from './rooms.js';

// Compiled on first use: a check then costs about as much as reading the fields.
const checks = new Map<string, TypeCheck<TSchema>>();

function checkFor(event: keyof typeof EventCatalog): TypeCheck<TSchema> {
  let check = checks.get(event);
  if (!check) {
    check = TypeCompiler.Compile(EventCatalog[event] as TSchema);
    checks.set(event, check);
  }
  return check;
}

/**
 * Why an event may not be published (unknown type, a room that is not a room name, data that
 * does not match the type's schema), or undefined when it may. The catalogue is the contract
 * between publishers and every client, so it is held at run time, not only by the compiler.
 */
export function eventProblem(input: {
  room: string;
  dealershipId: string;
  event: string;
  data: unknown;
}): string | undefined {
  if (!parseRoom(input.room)) return `"${input.room}" is not a room name`;
  if (typeof input.dealershipId !== 'string' || input.dealershipId.length === 0)
    return 'dealershipId is required';
  if (!isEventType(input.event)) return `"${input.event}" is not an event type of the catalogue`;
  const check = checkFor(input.event);
  if (check.Check(input.data)) return undefined;
  const first = check.Errors(input.data).First();
  return `data of ${input.event} does not match its schema${first ? `: ${first.path || '/'} ${first.message}` : ''}`;
}

/**
 * The first field of a publish request that is wrong, as a JSON pointer into the request
 * (`/event`, `/data/projectId`), with why; undefined when the event and its data are valid.
 */
export function eventFieldProblem(
  event: string,
  data: unknown,
): { field: string; message: string } | undefined {
  if (!isEventType(event))
    return { field: '/event', message: `"${event}" is not an event type of the catalogue` };
  const check = checkFor(event);
  if (check.Check(data)) return undefined;
  const first = check.Errors(data).First();
  return {
    field: `/data${first?.path ?? ''}`,
    message: `data of ${event} does not match its schema${first ? `: ${first.path || '/'} ${first.message}` : ''}`,
  };
}
