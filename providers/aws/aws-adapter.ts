/**
 * The AWS adapter: one EC2 client for one account and region, with explicit credentials or the
 * SDK's default provider chain, an optional endpoint (a simulator, a VPC endpoint), and the
 * SDK's own retries off (maxAttempts 1) so withRetry is the single retry layer.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import type { CloudAdapter } from '../cloud/adapter.js';
import type { CloudAdapterConfig } from '../cloud/registry.js';
import { ProviderError } from '../provider-error.js';
import { Ec2Caller } from './ec2-caller.js';
import { AwsInventory } from './inventory.js';
import { AwsNetwork } from './network.js';
import { AwsStorage } from './storage.js';

const DEFAULT_POLL_MS = 2_000;

/** Builds the AWS adapter for `config.scope` (account id and region). */
export async function createAwsAdapter(config: CloudAdapterConfig): Promise<CloudAdapter> {
  const creds = config.credentials;
  if (creds && creds.kind !== 'aws')
    throw new ProviderError(
      'Invalid',
      `credentials: the aws adapter takes AWS access keys, not ${creds.kind}`,
      { provider: 'aws' },
    );
  if (!config.scope.region)
    throw new ProviderError('Invalid', 'scope.region: the aws adapter needs a region', { provider: 'aws' });
  const client = new EC2Client({
    region: config.scope.region,
    maxAttempts: 1,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(creds
      ? {
          credentials: {
            accessKeyId: creds.accessKeyId,
            secretAccessKey: creds.secretAccessKey,
            ...(creds.sessionToken ? { sessionToken: creds.sessionToken } : {}),
          },
        }
      : {}),
  });
  const ec2 = new Ec2Caller(client, config.maxAttempts ?? 5, config.logger);
  const ctx = { ec2, scope: config.scope, pollIntervalMs: config.pollIntervalMs ?? DEFAULT_POLL_MS };
  return {
    provider: 'aws',
    scope: config.scope,
    inventory: new AwsInventory(ec2, config.scope),
    network: new AwsNetwork(ctx),
    storage: new AwsStorage(ctx),
    callCounts: () => ec2.counts(),
    close: async () => client.destroy(),
  };
}
