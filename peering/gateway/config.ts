/**
 * The configuration a gateway runs on, compiled by the control plane from ServiceExport,
 * TrafficPolicy, AuthorizationPolicy, QuotaPolicy and MemberCluster objects. Plain data: the
 * gateway swaps it whole, atomically, so a request sees one version from start to end.
 */
export interface GatewayConfig {
  /** Changes whenever anything below changes (the store's resourceVersions joined). */
  readonly version: string;
  /** Where each member cluster runs, for locality-aware load balancing. */
  readonly clusters: Readonly<Record<string, ClusterLocality>>;
  /** Exported services by `namespace/name`. */
  readonly services: Readonly<Record<string, ServiceRoute>>;
  /** Allow rules for calls that cross clusters (deny by default). */
  readonly authorization: readonly AuthorizationRule[];
  /** Rate limits by `namespace/name` of the destination service. */
  readonly quotas: readonly QuotaRule[];
  /**
   * For each cluster, the remote clusters its gateways must not send to because the Peerings
   * between them are down and no other path is up (see reachability.ts). Absent: all reachable.
   */
  readonly unreachable?: Readonly<Record<string, readonly string[]>>;
}

/** A cluster's place, for locality-aware balancing. */
export interface ClusterLocality {
  readonly region: string;
  readonly provider: string;
}

/** Load-balancing algorithm within the chosen locality. */
export type LbAlgorithm = 'round-robin' | 'least-request';

/** How calls to one exported service are routed. */
export interface ServiceRoute {
  readonly namespace: string;
  readonly name: string;
  /** Clusters that export the service (its ServiceImport). */
  readonly clusters: readonly string[];
  readonly lb: LbAlgorithm;
  /** Prefer the caller's cluster, then region, then provider, then anywhere. Default true. */
  readonly localityAware: boolean;
  /** Weighted split between clusters; when given, locality is not used. */
  readonly weights?: readonly { readonly cluster: string; readonly weight: number }[];
  /** Whole-request deadline including retries (ms). */
  readonly timeoutMs: number;
  readonly retries: RetryPolicy;
  readonly outlier: OutlierPolicy;
  /** Requests in flight to the service above which the gateway answers 503 at once. */
  readonly maxPendingRequests: number;
}

/** Bounded retries under a budget. */
export interface RetryPolicy {
  /** Retries after the first try (0: none). */
  readonly attempts: number;
  readonly perTryTimeoutMs: number;
  /** Retries may add at most this share of the requests in flight (0-100)… */
  readonly budgetPercent: number;
  /** …but this many concurrent retries are always allowed. */
  readonly minRetryConcurrency: number;
}

/** Outlier ejection: consecutive failures take an endpoint or a gateway out for a while. */
export interface OutlierPolicy {
  readonly consecutiveFailures: number;
  /** First ejection time; doubles with each repeated ejection up to 10×. */
  readonly baseEjectionMs: number;
}

/** Who may call what across clusters. A call is allowed when any rule matches. */
export interface AuthorizationRule {
  readonly name: string;
  /** `namespace/name` of the destination service. */
  readonly service: string;
  /** Empty: any caller. Each entry matches when all its given fields match. */
  readonly from: readonly SourceMatch[];
  /** Path prefixes; empty: any path. */
  readonly paths: readonly string[];
  /** Upper-case methods; empty: any method. */
  readonly methods: readonly string[];
}

/** A caller pattern; an absent field matches anything. */
export interface SourceMatch {
  readonly cluster?: string;
  readonly namespace?: string;
  readonly serviceAccount?: string;
}

/** A rate limit on a service, per caller identity and/or for all callers together. */
export interface QuotaRule {
  readonly name: string;
  readonly service: string;
  /** Requests per `periodSeconds` for each caller identity. */
  readonly perCaller?: { readonly requests: number; readonly periodSeconds: number };
  /** Requests per `periodSeconds` for the service as a whole, across all gateway replicas. */
  readonly perService?: { readonly requests: number; readonly periodSeconds: number };
}

/** Route defaults, used where a TrafficPolicy says nothing. */
export const ROUTE_DEFAULTS = {
  lb: 'round-robin',
  localityAware: true,
  timeoutMs: 15_000,
  retries: { attempts: 2, perTryTimeoutMs: 5_000, budgetPercent: 20, minRetryConcurrency: 3 },
  outlier: { consecutiveFailures: 3, baseEjectionMs: 5_000 },
  maxPendingRequests: 10_000,
} as const satisfies Omit<ServiceRoute, 'namespace' | 'name' | 'clusters'>;

/** An empty configuration: nothing is routed, everything cross-cluster is denied. */
export const EMPTY_CONFIG: GatewayConfig = {
  version: '',
  clusters: {},
  services: {},
  authorization: [],
  quotas: [],
};
