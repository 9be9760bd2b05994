import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import { FedgateError } from '../errors/fedgate-error.js';
import type { Principal, Role } from './roles.js';

/** A named token as listed: never the token itself nor its hash. */
export interface TokenInfo extends Principal {
  readonly createdAt: string;
}

/** A token just made: the only time its value is shown. */
export interface CreatedToken extends TokenInfo {
  readonly token: string;
}

interface TokenRecord extends TokenInfo {
  /** SHA-256 (hex) of the token. */
  readonly sha256: string;
}

/** Name of the token the server is started with; no named token may take it. */
export const BOOTSTRAP_TOKEN_NAME = 'admin';

/**
 * Named API tokens with roles, in Redis. Only the SHA-256 of a token is kept: a token is 256 random
 * bits, so a fast hash is as safe as a slow one, and lookup by hash is one read. Revoking removes
 * the hash first, so a revoked token stops working at once.
 */
export class TokenStore {
  private readonly byHash: string;
  private readonly byName: string;

  constructor(
    private readonly redis: Redis,
    /** Key prefix, e.g. the store's `{fg}`. */
    prefix: string,
  ) {
    this.byHash = `${prefix}:tokens:by-hash`;
    this.byName = `${prefix}:tokens:by-name`;
  }

  /** Makes a token; `AlreadyExists` when the name is taken. */
  async create(principal: Principal, now: Date = new Date()): Promise<CreatedToken> {
    if (principal.name === BOOTSTRAP_TOKEN_NAME) {
      throw new FedgateError(
        'AlreadyExists',
        `token ${BOOTSTRAP_TOKEN_NAME} is the server's own admin token`,
      );
    }
    const token = `fgt_${randomBytes(32).toString('base64url')}`;
    const record: TokenRecord = {
      name: principal.name,
      role: principal.role,
      namespaces: [...principal.namespaces],
      ...(principal.cluster === undefined ? {} : { cluster: principal.cluster }),
      createdAt: now.toISOString(),
      sha256: sha256(token),
    };
    const json = JSON.stringify(record);
    if ((await this.redis.hsetnx(this.byName, record.name, json)) === 0) {
      throw new FedgateError('AlreadyExists', `token ${record.name} already exists (revoke it first)`);
    }
    await this.redis.hset(this.byHash, record.sha256, json);
    return { ...info(record), token };
  }

  /** Every named token, by name. */
  async list(): Promise<TokenInfo[]> {
    const all = await this.redis.hvals(this.byName);
    return all
      .map((j) => info(JSON.parse(j) as TokenRecord))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Revokes a token; `NotFound` when there is none of that name. */
  async revoke(name: string): Promise<TokenInfo> {
    const json = await this.redis.hget(this.byName, name);
    if (json === null) throw new FedgateError('NotFound', `token ${name} not found`);
    const record = JSON.parse(json) as TokenRecord;
    await this.redis.hdel(this.byHash, record.sha256);
    await this.redis.hdel(this.byName, name);
    return info(record);
  }

  /** The principal a presented token stands for, or undefined when it is no (longer a) token. */
  async authenticate(token: string): Promise<Principal | undefined> {
    const digest = sha256(token);
    const json = await this.redis.hget(this.byHash, digest);
    if (json === null) return undefined;
    const record = JSON.parse(json) as TokenRecord;
    // The read found it by its hash already; comparing in constant time costs nothing and leaks nothing.
    if (!timingSafeEqual(Buffer.from(record.sha256, 'hex'), Buffer.from(digest, 'hex'))) return undefined;
    return {
      name: record.name,
      role: record.role as Role,
      namespaces: record.namespaces,
      ...(record.cluster === undefined ? {} : { cluster: record.cluster }),
    };
  }
}

function info(r: TokenRecord): TokenInfo {
  return {
    name: r.name,
    role: r.role,
    namespaces: r.namespaces,
    ...(r.cluster === undefined ? {} : { cluster: r.cluster }),
    createdAt: r.createdAt,
  };
}

function sha256(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}
