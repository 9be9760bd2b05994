import * as k8s from '@kubernetes/client-node';

/** How to reach one member cluster: a server URL, or a context of a kubeconfig. */
export interface KubeConnection {
  /** The cluster's name, used for the generated context. */
  readonly name: string;
  readonly server?: string;
  readonly kubeconfigContext?: string;
  readonly insecureSkipTLSVerify?: boolean;
  /** Base64 PEM of the cluster CA. */
  readonly caData?: string;
}

/** Where contexts come from: a kubeconfig file, or the standard locations when omitted. */
export interface KubeconfigSource {
  readonly kubeconfigPath?: string;
  /** Bearer token for server-only connections (never logged). */
  readonly token?: string;
}

/**
 * Builds the client-node KubeConfig for a member cluster. A named context is loaded from the
 * worker's kubeconfig (so credentials stay there, never in the control plane's store); a bare
 * server URL gets a config of its own.
 */
export function kubeConfigFor(conn: KubeConnection, source: KubeconfigSource = {}): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  if (conn.kubeconfigContext) {
    if (source.kubeconfigPath) kc.loadFromFile(source.kubeconfigPath);
    else kc.loadFromDefault();
    if (!kc.getContextObject(conn.kubeconfigContext)) {
      throw new Error(`kubeconfig has no context "${conn.kubeconfigContext}" (cluster ${conn.name})`);
    }
    kc.setCurrentContext(conn.kubeconfigContext);
    return kc;
  }
  if (!conn.server) throw new Error(`cluster ${conn.name}: connection needs server or kubeconfigContext`);
  kc.loadFromOptions({
    clusters: [
      {
        name: conn.name,
        server: conn.server,
        skipTLSVerify: conn.insecureSkipTLSVerify ?? false,
        ...(conn.caData ? { caData: conn.caData } : {}),
      },
    ],
    users: [{ name: `${conn.name}-user`, ...(source.token ? { token: source.token } : {}) }],
    contexts: [{ name: conn.name, cluster: conn.name, user: `${conn.name}-user` }],
    currentContext: conn.name,
  });
  return kc;
}
