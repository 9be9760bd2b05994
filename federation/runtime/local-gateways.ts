import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Agent, request } from 'undici';
import { parseOperatorKey } from '../../peering/identity/key-seal.js';
import { KubernetesClient } from '../../providers/kubernetes/kubernetes-client.js';
import { TokenStore } from '../auth/token-store.js';
import { validateObject } from '../resources/validate.js';
import type { ResourceStore } from '../store/resource-store.js';
import { type ChildGatewayUrls, fedgateArgs, GatewayChild } from './gateway-children.js';
import { privateDir, privateSecret, writePrivateFile } from './private-files.js';
import { greeterClient, startGreeter } from './sample-grpc.js';

/** What `fedgate up` passes in. */
export interface LocalGatewaysProps {
  readonly clusters: readonly string[];
  readonly redisUrl: string;
  readonly apiUrl: string;
  readonly store: ResourceStore;
  readonly kubeconfig: string;
  readonly stateDir: string;
  readonly log: Logger;
  /** Progress lines for a person (gateways starting, dying, restarting). */
  readonly progress?: (line: string) => void;
  /** Milliseconds between background calls from each cluster. Default 1,000. */
  readonly trafficEveryMs?: number;
}

/** Local gateways started. */
export interface LocalGateways {
  /** Resolves once every gateway process listens or was given up waiting for (progress is reported meanwhile). */
  readonly ready: Promise<{ listening: number; late: string[] }>;
  /** Process ids of the gateway children now running, by cluster. */
  pids(): Record<string, number | undefined>;
  close(): Promise<void>;
}

const NAMESPACE = 'demo';
/** The SPIFFE trust domain of `fedgate up`'s federation. */
export const LOCAL_FEDERATION = 'fedgate.local';

/** The federation CA's operator key of `fedgate up`, kept (0600) in the state dir; only the API holds it. */
export async function localOperatorKey(stateDir: string): Promise<Buffer> {
  return parseOperatorKey(
    await privateSecret(join(stateDir, 'gateway-operator-key'), () => randomBytes(32).toString('hex')),
  );
}

/**
 * The east-west part of `fedgate up`: sample services published to their clusters and exported
 * fleet-wide (`svc-<cluster>`, a real HTTP server per cluster, and `greeter`, a gRPC service in
 * two clusters), each as a selector-less Service with an EndpointSlice the gateway watches, a
 * ServiceExport and an AuthorizationPolicy; then one `fedgate gateway --cluster NAME` child
 * process per cluster, each with a `gateway` token of its own (certificates by CSR, configuration
 * and telemetry through the API), supervised (see gateway-children.ts); and light background
 * traffic through them: cluster i calls svc-<cluster i+1> over HTTP/1.1, and clusters without a
 * greeter call it over gRPC (HTTP/2 end to end), so the traffic matrix shows measured data.
 */
