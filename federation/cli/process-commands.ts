import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { startApi } from '../runtime/api-process.js';
import { kubernetesClientFactory } from '../runtime/kube-client-factory.js';
import { createLogger } from '../runtime/logger.js';
import { startMetricsServer } from '../runtime/metrics-server.js';
import { keepSdksOffTheNetwork } from '../runtime/sdk-env.js';
import { startWorker } from '../runtime/worker.js';
import { untilStopped } from './until-stopped.js';
import { registerUpCommand } from './up-command.js';

/**
 * Registers the commands that run fedgate's processes: `server` (the HTTP API), `worker`
 * (reconcilers; run as many as you like against one Redis) and `up` (everything, on a local fleet).
 */
export function registerProcessCommands(program: Command): void {
  program
    .command('server')
    .description('run the HTTP API against the Redis in REDIS_URL')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on', '7070')
    .option('--token-file <file>', 'file holding the API bearer token (else FEDGATE_TOKEN)')
    .option('--store-prefix <prefix>', 'Redis key prefix of the store', 'fg')
    .action(async (o: { host: string; port: string; tokenFile?: string; storePrefix: string }) => {
      keepSdksOffTheNetwork();
      const log = createLogger();
      const token = o.tokenFile ? readFileSync(o.tokenFile, 'utf8').trim() : process.env.FEDGATE_TOKEN;
      if (!token) throw new Error('no API token: give --token-file or set FEDGATE_TOKEN');
      const metrics = new Registry();
      collectDefaultMetrics({ register: metrics });
      const api = await startApi({
        redisUrl: requireRedisUrl(),
        storePrefix: o.storePrefix,
        token,
        host: o.host,
        port: Number(o.port),
        log,
        metrics,
      });
      log.info({ url: api.url }, 'API listening');
      await untilStopped(() => api.close());
    });

  program
    .command('worker')
    .description(
      'run the reconcilers (placement, propagation, health, resync) against the Redis in REDIS_URL',
    )
    .option(
      '--kubeconfig <file>',
      "kubeconfig with the member clusters' contexts (else KUBECONFIG or ~/.kube/config)",
    )
    .option('--store-prefix <prefix>', 'Redis key prefix of the store', 'fg')
    .option('--queue-prefix <prefix>', 'BullMQ key prefix', '{fgq}')
    .option('--placement-concurrency <n>', 'placement jobs at once', '16')
    .option('--propagation-concurrency <n>', 'propagation jobs at once', '64')
    .option('--probe-interval <ms>', 'member-cluster health probe interval', '10000')
    .option('--resync-interval <ms>', 'full resync interval', '300000')
    .option('--drift-interval <ms>', 'drift scan interval per member cluster (0: no periodic scan)', '60000')
    .option(
      '--lock-duration <ms>',
      "job lock duration (a dead worker's jobs are taken over after it)",
      '30000',
    )
    .option('--stalled-interval <ms>', 'how often stalled jobs are looked for', '15000')
    .option(
      '--watch-lease <ms>',
      "TTL of a member cluster's workload-watch lease (a dead worker's watches are taken over after it)",
      '15000',
    )
    .option(
      '--watched-check-delay <ms>',
      'first delay of the status reads backing up current watches of Deployments/StatefulSets (0: the usual 500 ms pace)',
      '15000',
    )
    .option('--metrics-port <port>', 'serve Prometheus /metrics on this port (default: not served)')
    .option('--metrics-host <host>', 'address the metrics endpoint listens on', '127.0.0.1')
    .action(async (o: Record<string, string>) => {
      keepSdksOffTheNetwork();
      const log = createLogger();
      const kubeconfig = o.kubeconfig ?? process.env.FEDGATE_KUBECONFIG;
      const metricsPort = o.metricsPort === undefined ? undefined : port(o.metricsPort, 'metrics-port');
      const metrics = new Registry();
      collectDefaultMetrics({ register: metrics });
      const worker = await startWorker({
        metrics,
        redisUrl: requireRedisUrl(),
        storePrefix: o.storePrefix!,
        queuePrefix: o.queuePrefix!,
        clientFactory: kubernetesClientFactory(kubeconfig ? { kubeconfigPath: kubeconfig } : {}),
        log,
        concurrency: {
          placement: positive(o.placementConcurrency!, 'placement-concurrency'),
          propagation: positive(o.propagationConcurrency!, 'propagation-concurrency'),
        },
        probeIntervalMs: positive(o.probeInterval!, 'probe-interval'),
        resyncIntervalMs: positive(o.resyncInterval!, 'resync-interval'),
        driftIntervalMs: o.driftInterval === '0' ? 0 : positive(o.driftInterval!, 'drift-interval'),
        lockDurationMs: positive(o.lockDuration!, 'lock-duration'),
        stalledIntervalMs: positive(o.stalledInterval!, 'stalled-interval'),
        watchLeaseMs: positive(o.watchLease!, 'watch-lease'),
        watchedCheckDelayMs:
          o.watchedCheckDelay === '0' ? 0 : positive(o.watchedCheckDelay!, 'watched-check-delay'),
      });
      const server =
        metricsPort === undefined
          ? undefined
          : await startMetricsServer({ registry: metrics, host: o.metricsHost!, port: metricsPort, log });
      if (server) log.info({ url: `${server.url}/metrics` }, 'metrics served');
      await untilStopped(async () => {
        await server?.close();
        await worker.close();
      });
    });

  registerUpCommand(program);
}

function requireRedisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set (e.g. redis://127.0.0.1:6379)');
  return url;
}

function port(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new Error(`--${name} must be 0-65535, got "${v}"`);
  return n;
}

function positive(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${v}"`);
  return n;
}
