import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Session, SessionStore } from '../auth/session-store.js';
import { FedgateError } from '../errors/fedgate-error.js';
import { sendError } from './errors.js';

/** The cookie holding the browser's session id (HttpOnly: scripts never see it). */
export const SESSION_COOKIE = 'fedgate_session';
/** The cookie holding the CSRF token the page echoes in {@link CSRF_HEADER} (double submit). */
export const CSRF_COOKIE = 'fedgate_csrf';
/** The header a state-changing call made with the session cookie must carry. */
export const CSRF_HEADER = 'x-fedgate-csrf';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Requests authenticated by a session cookie rather than a bearer header. */
const bySession = new WeakSet<FastifyRequest>();

/** The value of one cookie of a request, or undefined. */
export function cookieOf(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * An `onRequest` hook placed before the bearer check: a request without `Authorization` but with a
 * live session cookie is given its session's bearer token, so the bearer check (and any role it
 * derives) applies unchanged. A state-changing request made with the cookie must also carry the
 * CSRF header equal to the session's CSRF token (a cross-site page can send the cookie but can
 * neither read the CSRF cookie nor set the header).
 */
export function sessionAuth(
  store: SessionStore,
): (req: FastifyRequest, reply: FastifyReply) => Promise<void> {
  return async (req, reply) => {
    if (req.headers.authorization !== undefined) return;
    const id = cookieOf(req, SESSION_COOKIE);
    if (id === undefined) return;
    const session = await liveSession(store, id);
    if (session === undefined) return; // the bearer check answers 401
    if (!SAFE_METHODS.has(req.method)) {
      const sent = req.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !sameString(sent, session.csrf)) {
        await sendError(
          reply,
          new FedgateError('Forbidden', `a call with the session cookie must send the ${CSRF_HEADER} header`),
        );
        return;
      }
    }
    req.headers.authorization = `Bearer ${session.token}`;
    bySession.add(req);
  };
}

/**
 * `POST /session` (behind the bearer check: the page sends `Authorization: Bearer <token>` once)
 * answers 204 with the session cookie (HttpOnly, SameSite=Strict, Secure over https) and the CSRF
 * cookie; `DELETE /session` signs out.
 */
export function sessionRoutes(store: SessionStore): FastifyPluginAsync {
  return async (app) => {
    app.post(
      '/session',
      { schema: { summary: 'Open a dashboard session', tags: ['session'] } },
      async (req, reply) => {
        const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
        // A session is opened with the token itself, never from another session.
        if (!m || bySession.has(req))
          throw new FedgateError('BadRequest', 'send Authorization: Bearer <token>');
        const { id, csrf } = await store.open(m[1]!);
        const secure = req.protocol === 'https' ? '; Secure' : '';
        reply.header('set-cookie', [
          `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict${secure}`,
          `${CSRF_COOKIE}=${csrf}; Path=/; SameSite=Strict${secure}`,
        ]);
        reply.header('cache-control', 'no-store');
        return reply.code(200).send({ csrfToken: csrf });
      },
    );
    app.delete(
      '/session',
      { schema: { summary: 'Close the dashboard session', tags: ['session'] } },
      async (req, reply) => {
        const id = cookieOf(req, SESSION_COOKIE);
        if (id !== undefined) await store.close(id);
        reply.header('set-cookie', [
          `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`,
          `${CSRF_COOKIE}=; Path=/; SameSite=Strict; Max-Age=0`,
        ]);
        return reply.code(204).send();
      },
    );
  };
}

/** The session of a cookie; 503 (not 401: the session may well be live) while Redis cannot say. */
async function liveSession(store: SessionStore, id: string): Promise<Session | undefined> {
  try {
    return await store.use(id);
  } catch (err) {
    throw new FedgateError('Unavailable', `sessions unavailable: ${(err as Error).message}; retry shortly`);
  }
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * `GET /api/v1/session` outside the bearer check: `{ "signedIn": true|false }` for the page to
 * decide whether to ask for the token (without a 401 in the browser console). Reveals nothing else.
 */
export function sessionStatusRoute(store: SessionStore): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/api/v1/session',
      { schema: { summary: 'Whether the session cookie is live', tags: ['session'] } },
      async (req, reply) => {
        const id = cookieOf(req, SESSION_COOKIE);
        reply.header('cache-control', 'no-store');
        return { signedIn: id !== undefined && (await liveSession(store, id)) !== undefined };
      },
    );
  };
}
