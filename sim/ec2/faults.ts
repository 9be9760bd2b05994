/**
 * Fault injection of the EC2 simulator: throttling (RequestLimitExceeded, HTTP 503, as EC2 throttles),
 * server failures (503 Unavailable), throttling at a rate, the time long-running changes take,
 * and long-running changes that end in failure. Programmatic and over POST /_sim/faults.
 */
import { type CloudFaultSwitches, FaultSwitches } from '../common/fault-switches.js';

/** The switches, as the conformance suite and tests use them. */
export type Ec2Faults = CloudFaultSwitches;

/** Holds the switches and decides per request; the store asks it for operation time and failures. */
export class Ec2FaultInjector extends FaultSwitches {
  /** Applies a JSON body of POST /_sim/faults; a bad field is an Error naming it and changes nothing. */
  applyBody(body: unknown): void {
    this.apply(body, (field, why) => new Error(`${field}: ${why}`));
  }
}
