/**
 * The PlacementPolicy spec: the ONE definition. Types derive from it and the API validates user
 * input with it, so every object is `.strict()` (a typo is refused with its field path) and every
 * cross-field rule lives in a refinement here rather than in the scheduler.
 */
import { z } from 'zod';
import { PROVIDERS } from '../model-types.js';

/**
 * Default failover.tolerationSeconds. Shorter than Kubernetes' 300 s pod toleration on purpose: a
 * whole cluster is gone, and with the default probes (10 s × 2 failures) this moves every workload
 * of a lost cluster within 90 s (bench:failover). Raise it per policy for clusters that blip.
 */
export const DEFAULT_FAILOVER_SECONDS = 60;

const name = z.string().min(1).max(253);
const labelKey = z
  .string()
  .min(1)
  .max(317)
  .regex(/^([a-zA-Z0-9.-]+\/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/, 'invalid label key');
const labelValue = z.string().max(63);

/** A Kubernetes label selector requirement. */
export const labelSelectorRequirementSchema = z
  .object({
    key: labelKey,
    operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
    values: z.array(labelValue).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const needsValues = r.operator === 'In' || r.operator === 'NotIn';
    if (needsValues && (r.values === undefined || r.values.length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['values'], message: `${r.operator} needs at least one value` });
    }
    if (!needsValues && r.values !== undefined && r.values.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['values'], message: `${r.operator} takes no values` });
    }
  });

/** A Kubernetes label selector (matchLabels AND matchExpressions). */
export const labelSelectorSchema = z
  .object({
    matchLabels: z.record(labelKey, labelValue).optional(),
    matchExpressions: z.array(labelSelectorRequirementSchema).optional(),
  })
  .strict();

/** Which workload templates a policy applies to; every given field must match. */
export const resourceSelectorSchema = z
  .object({
    apiVersion: z.string().min(1),
    kind: z.string().min(1),
    namespace: name.optional(),
    name: name.optional(),
    labelSelector: labelSelectorSchema.optional(),
  })
  .strict()
  .refine((s) => !(s.name !== undefined && s.labelSelector !== undefined), {
    message: 'name and labelSelector are mutually exclusive',
    path: ['labelSelector'],
  });

const providerSchema = z.enum(PROVIDERS);

/** One set of cluster conditions, all of which must hold (empty term: every cluster). */
export const clusterSelectorTermSchema = z
  .object({
    clusterNames: z.array(name).optional(),
    exclude: z.array(name).optional(),
    labelSelector: labelSelectorSchema.optional(),
    providers: z.array(providerSchema).optional(),
    regions: z.array(z.string().min(1)).optional(),
    zones: z.array(z.string().min(1)).optional(),
  })
  .strict();

/** An affinity term of the ordered fallback list, with a name for explanations. */
export const clusterAffinityTermSchema = clusterSelectorTermSchema
  .extend({ affinityName: z.string().min(1).max(63).optional() })
  .strict();

/** A toleration, with Kubernetes semantics (empty key + Exists tolerates everything). */
export const tolerationSchema = z
  .object({
    key: z.string().optional(),
    operator: z.enum(['Equal', 'Exists']).default('Equal'),
    value: z.string().optional(),
    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
    tolerationSeconds: z.number().int().min(0).optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.operator === 'Exists' && t.value !== undefined && t.value !== '') {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'Exists takes no value' });
    }
    if ((t.key === undefined || t.key === '') && t.operator !== 'Exists') {
      ctx.addIssue({ code: 'custom', path: ['operator'], message: 'an empty key needs operator Exists' });
    }
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      ctx.addIssue({
        code: 'custom',
        path: ['tolerationSeconds'],
        message: 'only NoExecute tolerations expire',
      });
    }
  });

/** Spread replicas over groups of clusters sharing a provider, region, zone, or per cluster. */
export const spreadConstraintSchema = z
  .object({
    spreadByField: z.enum(['provider', 'region', 'zone', 'cluster']),
    minGroups: z.number().int().min(1).default(1),
    maxGroups: z.number().int().min(1).optional(),
  })
  .strict()
  .refine((s) => s.maxGroups === undefined || s.maxGroups >= s.minGroups, {
    message: 'maxGroups must be >= minGroups',
    path: ['maxGroups'],
  });

/** A static weight for the clusters a selector term matches. */
export const staticWeightSchema = z
  .object({ targetCluster: clusterSelectorTermSchema, weight: z.number().int().min(0).max(1_000_000) })
  .strict();

