import type { Redis } from 'ioredis';
import type { Target } from './balancer.js';

/** Options of a gateway's registration. */
export interface PeerRegistryProps {
  readonly redis: Redis;
  /** Key prefix; the registry lives at `<prefix>:peering:gateways`. */
  readonly prefix: string;
  readonly cluster: string;
  readonly replicaId: string;
  /** `https://host:port` where peers reach this replica's mTLS listener. */
  readonly url: string;
  /** An entry not refreshed for this long is gone (ms). Default 3,000. */
  readonly ttlMs?: number;
  /** Refresh and re-read period (ms). Default 1,000. */
  readonly refreshMs?: number;
  readonly onError?: (err: unknown) => void;
}

/** The Redis hash of the federation's gateway replicas (see PeerRegistry). */
export function gatewayRegistryKey(prefix: string): string {
  return `${prefix}:peering:gateways`;
}

/**
 * The registry hash read at `now`: live replicas' URLs by cluster, and the fields to prune (those
 * that do not parse, or expired over a minute ago; recently expired ones are skipped, not pruned,
 * as a clock may lag).
 */
export function liveGateways(
  hash: Record<string, string>,
  now: number,
): { live: Map<string, string[]>; stale: string[] } {
  const live = new Map<string, string[]>();
  const stale: string[] = [];
  for (const [field, value] of Object.entries(hash)) {
    const cluster = field.slice(0, field.lastIndexOf('|'));
    let e: { url?: unknown; expiresAt?: unknown };
    try {
      e = JSON.parse(value) as typeof e;
    } catch {
      stale.push(field);
      continue;
    }
    if (typeof e.url !== 'string' || typeof e.expiresAt !== 'number' || e.expiresAt < now) {
      if (typeof e.expiresAt !== 'number' || e.expiresAt < now - 60_000) stale.push(field);
      continue;
    }
    const list = live.get(cluster) ?? [];
    list.push(e.url);
    live.set(cluster, list);
  }
  return { live, stale };
}

/**
 * Where every gateway replica of the federation listens, shared through the control plane's Redis:
 * the hash `<prefix>:peering:gateways`, field `<cluster>|<replica>` → `{"url","expiresAt"}`. Each
 * replica rewrites its entry every second and re-reads the hash; an entry past `expiresAt` is
 * ignored and pruned, so a dead cluster's gateways leave load balancing within the TTL (3 s) even
 * when nobody calls them. Calls that fail to connect eject a gateway sooner (outlier detection).
 * When Redis is unreachable the last known list is kept.
 */
export class PeerRegistry {
  private known = new Map<string, Target[]>();
  private timer: NodeJS.Timeout | undefined;
  private readonly key: string;

  constructor(private readonly props: PeerRegistryProps) {
    this.key = gatewayRegistryKey(props.prefix);
  }

  /** Registers and reads once, then keeps doing both. */
  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.props.refreshMs ?? 1_000);
    this.timer.unref();
  }

  /** Live gateway replicas of a cluster. */
  gateways(cluster: string): readonly Target[] {
    return this.known.get(cluster) ?? [];
  }

  /** Every URL known, for pruning outlier state. */
  urls(): Set<string> {
    return new Set([...this.known.values()].flat().map((t) => t.id));
  }

  /** Stops and removes this replica's entry, so peers stop sending at once. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.props.redis.hdel(this.key, this.field()).catch(() => {});
  }

  private field(): string {
    return `${this.props.cluster}|${this.props.replicaId}`;
  }

  private async tick(): Promise<void> {
    const now = Date.now();
    try {
      const entry = JSON.stringify({ url: this.props.url, expiresAt: now + (this.props.ttlMs ?? 3_000) });
      const [, all] =
        (await this.props.redis.multi().hset(this.key, this.field(), entry).hgetall(this.key).exec()) ?? [];
      const { live, stale } = liveGateways((all?.[1] ?? {}) as Record<string, string>, now);
      const next = new Map<string, Target[]>();
      for (const [cluster, urls] of live)
        next.set(
          cluster,
          urls.map((url) => ({ id: url, cluster, kind: 'remote', url })),
        );
      this.known = next;
      if (stale.length > 0) await this.props.redis.hdel(this.key, ...stale);
    } catch (err) {
      this.props.onError?.(err);
    }
  }
}
