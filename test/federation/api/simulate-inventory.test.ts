import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, apiHarness } from './harness.js';

const cluster = (name: string, region: string, instanceType: string, count: number, vcpus: number) => ({
  apiVersion: 'fedgate.dev/v1alpha1',
  kind: 'MemberCluster',
  metadata: { name },
  spec: { provider: 'aws', region, connection: { server: 'https://127.0.0.1:6443' } },
  status: {
    cloud: {
      instances: [{ zone: `${region}a`, instanceType, count, vcpus, memoryMiB: vcpus * 4096 }],
    },
  },
});

const web = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
  spec: {
    replicas: 4,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu: '1', memory: '1Gi' } } }],
      },
    },
  },
};

const cheapest = {
  apiVersion: 'fedgate.dev/v1alpha1',
  kind: 'PlacementPolicy',
  metadata: { name: 'cheapest' },
  spec: {
    resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment' }],
    spreadConstraints: [{ spreadByField: 'cluster', maxGroups: 1 }],
    objectives: { cost: 10 },
  },
};

describe('fedgate simulate with a fleet given with its cloud inventory', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await apiHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('prices each cluster by its instance mix, caps it at its instances, and says where the prices came from', async () => {
    const fleet = [
      cluster('virginia', 'us-east-1', 'm6i.2xlarge', 2, 8),
      cluster('ireland', 'eu-west-1', 'm6g.xlarge', 4, 4),
    ];
    const res = await h.call({
      method: 'POST',
      url: '/api/v1/simulate',
      payload: { policies: [cheapest], fleet, templates: [web] },
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.templates[0].after.clusters).toEqual([{ name: 'ireland', replicas: 4 }]);
    expect(body.prices.ireland).toMatchObject({ basis: 'inventory', mix: { 'm6g.xlarge': 4 } });

    // 17 replicas of 1 vCPU do not fit on 16 vCPU of instances, whatever no probe said.
    const big = { ...web, spec: { ...web.spec, replicas: 17 } };
    const full = await h.call({
      method: 'POST',
      url: '/api/v1/simulate',
      payload: { policies: [cheapest], fleet, templates: [big] },
    });
    expect(full.json().templates[0].after.status).toBe('Unschedulable');
  }, 60_000);

  it('refuses a malformed instance group with its field path, and simulates nothing', async () => {
    const bad = cluster('virginia', 'us-east-1', 'm6i.2xlarge', -2, 8);
    const res = await h.call({
      method: 'POST',
      url: '/api/v1/simulate',
      payload: { policies: [cheapest], fleet: [bad], templates: [web] },
    });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('fleet[0].status.cloud.instances[0].count');
  }, 60_000);
});
