/**
 * Who may call a simulated cluster: like a real apiserver, everything but the public health and
 * version endpoints needs the bearer token its kubeconfig carries (401 Unauthorized otherwise). The
 * fault switch `/_sim/faults` also refuses changes that are not JSON, which a web page can only send
 * after a CORS preflight this server never grants, and bodies over 64 KiB.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Route } from './router.js';

/** Largest body the fault switch reads. */
export const MAX_FAULT_BODY = 64 * 1024;

/** A refusal: the HTTP code and the meta/v1 Status body a real apiserver answers. */
export interface Refusal {
  readonly code: number;
  readonly body: Record<string, unknown>;
}

/** True when `header` is `Bearer <token>` (compared as hashes, in constant time). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m !== null && timingSafeEqual(digest(m[1]!), digest(token));
}

/** Why a request is refused before it is read, or undefined when it may go on. */
export function refusal(req: IncomingMessage, r: Route, token: string | undefined): Refusal | undefined {
  const open = r.type === 'health' || r.type === 'version';
  if (!open && token !== undefined && !bearerMatches(req.headers.authorization, token))
    return status(401, 'Unauthorized', 'Unauthorized');
  if (r.type !== 'simFaults' || req.method === 'GET' || req.method === 'HEAD') return undefined;
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json')
    return status(
      415,
      'UnsupportedMediaType',
      'fault changes must be sent as Content-Type: application/json',
    );
  if (Number(req.headers['content-length'] ?? 0) > MAX_FAULT_BODY)
    return status(413, 'RequestEntityTooLarge', `fault changes are at most ${MAX_FAULT_BODY} bytes`);
  return undefined;
}

function status(code: number, reason: string, message: string): Refusal {
  return {
    code,
    body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code },
  };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
