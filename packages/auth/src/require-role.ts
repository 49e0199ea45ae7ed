import { AppError, ErrorCode } from '@switchboard/errors';
import type { FastifyRequest } from 'fastify';
import type { RoleName } from './principal.js';

/** preHandler guard: 403 FORBIDDEN unless the caller has one of `roles`. Use after `authenticate`. */
export function requireRole(...roles: RoleName[]) {
  return async (request: FastifyRequest): Promise<void> => {
    if (!roles.includes(request.principal.role)) {
      throw new AppError(ErrorCode.FORBIDDEN, `This requires the role ${roles.join(' or ')}.`, {
        required: roles,
      });
    }
  };
}
