import { z } from 'zod';
import { PROVIDERS } from '../../placement/index.js';
import { type CloudInventoryStatus, checkCloudSide, cloudSideSchema } from './cloud-side.js';
import { isQualifiedName } from './names.js';

/** Where a member cluster runs. */
export const providerSchema = z.enum(PROVIDERS);

const cidrSchema = z
  .string()
  .regex(
    /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d|[12]\d|3[0-2])$/,
    'must be an IPv4 CIDR such as 10.0.0.0/16',
  )
  .refine(
    (s) =>
      s
        .split('/')[0]!
        .split('.')
        .every((o) => Number(o) <= 255),
    'octets must be 0-255',
  );

/** A taint on a member cluster, as on a Kubernetes node. */
export const taintSchema = z
  .object({
    key: z.string().refine(isQualifiedName, 'must be a qualified name'),
    value: z.string().max(63).optional(),
    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
    timeAdded: z.iso.datetime().optional(),
  })
  .strict();

/** How fedgate reaches the cluster's Kubernetes API: a server URL, or a context of the worker's kubeconfig. */
const connectionSchema = z
  .object({
    server: z.url({ protocol: /^https?$/ }).optional(),
    kubeconfigContext: z.string().min(1).max(253).optional(),
    insecureSkipTLSVerify: z.boolean().optional(),
    caData: z.base64().optional(),
  })
  .strict()
  .refine((c) => c.server !== undefined || c.kubeconfigContext !== undefined, {
    message: 'give server or kubeconfigContext',
  });

/** The spec of a MemberCluster. Credentials never live here: they come from the worker's kubeconfig. */
export const memberClusterSpecSchema = z
  .object({
    provider: providerSchema,
    region: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a region name such as eu-west-1'),
    zone: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a zone name such as eu-west-1a')
      .optional(),
    connection: connectionSchema,
    taints: z.array(taintSchema).max(64).default([]),
    network: z
      .object({
        vpcId: z.string().max(255).optional(),
        nodeCidrs: z.array(cidrSchema).max(32).default([]),
        podCidrs: z.array(cidrSchema).max(32).default([]),
        serviceCidrs: z.array(cidrSchema).max(32).default([]),
      })
      .strict()
      .optional(),
    cost: z
      .object({
        vcpuHour: z.number().nonnegative().optional(),
        gibHour: z.number().nonnegative().optional(),
        egressPerGiB: z.number().nonnegative().optional(),
      })
      .strict()
      .optional(),
    cloud: cloudSideSchema.optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.cloud)
      checkCloudSide(spec.provider, spec.cloud, (path, message) =>
        ctx.addIssue({ code: 'custom', path, message }),
      );
  });

/** A validated MemberCluster spec. */
export type MemberClusterSpec = z.infer<typeof memberClusterSpecSchema>;
/** A taint as stored. */
export type ClusterTaint = z.infer<typeof taintSchema>;

/** A Kubernetes-style condition. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** Resources of a cluster summed over its nodes, in canonical units. */
export interface ClusterResources {
  cpuMilli: number;
  memoryBytes: number;
  pods: number;
}

/** What the health check observed of a member cluster. */
export interface MemberClusterStatus {
  conditions: Condition[];
  /** The cluster's identity (uid of its kube-system namespace): a change means a rebuilt, empty cluster. */
  clusterID?: string;
  kubernetesVersion?: string;
  nodes?: number;
  allocatable?: ClusterResources;
  available?: ClusterResources;
  lastProbeTime?: string;
  /** Consecutive failed probes: the cluster turns NotReady after a threshold, not on one blip. */
  consecutiveFailures?: number;
  /** What inventory discovery found through the provider's API (clusters with `spec.cloud`). */
  cloud?: CloudInventoryStatus;
}
