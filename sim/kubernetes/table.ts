/**
 * meta.k8s.io/v1 Table responses, which `kubectl get` asks for (`Accept: application/json;as=Table;
 * v=v1;g=meta.k8s.io`). The server, not kubectl, decides the columns and formats the cells, so the
 * printers here mirror the apiserver's (pkg/printers/internalversion) for the kinds the simulator
 * serves, with the generic Name/Age table for everything else.
 */
import type { ResourceInfo } from './resources.js';
import type { JsonObject, KubeObject } from './types.js';
import { getPath, isObject } from './types.js';

/** One column definition. */
export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'date' | 'number' | 'boolean';
  format: string;
  description: string;
  priority: number;
}

type Cell = string | number;
type Printer = {
  columns: [string, TableColumn['type'], number][];
  cells: (o: KubeObject, now: Date) => Cell[];
};

/** Age as kubectl prints it ('45s', '3m20s', '5h', '12d'). */
export function humanAge(from: string | undefined, now: Date): string {
  if (!from) return '<unknown>';
  const seconds = Math.floor((now.getTime() - Date.parse(from)) / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 192) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (days < 730) return `${days}d`;
  const years = Math.floor(days / 365);
  return days % 365 === 0 || years >= 8 ? `${years}y` : `${years}y${days % 365}d`;
}

const num = (o: unknown, path: string[]): number => {
  const v = getPath(o, path);
  return typeof v === 'number' ? v : 0;
};
const str = (o: unknown, path: string[]): string => {
  const v = getPath(o, path);
  return v === undefined || v === null ? '' : String(v);
};
const age = (o: KubeObject, now: Date): string => humanAge(o.metadata.creationTimestamp, now);
const list = (o: unknown, path: string[]): unknown[] => {
  const v = getPath(o, path);
  return Array.isArray(v) ? v : [];
};
const count = (o: unknown, key: string): number => {
  const v = isObject(o) ? o[key] : undefined;
  return isObject(v) ? Object.keys(v).length : 0;
};

function podStatus(o: KubeObject): string {
  if (o.metadata.deletionTimestamp) return 'Terminating';
  const waiting = list(o, ['status', 'containerStatuses'])
    .map((c) => str(c, ['state', 'waiting', 'reason']))
    .find((r) => r !== '');
  return waiting ?? (str(o, ['status', 'reason']) || str(o, ['status', 'phase']) || 'Pending');
}

function nodeReady(o: KubeObject): string {
  const ready = list(o, ['status', 'conditions']).find((c) => str(c, ['type']) === 'Ready');
  const status = ready && str(ready, ['status']) === 'True' ? 'Ready' : 'NotReady';
  return getPath(o, ['spec', 'unschedulable']) === true ? `${status},SchedulingDisabled` : status;
}

function nodeRoles(o: KubeObject): string {
  const roles = Object.keys(o.metadata.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length));
  return roles.length > 0 ? roles.join(',') : '<none>';
}

function servicePorts(o: KubeObject): string {
  const ports = list(o, ['spec', 'ports']).map((p) => {
    const node = str(p, ['nodePort']);
    return `${str(p, ['port'])}${node ? `:${node}` : ''}/${str(p, ['protocol']) || 'TCP'}`;
  });
  return ports.length > 0 ? ports.join(',') : '<none>';
}

