import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PeeringPlanError } from '../../../peering/plan/errors.js';
import { defaultCostModel } from '../../../placement/model/cost-model.js';
import { planFleet } from '../../controllers/peering/plan-fleet.js';
import { FedgateError } from '../../errors/fedgate-error.js';
import type { MemberClusterObject } from '../../reconcile/cluster-snapshot.js';
import { MEMBER_CLUSTER_TYPE, PEERING_POLICY_TYPE } from '../../resources/kinds.js';
import { peeringPolicySpecSchema } from '../../resources/peering.js';
import type { ResourceStore } from '../../store/resource-store.js';
import { errorBodySchema } from '../errors.js';

/** Options of the peering plan route. */
export interface PeeringPlanRoutesProps {
  readonly store: ResourceStore;
}

/**
 * `GET /plan/peering[?policy=NAME]`: the links the fleet needs (or a PeeringPolicy's clusters),
 * each with its kind, why, routes and monthly cost, the topology and why, clashing ranges and the
 * global ranges given for them. A read: nothing is created (the peering controller does that for
 * PeeringPolicies). Deterministic: the same fleet gives the same plan.
 */
export const peeringPlanRoutes: FastifyPluginAsyncZod<PeeringPlanRoutesProps> = async (app, { store }) => {
  app.get(
    '/plan/peering',
    {
      schema: {
        summary: 'Plan the links between member clusters, with their cost',
        tags: ['peering'],
        querystring: z.object({ policy: z.string().min(1).max(253).optional() }),
        response: { 200: z.record(z.string(), z.unknown()), 400: errorBodySchema, 404: errorBodySchema },
      },
    },
    async (req) => {
      let spec = peeringPolicySpecSchema.parse({});
      if (req.query.policy) {
        const policy = await store.get({ type: PEERING_POLICY_TYPE, namespace: '', name: req.query.policy });
        if (!policy) throw new FedgateError('NotFound', `PeeringPolicy ${req.query.policy} not found`);
        spec = peeringPolicySpecSchema.parse(policy.spec);
      }
      const { items } = await store.list(MEMBER_CLUSTER_TYPE);
      try {
        return { ...planFleet(items as MemberClusterObject[], spec, defaultCostModel) } as Record<
          string,
          unknown
        >;
      } catch (err) {
        if (err instanceof PeeringPlanError) throw new FedgateError('BadRequest', err.message);
        throw err;
      }
    },
  );
};
