/**
 * Regions, zones, machine types and instances (the nodes of GKE clusters, labelled
 * `goog-k8s-cluster-name` and `goog-k8s-node-pool-name` as GKE labels them). Read-only: the
 * simulator's seed makes them.
 */
import type { CollectionDef } from './collections.js';
import { API_BASE } from './links.js';
import type { GceResource } from './store.js';

/** Machine types every zone offers: vCPUs and memory (MiB), as GCE publishes them. */
export const MACHINE_TYPES: Readonly<Record<string, { cpus: number; memoryMb: number; shared?: boolean }>> = {
  'e2-medium': { cpus: 2, memoryMb: 4096, shared: true },
  'e2-standard-2': { cpus: 2, memoryMb: 8192 },
  'e2-standard-4': { cpus: 4, memoryMb: 16384 },
  'e2-standard-8': { cpus: 8, memoryMb: 32768 },
  'n2-standard-4': { cpus: 4, memoryMb: 16384 },
  'n2-standard-8': { cpus: 8, memoryMb: 32768 },
  'n2-highmem-4': { cpus: 4, memoryMb: 32768 },
  'c3-standard-8': { cpus: 8, memoryMb: 32768 },
};

/** Regions (seeded). */
export const regions: CollectionDef = { name: 'regions', scope: 'global', kind: 'compute#region' };

/** Zones (seeded). */
export const zones: CollectionDef = { name: 'zones', scope: 'global', kind: 'compute#zone' };

/** Machine types of a zone, generated from the catalogue (ids stable per zone and type). */
export const machineTypes: CollectionDef = {
  name: 'machineTypes',
  scope: 'zones',
  kind: 'compute#machineType',
  generated(ctx) {
    const zone = (ctx.scope as { name: string }).name;
    return Object.entries(MACHINE_TYPES).map(
      ([name, t], i): GceResource => ({
        kind: 'compute#machineType',
        id: String(801000 + i * 1000 + t.cpus),
        creationTimestamp: '1969-12-31T16:00:00.000-08:00',
        name,
        description: `${t.cpus} vCPU${t.cpus > 1 ? 's' : ''}, ${t.memoryMb / 1024} GB RAM`,
        guestCpus: t.cpus,
        memoryMb: t.memoryMb,
        imageSpaceGb: 0,
        maximumPersistentDisks: 128,
        maximumPersistentDisksSizeGb: '263168',
        zone,
        isSharedCpu: Boolean(t.shared),
        selfLink: `${API_BASE}projects/${ctx.project}/zones/${zone}/machineTypes/${name}`,
      }),
    );
  },
};

/** VM instances (seeded; GKE nodes among them). */
export const instances: CollectionDef = {
  name: 'instances',
  scope: 'zones',
  kind: 'compute#instance',
  aggregated: true,
};
