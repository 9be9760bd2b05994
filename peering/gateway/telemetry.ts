import { Counter, Histogram, type Registry } from 'prom-client';
import { emptyLinkStats, type LinkStats, mergeLinkStats, observeLink } from './link-stats.js';

/** Which side measured a call, as Istio's `reporter` label. */
export type Reporter = 'source' | 'destination';

type CounterChild = ReturnType<Counter<string>['labels']>;

/** One counter child with the increments not yet handed to prom-client. */
interface Pending {
  readonly child: CounterChild;
  n: number;
}

/** The series of one reporter → source → destination → service. */
interface Series {
  readonly duration: ReturnType<Histogram<string>['labels']>;
  readonly bytesIn: Pending;
  readonly bytesOut: Pending;
  /** Request counters by `status|protocol`. */
  readonly byCode: Map<number, Map<string, Pending>>;
  /** This link's aggregates of the current push interval (source reporter only). */
  link: LinkStats | undefined;
  linkGeneration: number;
  readonly linkKey: string;
}

/**
 * The gateway's measurements: Prometheus series in the style of Istio's standard metrics
 * (`istio_requests_total`, `istio_request_duration_milliseconds`, `istio_request_bytes_total`,
 * `istio_response_bytes_total` with reporter, source_cluster, destination_cluster,
 * destination_service, response_code, request_protocol), the gateway's own counters, and
 * per-link aggregates drained every few seconds for the control plane. The hot path builds no label
 * key strings (nested maps by label value) and hands counter increments to prom-client only when
 * the metrics are read (each child increment hashes its labels): one histogram observation per call.
 */
export class GatewayTelemetry {
  private readonly requests: Counter<string>;
  private readonly duration: Histogram<string>;
  private readonly bytesIn: Counter<string>;
  private readonly bytesOut: Counter<string>;
  /** TLS handshakes refused (peer not chaining to the trust bundle, wrong identity, no certificate). */
  readonly handshakeRefusals: Counter<string>;
  /** Calls refused by authorization (reason=authorization) or quota (reason=quota). */
  readonly refused: Counter<string>;
  readonly retries: Counter<string>;
  readonly ejections: Counter<string>;
  readonly configUpdates: Counter<string>;
  /** Tries sent to an upstream (a local endpoint or a remote gateway), retries included, counted as they start. */
  readonly upstreamRequests: Counter<string>;
  /** Tries that failed: reason connect (refused, handshake), timeout, reset, or 5xx. */
  readonly upstreamFailures: Counter<string>;
  /** reporter → source → destination → service. */
  private readonly series = new Map<string, Map<string, Map<string, Map<string, Series>>>>();
  private readonly all: Series[] = [];
  private readonly tries = new Map<string, Pending>();
  private links = new Map<string, LinkStats>();
  private linkGeneration = 0;

  constructor(registry: Registry) {
    const flush = () => this.flush();
    const common = ['reporter', 'source_cluster', 'destination_cluster', 'destination_service'];
    this.requests = new Counter({
      name: 'istio_requests_total',
      help: 'Requests through the gateway',
      labelNames: [...common, 'response_code', 'request_protocol'],
      registers: [registry],
      collect: flush,
    });
    this.duration = new Histogram({
      name: 'istio_request_duration_milliseconds',
      help: 'Request duration through the gateway (ms)',
      labelNames: common,
      buckets: [0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000],
      registers: [registry],
    });
    this.bytesIn = new Counter({
      name: 'istio_request_bytes_total',
      help: 'Request body bytes',
      labelNames: common,
      registers: [registry],
      collect: flush,
    });
    this.bytesOut = new Counter({
      name: 'istio_response_bytes_total',
      help: 'Response body bytes',
      labelNames: common,
      registers: [registry],
      collect: flush,
    });
    this.handshakeRefusals = new Counter({
      name: 'fedgate_gateway_handshake_refusals_total',
      help: 'mTLS handshakes refused: the peer did not present a certificate chaining to the trust bundle',
      registers: [registry],
    });
    this.refused = new Counter({
      name: 'fedgate_gateway_refused_total',
      help: 'Calls refused by policy',
      labelNames: ['reason', 'destination_service'],
      registers: [registry],
    });
    this.retries = new Counter({
      name: 'fedgate_gateway_retries_total',
      help: 'Retries sent',
      labelNames: ['destination_service'],
      registers: [registry],
    });
    this.ejections = new Counter({
      name: 'fedgate_gateway_outlier_ejections_total',
      help: 'Upstreams taken out of load balancing',
      registers: [registry],
    });
    this.configUpdates = new Counter({
      name: 'fedgate_gateway_config_updates_total',
      help: 'Configurations applied (result=applied) or refused (result=error)',
      labelNames: ['result'],
      registers: [registry],
    });
    this.upstreamRequests = new Counter({
      name: 'fedgate_gateway_upstream_requests_total',
      help: 'Tries sent upstream (retries included), by destination cluster',
      labelNames: ['destination_cluster'],
      registers: [registry],
      collect: flush,
    });
    this.upstreamFailures = new Counter({
      name: 'fedgate_gateway_upstream_failures_total',
      help: 'Tries that failed upstream, by destination cluster and reason (connect, timeout, reset, 5xx)',
      labelNames: ['destination_cluster', 'reason'],
      registers: [registry],
    });
  }

