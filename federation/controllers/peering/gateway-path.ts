import type { ProbeResult } from '../../../peering/gateway/probes.js';
import type { GatewayProber } from '../../../peering/orchestrate/verify-gateways.js';

/** How many probe outcomes (one per direction per health read) the loss is measured over. */
export const PATH_WINDOW = 20;

/**
 * The path through a Ready peering's two east-west gateways as the last health reads found it: the
 * round trips each way, and the share of recent probes that failed.
 */
export interface GatewayPathHealth {
  /** `verified`: both directions answered; `failed`: a direction did not; `not-deployed`: a cluster has no gateway. */
  readonly state: 'verified' | 'failed' | 'not-deployed';
  /** Median round trip of the last probe from a gateway of the first cluster to one of the second (ms). */
  readonly rttMsAToB?: number;
  readonly rttMsBToA?: number;
  /** Failed probes in `recent`, in percent. */
  readonly lossPercent?: number;
  /** The last probe outcomes, oldest first: `+` answered, `-` failed (at most PATH_WINDOW). */
  readonly recent?: string;
  /** What failed in the last read, or which cluster has no gateway. */
  readonly error?: string;
  readonly checkedAt: string;
}

/** What one health read's probes found, before it is folded into the path's history. */
export type PathProbe =
  | { readonly kind: 'not-deployed'; readonly missing: readonly string[] }
  | { readonly kind: 'probed'; readonly ab: ProbeResult; readonly ba: ProbeResult };

/** One probe each way through the gateways, when both clusters have one registered. */
export async function probeGatewayPath(
  a: string,
  b: string,
  prober: GatewayProber,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<PathProbe> {
  const registered = await prober.registered([a, b]);
  const missing = [a, b].filter((c) => (registered[c] ?? 0) === 0);
  if (missing.length > 0) return { kind: 'not-deployed', missing };
  const [ab, ba] = await Promise.all([
    prober.probe(a, b, timeoutMs, signal),
    prober.probe(b, a, timeoutMs, signal),
  ]);
  return { kind: 'probed', ab, ba };
}

/** The path's health after a read: the round trips it measured and the loss over the window. */
export function nextPathHealth(
  a: string,
  b: string,
  prev: GatewayPathHealth | undefined,
  probe: PathProbe,
  now: string,
): GatewayPathHealth {
  if (probe.kind === 'not-deployed')
    return {
      state: 'not-deployed',
      error: `no gateway of ${probe.missing.join(' or ')} is registered`,
      checkedAt: now,
    };
  const { ab, ba } = probe;
  // A gateway that was absent left no history to count against the path.
  const before = prev?.state === 'not-deployed' ? '' : (prev?.recent ?? '');
  const recent = `${before}${ab.ok ? '+' : '-'}${ba.ok ? '+' : '-'}`.slice(-PATH_WINDOW);
  const failed = [...recent].filter((c) => c === '-').length;
  const errors = [
    ...(ab.ok ? [] : [`${a} → ${b}: ${ab.error}`]),
    ...(ba.ok ? [] : [`${b} → ${a}: ${ba.error}`]),
  ];
  return {
    state: errors.length === 0 ? 'verified' : 'failed',
    ...(ab.ok ? { rttMsAToB: ab.rttMs } : {}),
    ...(ba.ok ? { rttMsBToA: ba.rttMs } : {}),
    lossPercent: Math.round((failed / recent.length) * 1000) / 10,
    recent,
    ...(errors.length > 0 ? { error: errors.join('; ') } : {}),
    checkedAt: now,
  };
}

/** The Ready reason and message of a link its providers report up, given the path through the gateways. */
export function pathVerdict(
  a: string,
  b: string,
  path: GatewayPathHealth,
): { readonly reason: string; readonly message: string } {
  if (path.state === 'not-deployed')
    return {
      reason: 'GatewaysNotDeployed',
      message: `link up by the providers' state; not verified through the east-west gateways: ${path.error}`,
    };
  const loss = `${path.lossPercent ?? 0}% of the last ${path.recent?.length ?? 0} probes lost`;
  if (path.state === 'failed')
    return {
      reason: 'GatewayProbeFailed',
      message: `link up by the providers' state, but a probe through the east-west gateways failed (${path.error}); ${loss}`,
    };
  return {
    reason: 'Ready',
    message: `both directions through the east-west gateways: ${a} → ${b} ${path.rttMsAToB} ms, ${b} → ${a} ${path.rttMsBToA} ms round trip; ${loss}`,
  };
}
