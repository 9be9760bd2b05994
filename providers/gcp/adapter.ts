/**
 * The GCP cloud adapter: inventory, network (peering, HA VPN, routes) and storage (disks and
 * snapshots) of one project and region through @google-cloud/compute's REST clients.
 * Credentials: a preset OAuth2 token, a service-account key, or Application Default Credentials.
 */
import { GoogleAuth, OAuth2Client } from 'google-auth-library';
import type { CloudAdapter, NetworkCapability } from '../cloud/adapter.js';
import type { CloudAdapterConfig } from '../cloud/registry.js';
import type { CloudScope } from '../cloud/types.js';
import { ProviderError } from '../provider-error.js';
import type { ClientOptions } from './gcp-api.js';
import { GcpApi } from './gcp-api.js';
import { GcpInventory } from './inventory.js';
import { GcpPeering } from './peering.js';
import { GcpRoutes } from './routes.js';
import { GcpStorage } from './storage.js';
import { GcpVpn } from './vpn.js';
import { GcpVpnConnections } from './vpn-connection.js';

const SCOPES = ['https://www.googleapis.com/auth/compute'];

/** The auth client for the configured credentials; missing or unreadable ones are Unauthorized. */
async function authClientFor(config: CloudAdapterConfig): Promise<unknown> {
  const c = config.credentials;
  if (c?.kind === 'gcp-token') {
    const client = new OAuth2Client();
    client.setCredentials({ access_token: c.accessToken });
    return client;
  }
  if (c?.kind === 'gcp-service-account') {
    let key: Record<string, unknown>;
    try {
      key = JSON.parse(c.keyJson) as Record<string, unknown>;
    } catch {
      throw new ProviderError(
        'Unauthorized',
        "gcp: the service-account key is not JSON; give the key file's contents",
        { provider: 'gcp' },
      );
    }
    if (typeof key.client_email !== 'string' || typeof key.private_key !== 'string')
      throw new ProviderError(
        'Unauthorized',
        'gcp: the service-account key lacks client_email or private_key',
        { provider: 'gcp' },
      );
    return new GoogleAuth({ credentials: key, scopes: SCOPES }).getClient();
  }
  if (c)
    throw new ProviderError('Unauthorized', `gcp: credentials of kind "${c.kind}" are not GCP credentials`, {
      provider: 'gcp',
    });
  try {
    return await new GoogleAuth({ scopes: SCOPES }).getClient();
  } catch (err) {
    throw new ProviderError(
      'Unauthorized',
      'gcp: no Application Default Credentials found; set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file, run `gcloud auth application-default login`, or give the cluster a credential secret',
      { provider: 'gcp', cause: err },
    );
  }
}

/** `{apiEndpoint, port, protocol}` from an endpoint URL (the simulator, a private endpoint). */
export function endpointOptions(endpoint: string | undefined): Omit<ClientOptions, 'authClient'> {
  if (!endpoint) return {};
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ProviderError('Invalid', `endpoint: "${endpoint}" is not a URL`, { provider: 'gcp' });
  }
  const protocol = url.protocol.replace(':', '');
  return { apiEndpoint: url.hostname, port: Number(url.port || (protocol === 'http' ? 80 : 443)), protocol };
}

/** Builds the GCP adapter for one scope (project = scope.account). */
export async function createGcpAdapter(config: CloudAdapterConfig): Promise<CloudAdapter> {
  if (!/^[a-z][-a-z0-9_.:]*$/.test(config.scope.account))
    throw new ProviderError('Invalid', `scope.account: "${config.scope.account}" is not a GCP project id`, {
      provider: 'gcp',
    });
  const authClient = await authClientFor(config);
  const api = new GcpApi(
    { ...endpointOptions(config.endpoint), authClient },
    {
      project: config.scope.account,
      maxAttempts: config.maxAttempts ?? 5,
      pollIntervalMs: config.pollIntervalMs ?? 1000,
      ...(config.logger ? { logger: config.logger } : {}),
    },
  );
  return new GcpAdapter(api, config.scope);
}

/** The adapter object: capability groups over one GcpApi. */
class GcpAdapter implements CloudAdapter {
  readonly provider = 'gcp' as const;
  readonly inventory: GcpInventory;
  readonly network: NetworkCapability;
  readonly storage: GcpStorage;

  constructor(
    private readonly api: GcpApi,
    readonly scope: CloudScope,
  ) {
    this.inventory = new GcpInventory(api);
    this.storage = new GcpStorage(api, scope.region);
    const peering = new GcpPeering(api, scope);
    const vpn = new GcpVpn(api, scope.region);
    const connections = new GcpVpnConnections(api, scope.region, vpn);
    const routes = new GcpRoutes(api, scope);
    this.network = {
      ensurePeering: (spec, opts) => peering.ensure(spec, opts),
      acceptPeering: (spec, opts) => peering.accept(spec, opts),
      describePeering: (name, local, opts) => peering.describe(name, local, opts),
      deletePeering: (name, local, opts) => peering.delete(name, local, opts),
      ensureVpnGateway: (spec, opts) => vpn.ensureGateway(spec, opts),
      describeVpnGateway: (name, opts) => vpn.describeGateway(name, opts),
      deleteVpnGateway: (name, opts) => vpn.deleteGateway(name, opts),
      ensurePeerGateway: (spec, opts) => vpn.ensurePeer(spec, opts),
      describePeerGateway: (name, opts) => vpn.describePeer(name, opts),
      deletePeerGateway: (name, opts) => vpn.deletePeer(name, opts),
      ensureVpnConnection: (spec, opts) => connections.ensureConnection(spec, opts),
      describeVpnConnection: (name, opts) => connections.describeConnection(name, opts),
      deleteVpnConnection: (name, opts) => connections.deleteConnection(name, opts),
      listRoutes: (networkId, opts) => routes.list(networkId, opts),
      ensureRoute: (spec, opts) => routes.ensure(spec, opts),
      deleteRoute: (spec, opts) => routes.delete(spec, opts),
    };
  }

  callCounts(): Readonly<Record<string, number>> {
    return this.api.counts();
  }

  close(): Promise<void> {
    return this.api.close();
  }
}
