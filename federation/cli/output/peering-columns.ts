import type { KubeObject } from '../../resources/kube-object.js';
import { age, type Column, cell, field } from './format.js';

interface TunnelView {
  readonly cluster?: string;
  readonly status?: string;
  readonly lastStatusChange?: string;
  readonly ingressBytes?: number;
  readonly egressBytes?: number;
}

interface GatewayPathView {
  readonly rttMsAToB?: number;
  readonly rttMsBToA?: number;
  readonly lossPercent?: number;
}

const tunnels = (o: KubeObject) => (field(o, 'status', 'tunnels') as TunnelView[] | undefined) ?? [];
const steps = (o: KubeObject) => (field(o, 'status', 'steps') as { state?: string }[] | undefined) ?? [];

function ready(o: KubeObject): string {
  const c = (
    (field(o, 'status', 'conditions') as { type?: string; status?: string }[] | undefined) ?? []
  ).find((x) => x.type === 'Ready');
  return c?.status ?? 'Unknown';
}

function bytes(n: number | undefined): string {
  if (n === undefined) return '<none>';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)}${units[i]}`;
}

function sum(ts: readonly TunnelView[], key: 'ingressBytes' | 'egressBytes'): number | undefined {
  const known = ts.filter((t) => typeof t[key] === 'number');
  return known.length === 0 ? undefined : known.reduce((n, t) => n + t[key]!, 0);
}

/** The columns `fedgate get peerings` shows (`-o wide`: tunnels, last change, round trips and loss through the gateways, bytes, last check, message). */
export function peeringColumns(
  nameCol: Column<KubeObject>,
  ageCol: Column<KubeObject>,
  wide: boolean,
): Column<KubeObject>[] {
  const cols: Column<KubeObject>[] = [
    nameCol,
    {
      header: 'CLUSTERS',
      value: (o) => ((field(o, 'spec', 'clusters') as string[] | undefined) ?? []).join('<->'),
    },
    { header: 'LINK', value: (o) => cell(field(o, 'status', 'link', 'kind')) },
    { header: 'PHASE', value: (o) => cell(field(o, 'status', 'phase')) },
    { header: 'READY', value: ready },
    {
      header: 'STEPS',
      value: (o) => {
        const s = steps(o);
        return s.length === 0 ? '<none>' : `${s.filter((x) => x.state === 'done').length}/${s.length}`;
      },
    },
    ageCol,
  ];
  if (!wide) return cols;
  const more: Column<KubeObject>[] = [
    {
      header: 'TUNNELS',
      value: (o) => {
        const ts = tunnels(o);
        return ts.length === 0 ? '<none>' : `${ts.filter((t) => t.status === 'up').length}/${ts.length} up`;
      },
    },
    {
      header: 'LAST-CHANGE',
      value: (o) => {
        const last = tunnels(o)
          .map((t) => t.lastStatusChange)
          .filter((t): t is string => typeof t === 'string')
          .sort()
          .at(-1);
        return last ? age(last) : '<none>';
      },
    },
    {
      // Round trips each way through the east-west gateways, as the last health read measured them.
      header: 'RTT',
      value: (o) => {
        const p = field(o, 'status', 'gatewayPath') as GatewayPathView | undefined;
        const ms = (v: unknown) => (typeof v === 'number' ? `${v}` : '-');
        return p?.rttMsAToB === undefined && p?.rttMsBToA === undefined
          ? '<none>'
          : `${ms(p.rttMsAToB)}/${ms(p.rttMsBToA)}ms`;
      },
    },
    {
      header: 'LOSS',
      value: (o) => {
        const p = field(o, 'status', 'gatewayPath') as GatewayPathView | undefined;
        return typeof p?.lossPercent === 'number' ? `${p.lossPercent}%` : '<none>';
      },
    },
    { header: 'BYTES-IN', value: (o) => bytes(sum(tunnels(o), 'ingressBytes')) },
    { header: 'BYTES-OUT', value: (o) => bytes(sum(tunnels(o), 'egressBytes')) },
    {
      header: 'CHECKED',
      value: (o) => {
        const t = field(o, 'status', 'lastHealthCheck');
        return typeof t === 'string' ? age(t) : '<none>';
      },
    },
    { header: 'MESSAGE', value: (o) => cell(field(o, 'status', 'message')) },
  ];
  return [...cols, ...more];
}