/** How replicas are laid out over the selected clusters. */
export const replicaSchedulingSchema = z
  .object({
    type: z.enum(['Duplicated', 'Divided']).default('Duplicated'),
    division: z.enum(['StaticWeights', 'AvailableCapacity', 'CostOptimized']).optional(),
    preference: z.enum(['Spread', 'Aggregated']).optional(),
    staticWeights: z.array(staticWeightSchema).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.type === 'Duplicated' && (r.division ?? r.preference ?? r.staticWeights) !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['type'],
        message: 'division, preference and staticWeights need type Divided',
      });
    }
    const division = r.division ?? 'StaticWeights';
    if (r.staticWeights !== undefined && division !== 'StaticWeights') {
      ctx.addIssue({
        code: 'custom',
        path: ['staticWeights'],
        message: 'staticWeights need division StaticWeights',
      });
    }
    if (r.staticWeights && r.staticWeights.length > 0 && r.staticWeights.every((w) => w.weight === 0)) {
      ctx.addIssue({
        code: 'custom',
        path: ['staticWeights'],
        message: 'at least one weight must be greater than 0 (all weights 0 place nothing)',
      });
    }
    if (r.preference !== undefined && division !== 'AvailableCapacity') {
      ctx.addIssue({
        code: 'custom',
        path: ['preference'],
        message: 'preference applies to division AvailableCapacity',
      });
    }
  });

/**
 * Where the templates a policy selects may live; never violated (unknown jurisdiction = not
 * allowed). It applies to every selected template unless the policy narrows it explicitly with
 * `appliesTo: DataBearing` (then only to templates holding data). No default is written into the
 * spec, so "absent" (everything) and an explicit narrowing stay distinguishable.
 */
export const residencySchema = z
  .object({
    jurisdictions: z.array(z.string().min(1)).optional(),
    regions: z.array(z.string().min(1)).optional(),
    appliesTo: z.enum(['DataBearing', 'All']).optional(),
  })
  .strict()
  .refine((r) => (r.jurisdictions?.length ?? 0) + (r.regions?.length ?? 0) > 0, {
    message: 'residency needs jurisdictions or regions',
    path: ['jurisdictions'],
  });

const geoPointSchema = z
  .object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) })
  .strict();

/** A user population for the latency objective: a known location id, a region, or coordinates. */
export const userLocationSchema = z
  .object({
    location: z.union([z.string().min(1), geoPointSchema]),
    weight: z.number().positive().default(1),
  })
  .strict();

/** Relative weights of the scoring objectives (0 disables one). */
export const objectivesSchema = z
  .object({
    cost: z.number().min(0).max(100).optional(),
    latency: z.number().min(0).max(100).optional(),
    userLocations: z.array(userLocationSchema).optional(),
  })
  .strict();

const containerNames = z.array(z.string().min(1)).optional();

/** One RFC 6902 operation. */
export const jsonPatchOperationSchema = z
  .object({
    op: z.enum(['add', 'remove', 'replace', 'move', 'copy', 'test']),
    path: z.string().regex(/^(\/.*)?$/, 'a JSON pointer starts with /'),
    from: z.string().optional(),
    value: z.unknown().optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    if ((o.op === 'move' || o.op === 'copy') && o.from === undefined) {
      ctx.addIssue({ code: 'custom', path: ['from'], message: `${o.op} needs from` });
    }
    if ((o.op === 'add' || o.op === 'replace' || o.op === 'test') && !('value' in o)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `${o.op} needs value` });
    }
  });

const quantity = z.union([z.string().regex(/^[0-9.]+([eE][0-9]+|[numkMGTPE]|[KMGTPE]i)?$/), z.number()]);

/** Per-cluster changes to the rendered manifest. */
export const overrideRuleSchema = z
  .object({
    name: z.string().optional(),
    clusterSelector: clusterSelectorTermSchema,
    image: z
      .object({
        registry: z.string().min(1).optional(),
        repository: z.string().min(1).optional(),
        tag: z.string().min(1).optional(),
        containers: containerNames,
      })
      .strict()
      .optional(),
    replicas: z.number().int().min(0).optional(),
    env: z
      .array(
        z
          .object({
            name: z.string().min(1),
            value: z.string().optional(),
            remove: z.boolean().optional(),
            containers: containerNames,
          })
          .strict(),
      )
      .optional(),
    resources: z
      .array(
        z
          .object({
            containers: containerNames,
            requests: z.object({ cpu: quantity.optional(), memory: quantity.optional() }).strict().optional(),
            limits: z.object({ cpu: quantity.optional(), memory: quantity.optional() }).strict().optional(),
          })
          .strict(),
      )
      .optional(),
    labels: z.record(labelKey, labelValue.nullable()).optional(),
    annotations: z.record(z.string().min(1), z.string().nullable()).optional(),
    jsonPatch: z.array(jsonPatchOperationSchema).optional(),
  })
  .strict();

