/**
 * One side of a what-if: every template scheduled on one fleet with one set of policies, the way
 * the placement reconciler does it (the Binding's decision as `previous`; dependencies follow the
 * workloads that reference them).
 */

import { decideBinding, keptOnFailure } from '../binding/decide.js';
import type { FleetSnapshot } from '../fleet/snapshot.js';
import type { Registry } from '../framework/registry.js';
import { schedule } from '../schedule/schedule.js';
import { dependencyReferrers } from '../template/dependencies.js';
import { templateInfoFromManifest } from '../template/info.js';
import type { KubeObject, PolicyInfo, ScheduleResult, TemplateInfo } from '../types.js';
import type { CurrentPlacement, SideOutcome, WhatIfProposal } from './types.js';

function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** Identity of a template across versions of its API group. */
export function templateKey(apiVersion: string, kind: string, namespace: string, name: string): string {
  return `${groupOf(apiVersion)}\u0000${kind}\u0000${namespace}\u0000${name}`;
}

/** Identity of a manifest (see templateKey). */
export function keyOfManifest(m: KubeObject): string {
  return templateKey(m.apiVersion, m.kind, m.metadata.namespace ?? '', m.metadata.name);
}

/** Proposed policies replace the same-named ones; a policy's resourceVersion is dropped so no stale compilation is reused. */
export function mergePolicies(current: readonly PolicyInfo[], proposal: WhatIfProposal): PolicyInfo[] {
  const out = new Map(current.map((p) => [p.name, p]));
  for (const n of proposal.removePolicies ?? []) out.delete(n);
  for (const p of proposal.policies ?? []) out.set(p.name, { name: p.name, spec: p.spec });
  return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Proposed templates replace those with the same identity; others are added. Sorted by identity. */
export function mergeTemplates(
  current: readonly KubeObject[],
  proposed: readonly KubeObject[] = [],
): KubeObject[] {
  const out = new Map(current.map((t) => [keyOfManifest(t), t]));
  for (const t of proposed) out.set(keyOfManifest(t), t);
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, t]) => t);
}

/** The inputs of one side: a fleet and the policies. */
export interface Side {
  fleet: FleetSnapshot;
  policies: readonly PolicyInfo[];
}

/** One template decided on one side. */
export interface Decided {
  manifest: KubeObject;
  info: TemplateInfo;
  result: ScheduleResult | undefined;
  outcome: SideOutcome;
}

function outcomeOf(r: ScheduleResult): SideOutcome {
  switch (r.status) {
    case 'Scheduled':
      return { status: 'Scheduled', policy: r.policy, clusters: r.clusters };
    case 'Unschedulable':
      return {
        status: 'Unschedulable',
        policy: r.policy,
        clusters: [],
        reason: r.reason,
        message: r.message,
      };
    default:
      return {
        status: 'NoMatchingPolicy',
        clusters: [],
        message: 'no PlacementPolicy selects this template',
      };
  }
}

/** Runs the scheduler for every template on one side, then lets dependencies follow their workloads. */
export function decideAll(
  templates: readonly KubeObject[],
  side: Side,
  previous: ReadonlyMap<string, CurrentPlacement>,
  opts: { now: number; registry?: Registry },
): Map<string, Decided> {
  const out = new Map<string, Decided>();
  for (const manifest of templates) {
    let info: TemplateInfo;
    try {
      info = templateInfoFromManifest(manifest);
    } catch (err) {
      // A malformed quantity in one stored template must not hide what happens to the others.
      const message = `the template cannot be read: ${err instanceof Error ? err.message : String(err)}`;
      out.set(keyOfManifest(manifest), {
        manifest,
        info: bareInfo(manifest),
        result: undefined,
        outcome: { status: 'Unschedulable', clusters: [], reason: 'InvalidTemplate', message },
      });
      continue;
    }
    const prev = previous.get(keyOfManifest(manifest));
    const result = schedule(
      {
        template: info,
        policies: side.policies,
        fleet: side.fleet,
        ...(prev
          ? { previous: { ...(prev.policy ? { policy: prev.policy } : {}), clusters: prev.clusters } }
          : {}),
        now: opts.now,
      },
      opts.registry ? { registry: opts.registry } : {},
    );
    // An unschedulable template keeps its current placement, as the placement controller keeps it.
    const kept = keptOnFailure(result, prev?.clusters, (c) => side.fleet.byName.has(c));
    const outcome = outcomeOf(result);
    out.set(keyOfManifest(manifest), {
      manifest,
      info,
      result,
      outcome: kept.length > 0 ? { ...outcome, clusters: [...kept], kept: true } : outcome,
    });
  }
  followWorkloads(out, side.policies);
  return out;
}

function bareInfo(m: KubeObject): TemplateInfo {
  return {
    apiVersion: m.apiVersion,
    kind: m.kind,
    namespace: m.metadata.namespace ?? 'default',
    name: m.metadata.name,
    labels: { ...(m.metadata.labels ?? {}) },
    dataBearing: false,
  };
}

/** Lets dependencies follow the workloads referencing them, by the Binding decision placement makes. */
function followWorkloads(decided: Map<string, Decided>, policies: readonly PolicyInfo[]): void {
  const propagate = new Map(policies.map((p) => [p.name, p.spec.propagateDependencies !== false]));
  const workloads = [...decided.values()]
    .filter(
      (d) => (d.outcome.status === 'Scheduled' || d.outcome.kept === true) && d.outcome.clusters.length > 0,
    )
    .map((d) => ({
      manifest: d.manifest,
      clusters: d.outcome.clusters,
      propagateDependencies: propagate.get(d.outcome.policy ?? '') ?? true,
    }));
  for (const dep of dependencyReferrers(workloads).values()) {
    const d = decided.get(templateKey(dep.ref.apiVersion, dep.ref.kind, dep.ref.namespace, dep.ref.name));
    if (d === undefined) continue;
    const binding = decideBinding({
      template: d.manifest,
      result: d.result,
      policies,
      referrers: dep.referrers.map((r) => ({
        name: `${r.owner.kind}/${r.owner.name}`,
        clusters: r.clusters,
      })),
    });
    if (binding.requiredBy.length === 0) continue;
    d.outcome =
      binding.placement === 'Scheduled'
        ? { ...d.outcome, clusters: [...binding.clusters] }
        : {
            status: 'FollowsWorkload',
            clusters: [...binding.clusters],
            message: `placed with ${binding.requiredBy.join(', ')}`,
          };
  }
}
