import type { CloudAdapter } from '../../../providers/cloud/adapter.js';
import type { ClusterNodeSelector } from '../../../providers/cloud/types.js';
import type { CloudFaultSwitches } from '../../../sim/common/fault-switches.js';

/**
 * What each adapter's test fixture gives the conformance suite: a fresh simulator on 127.0.0.1,
 * the real adapter (real SDK client) pointed at it, and the simulator's fault switches. Every
 * adapter (aws, gcp, azure, onprem) provides one; the suite in suite.ts runs the same tests on each.
 */
export interface ConformanceFixture {
  readonly provider: CloudAdapter['provider'];
  /** Starts a simulator with seeded state and builds adapters against it. */
  setup(): Promise<ConformanceEnv>;
}

/** One running simulator and what the suite needs to know about its seeded state. */
export interface ConformanceEnv {
  /** The adapter under test, scoped to the seeded account and region. */
  readonly adapter: CloudAdapter;
  /** An adapter of another scope on the same simulator (the far side of a peering), when the provider has peering. */
  readonly peerAdapter?: CloudAdapter;
  /** An adapter of the same account in another region (the target of a cross-region snapshot copy), when the simulator has one. */
  readonly otherRegionAdapter?: CloudAdapter;
  /**
   * Builds an adapter whose credentials are wrong (bad secret/token): calls must fail Unauthorized.
   * Absent only for adapters that call no remote API (on-prem).
   */
  badCredentialsAdapter?(): Promise<CloudAdapter>;
  /** A seeded managed cluster whose nodes are tagged as the provider tags them, and how many there are. */
  readonly cluster: { readonly selector: ClusterNodeSelector; readonly instances: number };
  /** A seeded network of the scope, with at least one subnet. */
  readonly networkId: string;
  /** A network of the peer scope (for peering), with non-overlapping CIDRs. */
  readonly peerNetworkId?: string;
  /** A network of the peer scope whose ranges overlap `networkId`'s: every provider refuses to peer them. */
  readonly overlappingPeerNetworkId?: string;
  /** A seeded volume (for snapshots) and its zone, when the adapter has the storage capability. */
  readonly volume?: { readonly id: string; readonly zone?: string };
  /** The provider's VPN routes only with BGP (GCP HA VPN): the suite's connection uses BGP. */
  readonly vpnNeedsBgp?: boolean;
  /** What the suite's test route points at: AWS and Azure route to the gateway, GCP to a tunnel. Default `vpn-gateway`. */
  readonly routeVia?: 'vpn-gateway' | 'vpn-connection';
  /**
   * A cheap call of `adapter` that reaches the provider's API, for the fault tests. Default:
   * `inventory.listNetworks()` (on-prem inventory is a file: its probe reads a snapshot instead).
   */
  probe?(adapter: CloudAdapter): Promise<unknown>;
  /** Fault switches of the simulator; absent only for adapters that call no remote API. */
  readonly faults?: SimulatorFaults;
  /**
   * How many live (not deleted) resources of a kind the simulator holds, over all its scopes: the
   * suite checks "create twice → one resource" on the simulator's state with it. Required when the
   * adapter declares the network or storage capability.
   */
  countResources?(kind: SimResourceKind): number;
  /** Credential strings (secrets, tokens) that must never appear in anything logged. */
  readonly secrets: readonly string[];
  /** Everything the adapter logged so far (its logger writes here), one string per entry. */
  logged(): readonly string[];
  /** Requests the simulator served so far, by its operation name. */
  served(): Readonly<Record<string, number>>;
  /** Stops the simulator and closes the adapters. */
  teardown(): Promise<void>;
}

/** Kinds of simulator resources the suite counts (see ConformanceEnv.countResources). */
export type SimResourceKind =
  | 'peering'
  | 'vpn-gateway'
  | 'peer-gateway'
  | 'vpn-connection'
  | 'route'
  | 'snapshot'
  | 'volume';

/** Fault injection every cloud simulator supports (sim/common/fault-switches.ts). */
export type SimulatorFaults = CloudFaultSwitches;
