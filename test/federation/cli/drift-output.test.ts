import { describe, expect, it } from 'vitest';
import { renderDescribe } from '../../../federation/cli/output/describe.js';
import { renderExplanation, statusOf } from '../../../federation/cli/output/explain.js';
import { bindingDrift } from '../../../federation/cli/output/tables.js';
import type { KubeObject } from '../../../federation/resources/kube-object.js';

const detectedAt = new Date(Date.now() - 30_000).toISOString();

const binding: KubeObject = {
  apiVersion: 'fedgate.dev/v1alpha1',
  kind: 'Binding',
  metadata: { name: 'web-deployment', namespace: 'shop', generation: 1 },
  spec: {
    resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web', generation: 1 },
    policy: 'web',
    clusters: [
      { name: 'aws-eu-1', replicas: 2 },
      { name: 'gcp-eu-1', replicas: 2 },
    ],
  },
  status: {
    conditions: [],
    clusters: [
      {
        cluster: 'aws-eu-1',
        phase: 'Applied',
        replicas: 2,
        readyReplicas: 2,
        drift: {
          paths: ['/spec/template/spec/containers/0/image'],
          detectedAt,
          mode: 'Restore',
          restored: true,
        },
        lastUpdateTime: detectedAt,
      },
      {
        cluster: 'gcp-eu-1',
        phase: 'Applied',
        replicas: 2,
        readyReplicas: 2,
        drift: { paths: ['/spec/replicas'], detectedAt, mode: 'Report', restored: false },
        lastUpdateTime: detectedAt,
      },
    ],
  },
};

describe('drift in the CLI output', () => {
  it('adds the drifted paths to a cluster status line', () => {
    const [aws, gcp] = (binding.status as { clusters: unknown[] }).clusters;
    expect(statusOf(aws)).toMatch(
      /^Applied 2\/2 ready, drifted: \/spec\/template\/spec\/containers\/0\/image \(restored \d+s ago\)$/,
    );
    expect(statusOf(gcp)).toMatch(/drifted: \/spec\/replicas \(left in place \d+s ago\)/);
    expect(statusOf({ cluster: 'x', phase: 'Applied' })).toBe('Applied');
  });

  it('describe lists every cluster’s drift under Drift:', () => {
    const out = renderDescribe(binding);
    expect(out).toContain('Drift:');
    expect(out).toMatch(
      / {2}aws-eu-1: restored \(mode Restore\), detected \d+s ago\n {4}\/spec\/template\/spec\/containers\/0\/image/,
    );
    expect(out).toMatch(/ {2}gcp-eu-1: left in place \(mode Report\)/);
  });

  it('get bindings -o wide names the drifted clusters and whether the drift was restored', () => {
    expect(bindingDrift(binding)).toBe('aws-eu-1(restored),gcp-eu-1(left)');
    expect(bindingDrift({ ...binding, status: { clusters: [{ cluster: 'x', phase: 'Applied' }] } })).toBe(
      '<none>',
    );
  });

  it('explain shows drift in the per-cluster status column', () => {
    expect(renderExplanation(binding)).toContain('drifted: /spec/replicas (left in place');
  });
});
