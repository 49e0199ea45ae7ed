/** Where the room log reports what it cannot act on (a Fastify or pino logger fits). */
export interface RoomLogLogger {
  warn(details: object, message: string): void;
}
