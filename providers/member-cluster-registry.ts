import type { MemberClusterClient } from './member-cluster-client.js';
import { ProviderError } from './provider-error.js';

/** What the control plane knows of one member cluster's Kubernetes API (credentials stay with the connector). */
export interface MemberClusterTarget {
  readonly name: string;
  /** Where it runs (`aws`, `gcp`, `azure`, `onprem`): picks the connector. */
  readonly provider: string;
  readonly server?: string;
  readonly kubeconfigContext?: string;
  readonly insecureSkipTLSVerify?: boolean;
  /** Base64 PEM of the cluster CA. */
  readonly caData?: string;
}

/**
 * Opens the connection to one member cluster. May throw ProviderError `Invalid` (a broken
 * kubeconfig, a context it lacks) or `Unauthorized` (no usable credentials): neither is retried.
 */
export type MemberClusterConnector = (target: MemberClusterTarget) => MemberClusterClient;

/**
 * Member-cluster connectors registered by provider (an EKS connector minting 15-minute tokens for
 * `aws`, say), with a default for providers that have none of their own. The runtime wiring
 * registers each provider once.
 */
export class MemberClusterRegistry {
  readonly #connectors = new Map<string, MemberClusterConnector>();

  constructor(private readonly fallback?: MemberClusterConnector) {}

  /** Registers the connector of one provider; registering a provider twice is a programming error. */
  register(provider: string, connector: MemberClusterConnector): this {
    if (this.#connectors.has(provider))
      throw new Error(`member-cluster provider ${provider} is already registered`);
    this.#connectors.set(provider, connector);
    return this;
  }

  /** The providers with a connector of their own. */
  providers(): string[] {
    return [...this.#connectors.keys()];
  }

  /** Connects to a cluster with its provider's connector (or the default); ProviderError `Invalid` when there is none. */
  connect(target: MemberClusterTarget): MemberClusterClient {
    const connector = this.#connectors.get(target.provider) ?? this.fallback;
    if (!connector)
      throw new ProviderError('Invalid', `no member-cluster connector for provider "${target.provider}"`, {
        provider: target.provider,
        providerCode: 'NoConnector',
      });
    return connector(target);
  }
}
