import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Access, forbiddenReason, type Principal } from '../auth/roles.js';
import { BOOTSTRAP_TOKEN_NAME, type TokenStore } from '../auth/token-store.js';
import { FedgateError } from '../errors/fedgate-error.js';
import type { ResourceType } from '../resources/resource-type.js';
import { sendError } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who called, once authenticated (everything under /api). */
    principal?: Principal;
  }
}

/** The principal of the token the server was started with: an admin. */
const BOOTSTRAP: Principal = { name: BOOTSTRAP_TOKEN_NAME, role: 'admin', namespaces: [] };

/**
 * An `onRequest` hook that admits only `Authorization: Bearer <token>`: the server's own token
 * (an admin; compared as hashes, so in constant time whatever the lengths) or a named token of
 * `tokens`. It sets `req.principal`. The token is never logged.
 */
export function bearerAuth(
  token: string,
  tokens?: TokenStore,
): (req: FastifyRequest, reply: FastifyReply) => Promise<void> {
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
    const presented = m[1]!;
    const principal = timingSafeEqual(digest(presented), expected)
      ? BOOTSTRAP
      : await tokens?.authenticate(presented);
    if (principal === undefined) {
      await sendError(reply, new FedgateError('Unauthorized', 'invalid bearer token'));
      return;
    }
    req.principal = principal;
  };
}

/** Refuses the request with 403 and the reason unless its principal may make this access. */
export function authorize(req: FastifyRequest, access: Access): void {
  const principal = req.principal;
  if (principal === undefined) throw new FedgateError('Unauthorized', 'not authenticated');
  const reason = forbiddenReason(principal, access);
  if (reason !== undefined) throw new FedgateError('Forbidden', reason);
}

/** The read or write access to objects of a type (from resolveUrlType) in a namespace, by name. */
export function objectAccess(
  verb: 'read' | 'write',
  t: { type: ResourceType; scope: 'Namespaced' | 'Cluster'; fedgate?: unknown },
  namespace: string | undefined,
  name?: string,
): Access {
  return {
    verb,
    kind: t.type.kind,
    fedgate: t.fedgate !== undefined,
    scope: t.scope,
    ...(t.scope === 'Namespaced' && namespace !== undefined && namespace !== '' ? { namespace } : {}),
    ...(name === undefined ? {} : { name }),
  };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
