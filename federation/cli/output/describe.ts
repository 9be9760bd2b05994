import type { KubeObject } from '../../resources/kube-object.js';
import { statusOf } from './explain.js';
import { age, type Column, cell, field, formatLabels, renderTable, toYaml } from './format.js';

/** How many lines of spec `describe` prints before pointing at `get -o yaml`. */
const MAX_SPEC_LINES = 60;

/**
 * Renders one object for people: metadata, a spec summary, status conditions and other status
 * fields, and — for a workload template — where its Binding placed it and what each cluster reports.
 */
export function renderDescribe(obj: KubeObject, binding?: KubeObject | null): string {
  const m = obj.metadata;
  const out: string[] = [];
  const row = (k: string, v: string) => out.push(`${`${k}:`.padEnd(18)}${v}`);
  row('Name', m.name);
  if (m.namespace) row('Namespace', m.namespace);
  row('Kind', `${obj.kind} (${obj.apiVersion})`);
  row('Labels', formatLabels(m.labels).replaceAll(',', '\n'.padEnd(19)));
  row('Annotations', formatLabels(m.annotations).replaceAll(',', '\n'.padEnd(19)));
  row(
    'Created',
    m.creationTimestamp ? `${m.creationTimestamp} (${age(m.creationTimestamp)} ago)` : '<unknown>',
  );
  row('Generation', cell(m.generation));
  row('Resource Version', cell(m.resourceVersion));
  if (m.uid) row('UID', m.uid);

  const { apiVersion: _a, kind: _k, metadata: _m, status, ...body } = obj;
  if (Object.keys(body).length > 0) {
    out.push('Spec:');
    const yaml = toYaml(
      body.spec !== undefined && Object.keys(body).length === 1 ? body.spec : body,
    ).trimEnd();
    const lines = yaml.split('\n');
    out.push(...lines.slice(0, MAX_SPEC_LINES).map((l) => `  ${l}`));
    if (lines.length > MAX_SPEC_LINES) {
      out.push(`  … ${lines.length - MAX_SPEC_LINES} more lines (fedgate get ${obj.kind} ${m.name} -o yaml)`);
    }
  }
  if (status !== undefined && status !== null && typeof status === 'object') {
    const { conditions, clusters, explanation: _e, ...rest } = status as Record<string, unknown>;
    if (Object.keys(rest).length > 0) {
      out.push('Status:');
      out.push(
        ...toYaml(rest)
          .trimEnd()
          .split('\n')
          .map((l) => `  ${l}`),
      );
    }
    if (Array.isArray(conditions) && conditions.length > 0) {
      out.push('Conditions:');
      out.push(indent(renderTable(CONDITION_COLUMNS, conditions)));
    }
    if (Array.isArray(clusters) && clusters.length > 0) {
      out.push('Clusters:');
      out.push(indent(renderTable(CLUSTER_STATUS_COLUMNS, clusters)));
      out.push(...driftSection(clusters));
    }
  }
  if (binding !== undefined) out.push(...placement(binding));
  return `${out.join('\n').trimEnd()}\n`;
}

const CONDITION_COLUMNS: Column<unknown>[] = [
  { header: 'TYPE', value: (c) => cell(field(c, 'type')) },
  { header: 'STATUS', value: (c) => cell(field(c, 'status')) },
  { header: 'REASON', value: (c) => cell(field(c, 'reason')) },
  { header: 'AGE', value: (c) => age(field(c, 'lastTransitionTime')) },
  { header: 'MESSAGE', value: (c) => cell(field(c, 'message')) },
];

const CLUSTER_STATUS_COLUMNS: Column<unknown>[] = [
  { header: 'CLUSTER', value: (c) => cell(field(c, 'cluster')) },
  { header: 'PHASE', value: (c) => cell(field(c, 'phase')) },
  { header: 'GENERATION', value: (c) => cell(field(c, 'appliedGeneration')) },
  {
    header: 'READY',
    value: (c) =>
      typeof field(c, 'replicas') === 'number'
        ? `${cell(field(c, 'readyReplicas') ?? 0)}/${cell(field(c, 'replicas'))}`
        : '-',
  },
  { header: 'UPDATED', value: (c) => age(field(c, 'lastUpdateTime')) },
  { header: 'MESSAGE', value: (c) => cell(field(c, 'message')) },
];

/** Every cluster's drift: the changed field paths, when found, and whether fedgate restored them. */
function driftSection(clusters: readonly unknown[]): string[] {
  const drifted = clusters.filter((c) => Array.isArray(field(c, 'drift', 'paths')));
  if (drifted.length === 0) return [];
  const out = ['Drift:'];
  for (const c of drifted) {
    const restored = field(c, 'drift', 'restored') === true;
    out.push(
      `  ${cell(field(c, 'cluster'))}: ${restored ? 'restored' : 'left in place'} (mode ${cell(field(c, 'drift', 'mode'))}), detected ${age(field(c, 'drift', 'detectedAt'))} ago`,
    );
    for (const p of field(c, 'drift', 'paths') as unknown[]) out.push(`    ${String(p)}`);
  }
  return out;
}

function placement(binding: KubeObject | null): string[] {
  if (binding === null) return ['Placement:        not scheduled yet (no Binding)'];
  const out = ['Placement:'];
  out.push(`  Binding:   ${binding.metadata.name}`);
  out.push(`  Policy:    ${cell(field(binding, 'spec', 'policy'))}`);
  const targets = field(binding, 'spec', 'clusters');
  const statuses = new Map<string, unknown>();
  const sc = field(binding, 'status', 'clusters');
  if (Array.isArray(sc)) for (const s of sc) statuses.set(String(field(s, 'cluster')), s);
  if (!Array.isArray(targets) || targets.length === 0) {
    out.push('  Clusters:  <none>');
    return out;
  }
  out.push('  Clusters:');
  const rows = targets.map((t) => ({
    name: cell(field(t, 'name')),
    replicas: typeof field(t, 'replicas') === 'number' ? String(field(t, 'replicas')) : 'copy',
    status: statusOf(statuses.get(String(field(t, 'name')))),
  }));
  out.push(
    indent(
      renderTable(
        [
          { header: 'CLUSTER', value: (r: (typeof rows)[number]) => r.name },
          { header: 'REPLICAS', value: (r: (typeof rows)[number]) => r.replicas },
          { header: 'STATUS', value: (r: (typeof rows)[number]) => r.status },
        ],
        rows,
      ),
      4,
    ),
  );
  return out;
}

function indent(s: string, n = 2): string {
  const pad = ' '.repeat(n);
  return s
    .trimEnd()
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}
