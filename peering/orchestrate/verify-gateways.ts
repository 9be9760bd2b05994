import { ProviderError } from '../../providers/provider-error.js';
import type { ProbeResult } from '../gateway/probes.js';
import type { StepOutputs } from './types.js';

/** The reason a peering is Ready without a check through the gateways: a cluster has none. */
export const GATEWAYS_NOT_DEPLOYED = 'GatewaysNotDeployed';

/** How the control plane reaches the east-west gateways (peering/gateway/probes.ts's GatewayProbes). */
export interface GatewayProber {
  /** Live gateway replicas registered per cluster. */
  registered(clusters: readonly string[]): Promise<Record<string, number>>;
  /** A probe from a gateway of `from` to a gateway of `to`. */
  probe(from: string, to: string, timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult>;
}

/** Options of the check. */
export interface VerifyThroughGatewaysOptions {
  /** How long to keep trying before the check fails for good (ms). Default 120,000. */
  readonly timeoutMs?: number;
  /** How long one probe may take (ms). Default 10,000. */
  readonly attemptMs?: number;
  /** Pause between attempts (ms). Default 1,000. */
  readonly retryMs?: number;
  /** Reports each failed attempt, for the step's progress in the Peering's status. */
  readonly progress?: (message: string) => Promise<void>;
  readonly signal?: AbortSignal;
  /** What the providers said of the link (kept in the outputs). */
  readonly providers?: string;
}

/**
 * The last step of a peering: a real request each way through the two clusters' east-west
 * gateways (a gateway of `a` calls a gateway of `b` over mTLS, and the reverse), retried until both
 * succeed or `timeoutMs` passes. Resolves with the step's outputs: the measured round-trip times,
 * or, when a cluster has no gateway registered, `gateways: GatewaysNotDeployed` and a message
 * saying the link was checked by the providers' state only. Throws a non-retryable error naming
 * what failed last when the time is up.
 */
export async function verifyThroughGateways(
  a: string,
  b: string,
  prober: GatewayProber,
  opts: VerifyThroughGatewaysOptions = {},
): Promise<StepOutputs> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  const providers: StepOutputs = opts.providers ? { providers: opts.providers } : {};
  for (let attempt = 1; ; attempt++) {
    const registered = await prober.registered([a, b]);
    const missing = [a, b].filter((c) => (registered[c] ?? 0) === 0);
    if (missing.length > 0) {
      return {
        ...providers,
        gateways: GATEWAYS_NOT_DEPLOYED,
        message: `link up by the providers' state; not verified through the east-west gateways: no gateway of ${missing.join(' or ')} is registered`,
      };
    }
    const attemptMs = Math.max(1, Math.min(opts.attemptMs ?? 10_000, deadline - Date.now()));
    const [ab, ba] = await Promise.all([
      prober.probe(a, b, attemptMs, opts.signal),
      prober.probe(b, a, attemptMs, opts.signal),
    ]);
    if (ab.ok && ba.ok) {
      return {
        ...providers,
        gateways: 'verified',
        rttMsAToB: ab.rttMs,
        rttMsBToA: ba.rttMs,
        viaA: ba.via,
        viaB: ab.via,
        attempts: attempt,
        message: `both directions verified through the east-west gateways (${a} → ${b} ${ab.rttMs} ms, ${b} → ${a} ${ba.rttMs} ms round trip)`,
      };
    }
    const failed = [
      ...(ab.ok ? [] : [`${a} → ${b}: ${ab.error}`]),
      ...(ba.ok ? [] : [`${b} → ${a}: ${ba.error}`]),
    ].join('; ');
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted');
    if (Date.now() + (opts.retryMs ?? 1_000) >= deadline)
      throw new ProviderError(
        'Invalid',
        `no request got through the east-west gateways within ${Math.round(timeoutMs / 1000)} s (${attempt} attempts; last: ${failed})`,
      );
    await opts.progress?.(`attempt ${attempt} through the gateways failed (${failed}); retrying`);
    await new Promise((r) => setTimeout(r, opts.retryMs ?? 1_000));
  }
}
