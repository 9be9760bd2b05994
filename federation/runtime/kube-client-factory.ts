import { PROVIDERS } from '../../placement/index.js';
import { kubernetesConnector } from '../../providers/kubernetes/connector.js';
import {
  type MemberClusterConnector,
  MemberClusterRegistry,
} from '../../providers/member-cluster-registry.js';
import type { ClusterClientFactory } from '../reconcile/cluster-clients.js';

/** How workers reach member clusters. */
export interface ClientFactoryProps {
  /** The kubeconfig contexts come from (else the standard locations): credentials stay out of Redis. */
  readonly kubeconfigPath?: string;
  /** Age after which a connection is opened again with fresh credentials. Default 10 min. */
  readonly refreshMs?: number;
  /** Connectors of providers with their own way in (an EKS token minter for `aws`, say). */
  readonly connectors?: Readonly<Partial<Record<(typeof PROVIDERS)[number], MemberClusterConnector>>>;
}

/**
 * The production client factory: each MemberCluster is reached through the connector registered
 * for its provider; providers without one of their own use the Kubernetes connector (kubeconfig
 * contexts, tokens, exec plugins), whose connections refresh their credentials.
 */
export function kubernetesClientFactory(opts: ClientFactoryProps = {}): ClusterClientFactory {
  const kube = kubernetesConnector({
    ...(opts.kubeconfigPath ? { kubeconfigPath: opts.kubeconfigPath } : {}),
    ...(opts.refreshMs !== undefined ? { maxAgeMs: opts.refreshMs } : {}),
  });
  const registry = new MemberClusterRegistry(kube);
  for (const p of PROVIDERS) {
    const own = opts.connectors?.[p];
    if (own) registry.register(p, own);
  }
  return (mc) =>
    registry.connect({ name: mc.metadata.name, provider: mc.spec.provider, ...mc.spec.connection });
}
