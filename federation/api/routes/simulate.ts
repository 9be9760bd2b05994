import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ResourceStore } from '../../store/resource-store.js';
import { authorize } from '../auth.js';
import { errorBodySchema } from '../errors.js';
import { readCurrentState } from '../simulation.js';
import type { SimulationRunner } from '../simulation-runner.js';

/** Options of the simulate route. */
export interface SimulateRoutesProps {
  readonly store: ResourceStore;
  /** Runs the what-if off the request thread. */
  readonly runner: SimulationRunner;
  /** The clock decisions are taken at (epoch ms). Default `Date.now`. */
  readonly now?: () => number;
}

const objects = (what: string) => z.array(z.unknown()).max(10_000).describe(what);

const simulateBodySchema = z
  .object({
    policies: objects(
      'PlacementPolicy objects: each replaces the stored policy of the same name, or is added',
    ).default([]),
    removePolicies: z
      .array(z.string().min(1))
      .max(1_000)
      .optional()
      .describe('names of stored policies to drop'),
    fleet: objects(
      'MemberCluster objects (status.conditions/allocatable/available optional) that replace the whole fleet; a cluster without status keeps the stored status, or is assumed Ready',
    ).optional(),
    templates: objects(
      'workload manifests: each replaces the stored template of the same kind, namespace and name, or is added',
    ).optional(),
    explain: z
      .boolean()
      .optional()
      .describe("include each template's explanation of the proposed decision (as fedgate explain shows it)"),
  })
  .strict()
  .meta({ id: 'SimulateRequest' });

const targetSchema = z.object({ name: z.string(), replicas: z.number().optional() });

const sideSchema = z.object({
  source: z.enum(['binding', 'computed', 'none']).optional(),
  status: z.enum(['Scheduled', 'Unschedulable', 'NoMatchingPolicy', 'FollowsWorkload', 'NotPlaced']),
  policy: z.string().optional(),
  clusters: z.array(targetSchema),
  costPerMonth: z
    .number()
    .optional()
    .describe('estimated USD per month, when the template declares requests'),
  reason: z.string().optional(),
  message: z.string().optional(),
  kept: z
    .boolean()
    .optional()
    .describe('unschedulable, and the current placement (clusters) is kept until it can be scheduled'),
});

const costSchema = z.object({ before: z.number(), after: z.number(), delta: z.number() });

const templateResultSchema = z.object({
  template: z.object({
    apiVersion: z.string(),
    kind: z.string(),
    namespace: z.string(),
    name: z.string(),
    replicas: z.number().optional(),
  }),
  before: sideSchema.describe('what runs now (its Binding), or what the current inputs give'),
  after: sideSchema.describe('what the proposal gives'),
  diff: z.object({
    clusters: z.array(
      z.object({
        name: z.string(),
        before: z.number(),
        after: z.number(),
        change: z.enum(['added', 'removed', 'scaled', 'unchanged']),
      }),
    ),
    movedReplicas: z.number(),
    addedReplicas: z.number(),
    removedReplicas: z.number(),
    costPerMonth: costSchema.optional(),
  }),
  changed: z.boolean(),
  becomesUnschedulable: z.boolean(),
  pendingWithoutProposal: z
    .boolean()
    .describe('the current inputs alone would already change the running placement'),
  violations: z
    .array(z.object({ cluster: z.string(), plugin: z.string(), reason: z.string() }))
    .describe('clusters of the current placement that the proposal rejects'),
  notes: z.array(z.string()),
  explanation: z
    .unknown()
    .optional()
    .describe('the scheduler explanation of the proposed decision, when the request asked for it'),
});

const simulateResultSchema = z
  .object({
    resourceVersion: z.string().describe('the store version the current state was read at'),
    templates: z.array(templateResultSchema),
    totals: z.object({
      templates: z.number(),
      changed: z.number(),
      movedReplicas: z.number(),
      addedReplicas: z.number(),
      removedReplicas: z.number(),
      costPerMonth: costSchema,
      unpricedTemplates: z.number(),
      becomeUnschedulable: z.number(),
      violations: z.number(),
    }),
    prices: z
      .record(
        z.string(),
        z.object({
          basis: z.enum(['table', 'provider-average', 'inventory', 'override']),
          vcpuHour: z.number(),
          gibHour: z.number(),
          estimated: z.literal(true).optional(),
          mix: z.record(z.string(), z.number()).optional(),
          unlisted: z.array(z.string()).optional(),
          vsRegion: z.number().optional(),
        }),
      )
      .optional()
      .describe(
        "where each placed cluster's compute price came from (instance mix, region list price, override); present when some cluster is not at its region's list price",
      ),
  })
  .meta({ id: 'SimulateResult' });

/** The answer of `POST /simulate`. */
export type SimulateResult = z.infer<typeof simulateResultSchema>;

/**
 * `POST /simulate`: what would change if the given policies (and optionally fleet and templates)
 * were applied — computed by the scheduler on the current state, writing nothing.
 */
export const simulateRoutes: FastifyPluginAsyncZod<SimulateRoutesProps> = async (
  app,
  { store, runner, now },
) => {
  app.post(
    '/simulate',
    {
      schema: {
        summary:
          'What-if: placements, moved replicas, cost and violations under proposed policies; writes nothing',
        tags: ['explain'],
        body: simulateBodySchema,
        response: {
          200: simulateResultSchema,
          400: errorBodySchema,
          403: errorBodySchema,
          413: errorBodySchema,
          422: errorBodySchema,
          429: errorBodySchema,
        },
      },
    },
    async (req) => {
      authorize(req, { verb: 'simulate' });
      // Reading the state is I/O; validating and simulating it is CPU work, done in a worker thread.
      const state = await readCurrentState(store);
      return runner.run(state, req.body, (now ?? Date.now)());
    },
  );
};
