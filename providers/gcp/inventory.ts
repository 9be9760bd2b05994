/**
 * Inventory through Compute: regions and zones, networks with their subnetworks (one
 * networks.list and one subnetworks.aggregatedList), and a GKE cluster's nodes as instances
 * (one instances.aggregatedList filtered on the `goog-k8s-cluster-name` label, and one
 * machineTypes.get per machine type not seen before: custom types are read from their names).
 */
import type { protos } from '@google-cloud/compute';
import type { CallOptions, InventoryCapability } from '../cloud/adapter.js';
import { inParallel } from '../cloud/parallel.js';
import type {
  CloudInstance,
  CloudNetwork,
  CloudRegion,
  CloudSubnet,
  ClusterNodeSelector,
} from '../cloud/types.js';
import { ProviderError } from '../provider-error.js';
import type { GcpApi } from './gcp-api.js';
import { globalLink, nameOf, segmentOf } from './ids.js';

type Network = protos.google.cloud.compute.v1.INetwork;
type Subnetwork = protos.google.cloud.compute.v1.ISubnetwork;
type Instance = protos.google.cloud.compute.v1.IInstance;

const STATES: Record<string, CloudInstance['state']> = {
  PROVISIONING: 'pending',
  STAGING: 'pending',
  RUNNING: 'running',
  STOPPING: 'stopping',
  SUSPENDING: 'stopping',
  REPAIRING: 'pending',
  STOPPED: 'stopped',
  SUSPENDED: 'stopped',
  TERMINATED: 'stopped',
};

/** A subnetwork as the seam sees it. */
export function toSubnet(s: Subnetwork): CloudSubnet {
  return {
    id: s.selfLink ?? '',
    name: s.name ?? '',
    cidr: s.ipCidrRange ?? '',
    region: nameOf(s.region ?? ''),
  };
}

/** A network and its subnetworks as the seam sees them (GCP networks are global: no region). */
export function toNetwork(n: Network, subnets: readonly Subnetwork[]): CloudNetwork {
  const mine = subnets.filter((s) => sameLink(s.network, n.selfLink)).map(toSubnet);
  return {
    id: n.selfLink ?? '',
    name: n.name ?? '',
    cidrs: mine.map((s) => s.cidr),
    subnets: mine,
    tags: {},
  };
}

function sameLink(a: string | null | undefined, b: string | null | undefined): boolean {
  const norm = (s: string) => s.slice(Math.max(0, s.indexOf('projects/')));
  return !!a && !!b && norm(a) === norm(b);
}

/** An instance as the seam sees it; vCPU and memory come from its machine type. */
export function toInstance(i: Instance, type: { cpus: number; memoryMiB: number }): CloudInstance {
  const nic = i.networkInterfaces?.[0];
  const pool = i.labels?.['goog-k8s-node-pool-name'];
  return {
    id: i.selfLink ?? String(i.id ?? ''),
    name: i.name ?? '',
    zone: nameOf(i.zone ?? ''),
    instanceType: nameOf(i.machineType ?? ''),
    vcpus: type.cpus,
    memoryMiB: type.memoryMiB,
    state: STATES[i.status ?? ''] ?? 'unknown',
    ...(nic?.networkIP ? { privateIp: nic.networkIP } : {}),
    ...(nic?.network ? { networkId: nic.network } : {}),
    ...(nic?.subnetwork ? { subnetId: nic.subnetwork } : {}),
    ...(pool ? { nodePool: pool } : {}),
  };
}

/** `custom-4-16384` (and `n2-custom-4-16384-ext`): vCPUs and MiB from the name, as GCE names them. */
export function customMachineType(name: string): { cpus: number; memoryMiB: number } | undefined {
  const m = /(?:^|-)custom-(\d+)-(\d+)(?:-ext)?$/.exec(name);
  return m ? { cpus: Number(m[1]), memoryMiB: Number(m[2]) } : undefined;
}

/** The inventory capability of the GCP adapter. */
export class GcpInventory implements InventoryCapability {
  readonly #machineTypes = new Map<string, { cpus: number; memoryMiB: number }>();

  constructor(private readonly api: GcpApi) {}

  async listRegions(opts: CallOptions = {}): Promise<CloudRegion[]> {
    const api = this.api;
    const regions = await api.listAll(
      'regions.list',
      (pageToken, o) => api.regions.list({ project: api.project, ...(pageToken ? { pageToken } : {}) }, o),
      opts.signal,
    );
    return regions.map((r) => ({ name: r.name ?? '', zones: (r.zones ?? []).map(nameOf) }));
  }

  async listNetworks(opts: CallOptions = {}): Promise<CloudNetwork[]> {
    const api = this.api;
    const [networks, subnets] = await inParallel(opts, [
      (opts) =>
        api.listAll(
          'networks.list',
          (pageToken, o) =>
            api.networks.list({ project: api.project, ...(pageToken ? { pageToken } : {}) }, o),
          opts.signal,
        ),
      (opts) => this.#subnets(undefined, opts),
    ]);
    return networks.map((n) => toNetwork(n, subnets));
  }

  async getNetwork(networkId: string, opts: CallOptions = {}): Promise<CloudNetwork> {
    const api = this.api;
    const link = globalLink(api.project, 'networks', networkId);
    const project = segmentOf(link, 'projects') ?? api.project;
    const [network, subnets] = await inParallel(opts, [
      (opts) =>
        api.call('networks.get', (o) => api.networks.get({ project, network: nameOf(link) }, o), opts.signal),
      (opts) => this.#subnets(link, opts, project),
    ]);
    return toNetwork(network, subnets);
  }

  async listClusterInstances(
    selector: ClusterNodeSelector,
    opts: CallOptions = {},
  ): Promise<CloudInstance[]> {
    if (!/^[a-z0-9_-]+$/.test(selector.clusterName))
      throw new ProviderError('Invalid', `clusterName "${selector.clusterName}" is not a GKE cluster name`, {
        provider: 'gcp',
      });
    const api = this.api;
    const instances = await api.aggregated<Instance>(
      'instances.aggregatedList',
      api.instances as never,
      {
        project: api.project,
        filter: `labels.goog-k8s-cluster-name = "${selector.clusterName}"`,
        maxResults: 500,
      },
      'instances',
      opts.signal,
    );
    const out: CloudInstance[] = [];
    for (const i of instances) out.push(toInstance(i, await this.#machineType(i, opts)));
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  async #subnets(
    networkLink: string | undefined,
    opts: CallOptions,
    project = this.api.project,
  ): Promise<Subnetwork[]> {
    return this.api.aggregated<Subnetwork>(
      'subnetworks.aggregatedList',
      this.api.subnetworks as never,
      { project, maxResults: 500, ...(networkLink ? { filter: `network = "${networkLink}"` } : {}) },
      'subnetworks',
      opts.signal,
    );
  }

  async #machineType(i: Instance, opts: CallOptions): Promise<{ cpus: number; memoryMiB: number }> {
    const name = nameOf(i.machineType ?? '');
    const custom = customMachineType(name);
    if (custom) return custom;
    const known = this.#machineTypes.get(name);
    if (known) return known;
    const zone = nameOf(i.zone ?? '');
    const api = this.api;
    const mt = await api.call(
      'machineTypes.get',
      (o) => api.machineTypes.get({ project: api.project, zone, machineType: name }, o),
      opts.signal,
    );
    const type = { cpus: mt.guestCpus ?? 0, memoryMiB: mt.memoryMb ?? 0 };
    this.#machineTypes.set(name, type);
    return type;
  }
}
