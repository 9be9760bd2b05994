import type { Command } from 'commander';
import { usageError } from '../errors.js';
import { type Column, renderTable, toJson } from '../output/format.js';
import { addClientOptions, type ClientOptions, clientFor } from './common.js';

/** One row of `GET /api/v1/traffic` (see federation/api/routes/traffic.ts). */
interface TrafficRow {
  source: string;
  destination: string;
  service?: string;
  requestsPerSecond: number;
  bytesIn: number;
  bytesOut: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  errorRate: number;
  egressCostPerMonth: number;
}

const num = (n: number, d = 1) => n.toFixed(d);
const bytes = (n: number) =>
  n >= 1024 ** 3
    ? `${num(n / 1024 ** 3)}Gi`
    : n >= 1024 ** 2
      ? `${num(n / 1024 ** 2)}Mi`
      : n >= 1024
        ? `${num(n / 1024)}Ki`
        : `${n}`;

const COLUMNS: Column<TrafficRow>[] = [
  { header: 'SOURCE', value: (r) => r.source },
  { header: 'DESTINATION', value: (r) => r.destination },
  { header: 'SERVICE', value: (r) => r.service ?? '*' },
  { header: 'RPS', value: (r) => num(r.requestsPerSecond) },
  { header: 'IN', value: (r) => bytes(r.bytesIn) },
  { header: 'OUT', value: (r) => bytes(r.bytesOut) },
  { header: 'P50', value: (r) => `${num(r.p50Ms)}ms` },
  { header: 'P90', value: (r) => `${num(r.p90Ms)}ms` },
  { header: 'P99', value: (r) => `${num(r.p99Ms)}ms` },
  { header: 'ERRORS', value: (r) => `${num(r.errorRate * 100, 2)}%` },
  { header: 'EGRESS/MONTH', value: (r) => `$${num(r.egressCostPerMonth, 2)}` },
];

/** `fedgate top traffic`: the traffic matrix between clusters, measured by the gateways. */
export function registerTop(program: Command): void {
  const top = program.command('top').description('show measured resource use');
  addClientOptions(
    top
      .command('traffic')
      .description('requests, bytes, latency, errors and egress cost per cluster → cluster link')
      .option('--window <w>', 'time window: <n>s, <n>m or <n>h', '5m')
      .option('--by-service', 'one row per destination service')
      .option('-o, --output <format>', 'table or json', 'table'),
  ).action(async (o: ClientOptions & { window: string; byService?: boolean; output: string }) => {
    if (o.output !== 'table' && o.output !== 'json') throw usageError('--output must be table or json');
    const api = await clientFor(o);
    const answer = await api.call<{ links: TrafficRow[]; services: TrafficRow[] }>(
      'GET',
      `/api/v1/traffic?window=${encodeURIComponent(o.window)}`,
    );
    const rows = (o.byService ? answer.services : answer.links).sort(
      (a, b) => b.requestsPerSecond - a.requestsPerSecond,
    );
    process.stdout.write(o.output === 'json' ? `${toJson(answer)}\n` : renderTable(COLUMNS, rows));
  });
}
