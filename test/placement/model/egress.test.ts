import { describe, expect, it } from 'vitest';
import { CostModelError, defaultCostModel as model, type RegionRef } from '../../../placement/model/index.js';

const r = (provider: RegionRef['provider'], region: string): RegionRef => ({ provider, region });

describe('egress prices', () => {
  it('orders same region < inter-region < intercontinental < internet for each cloud', () => {
    const cases: [RegionRef, RegionRef, RegionRef][] = [
      [r('aws', 'eu-central-1'), r('aws', 'eu-west-1'), r('aws', 'ap-northeast-1')],
      [r('gcp', 'europe-west3'), r('gcp', 'europe-west1'), r('gcp', 'us-central1')],
      [r('azure', 'westeurope'), r('azure', 'northeurope'), r('azure', 'eastus')],
    ];
    for (const [src, sameContinent, otherContinent] of cases) {
      const intra = model.egressPerGiB(src, src);
      const inter = model.egressPerGiB(src, sameContinent);
      const cont = model.egressPerGiB(src, otherContinent);
      const net = model.egressPerGiB(src, 'internet');
      expect(intra, src.provider).toBeLessThan(inter);
      expect(inter, src.provider).toBeLessThanOrEqual(cont);
      expect(cont, src.provider).toBeLessThan(net);
    }
  });

  it('comes out as sourced', () => {
    expect(model.egressPerGiB(r('aws', 'us-east-1'), 'internet')).toBe(0.09);
    expect(model.egressPerGiB(r('aws', 'eu-west-1'), r('aws', 'us-west-2'))).toBe(0.02);
    expect(model.egressPerGiB(r('aws', 'sa-east-1'), r('aws', 'us-east-1'))).toBe(0.138);
    expect(model.egressPerGiB(r('aws', 'us-east-1'), r('aws', 'us-east-2'))).toBe(0.01); // pair discount
    expect(model.egressPerGiB(r('azure', 'westeurope'), r('azure', 'eastus'))).toBe(0.05);
    expect(model.egressPerGiB(r('azure', 'brazilsouth'), 'internet')).toBe(0.181);
    expect(model.egressPerGiB(r('gcp', 'australia-southeast1'), 'internet')).toBe(0.19);
    expect(model.egressQuote(r('aws', 'us-east-1'), r('aws', 'us-east-2')).basis).toBe('pair');
  });

  it('charges cross-provider traffic as internet egress of the source', () => {
    const src = r('aws', 'eu-west-1');
    const q = model.egressQuote(src, r('azure', 'northeurope'));
    expect(q.kind).toBe('internet');
    expect(q.perGiB).toBe(model.egressPerGiB(src, 'internet'));
    // The bill is the source's: GCP -> AWS costs GCP's internet rate, not AWS's.
    expect(model.egressPerGiB(r('gcp', 'europe-west3'), r('aws', 'eu-central-1'))).toBe(0.12);
    expect(model.egressQuote(r('onprem', 'onprem-fra'), r('aws', 'eu-central-1')).kind).toBe('internet');
  });

  it('lets overrides win, per class or as one flat figure', () => {
    const src = r('onprem', 'onprem-fra');
    expect(model.egressPerGiB(src, 'internet', { egressPerGiB: { internetPerGiB: 0.003 } })).toBe(0.003);
    expect(
      model.egressPerGiB(src, r('onprem', 'onprem-ams'), { egressPerGiB: { internetPerGiB: 0.003 } }),
    ).toBe(0.01);
    const flat = model.egressQuote(r('aws', 'us-east-1'), r('aws', 'us-east-2'), { egressPerGiB: 0 });
    expect(flat).toMatchObject({ perGiB: 0, basis: 'override' });
  });

  it('treats unknown regions conservatively and says so', () => {
    const q = model.egressQuote(r('aws', 'us-east-1'), r('aws', 'us-future-9'));
    expect(q).toMatchObject({ kind: 'inter-continent', estimated: true, perGiB: 0.02 });
    const fromUnknown = model.egressQuote(r('azure', 'newregion'), 'internet');
    expect(fromUnknown).toMatchObject({ estimated: true, perGiB: 0.0875 });
  });

  it('rejects unknown providers and negative overrides', () => {
    expect(() => model.egressPerGiB(r('oracle' as never, 'x'), 'internet')).toThrow(CostModelError);
    expect(() => model.egressPerGiB(r('aws', 'us-east-1'), 'internet', { egressPerGiB: -1 })).toThrow(
      /egressPerGiB/,
    );
  });
});