const PRINTERS: Record<string, Printer> = {
  'apps/deployments': {
    columns: [
      ['Ready', 'string', 0],
      ['Up-to-date', 'integer', 0],
      ['Available', 'integer', 0],
      ['Age', 'string', 0],
      ['Containers', 'string', 1],
      ['Images', 'string', 1],
    ],
    cells: (o, now) => [
      `${num(o, ['status', 'readyReplicas'])}/${num(o, ['spec', 'replicas'])}`,
      num(o, ['status', 'updatedReplicas']),
      num(o, ['status', 'availableReplicas']),
      age(o, now),
      list(o, ['spec', 'template', 'spec', 'containers'])
        .map((c) => str(c, ['name']))
        .join(','),
      list(o, ['spec', 'template', 'spec', 'containers'])
        .map((c) => str(c, ['image']))
        .join(','),
    ],
  },
  'apps/statefulsets': {
    columns: [
      ['Ready', 'string', 0],
      ['Age', 'string', 0],
    ],
    cells: (o, now) => [
      `${num(o, ['status', 'readyReplicas'])}/${num(o, ['spec', 'replicas'])}`,
      age(o, now),
    ],
  },
  'apps/replicasets': {
    columns: [
      ['Desired', 'integer', 0],
      ['Current', 'integer', 0],
      ['Ready', 'integer', 0],
      ['Age', 'string', 0],
    ],
    cells: (o, now) => [
      num(o, ['spec', 'replicas']),
      num(o, ['status', 'replicas']),
      num(o, ['status', 'readyReplicas']),
      age(o, now),
    ],
  },
  '/pods': {
    columns: [
      ['Ready', 'string', 0],
      ['Status', 'string', 0],
      ['Restarts', 'string', 0],
      ['Age', 'string', 0],
      ['IP', 'string', 1],
      ['Node', 'string', 1],
    ],
    cells: (o, now) => {
      const statuses = list(o, ['status', 'containerStatuses']);
      const ready = statuses.filter((c) => getPath(c, ['ready']) === true).length;
      const restarts = statuses.reduce<number>((n, c) => n + num(c, ['restartCount']), 0);
      const total = list(o, ['spec', 'containers']).length;
      return [
        `${ready}/${total}`,
        podStatus(o),
        String(restarts),
        age(o, now),
        str(o, ['status', 'podIP']) || '<none>',
        str(o, ['spec', 'nodeName']) || '<none>',
      ];
    },
  },
  '/nodes': {
    columns: [
      ['Status', 'string', 0],
      ['Roles', 'string', 0],
      ['Age', 'string', 0],
      ['Version', 'string', 0],
      ['Internal-IP', 'string', 1],
      ['OS-Image', 'string', 1],
    ],
    cells: (o, now) => {
      const internal = list(o, ['status', 'addresses']).find((a) => str(a, ['type']) === 'InternalIP');
      return [
        nodeReady(o),
        nodeRoles(o),
        age(o, now),
        str(o, ['status', 'nodeInfo', 'kubeletVersion']),
        internal ? str(internal, ['address']) : '<none>',
        str(o, ['status', 'nodeInfo', 'osImage']),
      ];
    },
  },
  '/namespaces': {
    columns: [
      ['Status', 'string', 0],
      ['Age', 'string', 0],
    ],
    cells: (o, now) => [str(o, ['status', 'phase']), age(o, now)],
  },
  '/services': {
    columns: [
      ['Type', 'string', 0],
      ['Cluster-IP', 'string', 0],
      ['External-IP', 'string', 0],
      ['Port(s)', 'string', 0],
      ['Age', 'string', 0],
    ],
    cells: (o, now) => [
      str(o, ['spec', 'type']),
      str(o, ['spec', 'clusterIP']) || '<none>',
      '<none>',
      servicePorts(o),
      age(o, now),
    ],
  },
  '/configmaps': {
    columns: [
      ['Data', 'integer', 0],
      ['Age', 'string', 0],
    ],
    cells: (o, now) => [count(o, 'data') + count(o, 'binaryData'), age(o, now)],
  },
  '/secrets': {
    columns: [
      ['Type', 'string', 0],
      ['Data', 'integer', 0],
      ['Age', 'string', 0],
    ],
    cells: (o, now) => [str(o, ['type']), count(o, 'data'), age(o, now)],
  },
  '/serviceaccounts': {
    columns: [
      ['Secrets', 'integer', 0],
      ['Age', 'string', 0],
    ],
    cells: (o, now) => [list(o, ['secrets']).length, age(o, now)],
  },
  '/events': {
    columns: [
      ['Last Seen', 'string', 0],
      ['Type', 'string', 0],
      ['Reason', 'string', 0],
      ['Object', 'string', 0],
      ['Message', 'string', 0],
    ],
    cells: (o, now) => [
      humanAge(str(o, ['lastTimestamp']) || o.metadata.creationTimestamp, now),
      str(o, ['type']),
      str(o, ['reason']),
      `${str(o, ['involvedObject', 'kind']).toLowerCase()}/${str(o, ['involvedObject', 'name'])}`,
      str(o, ['message']),
    ],
  },
};

const GENERIC: Printer = { columns: [['Age', 'date', 0]], cells: (o) => [o.metadata.creationTimestamp] };

/** How much of each object a row carries (`?includeObject=`). */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** Renders objects as a Table. */
export function toTable(
  info: ResourceInfo,
  objects: readonly KubeObject[],
  listMeta: JsonObject,
  includeObject: IncludeObject,
  now = new Date(),
): JsonObject {
  const printer = PRINTERS[`${info.group}/${info.resource}`] ?? GENERIC;
  const columnDefinitions: TableColumn[] = [
    {
      name: 'Name',
      type: 'string',
      format: 'name',
      description: 'Name must be unique within a namespace.',
      priority: 0,
    },
    ...printer.columns.map(([name, type, priority]) => ({
      name,
      type,
      format: '',
      description: name,
      priority,
    })),
  ];
  // Events put Name last and hide it unless -o wide, like the real printer.
  if (printer === PRINTERS['/events'])
    columnDefinitions.push({ ...(columnDefinitions.shift() as TableColumn), priority: 1 });
  const rows = objects.map((o) => {
    const cells: Cell[] = printer.cells(o, now);
    if (printer === PRINTERS['/events']) cells.push(o.metadata.name);
    else cells.unshift(o.metadata.name);
    const row: JsonObject = { cells };
    if (includeObject === 'Object') row.object = o;
    else if (includeObject === 'Metadata') {
      row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
    }
    return row;
  });
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: listMeta, columnDefinitions, rows };
}
