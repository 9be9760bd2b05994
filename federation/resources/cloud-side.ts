import { z } from 'zod';

const ipv4 = z.ipv4({ message: 'must be an IPv4 address such as 203.0.113.10' });

/**
 * Where a member cluster lives in its cloud: the account, the managed cluster whose nodes are its
 * instances, its network, and which credentials reach the cloud's API. Credentials are never here:
 * `credentials.secretRef` names a CloudCredential (stored sealed, never returned by the API);
 * without it the worker uses the SDK's standard chain (AWS default provider chain, Google ADC,
 * DefaultAzureCredential).
 */
export const cloudSideSchema = z
  .object({
    /** AWS account id, GCP project id, Azure subscription id, or the on-prem site's name. */
    account: z.string().min(1).max(128),
    /** Azure: the resource group of the cluster's network. */
    resourceGroup: z
      .string()
      .regex(/^[-\w._()]{1,90}$/, 'must be an Azure resource group name')
      .optional(),
    /** The managed cluster (EKS, GKE, AKS) whose nodes are this cluster's instances; default the MemberCluster's name. */
    clusterName: z.string().min(1).max(253).optional(),
    /** Azure: the node resource group (`MC_…`) when not the default. */
    nodeResourceGroup: z.string().min(1).max(90).optional(),
    /** The VPC/VNet/network id; discovered from the nodes when absent. */
    networkId: z.string().min(1).max(512).optional(),
    /** Another API endpoint than the provider's public one (a simulator, a private endpoint). */
    endpoint: z.url({ protocol: /^https?$/ }).optional(),
    /** The credentials to use: a stored CloudCredential, else the SDK's standard chain. */
    credentials: z
      .object({ secretRef: z.object({ name: z.string().min(1).max(253) }).strict() })
      .strict()
      .optional(),
    /** The VPN end of this cluster: an on-prem site's endpoint address, the cloud side's BGP ASN. */
    vpn: z
      .object({
        publicIp: ipv4.optional(),
        asn: z.number().int().min(1).max(4_294_967_294).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** A validated cloud side. */
export type CloudSide = z.infer<typeof cloudSideSchema>;

/** Checks that fit the provider: Azure needs a resource group, AWS accounts are 12 digits, and so on. */
export function checkCloudSide(
  provider: string,
  cloud: CloudSide,
  issue: (path: (string | number)[], message: string) => void,
): void {
  if (provider === 'aws' && !/^\d{12}$/.test(cloud.account))
    issue(['cloud', 'account'], 'must be a 12-digit AWS account id');
  if (provider === 'gcp' && !/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/.test(cloud.account))
    issue(['cloud', 'account'], 'must be a GCP project id (6–30 lowercase letters, digits, hyphens)');
  if (provider === 'azure') {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(cloud.account))
      issue(['cloud', 'account'], 'must be an Azure subscription id (a UUID)');
    if (!cloud.resourceGroup) issue(['cloud', 'resourceGroup'], 'is required for Azure');
  }
  if (provider === 'onprem' && cloud.credentials)
    issue(['cloud', 'credentials'], 'an on-prem site has no cloud API to authenticate to');
}

/** Running instances of one type in one zone; `vcpus` and `memoryMiB` are those of one instance. */
export interface CloudInstanceGroup {
  readonly zone: string;
  readonly instanceType: string;
  readonly count: number;
  readonly vcpus: number;
  readonly memoryMiB: number;
}

/** The schema of `status.cloud.instances`, for status given from outside (a simulated fleet). */
export const cloudInstanceGroupSchema = z
  .object({
    zone: z.string().min(1).max(128),
    instanceType: z.string().min(1).max(128),
    count: z.number().int().min(0).max(1_000_000),
    vcpus: z.number().positive().max(100_000),
    memoryMiB: z.number().nonnegative().max(1e9),
  })
  .strict();

/** What inventory discovery found in the cloud, kept in the MemberCluster's status. */
export interface CloudInventoryStatus {
  readonly lastDiscoveryTime: string;
  /** Instances backing the cluster's nodes, by zone. */
  readonly zones: Readonly<
    Record<string, { readonly instances: number; readonly vcpus: number; readonly memoryMiB: number }>
  >;
  /** Instance types and how many of each. */
  readonly instanceTypes: Readonly<Record<string, number>>;
  /**
   * The running instances by zone and type, with each one's vCPUs and memory: what placement prices
   * the cluster by and caps its capacity at (absent in status written before it was recorded).
   */
  readonly instances?: readonly CloudInstanceGroup[];
  readonly network?: {
    readonly id: string;
    readonly name: string;
    readonly cidrs: readonly string[];
    readonly subnets: readonly { readonly id: string; readonly cidr: string; readonly zone?: string }[];
  };
  /** Cloud API calls the last discovery made, by operation. */
  readonly apiCalls?: Readonly<Record<string, number>>;
}
