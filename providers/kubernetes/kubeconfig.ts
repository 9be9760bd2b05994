import * as http from 'node:http';
import * as https from 'node:https';
import * as k8s from '@kubernetes/client-node';
import { ProviderError } from '../provider-error.js';

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
 * server URL gets a config of its own. A kubeconfig that cannot be read or parsed, or lacks the
 * context, is a ProviderError `Invalid` (provider code `KubeconfigInvalid`): no retry fixes it.
 */
export function kubeConfigFor(conn: KubeConnection, source: KubeconfigSource = {}): k8s.KubeConfig {
  const kc = new PooledKubeConfig();
  if (conn.kubeconfigContext) {
    try {
      if (source.kubeconfigPath) kc.loadFromFile(source.kubeconfigPath);
      else kc.loadFromDefault();
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw invalid(`cluster ${conn.name}: the kubeconfig cannot be loaded: ${why}`, err);
    }
    if (!kc.getContextObject(conn.kubeconfigContext)) {
      throw invalid(`kubeconfig has no context "${conn.kubeconfigContext}" (cluster ${conn.name})`);
    }
    kc.setCurrentContext(conn.kubeconfigContext);
    return kc;
  }
  if (!conn.server) throw invalid(`cluster ${conn.name}: connection needs server or kubeconfigContext`);
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

function invalid(message: string, cause?: unknown): ProviderError {
  return new ProviderError('Invalid', message, {
    provider: 'kubernetes',
    providerCode: 'KubeconfigInvalid',
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * A KubeConfig whose requests share one keep-alive connection pool. client-node builds a new
 * http(s).Agent for every request, so each call opens (and the server accepts) a fresh TCP/TLS
 * connection; under load that costs more than the call. The agent options derive from the
 * kubeconfig's cluster and user, fixed for the life of this object (a changed connection builds a
 * new client), so the first agent's options serve every later request. Proxy agents are left alone.
 */
class PooledKubeConfig extends k8s.KubeConfig {
  private pooled: http.Agent | undefined;

  override async applySecurityAuthentication(context: k8s.RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    if (!this.pooled) {
      const fresh = context.getAgent();
      if (fresh?.constructor === https.Agent)
        this.pooled = new https.Agent({ ...(fresh as https.Agent).options, keepAlive: true });
      else if (fresh?.constructor === http.Agent)
        this.pooled = new http.Agent({
          ...(fresh as { options?: http.AgentOptions }).options,
          keepAlive: true,
        });
      else return;
    }
    context.setAgent(this.pooled);
  }
}
