import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FedgateError } from '../../errors/fedgate-error.js';
import { bindingNameFor, legacyBindingNameFor } from '../../resources/binding.js';
import { BINDING_TYPE } from '../../resources/kinds.js';
import { formatKey } from '../../resources/kube-object.js';
import type { ResourceStore } from '../../store/resource-store.js';
import { authorize, objectAccess } from '../auth.js';
import { withClusterStatuses } from '../bindings.js';
import { errorBodySchema } from '../errors.js';
import { kubeObjectSchema, nameParam, typeParam } from '../schemas.js';
import { checkScope, resolveUrlType } from '../types.js';

/** Options of the explain route. */
export interface ExplainRoutesProps {
  readonly store: ResourceStore;
}

/**
 * `GET /explain/:type/:namespace/:name` (`_` as namespace for cluster-scoped templates): the
 * template's Binding with the scheduler's `status.explanation` and each cluster's status.
 */
export const explainRoutes: FastifyPluginAsyncZod<ExplainRoutesProps> = async (app, { store }) => {
  app.get(
    '/explain/:type/:namespace/:name',
    {
      schema: {
        summary: "Why a template runs where it runs: its Binding, with the scheduler's explanation",
        tags: ['explain'],
        params: z.object({
          type: typeParam,
          namespace: z.string().describe('namespace, or _ for a cluster-scoped template'),
          name: nameParam,
        }),
        response: { 200: kubeObjectSchema, 400: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema },
      },
    },
    async (req) => {
      const t = resolveUrlType(req.params.type);
      if (t.fedgate) {
        throw new FedgateError(
          'BadRequest',
          `${t.type.kind} is a fedgate kind, not a workload template: only templates are placed and have a Binding`,
        );
      }
      const ns = req.params.namespace === '_' ? undefined : req.params.namespace;
      checkScope(t, ns);
      authorize(req, objectAccess('read', t, ns, req.params.name));
      const key = { type: t.key, namespace: ns ?? '', name: req.params.name };
      const template = await store.get(key);
      if (template === undefined) {
        throw new FedgateError('NotFound', `template ${formatKey(key)} not found: apply it first`);
      }
      let bindingKey = {
        type: BINDING_TYPE,
        namespace: key.namespace,
        name: bindingNameFor(t.type.kind, key.name, t.type.group),
      };
      let binding = await store.get(bindingKey);
      const legacy = legacyBindingNameFor(t.type.kind, key.name, t.type.group);
      if (binding === undefined && legacy !== undefined) {
        // A custom resource placed before Binding names carried the group keeps its old Binding.
        const legacyKey = { ...bindingKey, name: legacy };
        const old = await store.get(legacyKey);
        if ((old?.spec as { resource?: { type?: string } } | undefined)?.resource?.type === t.key) {
          bindingKey = legacyKey;
          binding = old;
        }
      }
      if (binding === undefined) {
        throw new FedgateError(
          'NotFound',
          `${formatKey(key)} has no Binding ${bindingKey.name} yet: the scheduler has not placed it (is a fedgate worker running?)`,
        );
      }
      return withClusterStatuses(store, bindingKey, binding);
    },
  );
};
