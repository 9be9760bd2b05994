import type { KubeObject } from '../../resources/kube-object.js';
import { type Column, cell, field } from './format.js';

/** What discovery wrote to `status.cloud` (see resources/cloud-side.ts), as far as the table needs it. */
interface CloudStatus {
  readonly zones?: Readonly<Record<string, { readonly instances?: number }>>;
  readonly instanceTypes?: Readonly<Record<string, number>>;
  readonly network?: { readonly name?: string; readonly cidrs?: readonly string[] };
}

const cloudOf = (o: KubeObject): CloudStatus | undefined =>
  field(o, 'status', 'cloud') as CloudStatus | undefined;

/**
 * The cloud inventory columns of `fedgate get clusters -o wide`: instances behind the nodes and
 * their types, the network and its CIDRs, and the CloudInventory condition (its reason when not True).
 */
export const CLOUD_INVENTORY_COLUMNS: readonly Column<KubeObject>[] = [
  {
    header: 'INSTANCES',
    value: (o) => {
      const zones = cloudOf(o)?.zones;
      return zones ? String(Object.values(zones).reduce((n, z) => n + (z.instances ?? 0), 0)) : '<none>';
    },
  },
  {
    header: 'INSTANCE-TYPES',
    value: (o) => {
      const types = cloudOf(o)?.instanceTypes;
      return types && Object.keys(types).length > 0
        ? Object.entries(types)
            .map(([t, n]) => `${t}×${n}`)
            .join(',')
        : '<none>';
    },
  },
  {
    header: 'NETWORK',
    value: (o) => {
      const net = cloudOf(o)?.network;
      return net ? `${net.name ?? '?'} ${(net.cidrs ?? []).join(',')}` : '<none>';
    },
  },
  {
    header: 'CLOUD-INVENTORY',
    value: (o) => {
      const conds = field(o, 'status', 'conditions');
      const c = Array.isArray(conds) ? conds.find((x) => field(x, 'type') === 'CloudInventory') : undefined;
      if (c === undefined) return field(o, 'spec', 'cloud') === undefined ? '<none>' : 'Unknown';
      const status = cell(field(c, 'status'));
      return status === 'True' ? 'True' : `${status} (${cell(field(c, 'reason'))})`;
    },
  },
];
