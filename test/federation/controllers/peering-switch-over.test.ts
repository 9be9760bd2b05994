import { describe, expect, it } from 'vitest';
import { planSwitchOver } from '../../../federation/controllers/peering/switch-over.js';

const link = (a: string, b: string, ready: boolean) => ({
  name: `${a}--${b}`,
  clusters: [a, b] as [string, string],
  ready,
});

/** Mesh of a, b, c, d → hub-and-spoke through a: b--c, b--d, c--d are dropped. */
describe('peering policy switch-over (make-before-break)', () => {
  const stale = [link('b', 'c', true), link('b', 'd', true), link('c', 'd', true)];

  it('keeps every spoke↔spoke link while a path of its clusters through the hub is not Ready', () => {
    const wanted = [link('a', 'b', true), link('a', 'c', false), link('a', 'd', true)];
    expect(planSwitchOver(stale, wanted)).toEqual({
      retire: ['b--d'],
      waiting: [
        { name: 'b--c', waitsFor: ['a--c'] },
        { name: 'c--d', waitsFor: ['a--c'] },
      ],
    });
  });

  it('retires them all once every new path is Ready', () => {
    const wanted = [link('a', 'b', true), link('a', 'c', true), link('a', 'd', true)];
    expect(planSwitchOver(stale, wanted)).toEqual({ retire: ['b--c', 'b--d', 'c--d'], waiting: [] });
  });

  it('new links not created yet count as not Ready; a link whose clusters left the policy goes at once', () => {
    const wanted = [link('a', 'b', false), link('a', 'c', false)];
    const out = planSwitchOver([...stale, link('x', 'y', true)], wanted);
    expect(out.retire).toEqual(['x--y']);
    expect(out.waiting.map((w) => w.name)).toEqual(['b--c', 'b--d', 'c--d']);
    expect(out.waiting.find((w) => w.name === 'b--d')?.waitsFor).toEqual(['a--b']);
  });
});
