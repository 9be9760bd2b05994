/**
 * A control-plane worker process that runs the peering controller, for tests that SIGKILL it in the
 * middle of a peering's steps. Started with `node --import tsx test/support/peering-worker.ts`; its
 * settings come as JSON in FEDGATE_PEERING_WORKER (the simulators' credentials are test values).
 * It logs at debug level to stderr, so a test can check that no tunnel key is ever logged.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CloudAdapters } from '../../federation/cloud/cloud-adapters.js';
import { RedisTunnelKeyVault } from '../../federation/controllers/peering/redis-key-vault.js';
import type { CloudCredentialSpec } from '../../federation/resources/cloud-credential.js';
import { builtinCloudProviders } from '../../federation/runtime/cloud-providers.js';
import { kubernetesClientFactory } from '../../federation/runtime/kube-client-factory.js';
import { createLogger } from '../../federation/runtime/logger.js';
import { connectRedis } from '../../federation/runtime/redis-connection.js';
import { startWorker } from '../../federation/runtime/worker.js';
import { testSealer } from './sealer.js';
import { withOutput } from './worker-process.js';

/** What the child is given. */
export interface PeeringWorkerSettings {
  readonly redisUrl: string;
  readonly storePrefix: string;
  readonly queuePrefix: string;
  /** 64 hex digits: the operator key sealing tunnel keys in Redis. */
  /** The EncryptionConfiguration (YAML) whose first key seals the tunnel keys. */
  readonly encryptionConfig: string;
  readonly credentials: Readonly<Record<string, CloudCredentialSpec>>;
  /** The ARM simulator's CA. */
  readonly caPem?: string;
  readonly pollIntervalMs?: number;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Spawns the worker process; its output (JSON log lines) is collected. */
export function spawnPeeringWorker(s: PeeringWorkerSettings): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/peering-worker.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      FEDGATE_PEERING_WORKER: JSON.stringify(s),
      FEDGATE_LOG_LEVEL: 'debug',
      AWS_EC2_METADATA_DISABLED: 'true',
      METADATA_SERVER_DETECTION: 'none',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return withOutput(child);
}

async function main(): Promise<void> {
  const s = JSON.parse(process.env.FEDGATE_PEERING_WORKER ?? '') as PeeringWorkerSettings;
  const log = createLogger();
  const vaultConn = connectRedis(s.redisUrl, false, log);
  const cloud = new CloudAdapters({
    registry: builtinCloudProviders(),
    credentials: async (name) => s.credentials[name],
    ...(s.caPem ? { caPem: s.caPem } : {}),
    pollIntervalMs: s.pollIntervalMs ?? 50,
    logger: log,
  });
  const worker = await startWorker({
    redisUrl: s.redisUrl,
    storePrefix: s.storePrefix,
    queuePrefix: s.queuePrefix,
    clientFactory: kubernetesClientFactory(),
    log,
    probeIntervalMs: 60_000,
    resyncIntervalMs: 60_000,
    lockDurationMs: 2_000,
    stalledIntervalMs: 1_000,
    cloud,
    peering: {
      vault: new RedisTunnelKeyVault(vaultConn, s.storePrefix, testSealer(s.encryptionConfig)),
      pollIntervalMs: s.pollIntervalMs ?? 50,
      healthEveryMs: 1_000,
    },
  });
  log.info('peering worker started');
  process.once('SIGTERM', () => {
    void worker
      .close()
      .then(() => cloud.close())
      .finally(() => {
        vaultConn.disconnect();
        process.exit(0);
      });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  void main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
