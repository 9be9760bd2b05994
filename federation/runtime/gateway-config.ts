import { request } from 'undici';
import type { GatewayConfig, ServiceRoute } from '../../peering/gateway/config.js';
import { ROUTE_DEFAULTS } from '../../peering/gateway/config.js';
import type { ConfigSource } from '../../peering/gateway/config-poller.js';
import { type PeeringLink, unreachableClusters } from '../../peering/gateway/reachability.js';
import {
  AUTHORIZATION_POLICY_TYPE,
  MEMBER_CLUSTER_TYPE,
  PEERING_TYPE,
  QUOTA_POLICY_TYPE,
  SERVICE_EXPORT_TYPE,
  TRAFFIC_POLICY_TYPE,
} from '../resources/kinds.js';
import type { KubeObject } from '../resources/kube-object.js';
import { memberClusterSpecSchema } from '../resources/member-cluster.js';
import {
  authorizationPolicySpecSchema,
  durationMs,
  quotaPolicySpecSchema,
  serviceExportSpecSchema,
  trafficPolicySpecSchema,
} from '../resources/peering-kinds.js';

/** The stored objects a gateway configuration is compiled from. */
export interface PeeringObjects {
  readonly memberClusters: readonly KubeObject[];
  readonly serviceExports: readonly KubeObject[];
  readonly trafficPolicies: readonly KubeObject[];
  readonly authorizationPolicies: readonly KubeObject[];
  readonly quotaPolicies: readonly KubeObject[];
  /** Peerings: a link that is not Ready takes its remote cluster out of load balancing. */
  readonly peerings?: readonly KubeObject[];
  /** Identifies this state of the store (the lists' resourceVersions). */
  readonly version: string;
}

/**
 * Compiles what the platform team applied into the configuration every gateway runs on. Objects
 * were validated when applied; one that no longer parses (written by an older version) is skipped
 * rather than taking the whole configuration down. Where several TrafficPolicies name one service,
 * the first by name wins.
 */
export function compileGatewayConfig(o: PeeringObjects): GatewayConfig {
  const clusters: Record<string, { region: string; provider: string }> = {};
  for (const mc of o.memberClusters) {
    const spec = memberClusterSpecSchema.safeParse(mc.spec);
    if (spec.success) clusters[mc.metadata.name] = { region: spec.data.region, provider: spec.data.provider };
  }
  const policies = new Map<string, ReturnType<typeof trafficPolicySpecSchema.parse>>();
  for (const tp of [...o.trafficPolicies].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) {
    const spec = trafficPolicySpecSchema.safeParse(tp.spec);
    const key = spec.success ? `${tp.metadata.namespace}/${spec.data.service}` : '';
    if (spec.success && !policies.has(key)) policies.set(key, spec.data);
  }
  const services: Record<string, ServiceRoute> = {};
  for (const se of o.serviceExports) {
    const spec = serviceExportSpecSchema.safeParse(se.spec);
    if (!spec.success) continue;
    const ns = se.metadata.namespace ?? 'default';
    const key = `${ns}/${se.metadata.name}`;
    const tp = policies.get(key);
    const perTry = tp?.retries?.perTryTimeout;
    services[key] = {
      namespace: ns,
      name: se.metadata.name,
      clusters: spec.data.clusters,
      lb: tp?.loadBalancer?.algorithm === 'LeastRequest' ? 'least-request' : 'round-robin',
      localityAware: tp?.loadBalancer?.localityAware ?? ROUTE_DEFAULTS.localityAware,
      ...(tp?.weights ? { weights: tp.weights } : {}),
      timeoutMs: tp?.timeout ? durationMs(tp.timeout) : ROUTE_DEFAULTS.timeoutMs,
      retries: {
        ...ROUTE_DEFAULTS.retries,
        ...(tp?.retries ? { attempts: tp.retries.attempts, budgetPercent: tp.retries.budgetPercent } : {}),
        ...(perTry ? { perTryTimeoutMs: durationMs(perTry) } : {}),
      },
      outlier: tp?.outlierDetection
        ? {
            consecutiveFailures: tp.outlierDetection.consecutiveErrors,
            baseEjectionMs: durationMs(tp.outlierDetection.baseEjectionTime),
          }
        : ROUTE_DEFAULTS.outlier,
      maxPendingRequests: tp?.circuitBreaker?.maxPendingRequests ?? ROUTE_DEFAULTS.maxPendingRequests,
    };
  }
  const authorization: GatewayConfig['authorization'][number][] = [];
  for (const ap of o.authorizationPolicies) {
    const spec = authorizationPolicySpecSchema.safeParse(ap.spec);
    if (!spec.success) continue;
    spec.data.rules.forEach((r, i) => {
      authorization.push({
        name: `${ap.metadata.namespace}/${ap.metadata.name}#${i}`,
        service: `${ap.metadata.namespace}/${spec.data.service}`,
        from: r.from,
        paths: r.to.paths,
        methods: r.to.methods,
      });
    });
  }
  const quotas: GatewayConfig['quotas'][number][] = [];
  for (const qp of o.quotaPolicies) {
    const spec = quotaPolicySpecSchema.safeParse(qp.spec);
    if (!spec.success) continue;
    const limit = (l: { requests: number; period: string } | undefined) =>
      l === undefined
        ? undefined
        : { requests: l.requests, periodSeconds: Math.round(durationMs(l.period) / 1000) };
    const perCaller = limit(spec.data.perCaller);
    const perService = limit(spec.data.perService);
    quotas.push({
      name: `${qp.metadata.namespace}/${qp.metadata.name}`,
      service: `${qp.metadata.namespace}/${spec.data.service}`,
      ...(perCaller ? { perCaller } : {}),
      ...(perService ? { perService } : {}),
    });
  }
  const unreachable = unreachableClusters(Object.keys(clusters), (o.peerings ?? []).flatMap(peeringLink));
  return {
    version: o.version,
    clusters,
    services,
    authorization,
    quotas,
    ...(Object.keys(unreachable).length > 0 ? { unreachable } : {}),
  };
}

