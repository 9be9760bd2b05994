import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { startGatewayProcess } from '../runtime/gateway-process.js';
import { createLogger } from '../runtime/logger.js';
import { startMetricsServer } from '../runtime/metrics-server.js';
import { readCliConfig } from './config.js';
import { untilStopped } from './until-stopped.js';

const collect = (v: string, prev: string[]) => [...prev, v];

/**
 * `fedgate gateway --cluster NAME`: the east-west gateway of one member cluster. Apps reach
 * exported services as `http://<svc>.<ns>.svc.clusterset.local` through the app listener, either
 * by DNS pointing that name at the gateway (`--dns-listen`: the cluster DNS forwards the
 * `clusterset.local` zone to it; Host header routing) or with HTTP_PROXY set to it (absolute-form
 * requests); peers reach it over mTLS on the peer listener.
 */
export function registerGatewayCommand(program: Command): void {
  program
    .command('gateway')
    .description(
      'run the east-west gateway of a member cluster (mTLS between clusters, LB, authz, quotas, telemetry)',
    )
    .requiredOption('--cluster <name>', 'the member cluster this gateway serves')
    .option('--federation <domain>', 'SPIFFE trust domain of the federation', 'fedgate.local')
    .option('--peer-listen <host:port>', 'mTLS listener for peer gateways', '127.0.0.1:15443')
    .option(
      '--app-listen <host:port>',
      'cleartext listener for local apps (HTTP/1.1 and h2c)',
      '127.0.0.1:15080',
    )
    .option('--advertise-host <host>', 'address peers use to reach the peer listener')
    .option(
      '--endpoint <ns/svc=url>',
      'a local endpoint (repeatable), e.g. shop/cart=http://10.0.0.7:8080; add +h2c for gRPC',
      collect,
      [],
    )
    .option('--workload <ip=ns/sa>', 'name a local caller by its address (repeatable)', collect, [])
    .option(
      '--dns-listen <host:port>',
      'answer <svc>.<ns>.svc.clusterset.local (UDP DNS) with the app listener address; forward the zone here',
    )
    .option('--kubeconfig <file>', "the member cluster's kubeconfig: local endpoints from its EndpointSlices")
    .option('--context <name>', 'the kubeconfig context of the member cluster (default: the current one)')
    .option('--cert-ttl <hours>', 'lifetime of the gateway certificate (the control plane caps it)', '24')
    .option(
      '--token-file <file>',
      "file holding this cluster's gateway token (fedgate token create NAME --role gateway --cluster NAME); else FEDGATE_GATEWAY_TOKEN, else FEDGATE_TOKEN",
    )
    .option('--redis-prefix <prefix>', 'Redis key prefix of the control plane', 'fg')
    .option('--metrics-port <port>', 'serve Prometheus /metrics on this port')
    .action(async (o: Record<string, string | string[]>) => {
      const log = createLogger();
      // Started by a supervisor over IPC (fedgate up): stop when the channel closes, which happens
      // however the supervisor ends (kill -9 included), even while this gateway is still starting
      // (the channel may already be closed by the time this runs): no orphan.
      let stop: (() => Promise<void>) | undefined;
      if (process.send) {
        const supervisorGone = () => {
          log.info('supervisor gone; stopping');
          // Its peers are stopping too: a drain they never finish must not keep it alive.
          setTimeout(() => process.exit(0), 5_000).unref();
          void (stop?.() ?? Promise.resolve()).finally(() => process.exit(0));
        };
        let gone = false;
        const once = () => {
          if (gone) return;
          gone = true;
          supervisorGone();
        };
        // bin/fedgate.js's listener exits at once: from here on the gateway drains first.
        process.removeAllListeners('disconnect');
        if (process.connected) process.once('disconnect', once);
        else once();
        // And should the channel's event be missed: the supervisor's pid is no longer the parent.
        const parent = process.ppid;
        setInterval(() => {
          if (!process.connected || process.ppid !== parent) once();
        }, 1_000).unref();
      }
      const cfg = await readCliConfig();
      const redisUrl = process.env.REDIS_URL;
      if (!redisUrl) throw new Error('REDIS_URL is not set');
      const token = o.tokenFile
        ? (await readFile(String(o.tokenFile), 'utf8')).trim()
        : (process.env.FEDGATE_GATEWAY_TOKEN ?? cfg.token);
      if (!cfg.apiUrl || !token)
        throw new Error('no API server/token (FEDGATE_SERVER, and --token-file or FEDGATE_GATEWAY_TOKEN)');
      const ttlHours = Number(o.certTtl);
      if (!(ttlHours > 0))
        throw new Error(`--cert-ttl must be a positive number of hours, got "${String(o.certTtl)}"`);
      const metrics = new Registry();
      collectDefaultMetrics({ register: metrics });
      const gw = await startGatewayProcess({
        cluster: String(o.cluster),
        federation: String(o.federation),
        redisUrl,
        redisPrefix: String(o.redisPrefix),
        apiUrl: cfg.apiUrl,
        apiToken: token,
        peerListen: hostPort(String(o.peerListen), 'peer-listen'),
        appListen: hostPort(String(o.appListen), 'app-listen'),
        ...(o.advertiseHost ? { advertiseHost: String(o.advertiseHost) } : {}),
        certTtlMs: ttlHours * 3_600_000,
        localEndpoints: endpoints(o.endpoint as string[]),
        localWorkloads: workloads(o.workload as string[]),
        ...(o.dnsListen ? { dnsListen: hostPort(String(o.dnsListen), 'dns-listen') } : {}),
        ...(o.kubeconfig ? { kubeconfig: String(o.kubeconfig) } : {}),
        ...(o.context ? { kubeContext: String(o.context) } : {}),
        log,
        metrics,
      });
      const m = o.metricsPort
        ? await startMetricsServer({ registry: metrics, port: Number(o.metricsPort), log })
        : undefined;
      log.info({ peer: gw.peerUrl, app: gw.appUrl, metrics: m?.url }, 'gateway listening');
      const stopGateway = async () => {
        await m?.close();
        await gw.stop();
      };
      stop = stopGateway;
      // Tell the supervisor where it listens (unless it is already gone and this is stopping).
      if (process.send && process.connected)
        process.send({ type: 'listening', peerUrl: gw.peerUrl, appUrl: gw.appUrl });
      await untilStopped(stopGateway);
    });
}

