import { describe, expect, it } from 'vitest';
import { matchesFields, parseFieldSelector } from '../../sim/kubernetes/field-selector.js';
import { applyJsonPatch } from '../../sim/kubernetes/json-patch.js';
import { matchesLabels, parseLabelSelector } from '../../sim/kubernetes/label-selector.js';
import { fieldSetOf, formatPath, fromFieldsV1, toFieldsV1 } from '../../sim/kubernetes/managed-fields.js';
import { applyMergePatch, applyStrategicMergePatch } from '../../sim/kubernetes/merge-patch.js';
import { nodeObject } from '../../sim/kubernetes/nodes.js';
import {
  formatBytes,
  formatCpuMillis,
  parseBytes,
  parseCpuMillis,
  parseQuantity,
} from '../../sim/kubernetes/quantity.js';
import { chooseNode, podRequests } from '../../sim/kubernetes/scheduler-sim.js';
import type { KubeObject } from '../../sim/kubernetes/types.js';

describe('quantity', () => {
  it('parses cpu into millicores', () => {
    expect(parseCpuMillis('500m')).toBe(500);
    expect(parseCpuMillis('1')).toBe(1000);
    expect(parseCpuMillis('0.1')).toBe(100);
    expect(parseCpuMillis('1.5')).toBe(1500);
    expect(parseCpuMillis(2)).toBe(2000);
    expect(parseCpuMillis('250000u')).toBe(250);
    expect(parseCpuMillis('100000000n')).toBe(100);
  });

  it('parses memory with binary and decimal suffixes and exponents', () => {
    expect(parseBytes('128Mi')).toBe(128 * 2 ** 20);
    expect(parseBytes('1Gi')).toBe(2 ** 30);
    expect(parseBytes('1G')).toBe(1e9);
    expect(parseBytes('1k')).toBe(1000);
    expect(parseBytes('1Ki')).toBe(1024);
    expect(parseBytes('1e3')).toBe(1000);
    expect(parseBytes('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(parseQuantity('1E')).toBe(1e18);
    expect(parseQuantity('1E3')).toBe(1000);
    expect(parseQuantity('12e-3')).toBeCloseTo(0.012);
  });

  it('rejects malformed quantities', () => {
    expect(() => parseQuantity('abc')).toThrow();
    expect(() => parseQuantity('1Xi')).toThrow();
    expect(() => parseQuantity('')).toThrow();
    expect(() => parseQuantity('1 Gi')).toThrow();
  });

  it('formats canonically', () => {
    expect(formatCpuMillis(1500)).toBe('1500m');
    expect(formatCpuMillis(4000)).toBe('4');
    expect(formatBytes(16 * 2 ** 30)).toBe('16Gi');
    expect(formatBytes(1000)).toBe('1000');
  });
});

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'frontend', env: 'prod' };
  it.each([
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app!=api', true],
    ['missing!=x', true],
    ['tier in (frontend, backend)', true],
    ['tier notin (frontend)', false],
    ['env', true],
    ['!env', false],
    ['!missing', true],
    ['app=web,tier in (backend)', false],
    ['app=web,env in (prod,staging),!canary', true],
    ['', true],
  ])('%s → %s', (selector, expected) => {
    expect(matchesLabels(parseLabelSelector(selector), labels)).toBe(expected);
  });

  it('rejects bad syntax with a 400', () => {
    expect(() => parseLabelSelector('app===x')).toThrowError(/unable to parse requirement/);
  });
});

describe('field selectors', () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns' },
    spec: {},
    status: { phase: 'Running' },
  } as unknown as KubeObject;
  it('matches dotted paths, != and absent fields as empty', () => {
    expect(matchesFields(parseFieldSelector('metadata.name=p,metadata.namespace=ns'), pod)).toBe(true);
    expect(matchesFields(parseFieldSelector('status.phase!=Failed'), pod)).toBe(true);
    expect(matchesFields(parseFieldSelector('spec.nodeName='), pod)).toBe(true);
    expect(matchesFields(parseFieldSelector('metadata.name==q'), pod)).toBe(false);
  });
});

