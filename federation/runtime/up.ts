import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { writeCliConfig } from '../cli/config.js';
import { loadManifests } from '../cli/manifests.js';
import type { MemberClusterObject } from '../reconcile/cluster-snapshot.js';
import type { BindingObject } from '../reconcile/placement-reconciler.js';
import { type BindingClusterStatus, bindingNameFor } from '../resources/binding.js';
import { BINDING_TYPE, MEMBER_CLUSTER_TYPE } from '../resources/kinds.js';
import type { KubeObject } from '../resources/kube-object.js';
import { resourceTypeOf } from '../resources/resource-type.js';
import { validateObject } from '../resources/validate.js';
import { type ApiProcess, startApi } from './api-process.js';
import { ensureEncryptionConfig, secretCodecFor } from './encryption-key-file.js';
import { kubernetesClientFactory } from './kube-client-factory.js';
import { type LocalFleet, startLocalFleet } from './local-fleet.js';
import { LOCAL_FEDERATION, localOperatorKey, startLocalGateways } from './local-gateways.js';
import { startLocalRedis } from './local-redis.js';
import { privateDir, writePrivateFile } from './private-files.js';
import { redactedUrl } from './redis-connection.js';
import { startUpClouds } from './up-clouds.js';
import { type ControlPlaneWorker, startWorker } from './worker.js';

/** Settings of `fedgate up`. */
export interface UpProps {
  /** Where state lives: Redis data, kubeconfig, CLI config, logs. */
  readonly stateDir: string;
  /** An existing Redis; when absent a child redis-server is started with its data in the state dir. */
  readonly redisUrl?: string;
  /** API port; 0 = any free port. */
  readonly port: number;
  /** Files or folders applied once the fleet is registered (policies and apps). */
  readonly apply: readonly string[];
  readonly log: Logger;
  /** Progress lines for a person. */
  readonly progress: (line: string) => void;
  /** How long to wait for the applied apps to be placed everywhere. Default 60 s. */
  readonly waitMs?: number;
  /** Aborts start-up (Ctrl-C): what already started is stopped and `up` rejects. */
  readonly signal?: AbortSignal;
}

/** A running local system. */
export interface UpSystem {
  readonly apiUrl: string;
  readonly configFile: string;
  readonly kubeconfig: string;
  readonly redisUrl: string;
  readonly clusters: readonly string[];
  /** The simulated fleet's fault-injection endpoint (PUT /clusters/{name}/faults). */
  readonly fleetControlUrl: string | undefined;
  /** The file (0600) holding the bearer token of the fault-injection endpoint. */
  readonly fleetTokenFile: string;
  close(): Promise<void>;
}

/**
 * Starts the whole system on an embedded local fleet: Redis (unless given), the simulated member
 * clusters, the API, a worker; registers the clusters, applies the sample policies and apps, and
 * waits until they are placed. Everything it starts is stopped by `close()`, in reverse order.
 */
