import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import type { CloudAdapter } from '../../../providers/cloud/adapter.js';
import { createOnpremAdapter } from '../../../providers/onprem/index.js';
import { type KubeSim, startKubeSim } from '../../../sim/kubernetes/index.js';
import type { ConformanceEnv, ConformanceFixture } from '../conformance/fixture.js';

/** A declared site: two racks, one network, a three-node cluster. */
export const SITE_YAML = `site: dc-berlin
region: berlin
zones: [rack-a, rack-b]
vpnEndpoints:
  - { name: edge-1, publicIp: 198.51.100.40, asn: 65040 }
networks:
  - name: dc-net
    cidrs: [192.168.0.0/16]
    subnets:
      - { name: servers-a, cidr: 192.168.1.0/24, zone: rack-a }
      - { name: servers-b, cidr: 192.168.2.0/24, zone: rack-b }
clusters:
  - name: k8s-berlin
    nodes:
      - { name: node-1, zone: rack-a, vcpus: 32, memoryMiB: 131072, ip: 192.168.1.11, network: dc-net, subnet: servers-a }
      - { name: node-2, zone: rack-a, vcpus: 32, memoryMiB: 131072, ip: 192.168.1.12, network: dc-net, subnet: servers-a }
      - { name: node-3, zone: rack-b, vcpus: 16, memoryMiB: 65536, ip: 192.168.2.11, network: dc-net, subnet: servers-b }
`;

const TOKEN = 'onprem-sim-token-5b1f0c';
const SNAPSHOTS = 'snapshot.storage.k8s.io/v1/volumesnapshots';

/** The on-prem cluster as a simulated Kubernetes API with a CSI driver, and a bound claim to snapshot. */
export async function startOnpremCluster(): Promise<KubeSim> {
  const sim = await startKubeSim({
    name: 'k8s-berlin',
    nodes: [{ name: 'node-1', cpu: '32', memory: '128Gi', pods: 110 }],
    token: TOKEN,
    podReadyDelayMs: 0,
    events: false,
    csi: { snapshotDelayMs: 100 },
  });
  const kc = new k8s.KubeConfig();
  kc.loadFromString(sim.kubeconfig());
  await kc.makeApiClient(k8s.CoreV1Api).createNamespacedPersistentVolumeClaim({
    namespace: 'default',
    body: {
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
    },
  });
  return sim;
}

/** The on-prem adapter's conformance fixture: inventory from the site file, storage through CSI. */
export const onpremFixture: ConformanceFixture = {
  provider: 'onprem',
  async setup(): Promise<ConformanceEnv> {
    const dir = await mkdtemp(join(tmpdir(), 'fedgate-onprem-'));
    const siteFile = join(dir, 'site.yaml');
    await writeFile(siteFile, SITE_YAML);
    const sim = await startOnpremCluster();
    const adapterFor = (kubeconfig: string) =>
      createOnpremAdapter({
        scope: { account: 'dc-berlin', region: 'berlin' },
        options: { siteFile, kubeconfig, pollIntervalMs: 50 },
      });
    const adapter = await adapterFor(sim.kubeconfig());
    const csi = sim.csi!;
    return {
      adapter,
      cluster: { selector: { clusterName: 'k8s-berlin' }, instances: 3 },
      networkId: 'dc-net',
      volume: { id: 'default/data' },
      probe: (a: CloudAdapter) => a.storage!.describeSnapshot('probe'),
      badCredentialsAdapter: () => adapterFor(sim.kubeconfig().replace(TOKEN, 'wrong-token')),
      faults: {
        throttleNext: (n) => sim.faults.failNext(n, 'throttle'),
        failNext: (n) => sim.faults.failNext(n, 'internal'),
        throttleRate: (p) => sim.faults.errorRate(p, 'throttle'),
        operationDelayMs: (ms) => csi.snapshotDelayMs(ms),
        failNextOperation: (reason) => csi.failNextSnapshot(reason),
        reset: () => {
          csi.reset();
          csi.snapshotDelayMs(100);
          void sim.faults.reset();
        },
      },
      countResources: (kind) =>
        kind === 'snapshot'
          ? sim.objects(SNAPSHOTS).length
          : kind === 'volume'
            ? sim.objects('v1/persistentvolumeclaims').length
            : 0,
      secrets: [TOKEN],
      logged: () => [],
      // The site file's reads, and the requests the cluster's API answered (every adapter's).
      served: () => {
        const site = Object.entries(adapter.callCounts()).filter(([op]) => op.startsWith('site.'));
        return { ...Object.fromEntries(site), kubernetes: sim.requestCount() };
      },
      teardown: async () => {
        await adapter.close();
        await sim.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
};
