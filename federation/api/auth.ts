import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FedgateError } from '../errors/fedgate-error.js';
import { sendError } from './errors.js';

/**
 * An `onRequest` hook that admits only `Authorization: Bearer <token>`. Both sides are hashed
 * first so the comparison is constant-time whatever the lengths. The token is never logged.
 */
export function bearerAuth(token: string): (req: FastifyRequest, reply: FastifyReply) => Promise<void> {
  if (token === '') throw new Error('the API token must not be empty');
  const expected = digest(token);
  return async (req, reply) => {
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!m) {
      await sendError(
        reply,
        new FedgateError('Unauthorized', 'missing bearer token: send Authorization: Bearer <token>'),
      );
      return;
    }
    if (!timingSafeEqual(digest(m[1]!), expected)) {
      await sendError(reply, new FedgateError('Unauthorized', 'invalid bearer token'));
    }
  };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
