/**
 * A generated large fleet for the dashboard's scale test and benchmark: MemberClusters spread over
 * every region the cost model knows (real coordinates), and measured traffic on many cluster pairs
 * written into the gateways' traffic series in Redis, as gateways would have written it.
 */
import type { Redis } from 'ioredis';
import type { KubeObject } from '../../federation/resources/kube-object.js';
import { emptyLinkStats, type LinkStats } from '../../peering/gateway/link-stats.js';
import { pushTraffic, TRAFFIC_BUCKET_SECONDS } from '../../peering/gateway/traffic-series.js';
import { REGIONS } from '../../placement/model/data/regions.js';

/** `count` MemberClusters named `c<n>`, cycling over the known regions; they point nowhere (no worker probes them). */
export function scaleClusters(count: number): KubeObject[] {
  return Array.from({ length: count }, (_, i) => {
    const r = REGIONS[i % REGIONS.length]!;
    return {
      apiVersion: 'fedgate.dev/v1alpha1',
      kind: 'MemberCluster',
      metadata: { name: `c${i}`, labels: { tier: i % 3 === 0 ? 'edge' : 'core' } },
      spec: {
        provider: r.provider,
        region: r.name,
        connection: { server: 'https://127.0.0.1:1' },
      },
    };
  });
}

/**
 * `links` distinct cluster pairs over `clusters` clusters (each source has `links / clusters`
 * destinations, spread by a stride coprime to the count), one service each.
 */
export function scaleLinks(clusters: number, links: number): { source: string; destination: string }[] {
  const perSource = Math.ceil(links / clusters);
  if (perSource >= clusters) throw new RangeError('too many links for the cluster count');
  let stride = 37;
  while (gcd(stride, clusters) !== 1) stride++;
  const out: { source: string; destination: string }[] = [];
  for (let k = 1; k <= perSource; k++) {
    for (let s = 0; s < clusters && out.length < links; s++) {
      out.push({ source: `c${s}`, destination: `c${(s + k * stride) % clusters}` });
    }
  }
  return out;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * Writes the links' traffic into the last `buckets` 10-second buckets (so both the 5-minute matrix
 * and each link's last-hour series have data). Rates, sizes, latencies and errors vary by link.
 */
export async function pushScaleTraffic(
  redis: Redis,
  prefix: string,
  links: readonly { source: string; destination: string }[],
  buckets = 6,
  nowMs = Date.now(),
): Promise<void> {
  for (let b = 0; b < buckets; b++) {
    const at = nowMs - b * TRAFFIC_BUCKET_SECONDS * 1000;
    const batch = new Map<string, LinkStats>();
    for (const [i, l] of links.entries()) {
      const s = emptyLinkStats();
      s.requests = 10 + ((i * 7919 + b * 31) % 500);
      s.errors = i % 17 === 0 ? Math.ceil(s.requests / 50) : 0;
      s.bytesIn = s.requests * (512 + (i % 4) * 1024);
      s.bytesOut = s.bytesIn * 3;
      s.buckets[4 + (i % 9)] = s.requests;
      batch.set(`${l.source}|${l.destination}|shop/svc${i % 20}`, s);
      if (batch.size === 2000) {
        await pushTraffic(redis, prefix, batch, at);
        batch.clear();
      }
    }
    await pushTraffic(redis, prefix, batch, at);
  }
}
