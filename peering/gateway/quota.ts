import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { GatewayConfig, QuotaRule } from './config.js';

/** The verdict of the quota check. */
export type QuotaDecision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly rule: string;
      readonly scope: 'caller' | 'service';
      readonly retryAfterSeconds: number;
    };

type Limit = { readonly requests: number; readonly periodSeconds: number };

const ALLOWED: QuotaDecision = { allowed: true };

/** A reservation should last about this long at the current rate (the batch grows or shrinks to it). */
const REFILL_TARGET_MS = 250;
/** One reservation takes at most this share of a window's limit (and at least one call). */
const MAX_BATCH_SHARE = 1 / 50;
/** Allowances of one limit past this many are swept of expired windows. */
const SWEEP_AT = 10_000;

/** One limit of one rule: its Redis limiter and this replica's allowance per key. */
interface Keyed {
  readonly scope: 'caller' | 'service';
  readonly limit: Limit;
  readonly service: string;
  readonly limiter: RateLimiterRedis;
  /** By caller identity (per-caller limits) or '' (the service's limit). */
  readonly allowances: Map<string, Allowance>;
}

/** Calls of one quota key this replica reserved in the shared count and has not used yet. */
interface Allowance {
  tokens: number;
  /** When (Date.now()) the window the tokens belong to ends; tokens are void after. */
  windowEnd: number;
  /** The shared count of the window is used up: refuse locally until windowEnd. */
  exhausted: boolean;
  /** Calls reserved at a time; adapts so a reservation lasts about REFILL_TARGET_MS. */
  batch: number;
  lastReserveAt: number;
  reserving: Promise<void> | undefined;
}

/**
 * Rate limits per caller identity and per service, shared by every gateway replica of every
 * cluster through one count per window in Redis (rate-limiter-flexible's RateLimiterRedis: an
 * atomic INCRBY+PEXPIRE script). A replica does not ask Redis per call: it reserves calls in
 * batches (consume(key, n)) and spends them locally, reserving the next batch in the background
 * when half of it is left, so the common path has no Redis round trip. A window found used up is
 * refused locally until it ends.
 *
 * Bounds: calls are counted in Redis before they are admitted, so the calls admitted in a window
 * never exceed the limit (while Redis is up). A replica can end a window holding reserved calls it
 * did not use, so callers may be refused early by at most R × B calls per window, R the replicas
 * enforcing the key and B the batch (≤ max(1, limit/50), and only as large as ~250 ms of that
 * replica's traffic). Quotas of up to 50 calls per window are reserved one call at a time: exact.
 * If Redis is unreachable each replica falls back to an in-memory limiter with the same numbers
 * (the insurance limiter): limits loosen, traffic keeps flowing.
 * Keys: `<prefix>:quota:<rule>:<limit hash>:<service>[|<caller>]`.
 */
export class QuotaEnforcer {
  /** Per rule object (stable within a configuration): its limiters and allowances, no key strings built per call. */
  private readonly byRule = new WeakMap<QuotaRule, { service?: Keyed; caller?: Keyed }>();
  private readonly keyedById = new Map<string, Keyed>();
  private readonly limiters = new Map<string, RateLimiterRedis>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Counts one call of `caller` to `service` against every quota on it: synchronous while this
   * replica holds reserved calls (or knows the window is used up), a promise when it must reserve.
   */
  check(config: GatewayConfig, service: string, caller: string): QuotaDecision | Promise<QuotaDecision> {
    return this.from(config, service, caller, 0);
  }

  /** The checks from `step` on: step 2i is rule i's service limit, 2i+1 its caller limit. */
  private from(
    config: GatewayConfig,
    service: string,
    caller: string,
    step: number,
  ): QuotaDecision | Promise<QuotaDecision> {
    const quotas = config.quotas;
    for (; step < quotas.length * 2; step++) {
      const rule = quotas[step >> 1]!;
      if (rule.service !== service) continue;
      const perCaller = (step & 1) === 1;
      const limit = perCaller ? rule.perCaller : rule.perService;
      if (limit === undefined) continue;
      const keyed = this.keyed(rule, perCaller ? 'caller' : 'service', limit);
      const d = this.take(keyed, perCaller ? caller : '', rule);
      if (d === undefined) continue;
      if (!(d instanceof Promise)) return d;
      const next = step + 1;
      return d.then((r) => r ?? this.from(config, service, caller, next));
    }
    return ALLOWED;
  }