function hostPort(v: string, flag: string): { host: string; port: number } {
  const i = v.lastIndexOf(':');
  const port = Number(v.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`--${flag} must be host:port, got "${v}"`);
  return { host: v.slice(0, i), port };
}

function endpoints(list: string[]): Record<string, { url: string; h2c?: boolean }[]> {
  const out: Record<string, { url: string; h2c?: boolean }[]> = {};
  for (const e of list) {
    const m = /^([a-z0-9-]+\/[a-z0-9-]+)=(http:\/\/[^\s+]+)(\+h2c)?$/.exec(e);
    if (!m) throw new Error(`--endpoint must be ns/svc=http://host:port[+h2c], got "${e}"`);
    const list = out[m[1]!] ?? [];
    list.push({ url: m[2]!, ...(m[3] ? { h2c: true } : {}) });
    out[m[1]!] = list;
  }
  return out;
}

function workloads(list: string[]): Record<string, { namespace: string; serviceAccount: string }> {
  const out: Record<string, { namespace: string; serviceAccount: string }> = {};
  for (const w of list) {
    const m = /^([0-9a-f.:]+)=([a-z0-9-]+)\/([a-z0-9.-]+)$/.exec(w);
    if (!m) throw new Error(`--workload must be ip=namespace/serviceaccount, got "${w}"`);
    out[m[1]!] = { namespace: m[2]!, serviceAccount: m[3]! };
  }
  return out;
}
