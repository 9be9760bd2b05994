import { describe, expect, it } from 'vitest';
import {
  type GatewayPathHealth,
  nextPathHealth,
  PATH_WINDOW,
  type PathProbe,
  pathVerdict,
} from '../../../federation/controllers/peering/gateway-path.js';
import type { ProbeResult } from '../../../peering/gateway/probes.js';

const ok = (rttMs: number) => ({ ok: true as const, rttMs, firstMs: rttMs, via: 'https://127.0.0.1:1' });
const fail = (error: string) => ({ ok: false as const, error });
const probed = (ab: ProbeResult, ba = ab): PathProbe => ({ kind: 'probed', ab, ba });

function run(probes: PathProbe[]): GatewayPathHealth {
  let health: GatewayPathHealth | undefined;
  for (const [i, p] of probes.entries()) health = nextPathHealth('a', 'b', health, p, `t${i}`);
  return health!;
}

/** What a Ready peering's health reads make of their probes through the east-west gateways. */
describe('peering health: the path through the gateways', () => {
  it('keeps the round trips each way and counts loss over the recent probes', () => {
    const h = run([probed(ok(1.5), ok(2.5)), probed(fail('connect ECONNREFUSED'), ok(2))]);
    expect(h).toMatchObject({ state: 'failed', rttMsBToA: 2, lossPercent: 25, recent: '++-+' });
    expect(h.rttMsAToB).toBeUndefined();
    expect(h.error).toBe('a → b: connect ECONNREFUSED');
    expect(pathVerdict('a', 'b', h)).toEqual({
      reason: 'GatewayProbeFailed',
      message:
        "link up by the providers' state, but a probe through the east-west gateways failed (a → b: connect ECONNREFUSED); 25% of the last 4 probes lost",
    });
  });

  it('forgets probes older than the window: a path that recovered shows no loss', () => {
    const h = run([probed(fail('timeout')), ...Array.from({ length: PATH_WINDOW / 2 }, () => probed(ok(1)))]);
    expect(h.recent).toBe('+'.repeat(PATH_WINDOW));
    expect(h.lossPercent).toBe(0);
    expect(pathVerdict('a', 'b', h)).toEqual({
      reason: 'Ready',
      message:
        'both directions through the east-west gateways: a → b 1 ms, b → a 1 ms round trip; 0% of the last 20 probes lost',
    });
  });

  it('a cluster without a gateway is GatewaysNotDeployed, and its absence counts no loss once it registers', () => {
    const gone = run([probed(fail('timeout')), { kind: 'not-deployed', missing: ['b'] }]);
    expect(gone).toEqual({ state: 'not-deployed', error: 'no gateway of b is registered', checkedAt: 't1' });
    expect(pathVerdict('a', 'b', gone).reason).toBe('GatewaysNotDeployed');
    const back = nextPathHealth('a', 'b', gone, probed(ok(3)), 't2');
    expect(back).toMatchObject({ state: 'verified', recent: '++', lossPercent: 0 });
  });
});
