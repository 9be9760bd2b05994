/**
 * Starts one simulated API server per cluster of a topology, plus a small control server so a
 * running fleet's faults can be toggled from a shell even while a cluster is down (a down cluster
 * refuses connections, so its own `/_sim/faults` is unreachable):
 *   GET  /clusters                      → [{name, provider, region, url, faults}]
 *   GET  /clusters/{name}/faults        → fault state
 *   PUT  /clusters/{name}/faults {down?, latencyMs?, errorRate?, errorKind?}
 * Every call needs `Authorization: Bearer <controlToken>`, and a change `Content-Type:
 * application/json` (so a web page cannot drive it with a CORS "simple" request) of at most 64 KiB.
 * Each cluster requires the bearer token of its own (`members()[i].token`), as real clusters do.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { bearerMatches, MAX_FAULT_BODY } from '../kubernetes/access.js';
import type { KubeSim } from '../kubernetes/index.js';
import { startKubeSim } from '../kubernetes/index.js';
import { selfSignedCertificate } from '../kubernetes/tls.js';
import type { ClusterTopology, FleetTopology } from './topology.js';
import { DEFAULT_FLEET } from './topology.js';

/** Options for a fleet. */
export interface StartFleetOptions {
  /** Pod readiness delay passed to every cluster (default 50 ms). */
  podReadyDelayMs?: number;
  /** Record Events in the clusters (default true). */
  events?: boolean;
  /** Port of the control server (default 0: any free port; -1: no control server). */
  controlPort?: number;
  /**
   * Whether each cluster requires a bearer token of its own (default true). Off only for callers
   * that reach the clusters by URL alone, without a kubeconfig.
   */
  clusterTokens?: boolean;
}

/** A cluster of a running fleet: its topology plus where its API server listens. */
export interface RunningCluster extends ClusterTopology {
  url: string;
  /** The bearer token the cluster requires, if any. */
  token: string | undefined;
  /** The CA (PEM) of its serving certificate when it serves HTTPS. */
  caPem: string | undefined;
}

/** A running fleet. */
export interface Fleet {
  readonly topology: FleetTopology;
  /** Simulated API servers by cluster name. */
  readonly clusters: Map<string, KubeSim>;
  /** Base URL of the control server, or undefined when disabled. */
  readonly controlUrl: string | undefined;
  /** The bearer token the control server requires. */
  readonly controlToken: string;
  /** Every cluster with its URL, ready to register as MemberClusters. */
  members(): RunningCluster[];
  /** Stops every cluster and the control server. */
  close(): Promise<void>;
}

function json(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

class TooLarge extends Error {}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FAULT_BODY) throw new TooLarge(`the body is larger than ${MAX_FAULT_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  return text ? JSON.parse(text) : {};
}

/** Starts every cluster of the topology (default: the seven-cluster DEFAULT_FLEET). */
export async function startFleet(
  topology: FleetTopology = DEFAULT_FLEET,
  options: StartFleetOptions = {},
): Promise<Fleet> {
  const clusters = new Map<string, KubeSim>();
  // Clusters that require tokens serve HTTPS: kubectl sends credentials only over TLS.
  const tls = options.clusterTokens === false ? undefined : await selfSignedCertificate('fedgate-sim-fleet');
  try {
    const sims = await Promise.all(
      topology.clusters.map((c) =>
        startKubeSim({
          name: c.name,
          nodes: c.nodes,
          version: c.kubernetesVersion,
          podCidr: c.network.podCidr,
          serviceCidr: c.network.serviceCidr,
          podReadyDelayMs: options.podReadyDelayMs ?? 50,
          events: options.events ?? true,
          ...(tls ? { token: newToken(), tls } : {}),
        }),
      ),
    );
    for (const sim of sims) clusters.set(sim.name, sim);
  } catch (err) {
    await Promise.all([...clusters.values()].map((s) => s.close()));
    throw err;
  }

  const byName = new Map(topology.clusters.map((c) => [c.name, c]));
  const controlToken = newToken();
  const control =
    options.controlPort === -1 ? undefined : createServer((req, res) => void handleControl(req, res));
  async function handleControl(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (!bearerMatches(req.headers.authorization, controlToken)) {
        req.resume();
        return json(res, 401, { error: 'send Authorization: Bearer <the fleet control token>' });
      }
      const parts = new URL(req.url ?? '/', 'http://127.0.0.1').pathname.split('/').filter(Boolean);
      if (parts[0] !== 'clusters') return json(res, 404, { error: 'not found' });
      if (parts.length === 1) {
        return json(
          res,
          200,
          [...clusters.values()].map((s) => ({
            name: s.name,
            provider: byName.get(s.name)?.provider,
            region: byName.get(s.name)?.region,
            url: s.url,
            faults: s.faults.state(),
          })),
        );
      }
      const sim = clusters.get(parts[1] ?? '');
      if (!sim || parts[2] !== 'faults' || parts.length !== 3) return json(res, 404, { error: 'not found' });
      if (req.method === 'PUT' || req.method === 'POST') {
        if ((req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() !== 'application/json') {
          req.resume();
          return json(res, 415, { error: 'send the change as Content-Type: application/json' });
        }
        if (Number(req.headers['content-length'] ?? 0) > MAX_FAULT_BODY) {
          req.resume();
          return json(res, 413, { error: `the body is larger than ${MAX_FAULT_BODY} bytes` });
        }
        const body = await readJson(req);
        if (typeof body !== 'object' || body === null)
          return json(res, 400, { error: 'body must be an object' });
        const update = body as {
          down?: unknown;
          latencyMs?: unknown;
          errorRate?: unknown;
          errorKind?: unknown;
        };
        if (typeof update.latencyMs === 'number') sim.faults.latencyMs(update.latencyMs);
        if (typeof update.errorRate === 'number') {
          const kind =
            update.errorKind === 'throttle' || update.errorKind === 'internal' || update.errorKind === 'mixed'
              ? update.errorKind
              : undefined;
          sim.faults.errorRate(update.errorRate, kind);
        }
        if (typeof update.down === 'boolean') await sim.faults.down(update.down);
      }
      return json(res, 200, sim.faults.state());
    } catch (err) {
      return json(res, err instanceof TooLarge ? 413 : 400, { error: (err as Error).message });
    }
  }
  let controlUrl: string | undefined;
  if (control) {
    await new Promise<void>((resolve) => control.listen(options.controlPort ?? 0, '127.0.0.1', resolve));
    const address = control.address();
    if (address && typeof address === 'object') controlUrl = `http://127.0.0.1:${address.port}`;
  }

  return {
    topology,
    clusters,
    controlUrl,
    controlToken,
    members: () =>
      topology.clusters.map((c) => ({
        ...c,
        url: clusters.get(c.name)?.url ?? '',
        token: clusters.get(c.name)?.token,
        caPem: tls?.cert,
      })),
    close: async () => {
      await Promise.all([...clusters.values()].map((s) => s.close()));
      if (control) {
        control.closeAllConnections();
        await new Promise<void>((resolve) => control.close(() => resolve()));
      }
    },
  };
}

function newToken(): string {
  return randomBytes(24).toString('base64url');
}
