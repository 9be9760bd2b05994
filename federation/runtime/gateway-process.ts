import * as k8s from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { request } from 'undici';
import { startClustersetDns } from '../../peering/gateway/clusterset-dns.js';
import { watchEndpointSlices } from '../../peering/gateway/endpoint-slice-watch.js';
import { type Gateway, type LocalEndpoint, startGateway } from '../../peering/gateway/gateway.js';
import type { LinkStats } from '../../peering/gateway/link-stats.js';
import type { LocalWorkload } from '../../peering/gateway/proxy.js';
import { csrIssuer } from '../../peering/identity/csr.js';
import { KubernetesClient } from '../../providers/kubernetes/kubernetes-client.js';
import { gatewayApiConfigSource } from './gateway-config.js';
import { connectRedis } from './redis-connection.js';

/** Settings of a `fedgate gateway` process. */
export interface GatewayProcessProps {
  readonly cluster: string;
  readonly federation: string;
  readonly redisUrl: string;
  readonly redisPrefix: string;
  readonly apiUrl: string;
  /** A `gateway` token for this cluster (or an admin's). Never logged. */
  readonly apiToken: string;
  readonly peerListen: { host: string; port: number };
  readonly appListen: { host: string; port: number };
  readonly advertiseHost?: string;
  readonly certTtlMs: number;
  readonly localEndpoints: Record<string, LocalEndpoint[]>;
  readonly localWorkloads: Record<string, LocalWorkload>;
  /** Answer `<svc>.<ns>.svc.clusterset.local` here (UDP) with the app listener's address. */
  readonly dnsListen?: { host: string; port: number };
  /** A kubeconfig file of the member cluster: local endpoints from its EndpointSlices, by watch. */
  readonly kubeconfig?: string;
  /** The kubeconfig context of the member cluster (default: the current one). */
  readonly kubeContext?: string;
  readonly log: Logger;
  readonly metrics: Registry;
  /** The longest pause between tries to reach the control plane at start (ms). Default 30,000. */
  readonly retryMaxMs?: number;
}

/**
 * Wires a gateway to the control plane through its API, with its gateway token: certificates by
 * CSR (its key never leaves the gateway; the CA's keys never leave the control plane), its
 * configuration compiled by the control plane, its traffic aggregates pushed there; the peer
 * registry and the shared quotas in Redis.
 */
export async function startGatewayProcess(
  p: GatewayProcessProps,
): Promise<Gateway & { stop(): Promise<void> }> {
  const redis = connectRedis(p.redisUrl, false, p.log);
  const log = p.log.child({ component: 'gateway', cluster: p.cluster });
  const api = gatewayApi(p.apiUrl, p.apiToken, p.cluster);
  const start = () =>
    startGateway({
      cluster: p.cluster,
      federation: p.federation,
      issuer: csrIssuer(p.cluster, p.federation, {
        sign: (csr) => api.sign(csr, Math.round(p.certTtlMs / 1000)),
        trustBundle: () => api.trustBundle(),
      }),
      configSource: gatewayApiConfigSource(p.apiUrl, p.apiToken, p.cluster),
      trafficSink: (links) => api.pushTraffic(links),
      redis,
      redisPrefix: p.redisPrefix,
      metrics: p.metrics,
      peerListen: p.peerListen,
      appListen: p.appListen,
      ...(p.advertiseHost ? { advertiseHost: p.advertiseHost } : {}),
      localEndpoints: p.localEndpoints,
      localWorkloads: p.localWorkloads,
      log,
    });
  // Its first certificate comes from the control plane: while that is unreachable (starting, being
  // restarted, a network partition) keep asking with backoff before starting; a refusal (a bad
  // token) ends it at once.
  for (let attempt = 1; ; attempt++) {
    try {
      await api.trustBundle();
      break;
    } catch (err) {
      if (!controlPlaneUnreachable(err)) {
        redis.disconnect();
        throw err;
      }
      const retryInMs = Math.min(p.retryMaxMs ?? 30_000, 1_000 * 2 ** (attempt - 1));
      log.warn(
        { err: (err as Error).message, attempt, retryInMs },
        'the control plane cannot be reached for a first certificate; retrying',
      );
      await new Promise((r) => setTimeout(r, retryInMs));
    }
  }
  let gw: Gateway;
  try {
    gw = await start();
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const dns = p.dnsListen
    ? await startClustersetDns({
        ...p.dnsListen,
        gatewayIp: p.appListen.host,
        isExported: (s) => gw.config().services[s] !== undefined,
      })
    : undefined;
  let slices: { stop(): void } | undefined;
  if (p.kubeconfig) {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(p.kubeconfig);
    if (p.kubeContext) kc.setCurrentContext(p.kubeContext);
    slices = watchEndpointSlices(
      new KubernetesClient(p.cluster, kc),
      (e) => gw.setLocalEndpoints({ ...p.localEndpoints, ...e }),
      (err) => log.warn({ err: err.message }, 'EndpointSlice watch failed; keeping the last endpoints'),
    );
  }
  return {
    ...gw,
    async stop() {
      slices?.stop();
      await dns?.close();
      await gw.close();
      redis.disconnect();
    },
  };
}

/** An answer of the API's gateway routes other than success. */
export class GatewayApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'GatewayApiError';
  }
}

/** Whether the API could not be reached, or was not able to answer (worth another try). */
function controlPlaneUnreachable(err: unknown): boolean {
  if (err instanceof GatewayApiError) return err.status >= 500 || err.status === 429;
  const code = (err as { code?: unknown } | undefined)?.code;
  return (
    typeof code === 'string' &&
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|UND_ERR_)/.test(code)
  );
}

/** The gateway routes of the API (`/api/v1/gateways/<cluster>/…`) with the gateway's token. */
function gatewayApi(apiUrl: string, token: string, cluster: string, timeoutMs = 15_000) {
  const base = `${apiUrl.replace(/\/$/, '')}/api/v1/gateways/${encodeURIComponent(cluster)}`;
  const call = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T | undefined> => {
    const res = await request(`${base}/${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const text = await res.body.text();
    if (res.statusCode === 204) return undefined;
    if (res.statusCode !== 200) {
      let why = '';
      try {
        why = `: ${(JSON.parse(text) as { message?: string }).message ?? ''}`;
      } catch {}
      throw new GatewayApiError(
        `${method} /api/v1/gateways/${cluster}/${path}: the API answered ${res.statusCode}${why}`,
        res.statusCode,
      );
    }
    return JSON.parse(text) as T;
  };
  return {
    async sign(csr: string, ttlSeconds: number) {
      const r = await call<{ certChainPem: string; trustBundlePem: string }>('POST', 'certificate', {
        csr,
        ttlSeconds: Math.max(60, ttlSeconds),
      });
      return r!;
    },
    async trustBundle() {
      return (await call<{ trustBundlePem: string }>('GET', 'trust-bundle'))!.trustBundlePem;
    },
    async pushTraffic(links: Map<string, LinkStats>) {
      if (links.size === 0) return;
      const body = [...links].map(([key, s]) => {
        const [source, destination, service] = key.split('|');
        return { source, destination, service, ...s };
      });
      await call('POST', 'traffic', { links: body });
    },
  };
}
