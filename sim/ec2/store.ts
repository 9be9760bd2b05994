/**
 * The simulator's state: every resource of every account and region, ids, the ClientToken
 * records, and how long (and whether) long-running changes take and fail.
 */
import { randomBytes } from 'node:crypto';
import type { FaultSwitches } from '../common/fault-switches.js';
import type {
  CustomerGateway,
  Instance,
  Owned,
  Peering,
  RouteTable,
  Snapshot,
  Subnet,
  Transition,
  Volume,
  Vpc,
  VpnConnection,
  VpnGateway,
} from './model.js';

/** All resources, by kind, keyed by id. */
/** Where long-running changes get their duration and injected failures (the fault switches). */
export type OperationFaults = Pick<FaultSwitches, 'operationDelay' | 'takeOperationFailure'>;

export class Ec2Store {
  readonly vpcs = new Map<string, Vpc>();
  readonly subnets = new Map<string, Subnet>();
  readonly instances = new Map<string, Instance>();
  readonly routeTables = new Map<string, RouteTable>();
  readonly peerings = new Map<string, Peering>();
  readonly vpnGateways = new Map<string, VpnGateway>();
  readonly customerGateways = new Map<string, CustomerGateway>();
  readonly vpnConnections = new Map<string, VpnConnection>();
  readonly volumes = new Map<string, Volume>();
  readonly snapshots = new Map<string, Snapshot>();
  /** ClientToken → the request's fingerprint and the resource id it made (per account and action). */
  readonly clientTokens = new Map<string, { fingerprint: string; resourceId: string }>();

  #ipSeq = 1;

  /** Long-running changes take their time and failures from the fault switches. */
  constructor(private readonly operations: OperationFaults) {}

  /** A new id of EC2's form: prefix and 17 hex digits. */
  newId(prefix: string): string {
    return `${prefix}-0${randomBytes(8).toString('hex')}`;
  }

  /** A public address for a tunnel or gateway (TEST-NET-3, 203.0.113.0/24 then 198.51.100.0/24). */
  newPublicIp(): string {
    const n = this.#ipSeq++;
    return n < 250 ? `203.0.113.${n + 2}` : `198.51.100.${(n % 250) + 2}`;
  }

  /** Starts a long-running change now; it takes the current operation time and carries a pending failure. */
  begin(now: number): Transition {
    const t: Transition = { startedAt: now, durationMs: this.operations.operationDelay() };
    const failReason = this.operations.takeOperationFailure();
    if (failReason !== undefined) t.failReason = failReason;
    return t;
  }

  /** Starts a change that cannot fail (gateway creation, attachment): it only takes time. */
  beginInfallible(now: number): Transition {
    return { startedAt: now, durationMs: this.operations.operationDelay() };
  }

  /** Resources of one account and region. */
  scoped<T extends Owned>(map: ReadonlyMap<string, T>, account: string, region: string): T[] {
    return [...map.values()].filter((r) => r.account === account && r.region === region);
  }
}

/** Base fields of a new resource. */
export function owned(
  id: string,
  account: string,
  region: string,
  now: number,
  tags = new Map<string, string>(),
): Owned {
  return { id, account, region, tags, createdAt: now };
}
