import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FedgateError } from '../../errors/fedgate-error.js';
import type { ObjectKey } from '../../resources/kube-object.js';
import { type ValidatedObject, validateObject } from '../../resources/validate.js';
import type { ResourceStore } from '../../store/resource-store.js';
import { authorize, objectAccess } from '../auth.js';
import { listWithClusterStatuses, withClusterStatuses } from '../bindings.js';
import { errorBodySchema } from '../errors.js';
import { kubeObjectSchema, listQuery, listSchema, nameParam, namespaceParam, typeParam } from '../schemas.js';
import { checkScope, resolveUrlType, type UrlType } from '../types.js';

/** Options of the object routes. */
export interface ObjectRoutesProps {
  readonly store: ResourceStore;
}

const errors = {
  400: errorBodySchema,
  403: errorBodySchema,
  404: errorBodySchema,
  409: errorBodySchema,
  422: errorBodySchema,
};

/**
 * CRUD of every kind under `/objects/:type` (cluster-scoped objects, and lists across namespaces)
 * and `/namespaces/:namespace/objects/:type` (namespaced objects).
 */
export const objectRoutes: FastifyPluginAsyncZod<ObjectRoutesProps> = async (app, { store }) => {
  for (const namespaced of [false, true]) {
    const base = namespaced ? '/namespaces/:namespace/objects/:type' : '/objects/:type';
    const tags = ['objects'];
    const collectionParams = namespaced
      ? z.object({ namespace: namespaceParam, type: typeParam })
      : z.object({ type: typeParam });
    const itemParams = namespaced
      ? z.object({ namespace: namespaceParam, type: typeParam, name: nameParam })
      : z.object({ type: typeParam, name: nameParam });
    const where = namespaced ? 'in a namespace' : 'cluster-scoped, or across all namespaces';

    app.get(
      base,
      {
        schema: {
          summary: `List objects of a type ${where}`,
          tags,
          params: collectionParams,
          querystring: listQuery,
          response: { 200: listSchema, 400: errorBodySchema, 403: errorBodySchema },
        },
      },
      async (req) => {
        const p = req.params as { type: string; namespace?: string };
        const t = resolveUrlType(p.type);
        if (p.namespace !== undefined) checkScope(t, p.namespace);
        authorize(req, objectAccess('read', t, p.namespace));
        const { items, resourceVersion } = await store.list(t.key, {
          ...(p.namespace === undefined ? {} : { namespace: p.namespace }),
          ...(req.query.labelSelector === undefined ? {} : { labelSelector: req.query.labelSelector }),
        });
        return {
          apiVersion: 'v1' as const,
          kind: 'List' as const,
          metadata: { resourceVersion },
          items: await listWithClusterStatuses(store, t.key, items),
        };
      },
    );

    app.post(
      base,
      {
        schema: {
          summary: `Create an object ${namespaced ? 'in a namespace' : '(cluster-scoped, or namespaced per its metadata)'}`,
          tags,
          params: collectionParams,
          body: kubeObjectSchema,
          response: { 201: kubeObjectSchema, ...errors },
        },
      },
      async (req, reply) => {
        const p = req.params as { type: string; namespace?: string };
        const t = resolveUrlType(p.type);
        if (p.namespace !== undefined) checkScope(t, p.namespace);
        const v = validateForUrl(t, req.body, p.namespace);
        authorize(req, objectAccess('write', t, v.key.namespace, v.key.name));
        const created = await store.create(v.key, v.object);
        return reply.code(201).send(created);
      },
    );

    app.get(
      `${base}/:name`,
      {
        schema: {
          summary: `Read one object ${namespaced ? 'in a namespace' : '(cluster-scoped)'}`,
          tags,
          params: itemParams,
          response: {
            200: kubeObjectSchema,
            400: errorBodySchema,
            403: errorBodySchema,
            404: errorBodySchema,
          },
        },
      },
      async (req) => {
        const { t, key } = itemKey(req.params as ItemParams);
        authorize(req, objectAccess('read', t, key.namespace, key.name));
        return withClusterStatuses(store, key, await store.mustGet(key));
      },
    );

    app.put(
      `${base}/:name`,
      {
        schema: {
          summary:
            'Replace an object; metadata.resourceVersion, when given, must be the stored one (409 otherwise)',
          tags,
          params: itemParams,
          body: kubeObjectSchema,
          response: { 200: kubeObjectSchema, ...errors },
        },
      },
      async (req) => {
        const { t, key } = itemKey(req.params as ItemParams);
        authorize(req, objectAccess('write', t, key.namespace, key.name));
        const v = validateForUrl(t, req.body, key.namespace === '' ? undefined : key.namespace);
        if (v.key.name !== key.name) {
          throw new FedgateError('BadRequest', `metadata.name: must be "${key.name}" as in the URL`, [
            { path: 'metadata.name', message: `must be "${key.name}" as in the URL` },
          ]);
        }
        const rv = expectedResourceVersion(req.body);
        return store.update(key, v.object, rv === undefined ? {} : { resourceVersion: rv });
      },
    );

    app.put(
      `${base}/:name/status`,
      {
        schema: {
          summary: 'Replace the status of an object (control plane use)',
          tags,
          params: itemParams,
          body: kubeObjectSchema,
          response: { 200: kubeObjectSchema, ...errors },
        },
      },
      async (req) => {
        const { t, key } = itemKey(req.params as ItemParams);
        refuseControllerStatus(t);
        authorize(req, { verb: 'write status' });
        const body = req.body as Record<string, unknown>;
        if (body.status === undefined) {
          throw new FedgateError('BadRequest', 'status: required', [{ path: 'status', message: 'required' }]);
        }
        const rv = expectedResourceVersion(body);
        return store.updateStatus(key, body.status, rv === undefined ? {} : { resourceVersion: rv });
      },
    );

    app.delete(
      `${base}/:name`,
      {
        schema: {
          summary: 'Delete an object (404 when absent); answers its last state',
          tags,
          params: itemParams,
          querystring: z.object({
            resourceVersion: z
              .string()
              .regex(/^\d+$/)
              .optional()
              .describe('delete only if still this version'),
          }),
          response: { 200: kubeObjectSchema, ...errors },
        },
      },
      async (req) => {
        const { t, key } = itemKey(req.params as ItemParams);
        authorize(req, objectAccess('write', t, key.namespace, key.name));
        const rv = req.query.resourceVersion;
        return store.delete(key, rv === undefined ? {} : { resourceVersion: rv });
      },
    );
  }
};

