import type { KubeObject } from './api.js';

/** Okabe–Ito: distinguishable with every common colour-vision deficiency. */
export const PROVIDER_COLOURS: Record<string, string> = {
  aws: '#E69F00',
  gcp: '#0072B2',
  azure: '#56B4E9',
  onprem: '#009E73',
};

/** A sequential scale (cividis-like, colour-blind safe) from good to bad, in 5 steps. */
export const SEVERITY = ['#00204D', '#414D6B', '#7C7B78', '#BCAF6F', '#FFEA46'];
/** Status colours: ok blue, warning orange, failure vermillion (Okabe–Ito), always with a text label. */
export const STATUS = { ok: '#0072B2', warn: '#E69F00', bad: '#D55E00', unknown: '#777777' };

/** The step of a value on SEVERITY given the thresholds between steps. */
export function severity(value: number, thresholds: readonly number[]): string {
  let i = 0;
  while (i < thresholds.length && value > thresholds[i]!) i++;
  return SEVERITY[Math.min(i, SEVERITY.length - 1)]!;
}

/** Thresholds of p99 latency (ms) and error rate for the traffic colours. */
export const P99_STEPS = [5, 20, 100, 500];
export const ERROR_STEPS = [0.001, 0.01, 0.05, 0.2];

export function money(n: number): string {
  return n >= 100 ? `$${n.toFixed(0)}` : n >= 1 ? `$${n.toFixed(2)}` : `$${n.toFixed(4)}`;
}

export function rate(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(1) : n.toFixed(2);
}

export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function percent(n: number): string {
  return `${(n * 100).toFixed(n < 0.01 ? 2 : 1)}%`;
}

/** A cluster's health from its Ready condition. */
export function health(c: KubeObject): 'Ready' | 'NotReady' | 'Unknown' {
  const ready = (c.status?.conditions as { type: string; status: string }[] | undefined)?.find(
    (x) => x.type === 'Ready',
  );
  return ready?.status === 'True' ? 'Ready' : ready?.status === 'False' ? 'NotReady' : 'Unknown';
}

/** Used fraction of a cluster's CPU (allocatable − available), or undefined when not probed yet. */
export function cpuUse(c: KubeObject): number | undefined {
  const a = c.status?.allocatable?.cpuMilli as number | undefined;
  const f = c.status?.available?.cpuMilli as number | undefined;
  if (!a || f === undefined) return undefined;
  return Math.max(0, Math.min(1, (a - f) / a));
}

/** The clusters whose NoExecute taint is evicting workloads (a failover in progress). */
export function failingOver(c: KubeObject): boolean {
  return ((c.spec?.taints ?? []) as { effect: string }[]).some((t) => t.effect === 'NoExecute');
}

/** Clusters above this count are shown grouped by provider and region. */
export const AGGREGATE_ABOVE = 200;
