import { describe, expect, it } from 'vitest';
import { defaultCostModel as model, type Provider } from '../../../placement/model/index.js';

const REQUIRED: Record<Provider, string[]> = {
  aws: [
    'us-east-1',
    'us-east-2',
    'us-west-2',
    'ca-central-1',
    'eu-west-1',
    'eu-west-2',
    'eu-central-1',
    'eu-north-1',
    'ap-southeast-1',
    'ap-northeast-1',
    'ap-south-1',
    'sa-east-1',
  ],
  gcp: [
    'us-central1',
    'us-east1',
    'us-west1',
    'europe-west1',
    'europe-west2',
    'europe-west3',
    'europe-west4',
    'asia-southeast1',
    'asia-northeast1',
    'australia-southeast1',
    'southamerica-east1',
  ],
  azure: [
    'eastus',
    'eastus2',
    'westus2',
    'centralus',
    'westeurope',
    'northeurope',
    'uksouth',
    'germanywestcentral',
    'swedencentral',
    'southeastasia',
    'japaneast',
    'australiaeast',
    'brazilsouth',
  ],
  onprem: ['onprem-fra', 'onprem-ams', 'onprem-nyc'],
};

describe('region catalogue', () => {
  it('covers every required region with location, continent and jurisdiction', () => {
    for (const [provider, names] of Object.entries(REQUIRED) as [Provider, string[]][]) {
      for (const name of names) {
        const info = model.region({ provider, region: name });
        expect(info, `${provider}:${name}`).toBeDefined();
        expect(info?.displayName.length).toBeGreaterThan(0);
        expect(info?.jurisdiction).toMatch(/^[A-Z]{2}$/);
      }
    }
  });

  it('knows residency: Frankfurt is EU, London is UK, Zürich is CH', () => {
    expect(model.region({ provider: 'aws', region: 'eu-central-1' })?.jurisdiction).toBe('EU');
    expect(model.region({ provider: 'azure', region: 'uksouth' })?.jurisdiction).toBe('UK');
    expect(model.region({ provider: 'onprem', region: 'onprem-zrh' })?.jurisdiction).toBe('CH');
    expect(model.region({ provider: 'gcp', region: 'us-central1' })?.continent).toBe('north-america');
  });

  it('returns undefined for an unknown region', () => {
    expect(model.region({ provider: 'gcp', region: 'moon-central1' })).toBeUndefined();
  });
});
