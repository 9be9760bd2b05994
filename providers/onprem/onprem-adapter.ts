/**
 * The on-prem adapter: inventory from the declared site file (options.siteFile: a path to YAML or
 * JSON, or options.site: the parsed document). It declares no network capability: an on-prem VPN
 * endpoint is configured from vpn-config.ts (strongSwan, WireGuard), not through an API. Its
 * storage is the member cluster's CSI driver (csi-storage.ts), declared when the options say how
 * to reach the cluster: `kubeconfig` (the YAML text) or `kubeconfigPath`, with an optional
 * `context`, and optionally `namespace`, `storageClassName`, `volumeSnapshotClassName`.
 */
import { readFile } from 'node:fs/promises';
import * as k8s from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import type { CallOptions, CloudAdapter, InventoryCapability } from '../cloud/adapter.js';
import type { CloudAdapterConfig } from '../cloud/registry.js';
import type { CloudInstance, CloudNetwork, CloudRegion, ClusterNodeSelector } from '../cloud/types.js';
import { ProviderError } from '../provider-error.js';
import { CsiStorage } from './csi-storage.js';
import { parseSiteFile, type SiteFile } from './site-file.js';

/** Builds the on-prem adapter from its site file. */
export async function createOnpremAdapter(config: CloudAdapterConfig): Promise<CloudAdapter> {
  const site = await loadSite(config.options ?? {});
  const counts: Record<string, number> = {};
  const count = (op: string) => {
    counts[op] = (counts[op] ?? 0) + 1;
  };
  const inventory: InventoryCapability = {
    async listRegions(opts: CallOptions = {}): Promise<CloudRegion[]> {
      opts.signal?.throwIfAborted();
      count('site.regions');
      return [{ name: site.region, zones: [...site.zones] }];
    },
    async listNetworks(opts: CallOptions = {}): Promise<CloudNetwork[]> {
      opts.signal?.throwIfAborted();
      count('site.networks');
      return site.networks.map((n) => network(site, n));
    },
    async getNetwork(networkId: string, opts: CallOptions = {}): Promise<CloudNetwork> {
      opts.signal?.throwIfAborted();
      count('site.networks');
      const n = site.networks.find((x) => x.name === networkId);
      if (!n)
        throw new ProviderError('NotFound', `site ${site.site} declares no network ${networkId}`, {
          provider: 'onprem',
          providerCode: 'NetworkNotDeclared',
        });
      return network(site, n);
    },
    async listClusterInstances(
      selector: ClusterNodeSelector,
      opts: CallOptions = {},
    ): Promise<CloudInstance[]> {
      opts.signal?.throwIfAborted();
      count('site.nodes');
      const cluster = site.clusters.find((c) => c.name === selector.clusterName);
      return (cluster?.nodes ?? []).map((n) => ({
        id: `${site.site}/${n.name}`,
        name: n.name,
        zone: n.zone,
        instanceType: n.instanceType,
        vcpus: n.vcpus,
        memoryMiB: n.memoryMiB,
        state: 'running',
        ...(n.ip ? { privateIp: n.ip } : {}),
        ...(n.network ? { networkId: n.network } : {}),
        ...(n.subnet ? { subnetId: `${n.network}/${n.subnet}` } : {}),
      }));
    },
  };
  const kubeConfig = memberClusterConfig(config.options ?? {});
  const storage =
    kubeConfig &&
    new CsiStorage({
      kubeConfig,
      region: site.region,
      count,
      ...stringOptions(config.options ?? {}, ['namespace', 'storageClassName', 'volumeSnapshotClassName']),
      ...(typeof config.options?.pollIntervalMs === 'number'
        ? { pollIntervalMs: config.options.pollIntervalMs }
        : {}),
    });
  return {
    provider: 'onprem',
    scope: config.scope,
    inventory,
    ...(storage ? { storage } : {}),
    callCounts: () => ({ ...counts }),
    close: async () => {},
  };
}

/** The member cluster's KubeConfig, when the options name one; a bad one is `Invalid` at once. */
function memberClusterConfig(options: Readonly<Record<string, unknown>>): k8s.KubeConfig | undefined {
  const { kubeconfig, kubeconfigPath, context } = options;
  if (kubeconfig === undefined && kubeconfigPath === undefined) return undefined;
  const kc = new k8s.KubeConfig();
  try {
    if (typeof kubeconfig === 'string') kc.loadFromString(kubeconfig);
    else if (typeof kubeconfigPath === 'string') kc.loadFromFile(kubeconfigPath);
    else throw new Error('options.kubeconfig (YAML text) or options.kubeconfigPath must be a string');
    if (typeof context === 'string') {
      if (!kc.getContextObject(context)) throw new Error(`the kubeconfig has no context "${context}"`);
      kc.setCurrentContext(context);
    }
    if (!kc.getCurrentCluster()) throw new Error('the kubeconfig names no current cluster');
  } catch (err) {
    throw new ProviderError('Invalid', `onprem: ${err instanceof Error ? err.message : String(err)}`, {
      provider: 'onprem',
      providerCode: 'KubeconfigInvalid',
      cause: err,
    });
  }
  return kc;
}

function stringOptions<K extends string>(
  options: Readonly<Record<string, unknown>>,
  keys: readonly K[],
): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const k of keys) if (typeof options[k] === 'string') out[k] = options[k] as string;
  return out;
}

async function loadSite(options: Readonly<Record<string, unknown>>): Promise<SiteFile> {
  try {
    if (options.site !== undefined) return parseSiteFile(options.site);
    if (typeof options.siteFile !== 'string')
      throw new Error('options.siteFile: give the path of the site file (YAML)');
    return parseSiteFile(parseYaml(await readFile(options.siteFile, 'utf8')));
  } catch (err) {
    throw new ProviderError('Invalid', `onprem: ${err instanceof Error ? err.message : String(err)}`, {
      provider: 'onprem',
      cause: err,
    });
  }
}

function network(site: SiteFile, n: SiteFile['networks'][number]): CloudNetwork {
  return {
    id: n.name,
    name: n.name,
    region: site.region,
    cidrs: [...n.cidrs],
    subnets: n.subnets.map((s) => ({
      id: `${n.name}/${s.name}`,
      name: s.name,
      cidr: s.cidr,
      region: site.region,
      ...(s.zone ? { zone: s.zone } : {}),
    })),
    tags: { site: site.site },
  };
}
