/**
 * The server side of `fedgate simulate`: reads the current state (fleet, policies, templates and
 * the Bindings' decisions) from the store, validates a proposal (policies, optionally a fleet and
 * templates) with the same per-kind schemas as apply, and runs the pure what-if of placement/.
 * Reads only: a simulation writes nothing. The what-if itself runs in a worker thread.
 */
import { z } from 'zod';
import {
  type ClusterSnapshot,
  type CurrentPlacement,
  type PlacementPolicySpec,
  type PolicyInfo,
  templateInfoFromManifest,
  type WhatIfProposal,
  type WhatIfResult,
  type WhatIfState,
} from '../../placement/index.js';
import { FedgateError, type FieldIssue } from '../errors/fedgate-error.js';
import { type MemberClusterObject, toClusterSnapshot } from '../reconcile/cluster-snapshot.js';
import type { BindingSpec } from '../resources/binding.js';
import { cloudInstanceGroupSchema } from '../resources/cloud-side.js';
import { BINDING_TYPE, MEMBER_CLUSTER_TYPE, PLACEMENT_POLICY_TYPE } from '../resources/kinds.js';
import type { MemberClusterStatus } from '../resources/member-cluster.js';
import { isFedgateType, parseTypeKey } from '../resources/resource-type.js';
import { type ValidatedObject, validateObject, zodIssues } from '../resources/validate.js';
import type { ResourceStore } from '../store/resource-store.js';

/** The request of a simulation, as the API takes it. */
export interface SimulationRequest {
  readonly policies: readonly unknown[];
  readonly removePolicies?: readonly string[];
  readonly fleet?: readonly unknown[];
  readonly templates?: readonly unknown[];
  /** Include each template's explanation of the proposed decision. */
  readonly explain?: boolean;
}

/** A simulation's answer: the what-if result and the store version it was computed on. */
export type SimulationAnswer = WhatIfResult & { resourceVersion: string };

const resourcesSchema = z.object({
  cpuMilli: z.number().nonnegative(),
  memoryBytes: z.number().nonnegative(),
  pods: z.number().nonnegative(),
});

/** The parts of a MemberCluster status a simulated fleet may give; other status fields are ignored. */
const simulatedStatusSchema = z.looseObject({
  conditions: z
    .array(
      z.looseObject({
        type: z.string().min(1),
        status: z.enum(['True', 'False', 'Unknown']),
        reason: z.string().default(''),
        message: z.string().default(''),
        lastTransitionTime: z.iso.datetime().default('1970-01-01T00:00:00Z'),
      }),
    )
    .default([]),
  allocatable: resourcesSchema.optional(),
  available: resourcesSchema.optional(),
  /** Cloud inventory: the instances by zone and type price the cluster and cap its capacity. */
  cloud: z.looseObject({ instances: z.array(cloudInstanceGroupSchema).max(10_000).optional() }).optional(),
});

/**
 * A cluster given without status is taken as Ready (with unknown capacity) unless the store knows
 * it; a status without a Ready condition gets this one added.
 */
const ASSUMED_READY: MemberClusterStatus = {
  conditions: [
    {
      type: 'Ready',
      status: 'True',
      reason: 'Simulated',
      message: 'assumed ready for the simulation',
      lastTransitionTime: '1970-01-01T00:00:00Z',
    },
  ],
};

/** Reads the current state from the store (several list calls; versions may advance in between). */
export async function readCurrentState(
  store: ResourceStore,
): Promise<WhatIfState & { resourceVersion: string; clusters: ReadonlyMap<string, MemberClusterObject> }> {
  const resourceVersion = await store.currentResourceVersion();
  const [mcs, pps, bindings, types] = await Promise.all([
    store.list(MEMBER_CLUSTER_TYPE),
    store.list(PLACEMENT_POLICY_TYPE),
    store.list(BINDING_TYPE),
    store.types(),
  ]);
  const templateTypes = types.filter((t) => !isFedgateType(parseTypeKey(t)));
  const lists = await Promise.all(templateTypes.map((t) => store.list(t)));
  const clusters = new Map(mcs.items.map((mc) => [mc.metadata.name, mc as MemberClusterObject]));
  return {
    resourceVersion,
    version: resourceVersion,
    clusters,
    fleet: [...clusters.values()].map(toClusterSnapshot),
    policies: pps.items.map((p) => ({
      name: p.metadata.name,
      spec: p.spec as PlacementPolicySpec,
      ...(p.metadata.resourceVersion ? { resourceVersion: p.metadata.resourceVersion } : {}),
    })),
    templates: lists.flatMap((l) => l.items),
    placements: bindings.items.map((b): CurrentPlacement => {
      const spec = b.spec as BindingSpec;
      return {
        apiVersion: spec.resource.apiVersion,
        kind: spec.resource.kind,
        namespace: spec.resource.namespace,
        name: spec.resource.name,
        ...(spec.policy ? { policy: spec.policy } : {}),
        clusters: spec.clusters,
      };
    }),
  };
}

/** The current state a simulation starts from, as read by `readCurrentState`. */
export type CurrentState = Awaited<ReturnType<typeof readCurrentState>>;

/**
 * Validates `req` against `state` and returns the proposal to simulate (linear in the input; the
 * simulation itself, far heavier, runs in a worker thread: see simulation-runner.ts). Bad input:
 * `Invalid` (422) with field paths.
 */
