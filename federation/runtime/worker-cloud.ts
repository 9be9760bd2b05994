import { readFile } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { PeeringControllerProps } from '../controllers/peering/index.js';
import { RedisTunnelKeyVault, vaultKeyPrefix } from '../controllers/peering/redis-key-vault.js';
import type { EncryptionConfig } from '../store/encryption/encryption-config.js';
import { EncryptionConfigSealer } from '../store/encryption/sealer.js';
import { workerCloudAdapters } from './cloud-credentials.js';
import { connectRedis } from './redis-connection.js';
import type { WorkerProps } from './worker.js';

/** How a worker reaches the clouds and keeps peering secrets. */
export interface WorkerCloudSettings {
  readonly redisUrl: string;
  /** The store's key prefix (default `fg`): the tunnel-key vault lives beside the store. */
  readonly storePrefix?: string;
  /** The operator's keys (the Secrets' EncryptionConfiguration); without an aesgcm key first, no peering. */
  readonly encryption?: EncryptionConfig;
  /** API endpoint per provider for clusters that name none (the simulators). */
  readonly endpoints?: Readonly<Partial<Record<'aws' | 'gcp' | 'azure', string>>>;
  /** A PEM CA bundle file to trust for those endpoints (the ARM simulator's certificate). */
  readonly caFile?: string;
  /** The same, as PEM text. */
  readonly caPem?: string;
  /** The on-prem site file (YAML) the on-prem adapter reads for inventory. */
  readonly onpremSiteFile?: string;
  readonly pollIntervalMs?: number;
  readonly log: Logger;
}

/** What a worker gets: its cloud adapters and, when the keys allow, the peering controller's props. */
export interface WorkerCloud {
  readonly props: Pick<WorkerProps, 'cloud' | 'peering'>;
  /** Why the peering controller does not run, when it does not. */
  readonly peeringOff?: string;
  close(): Promise<void>;
}

/**
 * The cloud side of a worker: adapters per member cluster (credentials from its CloudCredential,
 * else the SDK's standard chain), and the peering controller with its tunnel-key vault sealed with
 * the operator's key. The on-prem end's VPN configuration is kept sealed beside the tunnel keys, by
 * peering (the vault's default), where the API's `GET /peerings/:name/config` reads it.
 */
export async function workerCloud(s: WorkerCloudSettings): Promise<WorkerCloud> {
  const caPem = s.caFile ? await readFile(s.caFile, 'utf8') : s.caPem;
  const cloud = workerCloudAdapters({
    ...(caPem ? { caPem } : {}),
    ...(s.endpoints ? { endpoints: s.endpoints } : {}),
    ...(s.onpremSiteFile ? { providerOptions: { onprem: { siteFile: s.onpremSiteFile } } } : {}),
    ...(s.pollIntervalMs ? { pollIntervalMs: s.pollIntervalMs } : {}),
    logger: s.log.child({ component: 'cloud' }),
  });
  if (!s.encryption?.writeKey)
    return {
      props: { cloud },
      peeringOff:
        'no encryption key (--encryption-provider-config with an aesgcm key first): tunnel keys could not be kept sealed',
      close: async () => {},
    };
  const redis: Redis = connectRedis(s.redisUrl, false, s.log);
  const sealer = new EncryptionConfigSealer(s.encryption);
  const peering: PeeringControllerProps = {
    vault: new RedisTunnelKeyVault(redis, vaultKeyPrefix(s.storePrefix), sealer),
    ...(s.pollIntervalMs ? { pollIntervalMs: s.pollIntervalMs } : {}),
  };
  return {
    props: { cloud, peering },
    close: async () => {
      redis.disconnect();
    },
  };
}

const CLOUD_PROVIDERS = ['aws', 'gcp', 'azure'] as const;

/** Parses `provider=url` pairs (`--cloud-endpoint`); throws naming the bad one. */
export function parseCloudEndpoints(
  pairs: readonly string[],
): Partial<Record<'aws' | 'gcp' | 'azure', string>> {
  const out: Partial<Record<'aws' | 'gcp' | 'azure', string>> = {};
  for (const pair of pairs) {
    const [provider, ...rest] = pair.split('=');
    const url = rest.join('=');
    if (!CLOUD_PROVIDERS.includes(provider as 'aws'))
      throw new Error(`--cloud-endpoint ${pair}: the provider must be one of ${CLOUD_PROVIDERS.join(', ')}`);
    if (!/^https?:\/\/[^\s/]+/.test(url) || !URL.canParse(url))
      throw new Error(`--cloud-endpoint ${pair}: give provider=URL, e.g. aws=http://127.0.0.1:4566`);
    out[provider as 'aws'] = url;
  }
  return out;
}