/** What happens when a cluster hosting the workload goes NotReady/unreachable. */
export const failoverSchema = z
  .object({
    /** How long a not-ready/unreachable cluster keeps the workload before it is rescheduled. */
    tolerationSeconds: z.number().int().min(0).default(DEFAULT_FAILOVER_SECONDS),
    /** Graceful: the old copy stays until the new one is ready; Immediate: removed at once. */
    mode: z.enum(['Graceful', 'Immediate']).default('Graceful'),
    purgeMode: z.enum(['Immediately', 'Graciously', 'Never']).optional(),
    gracePeriodSeconds: z.number().int().min(0).default(600),
    /**
     * Replicas a member cluster has left unready this long while it reports no room for them
     * (unschedulable there) are placed elsewhere, whatever stability.minScoreGain says, as Karmada's
     * descheduler does. Default 300.
     */
    unschedulableSeconds: z.number().int().min(1).optional(),
  })
  .strict();

/** How eagerly an existing placement moves when the fleet changes. */
export const stabilitySchema = z
  .object({
    /**
     * Minimum gain of the objective score (0..100 points) before replicas move. A split decided by
     * explicit static weights alone is restored regardless (see schedule/stability.ts).
     */
    minScoreGain: z.number().min(0).max(100).default(10),
  })
  .strict();

/** A JSON pointer (RFC 6901) into a placed object; `*` as a segment matches any key or list index. */
const jsonPointer = z.string().regex(/^(\/[^/]*)+$/, 'a JSON pointer starts with / (e.g. /spec/replicas)');

/** What happens when an object fedgate placed is changed directly in a member cluster. */
export const driftSchema = z
  .object({
    /** Restore: re-apply fedgate's manifest (force); Report: record the drift and leave the object as it is. */
    mode: z.enum(['Restore', 'Report']).default('Restore'),
    /** Paths never treated as drift, e.g. /spec/replicas when an HPA in the cluster owns it. */
    ignoreFields: z.array(jsonPointer).optional(),
  })
  .strict();

/** PlacementPolicy.spec */
export const placementPolicySpecSchema = z
  .object({
    /** Higher wins when several policies match one template. */
    priority: z.number().int().min(-1000).max(1000).default(0),
    resourceSelectors: z.array(resourceSelectorSchema).min(1),
    clusterAffinity: clusterSelectorTermSchema.optional(),
    /** Ordered fallback terms: the first one that schedules wins. */
    clusterAffinities: z.array(clusterAffinityTermSchema).min(1).optional(),
    tolerations: z.array(tolerationSchema).optional(),
    spreadConstraints: z.array(spreadConstraintSchema).optional(),
    replicaScheduling: replicaSchedulingSchema.optional(),
    residency: residencySchema.optional(),
    objectives: objectivesSchema.optional(),
    /** Place the ConfigMaps, Secrets, ServiceAccounts and PVCs a workload references with it. */
    propagateDependencies: z.boolean().default(true),
    overrides: z.array(overrideRuleSchema).optional(),
    failover: failoverSchema.optional(),
    stability: stabilitySchema.optional(),
    /** Drift in member clusters: detected always; restored or only reported. */
    drift: driftSchema.optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.clusterAffinity !== undefined && s.clusterAffinities !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['clusterAffinities'],
        message: 'clusterAffinity and clusterAffinities are mutually exclusive',
      });
    }
    const fields = new Set<string>();
    s.spreadConstraints?.forEach((c, i) => {
      if (fields.has(c.spreadByField)) {
        ctx.addIssue({
          code: 'custom',
          path: ['spreadConstraints', i, 'spreadByField'],
          message: 'duplicate spreadByField',
        });
      }
      fields.add(c.spreadByField);
    });
  });

/** PlacementPolicy.spec after defaults are applied. */
export type PlacementPolicySpec = z.infer<typeof placementPolicySpecSchema>;
/** PlacementPolicy.spec as a user writes it (defaults optional). */
export type PlacementPolicySpecInput = z.input<typeof placementPolicySpecSchema>;
/** A label selector. */
export type LabelSelector = z.infer<typeof labelSelectorSchema>;
/** A cluster selector term. */
export type ClusterSelectorTerm = z.infer<typeof clusterSelectorTermSchema>;
/** A toleration. */
export type Toleration = z.infer<typeof tolerationSchema>;
/** A spread constraint. */
export type SpreadConstraint = z.infer<typeof spreadConstraintSchema>;
/** An override rule. */
export type OverrideRule = z.infer<typeof overrideRuleSchema>;
/** The drift settings of a policy. */
export type DriftPolicy = z.infer<typeof driftSchema>;
/** A resource selector. */
export type ResourceSelector = z.infer<typeof resourceSelectorSchema>;
