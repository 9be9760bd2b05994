import { CloudProviderRegistry } from '../../providers/cloud/registry.js';

/**
 * The cloud adapters fedgate ships, registered by provider. Each SDK is loaded on first use (the
 * GCE client alone takes seconds to import), so a worker with no cluster in a cloud never loads it.
 */
export function builtinCloudProviders(): CloudProviderRegistry {
  return new CloudProviderRegistry()
    .register('aws', async (c) => (await import('../../providers/aws/index.js')).createAwsAdapter(c))
    .register('gcp', async (c) => (await import('../../providers/gcp/index.js')).createGcpAdapter(c))
    .register('azure', async (c) => (await import('../../providers/azure/index.js')).createAzureAdapter(c))
    .register('onprem', async (c) =>
      (await import('../../providers/onprem/index.js')).createOnpremAdapter(c),
    );
}
