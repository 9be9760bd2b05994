/**
 * The simulator's initial state: projects with regions and zones, networks with subnetworks, GKE
 * clusters whose nodes are instances labelled as GKE labels them (each with its boot disk), and
 * free disks to snapshot.
 */
import { createHash } from 'node:crypto';
import { addressInCidr } from './cidr.js';
import { MACHINE_TYPES } from './compute.js';
import type { ResourcePath, Scope } from './links.js';
import { API_BASE, locationLink, regionOfZone, selfLink } from './links.js';
import type { GceResource, GceStore } from './store.js';

/** A GKE cluster's node pool to seed as instances. */
export interface SeedNodePool {
  readonly cluster: string;
  readonly pool: string;
  readonly machineType: string;
  /** Zones the nodes spread over (round robin). */
  readonly zones: readonly string[];
  readonly count: number;
  readonly network: string;
  readonly subnetwork: string;
}

/** One project's seed. */
export interface SeedProject {
  readonly id: string;
  /** Regions and their zones (default: europe-west1, us-central1, us-east1, asia-east1). */
  readonly regions?: readonly { readonly name: string; readonly zones: readonly string[] }[];
  readonly networks?: readonly {
    readonly name: string;
    readonly subnets: readonly { readonly name: string; readonly region: string; readonly cidr: string }[];
  }[];
  readonly nodePools?: readonly SeedNodePool[];
  readonly disks?: readonly { readonly name: string; readonly zone: string; readonly sizeGb: number }[];
}

export const DEFAULT_REGIONS = [
  { name: 'europe-west1', zones: ['europe-west1-b', 'europe-west1-c', 'europe-west1-d'] },
  { name: 'us-central1', zones: ['us-central1-a', 'us-central1-b', 'us-central1-c', 'us-central1-f'] },
  { name: 'us-east1', zones: ['us-east1-b', 'us-east1-c', 'us-east1-d'] },
  { name: 'asia-east1', zones: ['asia-east1-a', 'asia-east1-b', 'asia-east1-c'] },
];

const GLOBAL: Scope = { kind: 'global' };
const created = '2024-01-15T08:00:00.000-08:00';

function put(store: GceStore, path: ResourcePath, value: GceResource): GceResource {
  store.put(path, value);
  return value;
}

/** Writes one project's seed into the store. */
export function seedProject(store: GceStore, p: SeedProject): void {
  const regions = p.regions ?? DEFAULT_REGIONS;
  for (const r of regions) {
    put(
      store,
      { project: p.id, scope: GLOBAL, collection: 'regions', name: r.name },
      {
        kind: 'compute#region',
        id: store.newId(),
        creationTimestamp: created,
        name: r.name,
        description: r.name,
        status: 'UP',
        zones: r.zones.map((z) => `${API_BASE}projects/${p.id}/zones/${z}`),
        quotas: [{ metric: 'CPUS', limit: 2400, usage: 0 }],
        selfLink: locationLink(p.id, { kind: 'regions', name: r.name }),
        supportsPzs: false,
      },
    );
    for (const z of r.zones)
      put(
        store,
        { project: p.id, scope: GLOBAL, collection: 'zones', name: z },
        {
          kind: 'compute#zone',
          id: store.newId(),
          creationTimestamp: created,
          name: z,
          description: z,
          status: 'UP',
          region: locationLink(p.id, { kind: 'regions', name: r.name }),
          selfLink: locationLink(p.id, { kind: 'zones', name: z }),
          availableCpuPlatforms: ['Intel Cascade Lake', 'AMD Milan'],
          supportsPzs: false,
        },
      );
  }
  for (const n of p.networks ?? []) seedNetwork(store, p.id, n);
  for (const np of p.nodePools ?? []) seedNodePool(store, p.id, np);
  for (const d of p.disks ?? []) seedDisk(store, p.id, d.name, d.zone, d.sizeGb);
}

function seedNetwork(
  store: GceStore,
  project: string,
  n: NonNullable<SeedProject['networks']>[number],
): void {
  const netPath: ResourcePath = { project, scope: GLOBAL, collection: 'networks', name: n.name };
  const id = store.newId();
  const subnetLinks: string[] = [];
  for (const s of n.subnets) {
    const path: ResourcePath = {
      project,
      scope: { kind: 'regions', name: s.region },
      collection: 'subnetworks',
      name: s.name,
    };
    subnetLinks.push(selfLink(path));
    put(store, path, {
      kind: 'compute#subnetwork',
      id: store.newId(),
      creationTimestamp: created,
      name: s.name,
      network: selfLink(netPath),
      ipCidrRange: s.cidr,
      gatewayAddress: addressInCidr(s.cidr, 1),
      region: locationLink(project, { kind: 'regions', name: s.region }),
      privateIpGoogleAccess: false,
      fingerprint: 'Cd1M2OhrFLw=',
      purpose: 'PRIVATE',
      stackType: 'IPV4_ONLY',
      selfLink: selfLink(path),
    });
    const routeName = `default-route-${createHash('sha1').update(`${n.name}/${s.name}`).digest('hex').slice(0, 16)}`;
    const routePath: ResourcePath = { project, scope: GLOBAL, collection: 'routes', name: routeName };
    put(store, routePath, {
      kind: 'compute#route',
      id: store.newId(),
      creationTimestamp: created,
      name: routeName,
      description: `Default local route to the subnetwork ${s.cidr}.`,
      network: selfLink(netPath),
      destRange: s.cidr,
      priority: 0,
      nextHopNetwork: selfLink(netPath),
      routeType: 'SUBNET',
      selfLink: selfLink(routePath),
    });
  }
  put(store, netPath, {
    kind: 'compute#network',
    id,
    creationTimestamp: created,
    name: n.name,
    selfLink: selfLink(netPath),
    selfLinkWithId: `${API_BASE}projects/${project}/global/networks/${id}`,
    autoCreateSubnetworks: false,
    mtu: 1460,
    routingConfig: { routingMode: 'REGIONAL' },
    networkFirewallPolicyEnforcementOrder: 'AFTER_CLASSIC_FIREWALL',
    subnetworks: subnetLinks,
    peerings: [],
  });
}