export function proposalOf(state: CurrentState, req: SimulationRequest): WhatIfProposal {
  const issues: FieldIssue[] = [];
  const policies = validateKind(req.policies, 'policies', 'PlacementPolicy', issues);
  const fleetObjects =
    req.fleet === undefined ? undefined : validateKind(req.fleet, 'fleet', 'MemberCluster', issues);
  const templates = req.templates === undefined ? undefined : validateTemplates(req.templates, issues);
  const statuses = req.fleet === undefined ? [] : fleetStatuses(req.fleet, issues);
  if (issues.length > 0) throw invalid(issues);
  const unknown = (req.removePolicies ?? []).filter((n) => !state.policies.some((p) => p.name === n));
  if (unknown.length > 0) {
    throw invalid(
      unknown.map((n) => ({
        path: `removePolicies[${req.removePolicies!.indexOf(n)}]`,
        message: `no PlacementPolicy ${n}`,
      })),
    );
  }
  return {
    policies: policies.map(
      (v): PolicyInfo => ({ name: v.object.metadata.name, spec: v.object.spec as PlacementPolicySpec }),
    ),
    ...(req.removePolicies ? { removePolicies: req.removePolicies } : {}),
    ...(fleetObjects ? { fleet: simulatedFleet(fleetObjects, statuses, state.clusters) } : {}),
    ...(templates ? { templates: templates.map((t) => t.object) } : {}),
  };
}

function invalid(issues: readonly FieldIssue[]): FedgateError {
  const summary = issues
    .slice(0, 5)
    .map((p) => `${p.path}: ${p.message}`)
    .join('; ');
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
  return new FedgateError('Invalid', `nothing simulated: ${summary}${more}`, issues);
}

/** Validates one item with apply's rules, adding its problems under `field[i].` to `issues`. */
function validateOne(item: unknown, at: string, issues: FieldIssue[]): ValidatedObject | undefined {
  try {
    return validateObject(item);
  } catch (err) {
    if (!(err instanceof FedgateError)) throw err;
    if (err.fields.length === 0) {
      const m = /^([^:\s]+): (.*)$/s.exec(err.message);
      issues.push(m ? { path: `${at}.${m[1]}`, message: m[2]! } : { path: at, message: err.message });
    }
    for (const f of err.fields)
      issues.push({ path: f.path === '.' ? at : `${at}.${f.path}`, message: f.message });
    return undefined;
  }
}

function validateKind(
  items: readonly unknown[],
  field: string,
  kind: 'PlacementPolicy' | 'MemberCluster',
  issues: FieldIssue[],
): ValidatedObject[] {
  const out: ValidatedObject[] = [];
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const at = `${field}[${i}]`;
    const v = validateOne(item, at, issues);
    if (v === undefined) return;
    if (v.object.kind !== kind || v.isTemplate) {
      issues.push({
        path: `${at}.kind`,
        message: `must be a ${kind} (policies go in policies, MemberClusters in fleet, manifests in templates)`,
      });
      return;
    }
    if (seen.has(v.key.name))
      issues.push({ path: `${at}.metadata.name`, message: `duplicate ${kind} ${v.key.name}` });
    seen.add(v.key.name);
    out.push(v);
  });
  return out;
}

function validateTemplates(items: readonly unknown[], issues: FieldIssue[]): ValidatedObject[] {
  const out: ValidatedObject[] = [];
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const at = `templates[${i}]`;
    const v = validateOne(item, at, issues);
    if (v === undefined) return;
    if (!v.isTemplate) {
      issues.push({
        path: `${at}.kind`,
        message: `${v.object.kind} is a fedgate kind, not a workload template`,
      });
      return;
    }
    try {
      templateInfoFromManifest(v.object);
    } catch (err) {
      issues.push({ path: at, message: err instanceof Error ? err.message : String(err) });
      return;
    }
    const key = `${v.key.type}/${v.key.namespace}/${v.key.name}`;
    if (seen.has(key)) issues.push({ path: `${at}.metadata.name`, message: `duplicate template ${key}` });
    seen.add(key);
    out.push(v);
  });
  return out;
}

/** The status each fleet item gives (validated), aligned with the items; undefined when absent. */
function fleetStatuses(items: readonly unknown[], issues: FieldIssue[]): (MemberClusterStatus | undefined)[] {
  return items.map((item, i) => {
    const status = (item as { status?: unknown } | null)?.status;
    if (status === undefined || status === null) return undefined;
    const r = simulatedStatusSchema.safeParse(status);
    if (!r.success) {
      issues.push(...zodIssues(r.error, `fleet[${i}].status`));
      return undefined;
    }
    return r.data as MemberClusterStatus;
  });
}

function simulatedFleet(
  objects: readonly ValidatedObject[],
  statuses: readonly (MemberClusterStatus | undefined)[],
  stored: ReadonlyMap<string, MemberClusterObject>,
): ClusterSnapshot[] {
  // Called only when every item was valid, so `objects` and `statuses` are aligned.
  return objects.map((o, i) => {
    // No status given: what the store observed of the same cluster, else assumed ready. A status
    // without a Ready condition (capacity only) is assumed ready too: it says nothing to the contrary.
    const given = statuses[i];
    const status =
      given === undefined
        ? (stored.get(o.key.name)?.status ?? ASSUMED_READY)
        : given.conditions.some((c) => c.type === 'Ready')
          ? given
          : { ...given, conditions: [...given.conditions, ...ASSUMED_READY.conditions] };
    return toClusterSnapshot({ ...o.object, status } as MemberClusterObject);
  });
}