export async function startLocalGateways(p: LocalGatewaysProps): Promise<LocalGateways> {
  const stops: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const s of stops.reverse()) await s().catch((err: unknown) => p.log.warn({ err }, 'stop failed'));
  };
  try {
    const grpcClusters = p.clusters.filter((_, i) => i % 3 === 1);
    for (const cluster of p.clusters) {
      const svc = await sampleService(cluster);
      stops.push(svc.close);
      await publish(p, cluster, `svc-${cluster}`, Number(new URL(svc.url).port), false);
    }
    for (const cluster of grpcClusters) {
      const greeter = await startGreeter(cluster);
      stops.push(greeter.close);
      await publish(p, cluster, 'greeter', greeter.port, true);
    }
    const exports = [
      ...p.clusters.map((c) => ({ name: `svc-${c}`, clusters: [c], protocol: 'HTTP' })),
      ...(grpcClusters.length > 0 ? [{ name: 'greeter', clusters: grpcClusters, protocol: 'GRPC' }] : []),
    ];
    for (const e of exports) {
      for (const o of [
        {
          apiVersion: 'fedgate.dev/v1alpha1',
          kind: 'ServiceExport',
          metadata: { name: e.name, namespace: NAMESPACE },
          spec: { clusters: e.clusters, ports: [{ name: 'main', port: 80, protocol: e.protocol }] },
        },
        {
          apiVersion: 'fedgate.dev/v1alpha1',
          kind: 'AuthorizationPolicy',
          metadata: { name: `${e.name}-any-cluster`, namespace: NAMESPACE },
          spec: { service: e.name, rules: [{ from: p.clusters.map((c) => ({ cluster: c })) }] },
        },
      ]) {
        const v = validateObject(o);
        await p.store.apply(v.key, v.object);
      }
    }

    // One gateway token per cluster, made afresh on every run (only its hash is kept in Redis).
    const tokens = new TokenStore(p.store.redis, p.store.prefix);
    const tokenDir = join(p.stateDir, 'gateways');
    await privateDir(tokenDir);
    const urls = new Map<string, ChildGatewayUrls>();
    const children = new Map<string, GatewayChild>();
    let listening = 0;
    for (const cluster of p.clusters) {
      const name = `gateway-${cluster}`;
      await tokens.revoke(name).catch(() => undefined);
      const made = await tokens.create({ name, role: 'gateway', namespaces: [], cluster });
      const tokenFile = join(tokenDir, `${cluster}.token`);
      await writePrivateFile(tokenFile, `${made.token}\n`);
      const env: NodeJS.ProcessEnv = { ...process.env, REDIS_URL: p.redisUrl, FEDGATE_SERVER: p.apiUrl };
      delete env.FEDGATE_TOKEN;
      delete env.FEDGATE_GATEWAY_TOKEN;
      const child = new GatewayChild({
        cluster,
        args: fedgateArgs([
          'gateway',
          '--cluster',
          cluster,
          '--federation',
          LOCAL_FEDERATION,
          '--peer-listen',
          '127.0.0.1:0',
          '--app-listen',
          '127.0.0.1:0',
          '--kubeconfig',
          p.kubeconfig,
          '--context',
          cluster,
          '--token-file',
          tokenFile,
        ]),
        env,
        log: p.log,
        onEvent: (e) => {
          if (e.type === 'listening') {
            if (!urls.has(cluster)) {
              listening++;
              p.progress?.(`  … east-west gateway processes listening: ${listening}/${p.clusters.length}`);
            } else p.progress?.(`✓ gateway ${cluster} is back (${e.urls.appUrl})`);
            urls.set(cluster, e.urls);
          } else
            p.progress?.(
              `! gateway ${cluster} ${e.why}; restarting in ${(e.restartInMs / 1000).toFixed(1)} s`,
            );
        },
      });
      children.set(cluster, child);
    }
    stops.push(async () => {
      await Promise.all([...children.values()].map((c) => c.stop()));
    });
    // All at once: each is a process of its own, starting in parallel. One that is slow to start
    // is not fatal: it keeps being restarted, and `up` says so.
    const ready = Promise.allSettled([...children.values()].map((c) => c.start())).then((r) => {
      const late = [...children.keys()].filter((_, i) => r[i]!.status === 'rejected');
      return { listening: p.clusters.length - late.length, late };
    });

    // Calls start once every gateway listens (or was given up waiting for), so the first ones do
    // not fail for a peer that is still starting.
    let stopTraffic: (() => Promise<void>) | undefined;
    let closed = false;
    void ready.then(() => {
      if (!closed) stopTraffic = backgroundTraffic(p, urls, grpcClusters);
    });
    stops.push(async () => {
      closed = true;
      await stopTraffic?.();
    });
    return {
      ready,
      pids: () => Object.fromEntries([...children].map(([c, g]) => [c, g.pid])),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Publishes a local sample server to its member cluster: a selector-less Service and its EndpointSlice. */
async function publish(
  p: LocalGatewaysProps,
  cluster: string,
  name: string,
  port: number,
  grpc: boolean,
): Promise<void> {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(p.kubeconfig);
  kc.setCurrentContext(cluster);
  // KEP-3726's appProtocol for HTTP/2 without TLS tells the gateway to speak h2c to it.
  const portSpec = {
    name: grpc ? 'grpc' : 'http',
    port,
    protocol: 'TCP',
    appProtocol: grpc ? 'kubernetes.io/h2c' : 'http',
  };
  await new KubernetesClient(cluster, kc).apply(
    [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: NAMESPACE },
        spec: { ports: [portSpec] },
      },
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name: `${name}-local`,
          namespace: NAMESPACE,
          labels: {
            'kubernetes.io/service-name': name,
            'endpointslice.kubernetes.io/managed-by': 'fedgate-up',
          },
        },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
        ports: [portSpec],
      },
    ],
    { fieldManager: 'fedgate-up' },
  );
}

/**
 * Every second, cluster i calls svc-<cluster i+1> through its own gateway (HTTP/1.1, by Host), and
 * each cluster that serves no greeter calls `greeter.demo.svc.clusterset.local` (gRPC through the
 * gateway's h2c listener). A gateway that is restarting is skipped; the gateways count failures.
 */
function backgroundTraffic(
  p: LocalGatewaysProps,
  urls: ReadonlyMap<string, ChildGatewayUrls>,
  grpcClusters: readonly string[],
): () => Promise<void> {
  const agent = new Agent({ connections: 2 });
  const greeters = new Map<string, { appUrl: string; client: ReturnType<typeof greeterClient> }>();
  const failed = (target: string) => (err: unknown) =>
    p.log.debug({ target, err: (err as Error).message }, 'background call failed');
  const timer = setInterval(() => {
    p.clusters.forEach((cluster, i) => {
      const gw = urls.get(cluster);
      if (!gw) return;
      const target = p.clusters[(i + 1) % p.clusters.length]!;
      request(`${gw.appUrl}/hello`, {
        method: 'POST',
        headers: { host: `svc-${target}.${NAMESPACE}.svc.clusterset.local` },
        body: randomBytes(200 + Math.floor(Math.random() * 2000)),
        dispatcher: agent,
      })
        .then((r) => r.body.dump())
        .catch(failed(target));
      if (grpcClusters.length === 0 || grpcClusters.includes(cluster)) return;
      let g = greeters.get(cluster);
      if (g?.appUrl !== gw.appUrl) {
        g?.client.close();
        g = {
          appUrl: gw.appUrl,
          client: greeterClient(new URL(gw.appUrl).host, `greeter.${NAMESPACE}.svc.clusterset.local`),
        };
        greeters.set(cluster, g);
      }
      g.client.sayHello(cluster).catch(failed('greeter'));
    });
  }, p.trafficEveryMs ?? 1_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    for (const g of greeters.values()) g.client.close();
    await agent.close();
  };
}

/** A small HTTP service on loopback that answers with its cluster's name and a body of some size. */
async function sampleService(cluster: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({ cluster, path: req.url, padding: 'x'.repeat(Math.floor(Math.random() * 4000)) }),
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
