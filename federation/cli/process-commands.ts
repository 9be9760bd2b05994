import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { startApi } from '../runtime/api-process.js';
import { loadEncryptionConfig, secretCodecFor } from '../runtime/encryption-key-file.js';
import { parseOperatorKey } from '../runtime/gateway-control.js';
import { kubernetesClientFactory } from '../runtime/kube-client-factory.js';
import { createLogger } from '../runtime/logger.js';
import { startMetricsServer } from '../runtime/metrics-server.js';
import { keepSdksOffTheNetwork } from '../runtime/sdk-env.js';
import { startWorker } from '../runtime/worker.js';
import { parseCloudEndpoints, workerCloud } from '../runtime/worker-cloud.js';
import { registerGatewayCommand } from './gateway-command.js';
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
    .option(ENCRYPTION_FLAG, ENCRYPTION_HELP)
    .option(
      '--allow-plaintext-secrets',
      'without --encryption-provider-config, store Secrets unencrypted instead of refusing them',
    )
    .option(
      '--federation <domain>',
      'SPIFFE trust domain of the federation (gateway certificates)',
      'fedgate.local',
    )
    .option(
      '--operator-key-file <file>',
      "the federation CA's operator key (32 bytes, hex or base64; else FEDGATE_OPERATOR_KEY): the API then signs gateways' CSRs and serves their configuration",
    )
    .action(async (o: ServerOptions) => {
      keepSdksOffTheNetwork();
      const log = createLogger();
      const secrets = await secretCodecFor(
        o.encryptionProviderConfig ?? process.env.FEDGATE_ENCRYPTION_CONFIG,
        o.allowPlaintextSecrets ? 'warn' : 'refuse',
        log,
      );
      const token = o.tokenFile ? readFileSync(o.tokenFile, 'utf8').trim() : process.env.FEDGATE_TOKEN;
      if (!token) throw new Error('no API token: give --token-file or set FEDGATE_TOKEN');
      const operatorKey = o.operatorKeyFile
        ? readFileSync(o.operatorKeyFile, 'utf8')
        : process.env.FEDGATE_OPERATOR_KEY;
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
        secrets,
        ...(operatorKey
          ? { gateways: { federation: o.federation, operatorKey: parseOperatorKey(operatorKey) } }
          : {}),
      });
      log.info({ url: api.url, gateways: operatorKey !== undefined }, 'API listening');
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
    .option(ENCRYPTION_FLAG, ENCRYPTION_HELP)
    .option(
      '--cloud-endpoint <provider=url...>',
      'API endpoint of a cloud for clusters whose spec.cloud names none, e.g. aws=http://127.0.0.1:4566 (a simulator; else FEDGATE_CLOUD_ENDPOINTS, comma-separated). Real clouds need none: credentials come from CloudCredentials or the SDK chains',
    )
    .option(
      '--cloud-ca-file <file>',
      'PEM CA bundle to trust for those endpoints (else FEDGATE_CLOUD_CA_FILE)',
    )
    .option(
      '--onprem-site <file>',
      'the on-prem site file (YAML) for on-prem inventory (else FEDGATE_ONPREM_SITE)',
    )
    .action(async (o: Record<string, string>) => {
      keepSdksOffTheNetwork();
      const log = createLogger();
      // A worker only reads Secrets: it needs the keys to open sealed ones, and refuses nothing.
      const secrets = await secretCodecFor(
        o.encryptionProviderConfig ?? process.env.FEDGATE_ENCRYPTION_CONFIG,
        'read',
        log,
      );
      const kubeconfig = o.kubeconfig ?? process.env.FEDGATE_KUBECONFIG;
      const encryptionFile = o.encryptionProviderConfig ?? process.env.FEDGATE_ENCRYPTION_CONFIG;
      const caFile = o.cloudCaFile ?? process.env.FEDGATE_CLOUD_CA_FILE;
      const siteFile = o.onpremSite ?? process.env.FEDGATE_ONPREM_SITE;
      const cloud = await workerCloud({
        redisUrl: requireRedisUrl(),
        storePrefix: o.storePrefix!,
        ...(encryptionFile ? { encryption: await loadEncryptionConfig(encryptionFile, log) } : {}),
        endpoints: parseCloudEndpoints(
          (o.cloudEndpoint as unknown as string[] | undefined) ??
            process.env.FEDGATE_CLOUD_ENDPOINTS?.split(',').filter(Boolean) ??
            [],
        ),
        ...(caFile ? { caFile } : {}),
        ...(siteFile ? { onpremSiteFile: siteFile } : {}),
        log,
      });
      if (cloud.peeringOff) log.warn({ why: cloud.peeringOff }, 'the peering controller is off');
      const metricsPort = o.metricsPort === undefined ? undefined : port(o.metricsPort, 'metrics-port');
      const metrics = new Registry();
      collectDefaultMetrics({ register: metrics });
      const worker = await startWorker({
        metrics,
        secrets,
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
        ...cloud.props,
      });
      const server =
        metricsPort === undefined
          ? undefined
          : await startMetricsServer({ registry: metrics, host: o.metricsHost!, port: metricsPort, log });
      if (server) log.info({ url: `${server.url}/metrics` }, 'metrics served');
      await untilStopped(async () => {
        await server?.close();
        await worker.close();
        await cloud.close();
      });
    });

  registerUpCommand(program);
  registerGatewayCommand(program);
}

/** Options of `fedgate server`. */
interface ServerOptions {
  readonly host: string;
  readonly port: string;
  readonly tokenFile?: string;
  readonly storePrefix: string;
  readonly encryptionProviderConfig?: string;
  readonly allowPlaintextSecrets?: boolean;
  readonly federation: string;
  readonly operatorKeyFile?: string;
}

const ENCRYPTION_FLAG = '--encryption-provider-config <file>';
const ENCRYPTION_HELP =
  'EncryptionConfiguration with the AES-256-GCM keys that encrypt Secrets at rest (else FEDGATE_ENCRYPTION_CONFIG)';

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
