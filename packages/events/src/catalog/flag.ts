import { Type } from '@sinclair/typebox';

/** Every flag change, published to room `global` so dashboards update live. */
const Change = {
  key: Type.String({ minLength: 1 }),
  version: Type.Integer({ minimum: 1 }),
  actor: Type.String(),
  at: Type.String({ description: 'ISO 8601 time' }),
  reason: Type.Optional(Type.String()),
  /** The kill switch after the change. */
  enabled: Type.Optional(Type.Boolean()),
};

export const flagEvents = {
  'flag.created': Type.Object({ ...Change }),
  'flag.updated': Type.Object({ ...Change }),
  'flag.toggled': Type.Object({ ...Change, enabled: Type.Boolean() }),
  'flag.archived': Type.Object({ ...Change, archived: Type.Boolean() }),
  'flag.rolled_back': Type.Object({ ...Change, toVersion: Type.Integer({ minimum: 1 }) }),
} as const;
