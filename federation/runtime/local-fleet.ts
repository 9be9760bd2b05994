/**
 * The embedded local fleet of `fedgate up`: the simulated member clusters of sim/fleet, each
 * described as the MemberCluster that registers it, and one kubeconfig with a context per cluster.
 * This is the only product module allowed to import sim/ (see scripts/check-layers.mjs).
 */
import { stringify } from 'yaml';
import { DEFAULT_FLEET, type FleetTopology, startFleet } from '../../sim/fleet/index.js';
import { FEDGATE_API_VERSION } from '../resources/kinds.js';
import type { KubeObject } from '../resources/kube-object.js';

/** One running simulated cluster and the MemberCluster that registers it. */
export interface LocalCluster {
  readonly name: string;
  readonly url: string;
  /** The bearer token the simulated cluster requires (the kubeconfig's user carries it). */
  readonly token: string;
  /** The CA (PEM) of the cluster's serving certificate. */
  readonly caPem: string;
  readonly memberCluster: KubeObject;
}

/** A running local fleet. */
export interface LocalFleet {
  readonly clusters: readonly LocalCluster[];
  /** Base URL of the fleet's fault-injection control server. */
  readonly controlUrl: string | undefined;
  /** The bearer token the control server requires. */
  readonly controlToken: string;
  /** A kubeconfig (YAML) with one context per member cluster, named after it. */
  kubeconfig(): string;
  close(): Promise<void>;
}

/** Starts the simulated clusters of a topology (default: the seven-cluster default fleet). */
export async function startLocalFleet(
  topology: FleetTopology = DEFAULT_FLEET,
  opts: { podReadyDelayMs?: number; controlPort?: number } = {},
): Promise<LocalFleet> {
  const fleet = await startFleet(topology, {
    podReadyDelayMs: opts.podReadyDelayMs ?? 500,
    ...(opts.controlPort !== undefined ? { controlPort: opts.controlPort } : {}),
  });
  const clusters: LocalCluster[] = fleet.members().map((c) => ({
    name: c.name,
    url: c.url,
    token: c.token ?? '',
    caPem: c.caPem ?? '',
    memberCluster: {
      apiVersion: FEDGATE_API_VERSION,
      kind: 'MemberCluster',
      metadata: { name: c.name, labels: { ...c.labels, 'fedgate.dev/local-fleet': 'true' } },
      spec: {
        provider: c.provider,
        region: c.region,
        zone: c.zone,
        connection: { kubeconfigContext: c.name },
        taints: c.taints,
        network: {
          vpcId: c.network.vpcName,
          nodeCidrs: [c.network.vpcCidr],
          podCidrs: [c.network.podCidr],
          serviceCidrs: [c.network.serviceCidr],
        },
      },
    },
  }));
  return {
    clusters,
    controlUrl: fleet.controlUrl,
    controlToken: fleet.controlToken,
    kubeconfig: () => mergedKubeconfig(clusters),
    close: () => fleet.close(),
  };
}

/**
 * One kubeconfig for the whole fleet. The simulators serve HTTPS on 127.0.0.1 with the fleet's
 * self-signed certificate, and each requires the random bearer token it was started with, which
 * its user carries.
 */
function mergedKubeconfig(clusters: readonly LocalCluster[]): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    'current-context': clusters[0]?.name ?? '',
    clusters: clusters.map((c) => ({
      name: c.name,
      cluster: { server: c.url, 'certificate-authority-data': Buffer.from(c.caPem).toString('base64') },
    })),
    users: clusters.map((c) => ({ name: `${c.name}-admin`, user: { token: c.token } })),
    contexts: clusters.map((c) => ({
      name: c.name,
      context: { cluster: c.name, user: `${c.name}-admin`, namespace: 'default' },
    })),
  });
}
