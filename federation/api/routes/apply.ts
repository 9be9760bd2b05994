import { isDeepStrictEqual } from 'node:util';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type ErrorCode, FedgateError, type FieldIssue } from '../../errors/fedgate-error.js';
import type { KubeObject } from '../../resources/kube-object.js';
import { type ValidatedObject, validateObject } from '../../resources/validate.js';
import type { ResourceStore } from '../../store/resource-store.js';
import { errorBodySchema } from '../errors.js';
import { booleanQuery } from '../schemas.js';

/** Options of the apply route. */
export interface ApplyRoutesProps {
  readonly store: ResourceStore;
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
  })
  .meta({ id: 'ApplyResult' });

/** One line of the apply answer. */
export type ApplyResultItem = z.infer<typeof applyResultSchema>['items'][number];

/**
 * `POST /apply`: validates every item first and writes nothing unless all are valid, then creates
 * or updates each. With `?dryRun=true` it compares with what is stored and writes nothing.
 */
export const applyRoutes: FastifyPluginAsyncZod<ApplyRoutesProps> = async (app, { store }) => {
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
      const items: ApplyResultItem[] = [];
      for (const v of valid) {
        const ref = { type: v.key.type, namespace: v.key.namespace, name: v.key.name };
        if (req.query.dryRun) {
          items.push({ ...ref, action: `${await dryRunAction(store, v)} (dry run)` });
          continue;
        }
        const { object, action } = await store.apply(v.key, v.object);
        items.push({
          ...ref,
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
