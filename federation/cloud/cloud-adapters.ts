import type { CloudAdapter } from '../../providers/cloud/adapter.js';
import type { CloudCredentials, CloudProviderRegistry } from '../../providers/cloud/registry.js';
import { ProviderError } from '../../providers/provider-error.js';
import type { MemberClusterObject } from '../reconcile/cluster-snapshot.js';
import type { CloudCredentialSpec } from '../resources/cloud-credential.js';

/** Reads a stored CloudCredential's spec (opened), or undefined when there is none of that name. */
export type CredentialLookup = (name: string) => Promise<CloudCredentialSpec | undefined>;

/** What every adapter of this worker shares. */
export interface CloudAdaptersProps {
  readonly registry: CloudProviderRegistry;
  readonly credentials: CredentialLookup;
  /** PEM CA bundle trusted for overridden endpoints (the ARM simulator's certificate). */
  readonly caPem?: string;
  readonly pollIntervalMs?: number;
  /** API endpoint per provider for clusters whose `spec.cloud.endpoint` is unset (simulators, private endpoints). */
  readonly endpoints?: Readonly<Partial<Record<string, string>>>;
  /** Provider-specific adapter options (the on-prem adapter's `siteFile`). */
  readonly providerOptions?: Readonly<Partial<Record<string, Readonly<Record<string, unknown>>>>>;
  readonly logger?: { debug(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
}

/**
 * The cloud adapter of each member cluster with a cloud side, built on first use and rebuilt when
 * the cluster's cloud side or its credential changes, so SDK clients and their connections are
 * shared by every job of a worker.
 */
export class CloudAdapters {
  readonly #cache = new Map<string, { fingerprint: string; adapter: Promise<CloudAdapter> }>();

  constructor(private readonly props: CloudAdaptersProps) {}

  /** The adapter for a cluster; undefined when it declares no cloud side. Throws ProviderError when it cannot be built. */
  async forCluster(mc: MemberClusterObject): Promise<CloudAdapter | undefined> {
    const cloud = mc.spec.cloud;
    if (!cloud) return undefined;
    const credential = cloud.credentials
      ? await this.props.credentials(cloud.credentials.secretRef.name)
      : undefined;
    if (cloud.credentials && !credential)
      throw new ProviderError(
        'Unauthorized',
        `${mc.spec.provider}: no CloudCredential named "${cloud.credentials.secretRef.name}" (fedgate apply one, or drop spec.cloud.credentials to use the SDK's default chain)`,
        { provider: mc.spec.provider },
      );
    if (credential && credential.provider !== mc.spec.provider)
      throw new ProviderError(
        'Invalid',
        `CloudCredential "${cloud.credentials!.secretRef.name}" is for ${credential.provider}, the cluster runs in ${mc.spec.provider}`,
        { provider: mc.spec.provider },
      );
    // The credential is part of the fingerprint (in memory only, never logged): a rotated one rebuilds the adapter.
    const fingerprint = JSON.stringify([mc.spec.provider, mc.spec.region, cloud, credential ?? null]);
    const cached = this.#cache.get(mc.metadata.name);
    if (cached?.fingerprint === fingerprint) return cached.adapter;
    if (cached) void cached.adapter.then((a) => a.close()).catch(() => undefined);
    const adapter = this.props.registry.create(mc.spec.provider, {
      scope: {
        account: cloud.account,
        region: mc.spec.region,
        ...(cloud.resourceGroup ? { resourceGroup: cloud.resourceGroup } : {}),
      },
      ...((cloud.endpoint ?? this.props.endpoints?.[mc.spec.provider])
        ? { endpoint: (cloud.endpoint ?? this.props.endpoints?.[mc.spec.provider])! }
        : {}),
      ...(this.props.providerOptions?.[mc.spec.provider]
        ? { options: this.props.providerOptions[mc.spec.provider]! }
        : {}),
      ...(this.props.caPem ? { caPem: this.props.caPem } : {}),
      ...(credential ? { credentials: toCredentials(credential) } : {}),
      ...(this.props.pollIntervalMs ? { pollIntervalMs: this.props.pollIntervalMs } : {}),
      ...(this.props.logger ? { logger: this.props.logger } : {}),
    });
    this.#cache.set(mc.metadata.name, { fingerprint, adapter });
    adapter.catch(() => this.#cache.delete(mc.metadata.name));
    return adapter;
  }

  /** Closes every adapter. */
  async close(): Promise<void> {
    const all = [...this.#cache.values()];
    this.#cache.clear();
    await Promise.allSettled(all.map(async (c) => (await c.adapter).close()));
  }
}

function toCredentials(c: CloudCredentialSpec): CloudCredentials {
  switch (c.provider) {
    case 'aws':
      return {
        kind: 'aws',
        accessKeyId: c.accessKeyId,
        secretAccessKey: c.secretAccessKey,
        ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}),
      };
    case 'gcp':
      return c.accessToken !== undefined
        ? { kind: 'gcp-token', accessToken: c.accessToken }
        : { kind: 'gcp-service-account', keyJson: c.serviceAccountKey! };
    case 'azure':
      return c.token !== undefined
        ? { kind: 'azure-token', token: c.token }
        : {
            kind: 'azure-client-secret',
            tenantId: c.tenantId!,
            clientId: c.clientId!,
            clientSecret: c.clientSecret!,
          };
  }
}
