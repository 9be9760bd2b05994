import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { type CertificateIssuer, CertRotator, type TlsMaterial } from '../identity/cert-rotator.js';
import { clusterSpiffeId } from '../identity/spiffe.js';
import { Balancer, type Target } from './balancer.js';
import type { GatewayConfig } from './config.js';
import { ConfigPoller, type ConfigSource } from './config-poller.js';
import type { LinkStats } from './link-stats.js';
import { listenForApps, listenForPeers } from './listeners.js';
import { OutlierDetector } from './outlier.js';
import { PeerRegistry } from './peer-registry.js';
import { answerProbe, isProbe, ProbeRunner } from './probes.js';
import { GatewayProxy, type LocalWorkload } from './proxy.js';
import { QuotaEnforcer } from './quota.js';
import { GatewayTelemetry } from './telemetry.js';
import { pushTraffic } from './traffic-series.js';
import { Upstreams } from './upstreams.js';

/** A local endpoint of an exported service. */
export interface LocalEndpoint {
  /** `http://host:port`. */
  readonly url: string;
  /** Speaks HTTP/2 without TLS (a gRPC server). */
  readonly h2c?: boolean;
}

/** Everything a gateway needs; the runtime wiring fills it from flags, the API and Redis. */
export interface GatewayProps {
  readonly cluster: string;
  /** The SPIFFE trust domain. */
  readonly federation: string;
  readonly issuer: CertificateIssuer;
  readonly configSource: ConfigSource;
  /** The control plane's Redis: peer registry, shared quotas, traffic series. */
  readonly redis: Redis;
  readonly redisPrefix: string;
  readonly metrics: Registry;
  readonly peerListen: { readonly host: string; readonly port: number };
  readonly appListen: { readonly host: string; readonly port: number };
  /** The address peers use, when not the listen address (behind a load balancer). */
  readonly advertiseHost?: string;
  /** Endpoints of local services by `namespace/name`. */
  readonly localEndpoints?: Readonly<Record<string, readonly LocalEndpoint[]>>;
  /** Workloads by client IP address (pod IPs), to name callers. */
  readonly localWorkloads?: Readonly<Record<string, LocalWorkload>>;
  readonly configPollMs?: number;
  readonly trafficPushMs?: number;
  readonly registryTtlMs?: number;
  /** Where the traffic aggregates go (the control plane's API); default: straight into the Redis series. */
  readonly trafficSink?: (links: Map<string, LinkStats>) => Promise<void>;
  readonly rotator?: { readonly renewAtFraction?: number; readonly bundleRefreshMs?: number };
  readonly log?: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

/** A running gateway. */
export interface Gateway {
  readonly peerUrl: string;
  readonly appUrl: string;
  readonly telemetry: GatewayTelemetry;
  readonly rotator: CertRotator;
  config(): GatewayConfig;
  /** Replaces the local endpoints (from an EndpointSlice watch, or a test). */
  setLocalEndpoints(endpoints: Readonly<Record<string, readonly LocalEndpoint[]>>): void;
  /** Polls the control plane now. */
  refreshConfig(): Promise<void>;
  /** Pushes the traffic aggregates now. */
  pushTraffic(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts an east-west gateway: its certificate (renewed before expiry, swapped live), the mTLS
 * listener for peers, the cleartext listener for local apps, registration in the peer registry,
 * the configuration poll and the traffic push.
 */
export async function startGateway(props: GatewayProps): Promise<Gateway> {
  const telemetry = new GatewayTelemetry(props.metrics);
  const outliers = new OutlierDetector();
  outliers.onEject = () => telemetry.ejections.inc();
  const upstreams = new Upstreams((cluster) => clusterSpiffeId(props.federation, cluster));
  const rotator = new CertRotator({
    issue: props.issuer,
    ...props.rotator,
    onError: (err) => props.log?.warn({ err }, 'certificate renewal failed; retrying'),
  });
  const first = await rotator.start();
  upstreams.setTls(first);

  const poller = new ConfigPoller(props.configSource, props.configPollMs ?? 1_000, {
    applied: (c) => {
      telemetry.configUpdates.labels('applied').inc();
      props.log?.info({ version: c.version }, 'gateway configuration applied');
    },
    failed: (err) => {
      telemetry.configUpdates.labels('error').inc();
      props.log?.warn(
        { err: (err as Error).message },
        'control plane unreachable; keeping the last good configuration',
      );
    },
  });
  let local = toTargets(props.cluster, props.localEndpoints ?? {});
  const workloads = props.localWorkloads ?? {};
  let registry: PeerRegistry | undefined;
  const reach = new ReachableClusters(props.cluster);
  const proxy = new GatewayProxy({
    cluster: props.cluster,
    federation: props.federation,
    config: () => poller.current(),
    localEndpoints: (s) => local.get(s) ?? [],
    // A cluster whose peering with this one is down is out of load balancing (see reachability.ts).
    remoteGateways: (c) => (reach.blocked(poller.current()).has(c) ? [] : (registry?.gateways(c) ?? [])),
    localWorkload: (addr) =>
      addr === undefined ? undefined : workloads[addr.startsWith('::ffff:') ? addr.slice(7) : addr],
    upstreams,
    balancer: new Balancer(props.cluster, outliers),
    outliers,
    quota: new QuotaEnforcer(props.redis, props.redisPrefix),
    telemetry,
  });

  const peer = await listenForPeers({
    ...props.peerListen,
    tls: first,
    // Probes from the control plane's peering verification are answered here, not proxied.
    handler: (req, res) =>
      isProbe(req) ? answerProbe(req, res, props.cluster, props.federation) : proxy.handlePeer(req, res),
    onRefused: () => telemetry.handshakeRefusals.inc(),
  });
  rotator.onRotate((m: TlsMaterial) => {
    peer.setTls(m);
    upstreams.setTls(m);
  });
  const app = await listenForApps({ ...props.appListen, handler: proxy.handleLocal });
  const peerUrl = `https://${props.advertiseHost ?? props.peerListen.host}:${peer.port}`;
  const replicaId = randomBytes(6).toString('hex');
  registry = new PeerRegistry({
    redis: props.redis,
    prefix: props.redisPrefix,
    cluster: props.cluster,
    replicaId,
    url: peerUrl,
    ...(props.registryTtlMs === undefined ? {} : { ttlMs: props.registryTtlMs }),
    onError: (err) => props.log?.warn({ err: (err as Error).message }, 'peer registry unreachable'),
  });
  await registry.start();
  await poller.start();
  const probes = new ProbeRunner({
    redis: props.redis,
    prefix: props.redisPrefix,
    cluster: props.cluster,
    replicaId,
    upstreams,
    gateways: (c) => registry?.gateways(c) ?? [],
    onError: (err) => props.log?.warn({ err: (err as Error).message }, 'peering probe failed'),
  });
  probes.start();

  const push = async () => {
    const links = telemetry.drainLinks();
    try {
      if (props.trafficSink) await props.trafficSink(links);
      else await pushTraffic(props.redis, props.redisPrefix, links);
    } catch (err) {
      telemetry.restoreLinks(links);
      throw err;
    }
  };
  const pushTimer = setInterval(() => {
    push().catch((err) =>
      props.log?.warn({ err: (err as Error).message }, 'traffic push failed; kept for the next one'),
    );
  }, props.trafficPushMs ?? 2_000);
  pushTimer.unref();

  return {
    peerUrl,
    appUrl: `http://${props.appListen.host}:${app.port}`,
    telemetry,
    rotator,
    config: () => poller.current(),
    setLocalEndpoints: (e) => {
      local = toTargets(props.cluster, e);
    },
    refreshConfig: () => poller.poll(),
    pushTraffic: push,
    async close() {
      clearInterval(pushTimer);
      probes.stop();
      poller.stop();
      rotator.stop();
      await registry?.stop();
      await push().catch(() => {});
      await Promise.all([peer.close(), app.close()]);
      await upstreams.close();
    },
  };
}

/** The clusters this gateway must not send to, recomputed once per configuration. */
class ReachableClusters {
  private seen: GatewayConfig | undefined;
  private set: ReadonlySet<string> = new Set();
  constructor(private readonly self: string) {}
  blocked(config: GatewayConfig): ReadonlySet<string> {
    if (config !== this.seen) {
      this.seen = config;
      this.set = new Set(config.unreachable?.[this.self] ?? []);
    }
    return this.set;
  }
}

function toTargets(
  cluster: string,
  e: Readonly<Record<string, readonly LocalEndpoint[]>>,
): Map<string, Target[]> {
  const out = new Map<string, Target[]>();
  for (const [service, list] of Object.entries(e)) {
    out.set(
      service,
      list.map((x) => ({
        id: x.url,
        cluster,
        kind: 'local' as const,
        url: x.url,
        ...(x.h2c ? { h2c: true } : {}),
      })),
    );
  }
  return out;
}
