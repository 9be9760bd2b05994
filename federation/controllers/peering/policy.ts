import { PeeringPlanError } from '../../../peering/plan/errors.js';
import { defaultCostModel } from '../../../placement/model/cost-model.js';
import type { ControllerContext } from '../../controller/context.js';
import { FedgateError } from '../../errors/fedgate-error.js';
import type { MemberClusterObject } from '../../reconcile/cluster-snapshot.js';
import {
  FEDGATE_API_VERSION,
  MEMBER_CLUSTER_TYPE,
  PEERING_POLICY_TYPE,
  PEERING_TYPE,
} from '../../resources/kinds.js';
import type { KubeObject } from '../../resources/kube-object.js';
import { type PeeringPolicySpec, peeringPolicySpecSchema } from '../../resources/peering.js';
import { peeringNameFor, planFleet } from './plan-fleet.js';
import { readyCondition } from './status.js';
import { type LinkView, planSwitchOver } from './switch-over.js';

/** The label on Peerings a policy made, naming the policy. */
export const POLICY_LABEL = 'fedgate.dev/peering-policy';

/**
 * Keeps one Peering per link the policy's plan has (gateway-only pairs too, so `get peerings`
 * shows them), deletes the Peerings it made that the plan no longer has once the new paths of
 * their clusters are Ready (make-before-break, bounded by SWITCH_TIMEOUT_MS), and records the
 * plan's topology, monthly cost and any switch-over in the policy's status.
 */
/** What one plan of a policy did; `recheckAfterMs` while a switch-over waits for new links. */
export interface ExpandResult {
  readonly outcome: string;
  readonly recheckAfterMs?: number;
}

export async function expandPolicy(name: string, ctx: ControllerContext): Promise<ExpandResult> {
  const key = { type: PEERING_POLICY_TYPE, namespace: '', name };
  const policy = await ctx.store.get(key);
  if (!policy) return { outcome: 'Deleted' };
  const spec = peeringPolicySpecSchema.parse(policy.spec) as PeeringPolicySpec;
  const { items } = await ctx.store.list(MEMBER_CLUSTER_TYPE);
  const now = new Date(ctx.clock.now()).toISOString();
  let plan: ReturnType<typeof planFleet>;
  try {
    plan = planFleet(items as MemberClusterObject[], spec, defaultCostModel);
  } catch (err) {
    if (!(err instanceof PeeringPlanError)) throw err;
    await ctx.store.updateStatus(key, {
      ...(policy.status as object),
      conditions: readyCondition(
        (policy.status as { conditions?: [] })?.conditions,
        'False',
        `Plan${err.code}`,
        err.message,
        now,
      ),
    });
    return { outcome: 'NotPlanned' };
  }
  const wanted = new Map(plan.links.map((l) => [peeringNameFor(l.a, l.b), l]));
  const { items: existing } = await ctx.store.list(PEERING_TYPE, {
    labelSelector: `${POLICY_LABEL}=${name}`,
  });
  for (const [peering, link] of wanted) {
    await ctx.store.apply(
      { type: PEERING_TYPE, namespace: '', name: peering },
      {
        apiVersion: FEDGATE_API_VERSION,
        kind: 'Peering',
        metadata: { name: peering, labels: { [POLICY_LABEL]: name } },
        spec: { clusters: [link.a, link.b], type: 'Auto' },
      },
    );
  }
  // Make-before-break: links the plan dropped go only once the new paths of their clusters are Ready.
  const view = (p: KubeObject): LinkView => ({
    name: p.metadata.name,
    clusters: (p.spec as { clusters: [string, string] }).clusters,
    ready: isReady(p),
  });
  const stale = existing.filter((p) => !wanted.has(p.metadata.name)).map(view);
  const byName = new Map(existing.map((p) => [p.metadata.name, p]));
  const keep = [...wanted].map(([peering, link]): LinkView => {
    const seen = byName.get(peering);
    return seen ? view(seen) : { name: peering, clusters: [link.a, link.b], ready: false };
  });
  const switchOver = planSwitchOver(stale, keep);
  for (const old of switchOver.retire)
    await ctx.store.delete({ type: PEERING_TYPE, namespace: '', name: old }).catch(ignoreNotFound);
  const prevStatus = (policy.status ?? {}) as { switchingSince?: string };
  const switchingSince = switchOver.waiting.length === 0 ? undefined : (prevStatus.switchingSince ?? now);
  const stalled =
    switchingSince !== undefined && ctx.clock.now() - Date.parse(switchingSince) > SWITCH_TIMEOUT_MS;
  const waitingFor = switchOver.waiting.map((w) => `${w.name} waits for ${w.waitsFor.join(', ')}`).join('; ');
  const planned = `${plan.topology}${plan.hub ? ` through ${plan.hub}` : ''}: ${plan.links.length} links, $${plan.monthlyCost.total}/month`;
  const message =
    switchOver.waiting.length === 0
      ? planned
      : stalled
        ? `${planned}; switch-over stalled: the new paths are not Ready after ${SWITCH_TIMEOUT_MS / 60_000} min, the old links stay (${waitingFor})`
        : `${planned}; switching over: ${waitingFor}`;
  await ctx.store.updateStatus(key, {
    ...(switchingSince ? { switchingSince } : {}),
    ...(switchOver.waiting.length > 0 ? { retiring: switchOver.waiting.map((w) => w.name) } : {}),
    topology: plan.topology,
    ...(plan.hub ? { hub: plan.hub } : {}),
    why: plan.why,
    links: plan.links.length,
    monthlyCost: plan.monthlyCost,
    globalAddresses: plan.globalAddresses,
    overlaps: plan.overlaps.length,
    conditions: readyCondition(
      (policy.status as { conditions?: [] })?.conditions,
      stalled ? 'False' : 'True',
      stalled ? 'SwitchOverStalled' : switchOver.waiting.length > 0 ? 'SwitchingOver' : 'Planned',
      message,
      now,
    ),
  });
  // While old links wait for the new ones, plan again soon; past the bound, at the periodic re-plan.
  if (switchOver.waiting.length > 0 && !stalled)
    return { outcome: 'SwitchingOver', recheckAfterMs: SWITCH_RECHECK_MS };
  return { outcome: stalled ? 'SwitchOverStalled' : 'Planned' };
}

/** How long dropped links wait for the new paths before the switch-over is reported stalled. */
export const SWITCH_TIMEOUT_MS = 15 * 60_000;
const SWITCH_RECHECK_MS = 5_000;

function isReady(p: KubeObject): boolean {
  const conditions = (p.status as { conditions?: { type: string; status: string }[] } | undefined)
    ?.conditions;
  return conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function ignoreNotFound(err: unknown): void {
  if (!(err instanceof FedgateError && err.code === 'NotFound')) throw err;
}
