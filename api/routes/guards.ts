import type { FastifyRequest } from 'fastify';
import type { Role } from '../claims';
import { forbidden } from '../errors';

/**
 * An `onRequest` hook that admits only the given roles. Runs after `app.authenticate`, so the caller is
 * known, and before validation, so a caller without the role gets 403 whatever its query or body.
 */
export function requireRole(...roles: Role[]) {
  return async (request: FastifyRequest): Promise<void> => {
    if (!roles.includes(request.user.role)) {
      throw forbidden(`this endpoint is for ${roles.join(', ')}; your role is ${request.user.role}`);
    }
  };
}
