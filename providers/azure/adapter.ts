/**
 * The Azure cloud adapter: inventory, network (VNet peering, site-to-site VPN, routes) and storage
 * (incremental snapshots, CopyStart, disks from snapshots) through @azure/arm-network and
 * @azure/arm-compute, for one subscription and resource group (`scope.account`,
 * `scope.resourceGroup`) and region.
 */
import type { CloudAdapter } from '../cloud/adapter.js';
import type { CloudAdapterConfig, CloudAdapterFactory } from '../cloud/registry.js';
import { ProviderError } from '../provider-error.js';
import { AzureCalls } from './calls.js';
import { createClients, credentialFor } from './clients.js';
import { azureInventory } from './inventory.js';
import { azurePeering } from './peering.js';
import { azureRoutes } from './routes.js';
import { azureStorage } from './storage.js';
import { azureVpn } from './vpn.js';

/** How long a long-running operation is waited for unless the call says (Azure VPN gateways take ~30 min). */
const DEFAULT_WAIT_MS = 60 * 60_000;

/** Builds the Azure adapter for one scope. */
export const createAzureAdapter: CloudAdapterFactory = async (
  config: CloudAdapterConfig,
): Promise<CloudAdapter> => {
  const scope = config.scope;
  if (!scope.account)
    throw new ProviderError('Invalid', 'azure: scope.account (the subscription id) is required', {
      provider: 'azure',
    });
  if (!scope.region)
    throw new ProviderError('Invalid', 'azure: scope.region is required', { provider: 'azure' });
  const credential = credentialFor(config);
  const clients = createClients(config, credential);
  const pollIntervalMs = config.pollIntervalMs ?? 2_000;
  const calls = new AzureCalls({
    maxAttempts: config.maxAttempts ?? 5,
    pollIntervalMs,
    defaultTimeoutMs: DEFAULT_WAIT_MS,
    // The aborted poll is torn down before the call rejects, so nothing reaches Azure after it.
    settle: () => clients.idle(2_000),
    ...(config.logger ? { logger: config.logger } : {}),
  });
  config.logger?.debug(
    {
      provider: 'azure',
      subscription: scope.account,
      resourceGroup: scope.resourceGroup,
      region: scope.region,
      endpoint: config.endpoint ?? 'https://management.azure.com',
      credentials: config.credentials?.kind ?? 'DefaultAzureCredential',
    },
    'azure adapter created',
  );
  return {
    provider: 'azure',
    scope,
    inventory: azureInventory(scope, clients, calls),
    network: {
      ...azurePeering(scope, clients.network, calls, pollIntervalMs),
      ...azureVpn(scope, clients.network, calls),
      ...azureRoutes(scope, clients.network, calls),
    },
    storage: azureStorage(scope, clients.compute, calls, pollIntervalMs),
    callCounts: () => clients.counts(),
    close: async () => clients.close(),
  };
};
