import type { Provider } from '../../placement/model/types.js';
import type { CloudScope } from '../../providers/cloud/types.js';

/** One end of a link, as the orchestration needs it. */
export interface LinkEnd {
  readonly cluster: string;
  readonly provider: Provider;
  /** Cloud scope of the cluster's network (on-prem: the site as `account`). */
  readonly scope: CloudScope;
  /** The VPC/VNet/network id (on-prem: the declared network name). */
  readonly networkId: string;
  /** Ranges the other end routes to this one (node and pod CIDRs). */
  readonly cidrs: readonly string[];
  /** BGP ASN of this end's VPN gateway or endpoint. */
  readonly asn?: number;
  /** On-prem: the public address of the site's VPN endpoint. */
  readonly publicIp?: string;
}

/** What kind of link is being set up (see peering/plan). */
export type OrchestratedKind = 'native-peering' | 'ipsec-vpn';

/** Which end a step acts on. */
export type Side = 'a' | 'b';

/** The actions a step can take; each is idempotent and has an undo (see steps.ts). */
export type StepAction =
  | 'peering.request'
  | 'peering.accept'
  | 'peering.wait-active'
  | 'vpn.gateway'
  | 'vpn.peer-gateway'
  | 'vpn.connection'
  | 'vpn.wait-up'
  | 'onprem.config'
  | 'routes'
  | 'verify';

/** One step of a peering's set-up. */
export interface PeeringStep {
  /** Stable within the plan: `vpn.gateway/a`. The journal is keyed by it. */
  readonly id: string;
  readonly action: StepAction;
  readonly side: Side;
  /** Human description for progress output. */
  readonly title: string;
}

/** What a finished step produced, for later steps (ids, addresses); never a secret. */
export type StepOutputs = Readonly<Record<string, string | readonly string[] | number>>;

/** Where a step stands in the journal. */
export type StepState = 'pending' | 'running' | 'done' | 'failed' | 'undone';

/** One journal entry: the Peering's `status.steps[i]`. */
export interface StepRecord {
  readonly id: string;
  readonly title: string;
  readonly state: StepState;
  readonly outputs?: StepOutputs;
  readonly message?: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
}

/** The phase of a whole peering. */
export type PeeringPhase = 'Provisioning' | 'Ready' | 'RollingBack' | 'Failed' | 'Deleting' | 'Deleted';

/** The journal of a peering's set-up: kept in the Peering's status, saved after every step. */
export interface PeeringJournal {
  readonly phase: PeeringPhase;
  readonly steps: readonly StepRecord[];
  readonly message?: string;
}
