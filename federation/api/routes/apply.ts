import { isDeepStrictEqual } from 'node:util';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type ErrorCode, FedgateError, type FieldIssue, isFedgateError } from '../../errors/fedgate-error.js';
import type { KubeObject } from '../../resources/kube-object.js';
import { type ValidatedObject, validateObject } from '../../resources/validate.js';
import type { ResourceStore } from '../../store/resource-store.js';
import { authorize, objectAccess } from '../auth.js';
import { errorBodySchema } from '../errors.js';
import { booleanQuery } from '../schemas.js';
import type { SimulationRunner } from '../simulation-runner.js';
import { resolveUrlType } from '../types.js';
import { applyEffect, applyEffectSchema, hasPolicies } from './apply-effect.js';

/** Options of the apply route. */
export interface ApplyRoutesProps {
  readonly store: ResourceStore;
  /** Runs the what-if of a dry run that changes policies (its `effect`); without it, no effect. */
  readonly runner?: SimulationRunner;
  /** The clock decisions are taken at (epoch ms). Default `Date.now`. */
  readonly now?: () => number;
}

const applyBodySchema = z
  .object({
    items: z
      .array(z.unknown())
      .max(10_000)
      .describe('objects to create or update: fedgate kinds and plain Kubernetes manifests'),
  })
  .meta({ id: 'ApplyRequest' });

const applyResultSchema = z
  .object({
    items: z.array(
      z.object({
        type: z.string(),
        namespace: z.string(),
        name: z.string(),
        action: z.string().describe("created | configured | unchanged, with ' (dry run)' on a dry run"),
        resourceVersion: z.string().optional(),
        generation: z.number().optional(),
      }),
    ),
    effect: applyEffectSchema.optional(),
  })
  .meta({ id: 'ApplyResult' });

/** One line of the apply answer. */
export type ApplyResultItem = z.infer<typeof applyResultSchema>['items'][number];

/**
 * `POST /apply`: validates every item first and writes nothing unless all are valid, then creates
 * or updates each. With `?dryRun=true` it compares with what is stored and writes nothing, and
 * when PlacementPolicies are among the items says what they would do to the placement of templates
 * (`effect`: what would move, become unschedulable or lose replicas).
 */
export const applyRoutes: FastifyPluginAsyncZod<ApplyRoutesProps> = async (app, { store, runner, now }) => {
  app.post(
    '/apply',
    {
      schema: {
        summary: 'Create or update many objects at once (all validated before any is written)',
        tags: ['apply'],
        querystring: z.object({ dryRun: booleanQuery.describe('validate and report only; write nothing') }),
        body: applyBodySchema,
        response: {
          200: applyResultSchema,
          400: errorBodySchema,
          403: errorBodySchema,
          422: errorBodySchema,
        },
      },
    },
    async (req) => {
      const valid = validateAll(req.body.items);
      authorizeAll(req, valid);
      const refOf = (v: ValidatedObject) => ({
        type: v.key.type,
        namespace: v.key.namespace,
        name: v.key.name,
      });
      const items: ApplyResultItem[] = [];
      if (req.query.dryRun) {
        for (const v of valid)
          items.push({ ...refOf(v), action: `${await dryRunAction(store, v)} (dry run)` });
        if (runner && hasPolicies(valid))
          return { items, effect: await applyEffect(store, runner, valid, (now ?? Date.now)()) };
        return { items };
      }
      // In order, pipelined: a request of many objects costs a few round trips, not two per object.
      const applied = await store.applyMany(valid.map((v) => ({ key: v.key, object: v.object })));
      for (const [i, { object, action }] of applied.entries()) {
        items.push({
          ...refOf(valid[i]!),
          action,
          ...(object.metadata.resourceVersion ? { resourceVersion: object.metadata.resourceVersion } : {}),
          ...(object.metadata.generation === undefined ? {} : { generation: object.metadata.generation }),
        });
      }
      return { items };
    },
  );
};

/** Validates every item, collecting all problems (paths prefixed `[i].`) into one error. */
export function validateAll(items: readonly unknown[]): ValidatedObject[] {
  const out: ValidatedObject[] = [];
  const problems: FieldIssue[] = [];
  const codes = new Set<ErrorCode>();
  items.forEach((item, i) => {
    try {
      out.push(validateObject(item, i));
    } catch (err) {
      if (!(err instanceof FedgateError)) throw err;
      codes.add(err.code);
      if (err.fields.length > 0) problems.push(...err.fields);
      else {
        // e.g. Forbidden "[3].kind: Binding objects are written by the control plane only"
        const m = /^(\[\d+\][^:\s]*): (.*)$/s.exec(err.message);
        problems.push(m ? { path: m[1]!, message: m[2]! } : { path: `[${i}]`, message: err.message });
      }
    }
  });
  if (problems.length > 0) {
    const code = codes.size === 1 ? [...codes][0]! : 'Invalid';
    const summary = problems
      .slice(0, 5)
      .map((p) => (p.message.startsWith(p.path) ? p.message : `${p.path}: ${p.message}`))
      .join('; ');
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
    throw new FedgateError(code, `nothing applied: ${summary}${more}`, problems);
  }
  return out;
}

/** Refuses the whole apply (403, nothing written) when the caller may not write one of the objects. */
function authorizeAll(req: FastifyRequest, valid: readonly ValidatedObject[]): void {
  const refused: FieldIssue[] = [];
  valid.forEach((v, i) => {
    try {
      const t = resolveUrlType(v.key.type);
      authorize(req, objectAccess('write', t, v.key.namespace, v.key.name));
    } catch (err) {
      if (!isFedgateError(err, 'Forbidden')) throw err;
      refused.push({ path: `[${i}]`, message: err.message });
    }
  });
  if (refused.length === 0) return;
  const more = refused.length > 1 ? ` (and ${refused.length - 1} more)` : '';
  throw new FedgateError('Forbidden', `nothing applied: ${refused[0]!.message}${more}`, refused);
}

/** What applying would do, compared on the user-owned parts (status and server metadata ignored). */
async function dryRunAction(store: ResourceStore, v: ValidatedObject): Promise<string> {
  const cur = await store.get(v.key);
  if (cur === undefined) return 'created';
  return isDeepStrictEqual(userOwned(cur), userOwned(v.object)) ? 'unchanged' : 'configured';
}

function userOwned(o: KubeObject): unknown {
  const { status: _s, metadata, ...rest } = o;
  const { uid: _u, resourceVersion: _r, generation: _g, creationTimestamp: _c, ...meta } = metadata;
  return { ...rest, metadata: meta };
}
