import type { z } from 'zod';
import { placementPolicySpecSchema } from '../../placement/index.js';
import { cloudCredentialSpecSchema } from './cloud-credential.js';
import { memberClusterSpecSchema } from './member-cluster.js';
import { peeringPolicySpecSchema, peeringSpecSchema } from './peering.js';
import {
  authorizationPolicySpecSchema,
  quotaPolicySpecSchema,
  serviceExportSpecSchema,
  trafficPolicySpecSchema,
} from './peering-kinds.js';
import { FEDGATE_API_VERSION } from './resource-type.js';

/** Whether objects of a kind live in a namespace. */
export type Scope = 'Namespaced' | 'Cluster';

/** What the control plane knows about one of its own kinds. */
export interface FedgateKind {
  readonly kind: string;
  readonly plural: string;
  readonly shortNames: readonly string[];
  readonly scope: Scope;
  /** Schema of `spec` for user-written kinds; undefined for kinds only the control plane writes. */
  readonly specSchema?: z.ZodType;
  /** Written by the control plane only: users may read and delete but not create or change it. */
  readonly systemOwned: boolean;
}

/** fedgate's own kinds, by kind name. */
export const FEDGATE_KINDS: ReadonlyMap<string, FedgateKind> = new Map<string, FedgateKind>([
  [
    'MemberCluster',
    {
      kind: 'MemberCluster',
      plural: 'memberclusters',
      shortNames: ['mc', 'cluster', 'clusters'],
      scope: 'Cluster',
      specSchema: memberClusterSpecSchema,
      systemOwned: false,
    },
  ],
  [
    'CloudCredential',
    {
      kind: 'CloudCredential',
      plural: 'cloudcredentials',
      shortNames: ['cloudcredential', 'ccred'],
      scope: 'Cluster',
      specSchema: cloudCredentialSpecSchema,
      systemOwned: false,
    },
  ],
  [
    'PlacementPolicy',
    {
      kind: 'PlacementPolicy',
      plural: 'placementpolicies',
      shortNames: ['pp', 'policy', 'policies'],
      scope: 'Cluster',
      specSchema: placementPolicySpecSchema,
      systemOwned: false,
    },
  ],
  [
    'Binding',
    { kind: 'Binding', plural: 'bindings', shortNames: ['rb'], scope: 'Namespaced', systemOwned: true },
  ],
  ...(
    [
      ['ServiceExport', 'serviceexports', ['svcex'], serviceExportSpecSchema],
      ['TrafficPolicy', 'trafficpolicies', ['tp'], trafficPolicySpecSchema],
      ['AuthorizationPolicy', 'authorizationpolicies', ['authz'], authorizationPolicySpecSchema],
      ['QuotaPolicy', 'quotapolicies', ['qp'], quotaPolicySpecSchema],
    ] as const
  ).map(
    ([kind, plural, shortNames, specSchema]) =>
      [kind, { kind, plural, shortNames, scope: 'Namespaced', specSchema, systemOwned: false }] as const,
  ),
  [
    // Kept by fedgate from the ServiceExports (the MCS API's ServiceImport), never applied by hand.
    'ServiceImport',
    {
      kind: 'ServiceImport',
      plural: 'serviceimports',
      shortNames: ['svcim'],
      scope: 'Namespaced',
      systemOwned: true,
    },
  ],
  [
    'Peering',
    {
      kind: 'Peering',
      plural: 'peerings',
      shortNames: ['peer', 'peering'],
      scope: 'Cluster',
      specSchema: peeringSpecSchema,
      systemOwned: false,
    },
  ],
  [
    'PeeringPolicy',
    {
      kind: 'PeeringPolicy',
      plural: 'peeringpolicies',
      shortNames: ['peeringpolicy', 'pep'],
      scope: 'Cluster',
      specSchema: peeringPolicySpecSchema,
      systemOwned: false,
    },
  ],
]);

/** Type key of each fedgate kind. */
export const MEMBER_CLUSTER_TYPE = 'MemberCluster.v1alpha1.fedgate.dev';
export const PLACEMENT_POLICY_TYPE = 'PlacementPolicy.v1alpha1.fedgate.dev';
export const BINDING_TYPE = 'Binding.v1alpha1.fedgate.dev';
/** Type keys of the east-west gateway's kinds. */
export const SERVICE_EXPORT_TYPE = 'ServiceExport.v1alpha1.fedgate.dev';
export const SERVICE_IMPORT_TYPE = 'ServiceImport.v1alpha1.fedgate.dev';
export const TRAFFIC_POLICY_TYPE = 'TrafficPolicy.v1alpha1.fedgate.dev';
export const AUTHORIZATION_POLICY_TYPE = 'AuthorizationPolicy.v1alpha1.fedgate.dev';
export const QUOTA_POLICY_TYPE = 'QuotaPolicy.v1alpha1.fedgate.dev';
export const PEERING_TYPE = 'Peering.v1alpha1.fedgate.dev';
export const PEERING_POLICY_TYPE = 'PeeringPolicy.v1alpha1.fedgate.dev';
export const CLOUD_CREDENTIAL_TYPE = 'CloudCredential.v1alpha1.fedgate.dev';
export { FEDGATE_API_VERSION };

/**
 * Kubernetes kinds that are cluster-scoped. Any other template kind is namespaced (the namespace
 * defaults to `default`), which is what the great majority of workload kinds and CRDs are.
 */
export const CLUSTER_SCOPED_KUBE_KINDS: ReadonlySet<string> = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'StorageClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PriorityClass',
  'IngressClass',
  'RuntimeClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
  'CSIDriver',
  'VolumeSnapshotClass',
]);
