import type { Redis } from 'ioredis';
import { LATENCY_BUCKETS_MS, type LinkStats, mergeLinkStats } from '../../peering/gateway/link-stats.js';
import { pushTraffic } from '../../peering/gateway/traffic-series.js';
import { signGatewayCsr } from '../../peering/identity/csr.js';
import {
  DEFAULT_GATEWAY_CERT_TTL_MS,
  FederationCa,
  type SealedFederationCa,
} from '../../peering/identity/federation-ca.js';
import { loadOrCreateCa } from '../../peering/identity/sealed-ca-store.js';
import type { GatewayControl } from '../api/routes/gateways.js';
import type { ResourceStore } from '../store/resource-store.js';
import { loadGatewayConfig } from './gateway-config.js';

/** Settings of the control plane's gateway routes. */
export interface GatewayControlProps {
  readonly store: ResourceStore;
  readonly redis: Redis;
  /** Key prefix of the sealed CA and the traffic series (the store's, `fg` by default). */
  readonly prefix: string;
  /** The SPIFFE trust domain. */
  readonly federation: string;
  /** The 32-byte key the CA's keys are sealed with: only the control plane holds it. */
  readonly operatorKey: Buffer;
  /** The longest certificate lifetime signed. Default 24 h. */
  readonly maxCertTtlMs?: number;
}

/**
 * The control plane's side of the gateways: it holds the federation CA (sealed in Redis under the
 * operator key, unsealed here only) and signs gateways' CSRs with it, serves their configuration
 * compiled from the store, and adds their pushed traffic to the series the traffic API reads. The
 * CA is re-read when its sealed form changes (a root rotation by another process).
 */
export function gatewayControl(p: GatewayControlProps): GatewayControl {
  let cached: { sealed: string; ca: Promise<FederationCa> } | undefined;
  // Gateways starting together ask at once: one of them makes the CA.
  let creating: Promise<unknown> | undefined;
  const ca = async (): Promise<FederationCa> => {
    const sealed = await p.redis.get(`${p.prefix}:peering:ca`);
    if (sealed === null) {
      creating ??= loadOrCreateCa(p.redis, p.prefix, p.federation, p.operatorKey).finally(() => {
        creating = undefined;
      });
      await creating;
      return ca();
    }
    if (cached?.sealed !== sealed) {
      const unsealed = FederationCa.unseal(JSON.parse(sealed) as SealedFederationCa, p.operatorKey);
      unsealed.catch(() => {});
      cached = { sealed, ca: unsealed };
    }
    return cached.ca;
  };
  return {
    latencyBuckets: LATENCY_BUCKETS_MS.length + 1,
    maxCertTtlMs: p.maxCertTtlMs ?? DEFAULT_GATEWAY_CERT_TTL_MS,
    config: () =>
      loadGatewayConfig(async (type) => {
        const l = await p.store.list(type);
        return { items: l.items, rv: l.resourceVersion };
      }),
    sign: async (cluster, csrPem, ttlMs) => signGatewayCsr(await ca(), cluster, csrPem, ttlMs),
    trustBundle: async () => (await ca()).trustBundlePem(),
    async pushTraffic(links) {
      const m = new Map<string, LinkStats>();
      for (const l of links) {
        const s: LinkStats = {
          requests: l.requests,
          errors: l.errors,
          bytesIn: l.bytesIn,
          bytesOut: l.bytesOut,
          buckets: [...l.buckets],
        };
        const key = `${l.source}|${l.destination}|${l.service}`;
        const seen = m.get(key);
        if (seen) mergeLinkStats(seen, s);
        else m.set(key, s);
      }
      await pushTraffic(p.redis, p.prefix, m);
    },
  };
}

/** Parses an operator key given as text (64 hex digits or base64 of 32 bytes). */
export { parseOperatorKey } from '../../peering/identity/key-seal.js';
