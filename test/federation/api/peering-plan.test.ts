import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, apiHarness } from './harness.js';

const cluster = (
  name: string,
  provider: string,
  region: string,
  node: string,
  pod: string,
  labels = {},
  cloud?: object,
) => ({
  apiVersion: 'fedgate.dev/v1alpha1',
  kind: 'MemberCluster',
  metadata: { name, labels },
  spec: {
    provider,
    region,
    connection: { server: 'https://127.0.0.1:6443' },
    network: { nodeCidrs: [node], podCidrs: [pod] },
    ...(cloud ? { cloud } : {}),
  },
});

describe('peering resources and GET /api/v1/plan/peering', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness();
    const res = await h.call({
      method: 'POST',
      url: '/api/v1/apply',
      payload: {
        items: [
          cluster('aws-a', 'aws', 'us-east-1', '10.1.0.0/16', '10.101.0.0/16', { env: 'prod' }),
          cluster('aws-b', 'aws', 'eu-west-1', '10.2.0.0/16', '10.102.0.0/16', { env: 'prod' }),
          cluster('gcp-c', 'gcp', 'europe-west1', '10.3.0.0/16', '10.103.0.0/16'),
          {
            apiVersion: 'fedgate.dev/v1alpha1',
            kind: 'PeeringPolicy',
            metadata: { name: 'prod' },
            spec: { clusterSelector: { matchLabels: { env: 'prod' } } },
          },
        ],
      },
    });
    expect(res.statusCode, res.body).toBe(200);
  });
  afterAll(() => h?.close());

  it('plans the whole fleet: native peering within AWS, IPsec to GCP, with monthly costs', async () => {
    const res = await h.call({ method: 'GET', url: '/api/v1/plan/peering' });
    expect(res.statusCode, res.body).toBe(200);
    const plan = res.json();
    expect(plan.topology).toBe('full-mesh');
    expect(plan.links.map((l: { a: string; b: string; kind: string }) => `${l.a}|${l.b}|${l.kind}`)).toEqual([
      'aws-a|aws-b|aws-vpc-peering',
      'aws-a|gcp-c|ipsec-vpn',
      'aws-b|gcp-c|ipsec-vpn',
    ]);
    expect(plan.monthlyCost.fixed).toBeGreaterThan(0);
  });

  it("plans a PeeringPolicy's clusters only, and says when the policy does not exist", async () => {
    const res = await h.call({ method: 'GET', url: '/api/v1/plan/peering?policy=prod' });
    expect(res.json().links).toHaveLength(1);
    const missing = await h.call({ method: 'GET', url: '/api/v1/plan/peering?policy=nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().message).toMatch(/PeeringPolicy nope not found/);
  });

  it('refuses a Peering of a cluster with itself, and a cloud side that does not fit its provider, naming the field', async () => {
    const res = await h.call({
      method: 'POST',
      url: '/api/v1/apply',
      payload: {
        items: [
          {
            apiVersion: 'fedgate.dev/v1alpha1',
            kind: 'Peering',
            metadata: { name: 'x' },
            spec: { clusters: ['aws-a', 'aws-a'] },
          },
          cluster('az', 'azure', 'westeurope', '10.9.0.0/16', '10.109.0.0/16', {}, { account: 'not-a-uuid' }),
        ],
      },
    });
    expect(res.statusCode).toBe(422);
    const text = res.body;
    expect(text).toMatch(/\[0\]\.spec\.clusters.*itself/);
    expect(text).toMatch(/\[1\]\.spec\.cloud\.account.*subscription id/);
    expect(text).toMatch(/\[1\]\.spec\.cloud\.resourceGroup.*required for Azure/);
    const list = await h.call({ method: 'GET', url: '/api/v1/objects/MemberCluster.v1alpha1.fedgate.dev' });
    expect(list.statusCode).toBe(200);
    expect(
      list
        .json()
        .items.map((i: { metadata: { name: string } }) => i.metadata.name)
        .sort(),
    ).toEqual(['aws-a', 'aws-b', 'gcp-c']);
  });
});
