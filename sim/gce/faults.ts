/**
 * Fault injection of the GCE simulator: throttling (429 rateLimitExceeded), 5xx (503 backendError),
 * slow operations and operations that end in failure. Set programmatically or through the
 * authenticated control route `POST /_sim/faults` with a JSON body of the same fields.
 */
import { type CloudFaultSwitches, FaultSwitches } from '../common/fault-switches.js';
import { invalid } from './errors.js';

/** The fault switches (same shape as the conformance suite's SimulatorFaults). */
export type GceFaults = CloudFaultSwitches;

/** Holds the fault settings and decides per request and per operation. */
export class FaultState extends FaultSwitches {
  /** Applies a control-route body; a bad field is a 400 naming it and changes nothing. */
  applyBody(body: unknown): void {
    this.apply(body, invalid);
  }
}
