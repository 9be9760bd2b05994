import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/** How long a session lives without use, and at most, by default. */
export const SESSION_IDLE_MS = 60 * 60 * 1000;
export const SESSION_MAX_MS = 12 * 60 * 60 * 1000;

/** Options of a session store. */
export interface SessionStoreProps {
  readonly redis: Redis;
  /** Key prefix, e.g. the store's `{fg}`. */
  readonly prefix: string;
  /** A session unused this long ends (default one hour). */
  readonly idleMs?: number;
  /** A session ends this long after it was opened, used or not (default 12 hours). */
  readonly maxMs?: number;
  readonly now?: () => number;
}

/** A live session: the bearer token it stands for and its CSRF token. */
export interface Session {
  readonly token: string;
  readonly csrf: string;
}

/**
 * The dashboard's browser sessions, in Redis, so that every API replica accepts a session and
 * sessions outlive an API restart. A session is a hash at `<prefix>:session:<sha256(id)>` holding
 * the bearer token it was opened with, sealed (AES-256-GCM) with a key derived from the session id,
 * which only the browser's cookie holds: neither the id nor the token can be read from Redis.
 * Idle expiry is the key's TTL, renewed on use; the maximum age is checked on use.
 */
export class SessionStore {
  private readonly idleMs: number;
  private readonly maxMs: number;
  private readonly now: () => number;

  constructor(private readonly props: SessionStoreProps) {
    this.idleMs = props.idleMs ?? SESSION_IDLE_MS;
    this.maxMs = props.maxMs ?? SESSION_MAX_MS;
    this.now = props.now ?? Date.now;
  }

  /** Opens a session for a token already accepted by the bearer check. */
  async open(token: string): Promise<{ id: string; csrf: string }> {
    const id = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    const key = this.key(id);
    await this.props.redis
      .multi()
      .hset(key, { sealed: seal(id, token), csrf, created: String(this.now()) })
      .pexpire(key, Math.min(this.idleMs, this.maxMs))
      .exec();
    return { id, csrf };
  }

  /** The live session of an id, its idle time renewed; undefined when unknown, expired or not of this id. */
  async use(id: string): Promise<Session | undefined> {
    const key = this.key(id);
    const s = await this.props.redis.hgetall(key);
    if (s.sealed === undefined || s.csrf === undefined) return undefined;
    const left = Number(s.created) + this.maxMs - this.now();
    if (!(left > 0)) {
      await this.props.redis.del(key);
      return undefined;
    }
    const token = unseal(id, s.sealed);
    if (token === undefined) return undefined;
    await this.props.redis.pexpire(key, Math.min(this.idleMs, left));
    return { token, csrf: s.csrf };
  }

  /** Ends a session (signing out). */
  async close(id: string): Promise<void> {
    await this.props.redis.del(this.key(id));
  }

  private key(id: string): string {
    return `${this.props.prefix}:session:${createHash('sha256').update(id).digest('base64url')}`;
  }
}

function keyOf(id: string): Buffer {
  return Buffer.from(hkdfSync('sha256', id, '', 'fedgate dashboard session token', 32));
}

function seal(id: string, token: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(id), iv);
  const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

function unseal(id: string, sealed: string): string | undefined {
  const raw = Buffer.from(sealed, 'base64url');
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyOf(id), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