  /** Takes one call of `key`: undefined when allowed, a refusal, or a promise of either. */
  private take(
    k: Keyed,
    key: string,
    rule: QuotaRule,
  ): QuotaDecision | undefined | Promise<QuotaDecision | undefined> {
    let a = k.allowances.get(key);
    if (a === undefined) {
      if (k.allowances.size >= SWEEP_AT) this.sweep(k);
      a = { tokens: 0, windowEnd: 0, exhausted: false, batch: 1, lastReserveAt: 0, reserving: undefined };
      k.allowances.set(key, a);
    }
    const now = this.now();
    if (now >= a.windowEnd) {
      a.tokens = 0;
      a.exhausted = false;
    }
    if (a.tokens > 0) {
      a.tokens--;
      if (!a.exhausted && a.reserving === undefined && a.tokens <= a.batch >> 1) {
        this.reserve(k, key, a).catch(() => {}); // ahead of need; a failure shows on the next one
      }
      return undefined;
    }
    if (a.exhausted) return refusal(rule, k.scope, a.windowEnd - now);
    const pending = a.reserving ?? this.reserve(k, key, a);
    return pending.then(() => this.take(k, key, rule));
  }

  /** Reserves the next batch of `key` in the shared count. */
  private reserve(k: Keyed, key: string, a: Allowance): Promise<void> {
    const { limit } = k;
    const sentAt = this.now();
    const max = Math.max(1, Math.floor(limit.requests * MAX_BATCH_SHARE));
    if (sentAt - a.lastReserveAt < REFILL_TARGET_MS) a.batch = Math.min(max, a.batch * 2);
    else if (sentAt - a.lastReserveAt > 4 * REFILL_TARGET_MS) a.batch = Math.max(1, a.batch >> 1);
    a.batch = Math.min(a.batch, max);
    a.lastReserveAt = sentAt;
    const n = a.batch;
    const granted = (res: RateLimiterRes, refused: boolean) => {
      // The window's end as seen from when the request left: never later than Redis's own.
      const end = sentAt + res.msBeforeNext;
      const got = Math.max(0, Math.min(n, limit.requests - (res.consumedPoints - n)));
      if (end > a.windowEnd + (limit.periodSeconds * 1000) / 2) {
        a.tokens = got; // a new window: calls reserved in the last one are void
        a.exhausted = false;
        a.windowEnd = end;
      } else {
        a.tokens += got;
        a.windowEnd = Math.min(a.windowEnd, end);
      }
      if (refused || res.remainingPoints === 0) a.exhausted = true;
    };
    const redisKey = k.scope === 'service' ? k.service : `${k.service}|${key}`;
    a.reserving = k.limiter
      .consume(redisKey, n)
      .then(
        (res) => granted(res, false),
        (res: unknown) => {
          if (!(res instanceof RateLimiterRes)) throw res;
          granted(res, true);
        },
      )
      .finally(() => {
        a.reserving = undefined;
      });
    return a.reserving;
  }

  private sweep(k: Keyed): void {
    const now = this.now();
    for (const [key, a] of k.allowances) {
      if (a.windowEnd <= now && a.reserving === undefined) k.allowances.delete(key);
    }
  }

  private keyed(rule: QuotaRule, scope: 'caller' | 'service', limit: Limit): Keyed {
    let r = this.byRule.get(rule);
    if (r === undefined) {
      r = {};
      this.byRule.set(rule, r);
    }
    let k = r[scope];
    if (k === undefined) {
      // Shared by the equal rules of later configurations, so a policy push keeps the reservations.
      const id = `${rule.name}:${scope}:${limit.requests}/${limit.periodSeconds}`;
      k = this.keyedById.get(`${id}|${rule.service}`);
      if (k === undefined) {
        k = { scope, limit, service: rule.service, limiter: this.limiter(id, limit), allowances: new Map() };
        this.keyedById.set(`${id}|${rule.service}`, k);
      }
      r[scope] = k;
    }
    return k;
  }

  private limiter(id: string, limit: Limit): RateLimiterRedis {
    let l = this.limiters.get(id);
    if (l === undefined) {
      const options = { points: limit.requests, duration: limit.periodSeconds };
      l = new RateLimiterRedis({
        ...options,
        storeClient: this.redis,
        keyPrefix: `${this.prefix}:quota:${id}`,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory(options),
      });
      this.limiters.set(id, l);
    }
    return l;
  }
}

function refusal(rule: QuotaRule, scope: 'caller' | 'service', msLeft: number): QuotaDecision {
  return {
    allowed: false,
    rule: rule.name,
    scope,
    retryAfterSeconds: Math.max(1, Math.ceil(msLeft / 1000)),
  };
}