/** A Peering as a link: up while its Ready condition is True (provisioned, and its health read up). */
function peeringLink(p: KubeObject): PeeringLink[] {
  const clusters = (p.spec as { clusters?: unknown } | undefined)?.clusters;
  if (!Array.isArray(clusters)) return [];
  const [a, b] = clusters as unknown[];
  if (clusters.length !== 2 || typeof a !== 'string' || typeof b !== 'string') return [];
  const conditions = (p.status as { conditions?: { type?: string; status?: string }[] } | undefined)
    ?.conditions;
  const ready =
    Array.isArray(conditions) && conditions.some((c) => c.type === 'Ready' && c.status === 'True');
  return [{ clusters: [a, b], up: ready }];
}

/** Lists one type's objects (all namespaces) with the list's resourceVersion. */
export type ObjectLister = (type: string) => Promise<{ items: KubeObject[]; rv: string }>;

/** Lists the objects a gateway configuration is made of and compiles them. */
export async function loadGatewayConfig(list: ObjectLister): Promise<GatewayConfig> {
  const [mc, se, tp, ap, qp, pe] = await Promise.all(
    [
      MEMBER_CLUSTER_TYPE,
      SERVICE_EXPORT_TYPE,
      TRAFFIC_POLICY_TYPE,
      AUTHORIZATION_POLICY_TYPE,
      QUOTA_POLICY_TYPE,
      PEERING_TYPE,
    ].map(list),
  );
  return compileGatewayConfig({
    memberClusters: mc!.items,
    serviceExports: se!.items,
    trafficPolicies: tp!.items,
    authorizationPolicies: ap!.items,
    quotaPolicies: qp!.items,
    peerings: pe!.items,
    version: [mc, se, tp, ap, qp, pe].map((l) => l!.rv).join('.'),
  });
}

/**
 * Reads the gateway's objects from the fedgate API with a bearer token that may read them (an
 * admin's or a platform token) and compiles them here. Throws when the API cannot be reached; the
 * gateway then keeps its last good configuration. A gateway token uses `gatewayApiConfigSource`.
 */
export function apiConfigSource(apiUrl: string, token: string, timeoutMs = 3_000): ConfigSource {
  const base = apiUrl.replace(/\/$/, '');
  const list: ObjectLister = async (type) => {
    const body = await getJson<{ items: KubeObject[]; metadata: { resourceVersion: string } }>(
      `${base}/api/v1/objects/${type}`,
      token,
      timeoutMs,
    );
    return { items: body.items, rv: body.metadata.resourceVersion };
  };
  return { load: () => loadGatewayConfig(list) };
}

/**
 * The configuration the control plane compiled for `cluster`'s gateway
 * (`GET /api/v1/gateways/<cluster>/config`), read with that gateway's token.
 */
export function gatewayApiConfigSource(
  apiUrl: string,
  token: string,
  cluster: string,
  timeoutMs = 3_000,
): ConfigSource {
  const url = `${apiUrl.replace(/\/$/, '')}/api/v1/gateways/${encodeURIComponent(cluster)}/config`;
  return { load: () => getJson<GatewayConfig>(url, token, timeoutMs) };
}

async function getJson<T>(url: string, token: string, timeoutMs: number): Promise<T> {
  const res = await request(url, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const text = await res.body.text();
  if (res.statusCode !== 200)
    throw new Error(`GET ${new URL(url).pathname}: the API answered ${res.statusCode}`);
  return JSON.parse(text) as T;
}
