/**
 * The two Azure SDK clients of one adapter (arm-network, classic generation; arm-compute, modular
 * generation) sharing one credential, one https.Agent (trusting the simulator's certificate when
 * given) and one request counter. SDK retries are off: the adapter's withRetry is the one retry layer.
 */
import { Agent } from 'node:https';
import { ComputeManagementClient, type ComputeManagementClientOptionalParams } from '@azure/arm-compute';
import { NetworkManagementClient, type NetworkManagementClientOptionalParams } from '@azure/arm-network';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { ClientSecretCredential, DefaultAzureCredential } from '@azure/identity';
import type { CloudAdapterConfig } from '../cloud/registry.js';
import { ProviderError } from '../provider-error.js';

/** A credential that hands out one preset bearer token (simulators, tokens minted elsewhere). */
export class FixedTokenCredential implements TokenCredential {
  readonly #token: string;
  constructor(token: string) {
    this.#token = token;
  }
  async getToken(): Promise<AccessToken> {
    return { token: this.#token, expiresOnTimestamp: Date.now() + 3600_000, tokenType: 'Bearer' };
  }
  /** Never shows the token (a logged credential object stays harmless). */
  toJSON(): string {
    return 'FixedTokenCredential(***)';
  }
}

/** The credential for a config: explicit ones as given, otherwise DefaultAzureCredential. */
export function credentialFor(config: CloudAdapterConfig): TokenCredential {
  const c = config.credentials;
  if (!c) return new DefaultAzureCredential();
  if (c.kind === 'azure-token') {
    if (!c.token) throw missing('credentials.token', 'a bearer token for Azure Resource Manager');
    return new FixedTokenCredential(c.token);
  }
  if (c.kind === 'azure-client-secret') {
    for (const field of ['tenantId', 'clientId', 'clientSecret'] as const)
      if (!c[field]) throw missing(`credentials.${field}`, 'the Entra ID app registration');
    return new ClientSecretCredential(c.tenantId, c.clientId, c.clientSecret);
  }
  throw new ProviderError(
    'Unauthorized',
    `azure: credentials of kind "${c.kind}" are not Azure credentials; give kind "azure-token" or "azure-client-secret", or none to use DefaultAzureCredential (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_CLIENT_SECRET, managed identity or az login)`,
    { provider: 'azure' },
  );
}

function missing(field: string, what: string): ProviderError {
  return new ProviderError('Unauthorized', `azure: ${field} is empty; set ${what}`, { provider: 'azure' });
}

/** The operation name of a request, from its ARM path (`virtualNetworkPeerings.createOrUpdate`, `operations.get`). */
export function operationName(method: string, url: string): string {
  const parts = new URL(url).pathname.split('/').filter(Boolean);
  const lower = parts.map((p) => p.toLowerCase());
  const provider = lower.indexOf('providers');
  if (lower.includes('operations') && lower.at(-2) === 'operations') return 'operations.get';
  if (lower.at(-2) === 'operationresults') return 'operationResults.get';
  if (provider < 0) return `${lower[2] ?? 'subscriptions'}.${method.toLowerCase()}`;
  const rest = parts.slice(provider + 2);
  const isCollection = rest.length % 2 === 1;
  let type = isCollection ? rest.at(-1)! : rest.at(-2)!;
  if (type === 'virtualMachines' && rest[0] === 'virtualMachineScaleSets') type = 'virtualMachineScaleSetVMs';
  const verb = isCollection
    ? 'list'
    : method === 'PUT'
      ? 'createOrUpdate'
      : method === 'DELETE'
        ? 'delete'
        : 'get';
  return `${type}.${verb}`;
}

/** The clients of one adapter and what they share. */
export interface AzureClients {
  readonly network: NetworkManagementClient;
  readonly compute: ComputeManagementClient;
  counts(): Readonly<Record<string, number>>;
  /** Resolves once no request of these clients is on the wire (bounded by `maxMs`). */
  idle(maxMs: number): Promise<void>;
  close(): void;
}

/** Builds both clients for a config's subscription and endpoint. */
export function createClients(config: CloudAdapterConfig, credential: TokenCredential): AzureClients {
  const counts: Record<string, number> = {};
  let inFlight = 0;
  const agent = new Agent({ keepAlive: true, ...(config.caPem ? { ca: config.caPem } : {}) });
  const counter = {
    policy: {
      name: 'fedgateCallCounter',
      sendRequest: async (request: { method: string; url: string }, next: (r: never) => Promise<unknown>) => {
        const name = operationName(request.method, request.url);
        counts[name] = (counts[name] ?? 0) + 1;
        inFlight++;
        try {
          return await next(request as never);
        } finally {
          inFlight--;
        }
      },
    },
    position: 'perRetry' as const,
  };
  const common = {
    agent,
    retryOptions: { maxRetries: 0 },
    additionalPolicies: [counter],
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
  };
  const subscription = config.scope.account;
  // The counter's request type is core-rest-pipeline's, which is not a direct dependency.
  const network = new NetworkManagementClient(credential, subscription, {
    ...common,
    ...(config.endpoint ? { $host: config.endpoint } : {}),
  } as unknown as NetworkManagementClientOptionalParams);
  const compute = new ComputeManagementClient(
    credential,
    subscription,
    common as unknown as ComputeManagementClientOptionalParams,
  );
  return {
    network,
    compute,
    counts: () => ({ ...counts }),
    idle: async (maxMs) => {
      const deadline = Date.now() + maxMs;
      while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    },
    close: () => agent.destroy(),
  };
}
