import type { PeeringJournal } from '../../../peering/orchestrate/types.js';
import type { LinkKind } from '../../../peering/plan/types.js';
import type { ControllerContext } from '../../controller/context.js';
import type { KubeObject, ObjectKey } from '../../resources/kube-object.js';
import type { Condition } from '../../resources/member-cluster.js';
import { updateStatusFresh } from '../../store/status-update.js';
import type { GatewayPathHealth } from './gateway-path.js';

/** One tunnel of a link as the provider reports it. */
export interface TunnelHealth {
  readonly cluster: string;
  readonly outsideIp: string;
  readonly status: 'up' | 'down' | 'unknown';
  readonly message?: string;
  readonly lastStatusChange?: string;
  /** Bytes through the tunnel as the provider reports them (Azure does; AWS and GCP do not). */
  readonly ingressBytes?: number;
  readonly egressBytes?: number;
}

/** What the peering controller records in a Peering's status. */
export interface PeeringStatus extends Partial<PeeringJournal> {
  readonly observedGeneration?: number;
  readonly link?: { readonly kind: LinkKind; readonly why: string };
  /** The key rotation the tunnels were set up with. */
  readonly keyRotation?: string;
  readonly tunnels?: readonly TunnelHealth[];
  readonly lastHealthCheck?: string;
  /** The path through the two clusters' east-west gateways as the health reads measure it. */
  readonly gatewayPath?: GatewayPathHealth;
  readonly conditions?: readonly Condition[];
}

/** A Peering as stored. */
export type PeeringObject = KubeObject & {
  spec: { clusters: [string, string]; type: 'Auto' | 'NativePeering' | 'IPsecVPN'; keyRotation?: string };
  status?: PeeringStatus;
};

/** Compare-and-set of a Peering's status, recomputed from a fresh read on conflict. */
export function updatePeeringStatus(
  ctx: ControllerContext,
  key: ObjectKey,
  change: (prev: PeeringStatus, obj: PeeringObject) => PeeringStatus,
): Promise<PeeringObject | undefined> {
  return updateStatusFresh<PeeringObject>(ctx.store, key, (obj) => change(obj.status ?? {}, obj));
}

/** The Ready condition, keeping its transition time while its status holds. */
export function readyCondition(
  prev: readonly Condition[] | undefined,
  status: Condition['status'],
  reason: string,
  message: string,
  now: string,
  generation?: number,
): Condition[] {
  const old = prev?.find((c) => c.type === 'Ready');
  return [
    ...(prev ?? []).filter((c) => c.type !== 'Ready'),
    {
      type: 'Ready',
      status,
      reason,
      message,
      lastTransitionTime: old?.status === status ? old.lastTransitionTime : now,
      ...(generation === undefined ? {} : { observedGeneration: generation }),
    },
  ];
}