export async function up(props: UpProps): Promise<UpSystem> {
  const stateDir = resolve(props.stateDir);
  // The fleet is new on every run while Redis may keep the last run's statuses: only a probe from
  // now on counts as Ready (and it marks what the previous fleet held as Pending again).
  const startedAt = Date.now();
  // Each step's progress line is also where an abort (Ctrl-C during start-up) takes effect.
  const say = (line: string) => {
    props.progress(line);
    props.signal?.throwIfAborted();
  };
  // Read and validate what is to be applied before starting anything: bad input changes nothing.
  const validated =
    props.apply.length > 0
      ? (await loadManifests(props.apply, { recursive: true })).map((d, i) => validateObject(d.object, i))
      : [];
  await privateDir(stateDir);
  const pidFile = join(stateDir, 'up.pid');
  await refuseIfRunning(pidFile);
  await writeFile(pidFile, `${process.pid}\n`);
  const stops: (() => Promise<void>)[] = [async () => rm(pidFile, { force: true })];
  const close = async () => {
    for (const stop of stops.reverse())
      await stop().catch((err: unknown) => props.log.warn({ err }, 'shutdown step failed'));
  };
  try {
    let redisUrl = props.redisUrl;
    if (!redisUrl) {
      const redis = await startLocalRedis(stateDir);
      stops.push(() => redis.stop());
      redisUrl = redis.url;
      say(
        `✓ redis-server on ${redactedUrl(redisUrl)} (password in ${redis.passwordFile}, data in ${redis.dataDir}, AOF on)`,
      );
    } else say(`✓ using Redis at ${redactedUrl(redisUrl)}`);

    const fleet: LocalFleet = await startLocalFleet();
    stops.push(() => fleet.close());
    const kubeconfig = join(stateDir, 'kubeconfig');
    await writePrivateFile(kubeconfig, fleet.kubeconfig());
    const fleetTokenFile = join(stateDir, 'fleet-token');
    await writePrivateFile(fleetTokenFile, `${fleet.controlToken}\n`);
    say(
      `✓ simulated fleet: ${fleet.clusters.length} member clusters (${fleet.clusters.map((c) => c.name).join(', ')})`,
    );

    const metrics = new Registry();
    collectDefaultMetrics({ register: metrics });
    const token = randomBytes(24).toString('base64url');
    // Secrets are encrypted at rest with a key kept in the state dir (created 0600 on the first run).
    const encryptionFile = await ensureEncryptionConfig(stateDir);
    const secrets = await secretCodecFor(encryptionFile, 'refuse', props.log);
    // The simulated clouds (EC2, GCE, ARM) behind the fleet's cloud clusters: see up-clouds.ts.
    const clouds = await startUpClouds({ stateDir, redisUrl, encryptionFile, log: props.log });
    stops.push(() => clouds.close());
    say(
      `✓ simulated clouds: EC2 ${clouds.clouds.ec2.url}, GCE ${clouds.clouds.gce.url}, ARM ${clouds.clouds.arm.url} (endpoints and credentials in ${clouds.endpointsFile})`,
    );
    const api: ApiProcess = await startApi({
      redisUrl,
      token,
      port: props.port,
      log: props.log,
      metrics,
      secrets,
      // The federation CA's keys stay here: gateways send CSRs to the API with their own tokens.
      gateways: { federation: LOCAL_FEDERATION, operatorKey: await localOperatorKey(stateDir) },
    });
    stops.push(() => api.close());
    const configFile = await writeCliConfig(stateDir, { apiUrl: api.url, token });
    say(`✓ API on ${api.url}`);
    say(`✓ Dashboard on ${api.url}/ui/ (sign in with the token in ${configFile})`);

    const worker: ControlPlaneWorker = await startWorker({
      redisUrl,
      clientFactory: kubernetesClientFactory({ kubeconfigPath: kubeconfig }),
      log: props.log,
      metrics,
      secrets,
      probeIntervalMs: 5_000,
      resyncIntervalMs: 60_000,
      ...clouds.worker.props,
    });
    stops.push(() => worker.close());
    say(
      `✓ worker started (placement, propagation, health probes, resync, cloud inventory${clouds.worker.peeringOff ? '' : ', peering'})`,
    );

    await clouds.forgetEarlierLinks(api.store);
    for (const c of [
      ...clouds.credentials,
      ...fleet.clusters.map((c) => clouds.withCloudSide(c.memberCluster)),
    ]) {
      const v = validateObject(c);
      await api.store.apply(v.key, v.object);
    }
    await waitUntil(props, 'member clusters Ready', async () => {
      const { items } = await api.store.list(MEMBER_CLUSTER_TYPE);
      const ready = items.filter((mc) => {
        const status = (mc as MemberClusterObject).status;
        return (
          Date.parse(status?.lastProbeTime ?? '') >= startedAt &&
          status?.conditions.some((x) => x.type === 'Ready' && x.status === 'True')
        );
      });
      return { done: ready.length, total: fleet.clusters.length };
    });

    await waitUntil(
      props,
      'cloud inventory discovered through the SDKs',
      clouds.inventory(api.store, startedAt),
    );

    // East-west gateways (child processes, federation/runtime/local-gateways.ts) start now, once the
    // SDK-heavy inventory discovery is done, in parallel with the waits for the examples below;
    // `up` waits for them before it reports it is up.
    const gateways = await startLocalGateways({
      clusters: fleet.clusters.map((c) => c.name),
      redisUrl,
      apiUrl: api.url,
      store: api.store,
      kubeconfig,
      stateDir,
      log: props.log,
      progress: props.progress,
    });
    stops.push(() => gateways.close());

    if (validated.length > 0) {
      for (const v of validated) await api.store.apply(v.key, v.object);
      const templates = validated.filter((v) => v.isTemplate);
      say(
        `✓ applied ${validated.length} objects from ${props.apply.join(', ')} (${templates.length} workload templates)`,
      );
      await waitUntil(props, 'templates placed and applied everywhere', async () => {
        let done = 0;
        for (const t of templates) if (await appliedEverywhere(api, t.object)) done++;
        return { done, total: templates.length };
      });
      if (validated.some((v) => v.object.kind === 'PeeringPolicy' || v.object.kind === 'Peering'))
        await waitUntil(props, 'peerings Ready', clouds.peerings(api.store, props.progress));
    }
    const started = await gateways.ready;
    props.signal?.throwIfAborted();
    if (started.late.length > 0)
      props.progress(
        `! east-west gateways: ${started.listening}/${fleet.clusters.length} listening; still starting: ${started.late.join(', ')} (see ${join(stateDir, 'fedgate.log')})`,
      );
    say(
      `✓ east-west gateways: a fedgate gateway process per cluster, sample services in namespace demo (HTTP and gRPC), background traffic`,
    );

    return {
      apiUrl: api.url,
      configFile,
      kubeconfig,
      redisUrl,
      clusters: fleet.clusters.map((c) => c.name),
      fleetControlUrl: fleet.controlUrl,
      fleetTokenFile,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** True when the template's Binding has placed it (or decided it goes nowhere) and every target cluster applied  it. */
async function appliedEverywhere(api: ApiProcess, template: KubeObject): Promise<boolean> {
  const key = {
    type: BINDING_TYPE,
    namespace: template.metadata.namespace ?? '',
    name: bindingNameFor(
      template.kind,
      template.metadata.name,
      resourceTypeOf(template.apiVersion, template.kind).group,
    ),
  };
  const binding = (await api.store.get(key)) as BindingObject | undefined;
  if (!binding?.status?.conditions.some((c) => c.type === 'Scheduled')) return false;
  const statuses = await api.store.clusterStatuses<BindingClusterStatus>(key);
  return binding.spec.clusters.every((c) =>
    statuses.some((s) => s.cluster === c.name && s.phase === 'Applied'),
  );
}

async function waitUntil(
  props: UpProps,
  what: string,
  check: () => Promise<{ done: number; total: number }>,
): Promise<void> {
  const deadline = Date.now() + (props.waitMs ?? 60_000);
  let last = '';
  for (;;) {
    props.signal?.throwIfAborted();
    const { done, total } = await check();
    const line = `  … ${what}: ${done}/${total}`;
    if (line !== last) props.progress(line);
    last = line;
    if (done >= total) return;
    if (Date.now() > deadline) {
      props.progress(
        `! ${what}: ${done}/${total} after ${Math.round((props.waitMs ?? 60_000) / 1000)} s; carrying on (see fedgate get bindings)`,
      );
      return;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function refuseIfRunning(pidFile: string): Promise<void> {
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (!pid || pid === process.pid) return;
  try {
    process.kill(pid, 0);
  } catch {
    return; // stale: the previous run is gone
  }
  throw new Error(
    `fedgate up is already running in this state directory (pid ${pid}); stop it with Ctrl-C first`,
  );
}
