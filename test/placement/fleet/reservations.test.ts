import { describe, expect, it } from 'vitest';
import { descheduled, inFlight } from '../../../placement/fleet/reservations.js';
import {
  type ClusterSnapshot,
  type PolicyInfo,
  schedule,
  type TemplateInfo,
} from '../../../placement/index.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const REQ = { cpuMilli: 100, memoryBytes: 64 * 2 ** 20 };

const cluster = (name: string, pods: number, vcpuHour: number): ClusterSnapshot => ({
  name,
  provider: 'aws',
  region: 'eu-west-1',
  labels: {},
  taints: [],
  ready: true,
  allocatable: { cpuMilli: 64_000, memoryBytes: 256 * 2 ** 30, pods },
  available: { cpuMilli: 64_000, memoryBytes: 256 * 2 ** 30, pods },
  costOverrides: { compute: { vcpuHour, gibHour: 0.001 } },
});

const template = (name: string, replicas: number): TemplateInfo => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  namespace: 'shop',
  name,
  labels: {},
  replicas,
  podRequests: REQ,
  dataBearing: false,
});

const cheapest: PolicyInfo = {
  name: 'cheapest',
  spec: {
    resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment' }],
    replicaScheduling: { type: 'Divided', division: 'CostOptimized' },
  },
} as PolicyInfo;

describe('inFlight', () => {
  it('counts, per cluster, the pods, CPU and memory of replicas placed but not reported ready', () => {
    const r = inFlight([
      { cluster: 'a', replicas: 3, ready: 1, requests: REQ },
      { cluster: 'a', replicas: 2, ready: 2, requests: REQ },
      { cluster: 'b', replicas: 4, ready: 0 },
    ]);
    expect(r.get('a')).toEqual({ pods: 2, cpuMilli: 200, memoryBytes: 2 * REQ.memoryBytes });
    expect(r.get('b')).toEqual({ pods: 4, cpuMilli: 0, memoryBytes: 0 });
    expect(inFlight([{ cluster: 'c', replicas: 1, ready: 3 }]).size).toBe(0);
  });
});

describe('schedule with reservations', () => {
  it('never places past what is free: a burst of decisions fills the cheap cluster, then the next', () => {
    const fleet = [cluster('cheap', 30, 0.01), cluster('dear', 100, 0.05)];
    const copies: { cluster: string; replicas: number; ready: number; requests: typeof REQ }[] = [];
    const placed = new Map<string, number>();
    // 20 Deployments of 3 replicas decided one after the other before any cluster reports them.
    for (let i = 0; i < 20; i++) {
      const r = schedule({
        template: template(`web-${i}`, 3),
        policies: [cheapest],
        fleet,
        reserved: inFlight(copies),
        now: NOW,
      });
      expect(r.status).toBe('Scheduled');
      if (r.status !== 'Scheduled') continue;
      for (const c of r.clusters) {
        copies.push({ cluster: c.name, replicas: c.replicas!, ready: 0, requests: REQ });
        placed.set(c.name, (placed.get(c.name) ?? 0) + c.replicas!);
      }
    }
    expect(placed.get('cheap')).toBe(30);
    expect(placed.get('dear')).toBe(30);
    // Without the reservations every decision sees the same free room: all 60 on the cheap cluster.
    const blind = schedule({ template: template('web-20', 3), policies: [cheapest], fleet, now: NOW });
    expect(blind.status === 'Scheduled' && blind.clusters).toEqual([{ name: 'cheap', replicas: 3 }]);
  });

  it('counts the template’s own replicas placed there as room it already holds', () => {
    const fleet = [cluster('cheap', 3, 0.01), cluster('dear', 100, 0.05)];
    const r = schedule({
      template: template('web', 3),
      policies: [cheapest],
      fleet,
      previous: { policy: 'cheapest', clusters: [{ name: 'cheap', replicas: 3 }] },
      reserved: inFlight([{ cluster: 'cheap', replicas: 3, ready: 0 }]),
      now: NOW,
    });
    expect(r.status === 'Scheduled' && r.clusters).toEqual([{ name: 'cheap', replicas: 3 }]);
  });
});

describe('descheduled', () => {
  const full = () => ({ cpuMilli: 64_000, memoryBytes: 2 ** 40, pods: 0 });
  const previous = [
    { name: 'a', replicas: 5 },
    { name: 'b', replicas: 2 },
  ];
  const since = new Date(NOW - 120_000).toISOString();

  it('takes off a cluster the replicas it has left unready past the timeout with no room for them', () => {
    const out = descheduled(
      previous,
      new Map([
        ['a', { ready: 3, unreadySince: since }],
        ['b', { ready: 2 }],
      ]),
      full,
      REQ,
      NOW,
      60_000,
    );
    expect(out.clusters).toEqual([
      { name: 'a', replicas: 3 },
      { name: 'b', replicas: 2 },
    ]);
    expect(out.descheduled).toEqual([{ cluster: 'a', replicas: 2, since }]);
  });

  it('waits for the timeout, and leaves replicas the cluster has room for (starting, crash-looping)', () => {
    const reports = new Map([['a', { ready: 0, unreadySince: since }]]);
    expect(descheduled(previous, reports, full, REQ, NOW, 180_000).descheduled).toEqual([]);
    const roomy = () => ({ cpuMilli: 64_000, memoryBytes: 2 ** 40, pods: 50 });
    expect(descheduled(previous, reports, roomy, REQ, NOW, 60_000).descheduled).toEqual([]);
    // None ready at all: the cluster drops out of the placement.
    expect(descheduled(previous, reports, full, REQ, NOW, 60_000).clusters).toEqual([
      { name: 'b', replicas: 2 },
    ]);
  });
});
