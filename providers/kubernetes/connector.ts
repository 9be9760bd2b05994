import type { MemberClusterConnector } from '../member-cluster-registry.js';
import { RefreshingClient, type RefreshProps } from '../refreshing-client.js';
import { KubernetesClient, type KubernetesClientProps } from './kubernetes-client.js';

/** How the Kubernetes connector finds credentials and paces refreshes. */
export interface KubernetesConnectorProps extends RefreshProps {
  /** The kubeconfig to take contexts from; the standard locations when omitted. */
  readonly kubeconfigPath?: string;
  readonly client?: KubernetesClientProps;
}

/**
 * Connects to a member cluster's Kubernetes API with @kubernetes/client-node: a context of the
 * worker's kubeconfig (static tokens, client certificates, exec plugins such as `aws eks get-token`)
 * or a bare server URL; the connection is opened again when its credentials may be stale.
 */
export function kubernetesConnector(props: KubernetesConnectorProps = {}): MemberClusterConnector {
  return (target) =>
    new RefreshingClient(
      () =>
        KubernetesClient.connect(
          target,
          props.kubeconfigPath ? { kubeconfigPath: props.kubeconfigPath } : {},
          props.client,
        ),
      props,
    );
}
