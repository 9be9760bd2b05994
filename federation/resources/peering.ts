import { z } from 'zod';
import { isDns1123Label } from './names.js';

const clusterName = z
  .string()
  .min(1)
  .max(63)
  .refine(isDns1123Label, 'must be a MemberCluster name (DNS-1123 label)');

/**
 * The spec of a Peering: a secure link between two member clusters' networks, set up through the
 * providers' APIs (native peering within a cloud, site-to-site IPsec across clouds and to on-prem).
 */
export const peeringSpecSchema = z
  .object({
    /** The two clusters, by MemberCluster name. */
    clusters: z
      .tuple([clusterName, clusterName])
      .refine(([a, b]) => a !== b, 'a cluster cannot be peered with itself'),
    /** `Auto` takes what the planner picks for the pair (see `fedgate plan peering`). */
    type: z.enum(['Auto', 'NativePeering', 'IPsecVPN']).default('Auto'),
    /** Change this (any new value) to rotate the tunnels' pre-shared keys. */
    keyRotation: z.string().max(64).optional(),
  })
  .strict();

/** A validated Peering spec. */
export type PeeringSpec = z.infer<typeof peeringSpecSchema>;

/**
 * The spec of a PeeringPolicy: which clusters are linked, fleet-wide. The peering controller plans
 * the fleet (peering/plan) and keeps one Peering per planned link, labelled with the policy's name.
 */
export const peeringPolicySpecSchema = z
  .object({
    /** Clusters whose labels match all of these (default: every MemberCluster). */
    clusterSelector: z
      .object({ matchLabels: z.record(z.string().max(317), z.string().max(63)).default({}) })
      .strict()
      .default({ matchLabels: {} }),
    /** Clusters whose ranges clash: route them through the gateways with global addresses, or refuse. */
    overlap: z.enum(['GlobalAddresses', 'Refuse']).default('GlobalAddresses'),
    /** Up to this many clusters a full mesh; beyond, whichever of mesh and hub-and-spoke costs less. */
    meshMaxClusters: z.number().int().min(2).max(1000).default(6),
    /** Expected traffic, for the cost of each link (GiB per month, per direction). */
    expectedTraffic: z
      .array(
        z
          .object({ from: clusterName, to: clusterName, gibPerMonth: z.number().nonnegative().max(1e9) })
          .strict(),
      )
      .max(10_000)
      .default([]),
  })
  .strict();

/** A validated PeeringPolicy spec. */
export type PeeringPolicySpec = z.infer<typeof peeringPolicySpecSchema>;
