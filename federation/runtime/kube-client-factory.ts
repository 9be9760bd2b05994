import { KubernetesClient } from '../../providers/kubernetes/kubernetes-client.js';
import type { ClusterClientFactory } from '../reconcile/cluster-clients.js';

/**
 * The production client factory: the Kubernetes adapter, taking contexts from the worker's
 * kubeconfig (`kubeconfigPath`, else the standard locations) so credentials stay out of Redis.
 */
export function kubernetesClientFactory(opts: { kubeconfigPath?: string } = {}): ClusterClientFactory {
  return (mc) =>
    KubernetesClient.connect(
      { name: mc.metadata.name, ...mc.spec.connection },
      opts.kubeconfigPath ? { kubeconfigPath: opts.kubeconfigPath } : {},
    );
}
