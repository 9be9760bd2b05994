/**
 * Fault injection of the ARM simulator: throttling (429 TooManyRequests with Retry-After), 5xx
 * (500 InternalServerError), slow long-running operations, and operations that end Failed with a
 * given reason. Switched programmatically or over the authenticated `POST /_sim/faults` route.
 */
import { type CloudFaultSwitches, type FaultSettings, FaultSwitches } from '../common/fault-switches.js';
import { type ArmError, internalServerError, invalidField, tooManyRequests } from './errors.js';

/** The fault switches (the same shape every cloud simulator offers). */
export type ArmFaultSwitches = CloudFaultSwitches;

/** What GET /_sim/faults reports. */
export type ArmFaultState = FaultSettings;

/** Holds the fault settings and answers faults as ARM does. */
export class ArmFaults extends FaultSwitches {
  constructor(
    private readonly defaults: {
      readonly operationDelayMs: number;
      readonly throttleRetryAfterSeconds: number;
    },
    random: () => number = Math.random,
  ) {
    super(defaults.operationDelayMs, random);
  }

  /** The error to answer this API request with, if a fault applies. */
  requestFault(): ArmError | undefined {
    const verdict = this.verdict();
    if (verdict === 'throttle') return tooManyRequests(this.defaults.throttleRetryAfterSeconds);
    if (verdict === 'fail') return internalServerError();
    return undefined;
  }

  /** Takes the pending operation failure, if any, as an ARM error `{code, message}` (`Code: message` or a message). */
  takeArmOperationFailure(): { code: string; message: string } | undefined {
    const reason = this.takeOperationFailure();
    if (reason === undefined) return undefined;
    const m = /^([A-Za-z][\w.]*):\s*(.+)$/s.exec(reason);
    return m ? { code: m[1]!, message: m[2]! } : { code: 'OperationFailed', message: reason };
  }

  /** Applies a JSON update from the control route; a bad field is a 400 naming it and changes nothing. */
  applyBody(update: unknown): void {
    this.apply(update, invalidField);
  }
}