describe('patches', () => {
  it('merge patch deletes with null and replaces lists', () => {
    const out = applyMergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null, e: 4 }, l: [3] });
    expect(out).toEqual({ a: 1, b: { d: 3, e: 4 }, l: [3] });
  });

  it('strategic merge patch merges containers by name and honours $patch: delete', () => {
    const live = {
      spec: {
        containers: [
          { name: 'a', image: 'a:1' },
          { name: 'b', image: 'b:1' },
        ],
      },
    };
    const out = applyStrategicMergePatch(live, {
      spec: {
        containers: [
          { name: 'b', image: 'b:2' },
          { name: 'c', image: 'c:1' },
        ],
      },
    });
    expect(out).toEqual({
      spec: {
        containers: [
          { name: 'a', image: 'a:1' },
          { name: 'b', image: 'b:2' },
          { name: 'c', image: 'c:1' },
        ],
      },
    });
    const removed = applyStrategicMergePatch(live, {
      spec: { containers: [{ name: 'a', $patch: 'delete' }] },
    });
    expect(removed).toEqual({ spec: { containers: [{ name: 'b', image: 'b:1' }] } });
  });

  it('json patch supports every operation and fails atomically', () => {
    const doc = { a: { b: 1 }, l: [1, 2, 3] };
    const out = applyJsonPatch(doc, [
      { op: 'add', path: '/a/c', value: 2 },
      { op: 'replace', path: '/a/b', value: 10 },
      { op: 'remove', path: '/l/0' },
      { op: 'add', path: '/l/-', value: 4 },
      { op: 'copy', from: '/a/c', path: '/d' },
      { op: 'move', from: '/d', path: '/e' },
      { op: 'test', path: '/e', value: 2 },
      { op: 'add', path: '/k~1x', value: true },
    ]);
    expect(out).toEqual({ a: { b: 10, c: 2 }, l: [2, 3, 4], e: 2, 'k/x': true });
    expect(doc).toEqual({ a: { b: 1 }, l: [1, 2, 3] });
    expect(() => applyJsonPatch(doc, [{ op: 'test', path: '/a/b', value: 2 }])).toThrow(/testing value/);
    expect(() => applyJsonPatch(doc, [{ op: 'remove', path: '/nope/x' }])).toThrow(/missing path/);
  });
});

describe('managed fields', () => {
  it('round-trips field sets through FieldsV1 with list keys and "." markers', () => {
    const obj = {
      metadata: { name: 'x', labels: { app: 'web' } },
      spec: {
        replicas: 2,
        template: {
          spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80, protocol: 'TCP' }] }] },
        },
      },
    };
    const set = fieldSetOf(obj, { structured: true, excludeStatus: true });
    const tree = toFieldsV1(set);
    expect(tree).toMatchObject({
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:template': {
          'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
        },
      },
    });
    expect(fromFieldsV1(tree)).toEqual(set);
    const imagePath = [...set].find((p) => p.endsWith('f:image')) ?? '';
    expect(formatPath(imagePath)).toBe('.spec.template.spec.containers[name="c"].image');
  });
});

describe('scheduler', () => {
  const nodes = [
    nodeObject({ name: 'n1', cpu: '1', memory: '1Gi', pods: 3 }, 0, 'v1.32.2'),
    nodeObject(
      {
        name: 'n2',
        cpu: '2',
        memory: '1Gi',
        pods: 3,
        taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }],
      },
      1,
      'v1.32.2',
    ),
  ];
  it('sums requests with defaults', () => {
    expect(
      podRequests({ containers: [{ resources: { requests: { cpu: '250m', memory: '64Mi' } } }, {}] }),
    ).toEqual({ cpuMillis: 350, memoryBytes: (64 + 128) * 2 ** 20 });
  });

  it('fits by capacity, respects taints and explains failures', () => {
    const spec = { containers: [{ name: 'c', resources: { requests: { cpu: '600m' } } }] };
    expect(chooseNode(nodes, new Map(), spec, podRequests(spec))).toEqual({ node: 'n1' });
    const used = new Map([['n1', { cpuMillis: 600, memoryBytes: 0, pods: 1 }]]);
    const result = chooseNode(nodes, used, spec, podRequests(spec));
    expect(result).toHaveProperty('message');
    expect('message' in result && result.message).toMatch(
      /0\/2 nodes are available: 1 Insufficient cpu, 1 node\(s\) had untolerated taint \{dedicated: x\}/,
    );
    const tolerant = {
      ...spec,
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'x', effect: 'NoSchedule' }],
    };
    expect(chooseNode(nodes, used, tolerant, podRequests(tolerant))).toEqual({ node: 'n2' });
  });
});
