import type { GatewayConfig, ServiceRoute } from './config.js';
import type { OutlierDetector } from './outlier.js';

/** Where a call can go: a local endpoint of the service, or a remote cluster's gateway. */
export interface Target {
  /** Stable id for outlier state: the URL. */
  readonly id: string;
  readonly cluster: string;
  readonly kind: 'local' | 'remote';
  /** `http://host:port` of a local endpoint, `https://host:port` of a remote gateway. */
  readonly url: string;
  /** Local endpoints: speak HTTP/2 without TLS (gRPC servers); else HTTP/1.1. */
  readonly h2c?: boolean;
}

/**
 * Picks one target for a call. Targets out of rotation (ejected) or already tried are skipped;
 * when every untried target is ejected the call goes to them anyway rather than failing (panic
 * mode). With weights, a cluster is drawn by weight among those with a usable target; otherwise,
 * with locality on, only the nearest tier is used: the caller's cluster, then its region, its
 * provider, anywhere. Within the choice: round-robin or least-request (power of two choices).
 */
export class Balancer {
  private readonly rr = new Map<string, number>();

  constructor(
    private readonly selfCluster: string,
    private readonly outliers: OutlierDetector,
    private readonly random: () => number = Math.random,
  ) {}

  /** A target for `route`, or undefined when nothing untried is left. */
  pick(
    config: GatewayConfig,
    route: ServiceRoute,
    targets: readonly Target[],
    tried: ReadonlySet<string> | undefined,
    now: number,
  ): Target | undefined {
    // The common case without building arrays: one target in rotation (one endpoint, one gateway).
    const only = this.onlyUsable(targets, tried, now);
    if (only !== undefined) return only;
    let usable = targets.filter((t) => !tried?.has(t.id) && !this.outliers.isEjected(t.id, now));
    if (usable.length === 0) usable = targets.filter((t) => !tried?.has(t.id));
    if (usable.length === 0) return undefined;
    if (route.weights !== undefined && route.weights.length > 0) {
      const cluster = this.drawCluster(route.weights, usable);
      if (cluster !== undefined) usable = usable.filter((t) => t.cluster === cluster);
    } else if (route.localityAware) {
      usable = this.nearest(config, usable);
    }
    if (usable.length === 1) return usable[0];
    return route.lb === 'least-request'
      ? this.leastRequest(usable)
      : this.roundRobin(`${route.namespace}/${route.name}`, usable);
  }

  /**
   * The target when exactly one is untried and in rotation, or when there is exactly one untried
   * target at all (panic mode); undefined otherwise. Weights and locality choose among several
   * targets, so with one candidate they would pick it too.
   */
  private onlyUsable(
    targets: readonly Target[],
    tried: ReadonlySet<string> | undefined,
    now: number,
  ): Target | undefined {
    let healthy: Target | undefined;
    let healthyCount = 0;
    let untried: Target | undefined;
    let untriedCount = 0;
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i]!;
      if (tried?.has(t.id)) continue;
      untried = t;
      untriedCount++;
      if (this.outliers.isEjected(t.id, now)) continue;
      healthy = t;
      if (++healthyCount > 1) return undefined;
    }
    if (healthyCount === 1) return healthy;
    return healthyCount === 0 && untriedCount === 1 ? untried : undefined;
  }

  private drawCluster(
    weights: NonNullable<ServiceRoute['weights']>,
    usable: readonly Target[],
  ): string | undefined {
    const present = new Set(usable.map((t) => t.cluster));
    const live = weights.filter((w) => w.weight > 0 && present.has(w.cluster));
    const total = live.reduce((s, w) => s + w.weight, 0);
    if (total === 0) return undefined; // every weighted cluster is down: fail over to any
    let x = this.random() * total;
    for (const w of live) {
      x -= w.weight;
      if (x < 0) return w.cluster;
    }
    return live.at(-1)?.cluster;
  }

  private nearest(config: GatewayConfig, usable: readonly Target[]): Target[] {
    const self = config.clusters[this.selfCluster];
    let best = 4;
    let out: Target[] = [];
    for (const t of usable) {
      const tier = tierOf(this.selfCluster, self, t.cluster, config);
      if (tier < best) {
        best = tier;
        out = [t];
      } else if (tier === best) out.push(t);
    }
    return out;
  }

  private roundRobin(key: string, usable: readonly Target[]): Target {
    const n = (this.rr.get(key) ?? 0) + 1;
    this.rr.set(key, n);
    return usable[n % usable.length]!;
  }

  private leastRequest(usable: readonly Target[]): Target {
    const a = usable[Math.floor(this.random() * usable.length)]!;
    let b = usable[Math.floor(this.random() * usable.length)]!;
    if (a === b) b = usable[(usable.indexOf(a) + 1) % usable.length]!;
    return this.outliers.active(b.id) < this.outliers.active(a.id) ? b : a;
  }
}

/** 0: same cluster, 1: same region, 2: same provider, 3: anywhere. */
function tierOf(
  selfName: string,
  self: GatewayConfig['clusters'][string] | undefined,
  cluster: string,
  config: GatewayConfig,
): number {
  if (cluster === selfName) return 0;
  const other = config.clusters[cluster];
  if (self === undefined || other === undefined) return 3;
  if (other.region === self.region && other.provider === self.provider) return 1;
  if (other.provider === self.provider) return 2;
  return 3;
}