function seedDisk(
  store: GceStore,
  project: string,
  name: string,
  zone: string,
  sizeGb: number,
  user?: string,
): string {
  const path: ResourcePath = { project, scope: { kind: 'zones', name: zone }, collection: 'disks', name };
  put(store, path, {
    kind: 'compute#disk',
    id: store.newId(),
    creationTimestamp: created,
    name,
    sizeGb: String(sizeGb),
    zone: locationLink(project, { kind: 'zones', name: zone }),
    status: 'READY',
    selfLink: selfLink(path),
    type: `${locationLink(project, { kind: 'zones', name: zone })}/diskTypes/pd-balanced`,
    labels: {},
    labelFingerprint: '42WmSpB8rSM=',
    physicalBlockSizeBytes: '4096',
    architecture: 'X86_64',
    ...(user ? { users: [user], lastAttachTimestamp: created } : {}),
  });
  return selfLink(path);
}

function seedNodePool(store: GceStore, project: string, np: SeedNodePool): void {
  if (!MACHINE_TYPES[np.machineType]) throw new Error(`seed: unknown machine type ${np.machineType}`);
  const network = `${API_BASE}projects/${project}/global/networks/${np.network}`;
  const region = regionOfZone(np.zones[0]!);
  const subnetPath: ResourcePath = {
    project,
    scope: { kind: 'regions', name: region },
    collection: 'subnetworks',
    name: np.subnetwork,
  };
  const subnet = store.get(subnetPath);
  if (!subnet) throw new Error(`seed: node pool ${np.pool} names a missing subnetwork ${np.subnetwork}`);
  const group = createHash('sha1').update(`${np.cluster}/${np.pool}`).digest('hex').slice(0, 8);
  const used = store.list(project, 'instances').length;
  for (let i = 0; i < np.count; i++) {
    const zone = np.zones[i % np.zones.length]!;
    const name = `gke-${np.cluster}-${np.pool}-${group}-${(i + 1).toString(36).padStart(4, 'x')}`.slice(
      0,
      63,
    );
    const path: ResourcePath = {
      project,
      scope: { kind: 'zones', name: zone },
      collection: 'instances',
      name,
    };
    const disk = seedDisk(store, project, name, zone, 100, selfLink(path));
    put(store, path, {
      kind: 'compute#instance',
      id: store.newId(),
      creationTimestamp: created,
      name,
      machineType: `${locationLink(project, { kind: 'zones', name: zone })}/machineTypes/${np.machineType}`,
      status: 'RUNNING',
      zone: locationLink(project, { kind: 'zones', name: zone }),
      canIpForward: true,
      networkInterfaces: [
        {
          kind: 'compute#networkInterface',
          name: 'nic0',
          network,
          subnetwork: selfLink(subnetPath),
          networkIP: addressInCidr(String(subnet.ipCidrRange), 2 + used + i),
          stackType: 'IPV4_ONLY',
          fingerprint: 'nSvDPW-5Nw0=',
        },
      ],
      disks: [
        {
          kind: 'compute#attachedDisk',
          type: 'PERSISTENT',
          mode: 'READ_WRITE',
          source: disk,
          deviceName: 'persistent-disk-0',
          index: 0,
          boot: true,
          autoDelete: true,
          diskSizeGb: '100',
        },
      ],
      labels: {
        'goog-k8s-cluster-name': np.cluster,
        'goog-k8s-node-pool-name': np.pool,
        'goog-k8s-cluster-location': region,
        'goog-gke-node': '',
      },
      labelFingerprint: 'Sgx8jF0nuTE=',
      metadata: { kind: 'compute#metadata', fingerprint: 'D6H3tJ0Yq0E=' },
      tags: { items: [`gke-${np.cluster}-${group}-node`], fingerprint: 'fK7bR9qKXHc=' },
      cpuPlatform: 'Intel Cascade Lake',
      selfLink: selfLink(path),
      fingerprint: 'T0hQ6Wb9s6A=',
      lastStartTimestamp: created,
    });
  }
}
