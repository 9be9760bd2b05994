/**
 * The effect of a dry-run apply that changes PlacementPolicies: which templates would move, become
 * unschedulable, or lose replicas. Computed by the what-if engine (`placement/simulate/`, in the
 * simulation worker thread) on the current state with the applied policies (and templates of the
 * same apply) as the proposal, so it says exactly what the placement controller would do.
 */
import { z } from 'zod';
import type { TemplateWhatIf } from '../../../placement/index.js';
import { PLACEMENT_POLICY_TYPE } from '../../resources/kinds.js';
import type { KubeObject } from '../../resources/kube-object.js';
import type { ValidatedObject } from '../../resources/validate.js';
import type { ResourceStore } from '../../store/resource-store.js';
import { readCurrentState } from '../simulation.js';
import type { SimulationRunner } from '../simulation-runner.js';

const target = z.object({ name: z.string(), replicas: z.number().optional() });
const templateRef = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
});

/** The schema of the effect in the apply answer. */
export const applyEffectSchema = z
  .object({
    templates: z.number().describe('templates simulated'),
    move: z
      .array(z.object({ template: templateRef, before: z.array(target), after: z.array(target) }))
      .describe('templates whose clusters or replicas would change (and stay placed)'),
    unschedulable: z
      .array(
        z.object({
          template: templateRef,
          reason: z.string(),
          message: z.string(),
          kept: z.array(target).describe('the current placement, kept until it can be scheduled'),
        }),
      )
      .describe('templates that would become unschedulable (or lose their policy)'),
    loseReplicas: z
      .array(z.object({ template: templateRef, before: z.number(), after: z.number() }))
      .describe('templates that would run fewer replicas (or copies) than now'),
  })
  .describe('what the dry run would do to the placement of templates (policies in the apply)');

/** What a dry-run apply of policies would do. */
export type ApplyEffect = z.infer<typeof applyEffectSchema>;

/** Whether the apply changes placement inputs whose effect a dry run reports. */
export function hasPolicies(valid: readonly ValidatedObject[]): boolean {
  return valid.some((v) => v.key.type === PLACEMENT_POLICY_TYPE);
}

/** Simulates the policies (and templates) of a dry-run apply against the current state. */
export async function applyEffect(
  store: ResourceStore,
  runner: SimulationRunner,
  valid: readonly ValidatedObject[],
  now: number,
): Promise<ApplyEffect> {
  const policies: KubeObject[] = [];
  const templates: KubeObject[] = [];
  for (const v of valid) {
    if (v.key.type === PLACEMENT_POLICY_TYPE) policies.push(v.object);
    else if (v.isTemplate) templates.push(v.object);
  }
  const state = await readCurrentState(store);
  const r = await runner.run(state, { policies, ...(templates.length > 0 ? { templates } : {}) }, now);
  return effectOf(r.templates);
}

/** Sorts a simulation's templates into what moves, what becomes unschedulable, what loses replicas. */
export function effectOf(templates: readonly TemplateWhatIf[]): ApplyEffect {
  const effect: ApplyEffect = { templates: templates.length, move: [], unschedulable: [], loseReplicas: [] };
  for (const t of templates) {
    const template = {
      apiVersion: t.template.apiVersion,
      kind: t.template.kind,
      namespace: t.template.namespace,
      name: t.template.name,
    };
    if (t.becomesUnschedulable) {
      effect.unschedulable.push({
        template,
        reason: t.after.reason ?? t.after.status,
        message: t.after.message ?? '',
        kept: t.after.kept ? t.after.clusters : [],
      });
    } else if (t.changed && t.after.clusters.length > 0) {
      effect.move.push({ template, before: t.before.clusters, after: t.after.clusters });
    }
    const count = (cs: readonly { replicas?: number }[]) => cs.reduce((n, c) => n + (c.replicas ?? 1), 0);
    const before = count(t.before.clusters);
    const after = count(t.after.clusters);
    if (after < before) effect.loseReplicas.push({ template, before, after });
  }
  return effect;
}
