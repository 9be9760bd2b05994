/**
 * Store reference index benchmark: how long the control plane takes to find
 *   - the workloads (Bindings) that reference a ConfigMap — every placement pass of a ConfigMap,
 *     Secret, ServiceAccount or PVC, and every resync, does this once per dependency;
 *   - the Bindings placed in one member cluster — every drift scan (each cluster, every 60 s) and
 *     the re-apply after a cluster is rebuilt;
 * through the store's reference index, against a baseline measured in the same run on the same
 * data: the scan the store falls back to while the index is incomplete (list the type, filter),
 * which is what fedgate did before the index.
 *
 * Usage: npm run bench:store-index [-- --bindings 20000 --namespaces 50 --clusters 100 --lookups 20]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Redis } from 'ioredis';
import { BINDING_TYPE } from '../federation/resources/kinds.js';
import type { KubeObject } from '../federation/resources/kube-object.js';
import { connectRedis } from '../federation/runtime/redis-connection.js';
import { ALL_NAMESPACES, clusterReference, dependencyReference } from '../federation/store/references.js';
import { ResourceStore } from '../federation/store/resource-store.js';
import { benchArgs } from './support/bench-args.js';
import { onCleanUp, runBench, say, startBench } from './support/lifecycle.js';

const { values: flags } = parseArgs({
  args: benchArgs(),
  options: {
    bindings: { type: 'string', default: '20000' },
    namespaces: { type: 'string', default: '50' },
    clusters: { type: 'string', default: '100' },
    lookups: { type: 'string', default: '20' },
  },
});
const CFG = {
  bindings: Number(flags.bindings),
  namespaces: Number(flags.namespaces),
  clusters: Number(flags.clusters),
  lookups: Number(flags.lookups),
};
/** ConfigMaps per namespace that the namespace's workloads share (each workload uses one). */
const CONFIGMAPS = 20;

function binding(n: number): KubeObject {
  const namespace = `ns${n % CFG.namespaces}`;
  return {
    apiVersion: 'fedgate.dev/v1alpha1',
    kind: 'Binding',
    metadata: { name: `w${n}-deployment`, namespace },
    spec: {
      resource: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace,
        name: `w${n}`,
        generation: 1,
        type: 'Deployment.v1.apps',
      },
      clusters: [0, 1, 2].map((k) => ({ name: `c${(n + k * 7) % CFG.clusters}`, replicas: 2 })),
      dependencies: [
        { kind: 'ConfigMap', name: `cfg${Math.floor(n / CFG.namespaces) % CONFIGMAPS}` },
        { kind: 'Secret', name: `w${n}-tls` },
      ],
    },
  };
}

/** Leaves the store as an earlier fedgate wrote it: no reference sets, no `refs` fields, no completion mark. */
async function asWrittenBeforeTheIndex(conn: Redis, prefix: string): Promise<void> {
  await conn.del(`${prefix}:ref-indexed`);
  for (const [pattern, drop] of [
    [`${prefix}:ref:*`, (keys: string[]) => conn.del(...keys)],
    [
      `${prefix}:o:${BINDING_TYPE}:*`,
      (keys: string[]) => conn.pipeline(keys.map((k) => ['hdel', k, 'refs'])).exec(),
    ],
  ] as const) {
    let cursor = '0';
    do {
      const [next, keys] = await conn.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await drop(keys);
    } while (cursor !== '0');
  }
}

/** Mean milliseconds per lookup over `lookups` lookups, and the mean number of objects found. */
async function measure(lookup: (i: number) => Promise<KubeObject[]>): Promise<{ ms: number; found: number }> {
  let found = 0;
  const started = performance.now();
  for (let i = 0; i < CFG.lookups; i++) found += (await lookup(i)).length;
  return { ms: (performance.now() - started) / CFG.lookups, found: found / CFG.lookups };
}

async function main(): Promise<void> {
  const { redis } = await startBench('store-index');
  const conn = connectRedis(redis.url);
  onCleanUp(async () => conn.disconnect());
  const store = new ResourceStore(conn);
  for (let i = 0; i < CFG.bindings; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, CFG.bindings - i) }, (_, j) => {
        const b = binding(i + j);
        const key = { type: BINDING_TYPE, namespace: b.metadata.namespace ?? '', name: b.metadata.name };
        return store.save(key, b);
      }),
    );
    if ((i / 500) % 10 === 9) say(`  … ${i + 500}/${CFG.bindings} bindings stored`);
  }
  await asWrittenBeforeTheIndex(conn, store.prefix);
  say(`✓ ${CFG.bindings} bindings in ${CFG.namespaces} namespaces over ${CFG.clusters} clusters`);

  const byDependency = (i: number) =>
    store.referrers(
      BINDING_TYPE,
      `ns${i % CFG.namespaces}`,
      dependencyReference('ConfigMap', `cfg${i % CONFIGMAPS}`),
    );
  const byCluster = (i: number) =>
    store.referrers(BINDING_TYPE, ALL_NAMESPACES, clusterReference(`c${i % CFG.clusters}`));
  const scan = { dependency: await measure(byDependency), cluster: await measure(byCluster) };
  const started = performance.now();
  await store.indexReferences([BINDING_TYPE]);
  const completeMs = performance.now() - started;
  const index = { dependency: await measure(byDependency), cluster: await measure(byCluster) };

  const out = (s: string) => process.stdout.write(`${s}\n`);
  out('');
  out(`lookup (mean of ${CFG.lookups})            scan (baseline)   index      speed-up   found`);
  for (const [what, k] of [
    ['workloads of a ConfigMap ', 'dependency'],
    ['bindings of a cluster    ', 'cluster'],
  ] as const) {
    out(
      `${what}              ${scan[k].ms.toFixed(2).padStart(8)} ms    ${index[k].ms.toFixed(2).padStart(6)} ms   ×${(scan[k].ms / index[k].ms).toFixed(0).padStart(5)}   ${index[k].found.toFixed(0)}${index[k].found === scan[k].found ? '' : ` (scan found ${scan[k].found})`}`,
    );
  }
  out('');
  out(
    `drift scans of all ${CFG.clusters} clusters (each every 60 s): ${((scan.cluster.ms * CFG.clusters) / 1000).toFixed(1)} s → ${((index.cluster.ms * CFG.clusters) / 1000).toFixed(2)} s of lookups per minute`,
  );
  out(
    `completing the index of a store written before it (a worker does this once): ${completeMs.toFixed(0)} ms`,
  );
}

runBench('store-index', main);
