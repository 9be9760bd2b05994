import { ProviderError } from '../provider-error.js';
import type { CloudAdapter } from './adapter.js';
import type { CloudProviderName, CloudScope } from './types.js';

/** Credentials handed to an adapter explicitly; absent, the SDK's standard chain is used. */
export type CloudCredentials =
  | {
      readonly kind: 'aws';
      readonly accessKeyId: string;
      readonly secretAccessKey: string;
      readonly sessionToken?: string;
    }
  /** A preset OAuth2 access token (simulators, short-lived tokens minted elsewhere). */
  | { readonly kind: 'gcp-token'; readonly accessToken: string }
  /** A service-account key file's JSON. */
  | { readonly kind: 'gcp-service-account'; readonly keyJson: string }
  /** A preset bearer token for ARM (simulators). */
  | { readonly kind: 'azure-token'; readonly token: string }
  /** An Entra ID app registration. */
  | {
      readonly kind: 'azure-client-secret';
      readonly tenantId: string;
      readonly clientId: string;
      readonly clientSecret: string;
    };

/** Minimal logger an adapter may use; credentials are never passed to it. */
export interface AdapterLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** How to build one adapter for one scope. */
export interface CloudAdapterConfig {
  readonly scope: CloudScope;
  /** The API endpoint to use instead of the provider's public one (the simulators, a private endpoint). */
  readonly endpoint?: string;
  /** PEM CA bundle to trust for `endpoint` (the ARM simulator's self-signed certificate). */
  readonly caPem?: string;
  /** Explicit credentials; absent → the SDK's default chain (AWS provider chain, Google ADC, DefaultAzureCredential). */
  readonly credentials?: CloudCredentials;
  /** Interval between polls of long-running operations, ms (the providers' Retry-After wins when larger). */
  readonly pollIntervalMs?: number;
  /** Attempts per call for throttling and 5xx, including the first (default 5). */
  readonly maxAttempts?: number;
  /** Provider-specific options (the on-prem adapter's site file, …). */
  readonly options?: Readonly<Record<string, unknown>>;
  readonly logger?: AdapterLogger;
}

/** Builds an adapter; may reject with ProviderError `Unauthorized` when credentials are missing or bad. */
export type CloudAdapterFactory = (config: CloudAdapterConfig) => Promise<CloudAdapter>;

/** Adapters registered by provider name; the runtime wiring registers each provider once. */
export class CloudProviderRegistry {
  readonly #factories = new Map<CloudProviderName, CloudAdapterFactory>();

  /** Registers the factory of one provider; registering a provider twice is a programming error. */
  register(provider: CloudProviderName, factory: CloudAdapterFactory): this {
    if (this.#factories.has(provider)) throw new Error(`cloud provider ${provider} is already registered`);
    this.#factories.set(provider, factory);
    return this;
  }

  /** The providers that have an adapter. */
  providers(): CloudProviderName[] {
    return [...this.#factories.keys()];
  }

  has(provider: CloudProviderName): boolean {
    return this.#factories.has(provider);
  }

  /** Builds an adapter for `provider`; ProviderError `Invalid` when none is registered. */
  async create(provider: CloudProviderName, config: CloudAdapterConfig): Promise<CloudAdapter> {
    const factory = this.#factories.get(provider);
    if (!factory)
      throw new ProviderError('Invalid', `no cloud adapter is registered for provider "${provider}"`, {
        provider,
      });
    return factory(config);
  }
}