  /** Counts a try sent to `cluster` (this runs on every call). */
  upstreamTry(cluster: string): void {
    let c = this.tries.get(cluster);
    if (c === undefined) {
      c = { child: this.upstreamRequests.labels(cluster), n: 0 };
      this.tries.set(cluster, c);
    }
    c.n++;
  }

  /** Records one finished call. */
  record(
    reporter: Reporter,
    source: string,
    destination: string,
    service: string,
    status: number,
    protocol: string,
    ms: number,
    bytesIn: number,
    bytesOut: number,
  ): void {
    const c = this.seriesOf(reporter, source, destination, service);
    let byProtocol = c.byCode.get(status);
    if (byProtocol === undefined) {
      byProtocol = new Map();
      c.byCode.set(status, byProtocol);
    }
    let counter = byProtocol.get(protocol);
    if (counter === undefined) {
      counter = {
        child: this.requests.labels({
          reporter,
          source_cluster: source,
          destination_cluster: destination,
          destination_service: service,
          response_code: String(status),
          request_protocol: protocol,
        }),
        n: 0,
      };
      byProtocol.set(protocol, counter);
    }
    counter.n++;
    c.duration.observe(ms);
    c.bytesIn.n += bytesIn;
    c.bytesOut.n += bytesOut;
    if (reporter !== 'source') return;
    if (c.linkGeneration !== this.linkGeneration || c.link === undefined) {
      // First call of this link since the last drain (or a restore): its entry in the drained map.
      let s = this.links.get(c.linkKey);
      if (s === undefined) {
        s = emptyLinkStats();
        this.links.set(c.linkKey, s);
      }
      c.link = s;
      c.linkGeneration = this.linkGeneration;
    }
    observeLink(c.link, ms, status >= 500 || status === 0, bytesIn, bytesOut);
  }

  private seriesOf(reporter: Reporter, source: string, destination: string, service: string): Series {
    const bySource = getOrNew(this.series, reporter);
    const byDestination = getOrNew(bySource, source);
    const byService = getOrNew(byDestination, destination);
    let c = byService.get(service);
    if (c === undefined) {
      const labels = {
        reporter,
        source_cluster: source,
        destination_cluster: destination,
        destination_service: service,
      };
      c = {
        duration: this.duration.labels(labels),
        bytesIn: { child: this.bytesIn.labels(labels), n: 0 },
        bytesOut: { child: this.bytesOut.labels(labels), n: 0 },
        byCode: new Map(),
        link: undefined,
        linkGeneration: -1,
        linkKey: `${source}|${destination}|${service}`,
      };
      byService.set(service, c);
      this.all.push(c);
    }
    return c;
  }

  /** Hands the counted increments to prom-client (before the metrics are read). */
  private flush(): void {
    const give = (p: Pending) => {
      if (p.n > 0) {
        p.child.inc(p.n);
        p.n = 0;
      }
    };
    for (const c of this.all) {
      give(c.bytesIn);
      give(c.bytesOut);
      for (const byProtocol of c.byCode.values()) for (const p of byProtocol.values()) give(p);
    }
    for (const p of this.tries.values()) give(p);
  }

  /** Takes the aggregates gathered since the last call, keyed `source|destination|service`. */
  drainLinks(): Map<string, LinkStats> {
    const out = this.links;
    this.links = new Map();
    this.linkGeneration++;
    return out;
  }

  /** Puts back aggregates that could not be pushed, so a Redis outage loses nothing. */
  restoreLinks(links: Map<string, LinkStats>): void {
    this.linkGeneration++; // series look their link up again
    for (const [k, s] of links) {
      const cur = this.links.get(k);
      if (cur === undefined) this.links.set(k, s);
      else mergeLinkStats(cur, s);
    }
  }
}

function getOrNew<V>(m: Map<string, Map<string, V>>, k: string): Map<string, V> {
  let v = m.get(k);
  if (v === undefined) {
    v = new Map();
    m.set(k, v);
  }
  return v;
}