/**
 * Kinds whose status only their controllers write: a Binding's (the scheduler's decision and what
 * each member cluster reports) and a MemberCluster's (health probes and inventory). A status written
 * through the API would be believed by the scheduler (a forged `available`) and by users (a forged
 * `observedGeneration`), so no role may write it; the controllers write the store directly.
 */
const CONTROLLER_OWNED_STATUS: ReadonlyMap<string, string> = new Map([
  ['Binding', 'the placement controller and the member clusters’ reports'],
  ['MemberCluster', 'health probes and the inventory controller'],
]);

/** Refuses (403, for every role) a status write to a kind whose status its controllers own. */
export function refuseControllerStatus(t: UrlType): void {
  const owner = t.fedgate ? CONTROLLER_OWNED_STATUS.get(t.type.kind) : undefined;
  if (owner === undefined) return;
  throw new FedgateError(
    'Forbidden',
    `status of ${t.type.kind} objects is written by the control plane only (${owner}); it cannot be written through the API`,
  );
}

interface ItemParams {
  type: string;
  namespace?: string;
  name: string;
}

function itemKey(p: ItemParams): { t: UrlType; key: ObjectKey } {
  const t = resolveUrlType(p.type);
  checkScope(t, p.namespace);
  return { t, key: { type: t.key, namespace: p.namespace ?? '', name: p.name } };
}

/**
 * Validates a body against the type and namespace of its URL. A namespaced URL supplies the
 * namespace when the body has none; a different one is refused.
 */
export function validateForUrl(t: UrlType, body: unknown, namespace: string | undefined): ValidatedObject {
  let input = body;
  const meta = (body as { metadata?: unknown } | null)?.metadata;
  if (namespace !== undefined && typeof meta === 'object' && meta !== null && !Array.isArray(meta)) {
    const m = meta as Record<string, unknown>;
    if (m.namespace === undefined) input = { ...(body as object), metadata: { ...m, namespace } };
  }
  const v = validateObject(input);
  if (v.key.type !== t.key) {
    throw new FedgateError('BadRequest', `kind: the URL names ${t.key} but the body is ${v.key.type}`, [
      { path: 'kind', message: `must agree with the URL (${t.key}); the body is ${v.key.type}` },
    ]);
  }
  if (namespace !== undefined && v.key.namespace !== namespace) {
    throw new FedgateError(
      'BadRequest',
      `metadata.namespace: "${v.key.namespace}" does not match the URL namespace "${namespace}"`,
      [{ path: 'metadata.namespace', message: `must be "${namespace}" as in the URL` }],
    );
  }
  return v;
}

/** The resourceVersion a write is conditional on: the body's `metadata.resourceVersion`, if any. */
function expectedResourceVersion(body: unknown): string | undefined {
  const rv = (body as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion;
  if (rv === undefined || rv === null || rv === '') return undefined;
  if (typeof rv !== 'string' || !/^\d+$/.test(rv)) {
    throw new FedgateError('BadRequest', 'metadata.resourceVersion: must be a string of digits', [
      { path: 'metadata.resourceVersion', message: 'must be a string of digits' },
    ]);
  }
  return rv;
}
