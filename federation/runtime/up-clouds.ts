import { join } from 'node:path';
import type { Logger } from 'pino';
import type { MemberClusterObject } from '../reconcile/cluster-snapshot.js';
import { MEMBER_CLUSTER_TYPE, PEERING_TYPE } from '../resources/kinds.js';
import type { KubeObject } from '../resources/kube-object.js';
import type { ResourceStore } from '../store/resource-store.js';
import { loadEncryptionConfig } from './encryption-key-file.js';
import { type LocalClouds, startLocalClouds } from './local-clouds.js';
import { writePrivateFile } from './private-files.js';
import { type WorkerCloud, workerCloud } from './worker-cloud.js';

/**
 * The clusters examples/peering/fleet-links.yaml links: two Azure clusters (native VNet peering)
 * and the on-prem site (IPsec VPN to each). The cross-cloud link is a Peering of its own
 * (examples/peering/cross-cloud.yaml), so no AWS VPC needs two VPN links (see its comment).
 */
const PEERING_DEMO: ReadonlySet<string> = new Set(['onprem-dc1', 'azure-westeurope', 'azure-eastus']);

/** Progress of one wait of `fedgate up`. */
export type UpProgress = () => Promise<{ done: number; total: number }>;

/** The simulated clouds as `fedgate up` uses them. */
export interface UpClouds {
  readonly clouds: LocalClouds;
  /** The worker's cloud adapters and peering controller. */
  readonly worker: WorkerCloud;
  /** The CloudCredentials to store before the clusters that name them. */
  readonly credentials: readonly KubeObject[];
  /** The file with the endpoints and credentials (0600). */
  readonly endpointsFile: string;
  /** A MemberCluster of the local fleet with its cloud side. */
  withCloudSide(memberCluster: KubeObject): KubeObject;
  /**
   * Forgets what Peerings of an earlier run set up: that run's simulated clouds are gone, so their
   * journals (and a Ready phase) describe nothing. With the status cleared each Peering is set up
   * again, step by idempotent step, in the new clouds.
   */
  forgetEarlierLinks(store: ResourceStore): Promise<number>;
  /** Cloud clusters whose inventory was discovered since `since` (ms; a earlier run's does not count). */
  inventory(store: ResourceStore, since: number): UpProgress;
  /** Peerings Ready; each peering's step count is reported once as it changes. */
  peerings(store: ResourceStore, progress: (line: string) => void): UpProgress;
  close(): Promise<void>;
}

/**
 * Starts the cloud simulators of `fedgate up`, writes what users and the worker need into the
 * state dir (the endpoints and credentials, the ARM simulator's CA, the on-prem site file, all
 * 0600), and prepares the worker's cloud side (adapters, tunnel-key vault sealed with the
 * Secrets' key).
 */
export async function startUpClouds(p: {
  readonly stateDir: string;
  readonly redisUrl: string;
  readonly encryptionFile: string;
  readonly log: Logger;
}): Promise<UpClouds> {
  const clouds = await startLocalClouds();
  try {
    const caFile = join(p.stateDir, 'clouds-ca.pem');
    await writePrivateFile(caFile, clouds.arm.caPem);
    const siteFile = join(p.stateDir, 'onprem-site.yaml');
    await writePrivateFile(siteFile, clouds.onpremSite);
    const endpointsFile = join(p.stateDir, 'clouds.yaml');
    await writePrivateFile(endpointsFile, clouds.endpointsFile({ armCaFile: caFile }));
    const worker = await workerCloud({
      redisUrl: p.redisUrl,
      encryption: await loadEncryptionConfig(p.encryptionFile, p.log),
      caFile,
      onpremSiteFile: siteFile,
      pollIntervalMs: 200,
      log: p.log,
    });
    const reported = new Map<string, string>();
    return {
      clouds,
      worker,
      credentials: clouds.credentials,
      endpointsFile,
      withCloudSide(mc) {
        const cloud = clouds.cloudSides.get(mc.metadata.name);
        if (!cloud) return mc;
        const labels = PEERING_DEMO.has(mc.metadata.name)
          ? { ...mc.metadata.labels, 'fedgate.dev/peering-demo': 'true' }
          : mc.metadata.labels;
        return { ...mc, metadata: { ...mc.metadata, labels }, spec: { ...(mc.spec as object), cloud } };
      },
      async forgetEarlierLinks(store) {
        const { items } = await store.list(PEERING_TYPE);
        for (const p of items) {
          const key = { type: PEERING_TYPE, namespace: '', name: p.metadata.name };
          await store.updateStatus(key, {});
        }
        return items.length;
      },
      inventory: (store, since) => async () => {
        const { items } = await store.list(MEMBER_CLUSTER_TYPE);
        const withCloud = (items as MemberClusterObject[]).filter((mc) =>
          clouds.cloudSides.has(mc.metadata.name),
        );
        // A cluster in a simulated cloud is new in every run (new ids, new endpoint): only a
        // discovery of this run counts. The on-prem site is the same file each run: its earlier
        // discovery (not redone while nothing changed) still holds.
        const done = withCloud.filter(
          (mc) =>
            (mc.spec.cloud?.endpoint === undefined ||
              Date.parse(mc.status?.cloud?.lastDiscoveryTime ?? '') >= since) &&
            mc.status?.conditions.some((c) => c.type === 'CloudInventory' && c.status === 'True'),
        ).length;
        return { done, total: clouds.cloudSides.size };
      },
      peerings: (store, progress) => async () => {
        const { items } = await store.list(PEERING_TYPE);
        let ready = 0;
        for (const peering of items) {
          const st = peering.status as
            | { phase?: string; link?: { kind?: string }; steps?: { state: string }[]; message?: string }
            | undefined;
          if (st?.phase === 'Ready') ready++;
          const steps = st?.steps ?? [];
          const line = `    ${peering.metadata.name}: ${st?.phase ?? 'Pending'}${st?.link?.kind ? ` (${st.link.kind})` : ''}, ${steps.filter((s) => s.state === 'done').length}/${steps.length} steps${st?.phase === 'Failed' && st.message ? ` — ${st.message}` : ''}`;
          if (reported.get(peering.metadata.name) !== line) progress(line);
          reported.set(peering.metadata.name, line);
        }
        // Until the controller planned the policy there is nothing to count: not done yet.
        return { done: ready, total: Math.max(items.length, 1) };
      },
      async close() {
        await worker.close();
        await clouds.close();
      },
    };
  } catch (err) {
    await clouds.close();
    throw err;
  }
}
