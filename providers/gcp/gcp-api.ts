/**
 * The Compute Engine clients of one adapter and the one way they are called: counted by method,
 * retried by withRetry (the SDK's own retries are off: `retry: null`), cancellable, and with
 * errors translated to ProviderError. Operations are awaited with pollUntil.
 */
import {
  DisksClient,
  ExternalVpnGatewaysClient,
  GlobalOperationsClient,
  InstancesClient,
  MachineTypesClient,
  NetworksClient,
  type protos,
  RegionOperationsClient,
  RegionsClient,
  RoutersClient,
  RoutesClient,
  SnapshotsClient,
  SubnetworksClient,
  VpnGatewaysClient,
  VpnTunnelsClient,
  ZoneOperationsClient,
} from '@google-cloud/compute';
import type { WaitOptions } from '../cloud/adapter.js';
import { pollUntil } from '../cloud/poll.js';
import type { AdapterLogger } from '../cloud/registry.js';
import { withRetry } from '../cloud/retry.js';
import { isProviderError } from '../provider-error.js';
import { segmentOf } from './ids.js';
import { operationError, translateGcpError } from './translate-error.js';

/** A Compute Operation as the SDK decodes it. */
export type Operation = protos.google.cloud.compute.v1.IOperation;

/** Options handed to every SDK call: no SDK-level retry, one bounded attempt. */
const CALL_OPTIONS = { retry: null, timeout: 60_000, autoPaginate: false } as const;

/**
 * Where a call's options hand back google-gax's own promise for the call. The generated client
 * methods chain `.then` onto it, which drops its `cancel()`: without it, a request a caller gave up
 * on (its signal aborted) would still be sent and awaited. Each client's inner calls are wrapped
 * (see `cancellableCalls`) to give that promise to the sink in the options they are passed.
 */
const CANCEL_SINK = Symbol('fedgate.gcp.cancelSink');
type Cancellable = { cancel?: () => void };
type SdkCallOptions = typeof CALL_OPTIONS & { readonly [CANCEL_SINK]?: (call: Cancellable) => void };

/** Makes each of a client's calls reachable for cancellation through the options' sink. */
function cancellableCalls(client: { initialize(): unknown; innerApiCalls: Record<string, unknown> }): void {
  // initialize() builds the inner calls synchronously (its stub resolves later; a failure there
  // surfaces on the first call, as it would without this).
  Promise.resolve(client.initialize()).catch(() => undefined);
  for (const [name, inner] of Object.entries(client.innerApiCalls)) {
    if (typeof inner !== 'function') continue;
    client.innerApiCalls[name] = (
      request: unknown,
      options: SdkCallOptions | undefined,
      callback: unknown,
    ) => {
      const call = inner(request, options, callback) as Cancellable;
      options?.[CANCEL_SINK]?.(call);
      return call;
    };
  }
}

/** How the clients reach the API. */
export interface ClientOptions {
  readonly apiEndpoint?: string;
  readonly port?: number;
  readonly protocol?: string;
  readonly authClient: unknown;
}

/** Settings of the call layer. */
export interface GcpApiSettings {
  readonly project: string;
  readonly maxAttempts: number;
  readonly pollIntervalMs: number;
  readonly logger?: AdapterLogger;
}

/** `p`, or the signal's reason as soon as it aborts (then `onAbort` runs, to cancel the work). */
function abortable<T>(p: Promise<T>, signal?: AbortSignal, onAbort_?: () => void): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) {
    onAbort_?.();
    p.catch(() => undefined); // its own rejection (cancelled) is not the caller's concern
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      onAbort_?.();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** The clients and the call discipline. */
export class GcpApi {
  readonly networks: NetworksClient;
  readonly subnetworks: SubnetworksClient;
  readonly instances: InstancesClient;
  readonly machineTypes: MachineTypesClient;
  readonly regions: RegionsClient;
  readonly vpnGateways: VpnGatewaysClient;
  readonly externalVpnGateways: ExternalVpnGatewaysClient;
  readonly routers: RoutersClient;
  readonly vpnTunnels: VpnTunnelsClient;
  readonly routes: RoutesClient;
  readonly snapshots: SnapshotsClient;
  readonly disks: DisksClient;
  readonly zoneOperations: ZoneOperationsClient;
  readonly regionOperations: RegionOperationsClient;
  readonly globalOperations: GlobalOperationsClient;
  readonly #counts: Record<string, number> = {};

  constructor(
    clientOptions: ClientOptions,
    readonly settings: GcpApiSettings,
  ) {
    // biome-ignore lint/suspicious/noExplicitAny: the SDK types authClient against its own google-auth-library copy
    const o = clientOptions as any;
    this.networks = new NetworksClient(o);
    this.subnetworks = new SubnetworksClient(o);
    this.instances = new InstancesClient(o);
    this.machineTypes = new MachineTypesClient(o);
    this.regions = new RegionsClient(o);
    this.vpnGateways = new VpnGatewaysClient(o);
    this.externalVpnGateways = new ExternalVpnGatewaysClient(o);
    this.routers = new RoutersClient(o);
    this.vpnTunnels = new VpnTunnelsClient(o);
    this.routes = new RoutesClient(o);
    this.snapshots = new SnapshotsClient(o);
    this.disks = new DisksClient(o);
    this.zoneOperations = new ZoneOperationsClient(o);
    this.regionOperations = new RegionOperationsClient(o);
    this.globalOperations = new GlobalOperationsClient(o);
    for (const client of this.#clients()) cancellableCalls(client as never);
  }

  #clients() {
    return [
      this.networks,
      this.subnetworks,
      this.instances,
      this.machineTypes,
      this.regions,
      this.vpnGateways,
      this.externalVpnGateways,
      this.routers,
      this.vpnTunnels,
      this.routes,
      this.snapshots,
      this.disks,
      this.zoneOperations,
      this.regionOperations,
      this.globalOperations,
    ];
  }

  get project(): string {
    return this.settings.project;
  }

  /** Calls so far, by method. */
  counts(): Readonly<Record<string, number>> {
    return { ...this.#counts };
  }

  /**
   * One API method: `fn` makes the SDK call with the options given; throttling and 5xx are
   * retried with backoff and jitter; the SDK's first result element is returned.
   */
  async call<R extends readonly unknown[]>(
    method: string,
    fn: (opts: SdkCallOptions) => Promise<R>,
    signal?: AbortSignal,
  ): Promise<R[0]> {
    return withRetry(
      async () => {
        this.#counts[method] = (this.#counts[method] ?? 0) + 1;
        try {
          // The calls this attempt started, cancelled (not sent, or their request aborted) on abort.
          const started = new Set<Cancellable>();
          const opts: SdkCallOptions = { ...CALL_OPTIONS, [CANCEL_SINK]: (c) => started.add(c) };
          const result = await abortable(fn(opts), signal, () => {
            for (const c of started) c.cancel?.();
          });
          return result[0];
        } catch (err) {
          if (signal?.aborted) throw err;
          throw translateGcpError(err, method);
        }
      },
      {
        maxAttempts: this.settings.maxAttempts,
        ...(signal ? { signal } : {}),
        onRetry: ({ attempt, delayMs, error }) =>
          this.settings.logger?.debug(
            { method, attempt, delayMs, code: error.code, providerCode: error.providerCode },
            'gcp call retried',
          ),
      },
    );
  }

  /** Like `call`, but NotFound is `undefined`. */
  async find<R extends readonly unknown[]>(
    method: string,
    fn: (opts: SdkCallOptions) => Promise<R>,
    signal?: AbortSignal,
  ): Promise<R[0] | undefined> {
    try {
      return await this.call(method, fn, signal);
    } catch (err) {
      if (isProviderError(err, 'NotFound')) return undefined;
      throw err;
    }
  }

  /** Every item of a paged list (one call per page). */
  async listAll<T>(
    method: string,
    fn: (
      pageToken: string | undefined,
      opts: SdkCallOptions,
    ) => Promise<readonly [T[], { pageToken?: string | null } | null | undefined, ...unknown[]]>,
    signal?: AbortSignal,
  ): Promise<T[]> {
    const out: T[] = [];
    let token: string | undefined;
    do {
      let next: string | undefined;
      const items = await this.call(
        method,
        async (o) => {
          const r = await fn(token, o);
          next = r[1]?.pageToken ?? undefined;
          return r;
        },
        signal,
      );
      out.push(...items);
      token = next;
    } while (token);
    return out;
  }

  /**
   * Every item of an aggregatedList, one call per page. The generated clients expose map-keyed
   * aggregated lists only as an auto-paging iterator; the public `innerApiCalls` entry pages one
   * request at a time so that each page is retried and counted like any call.
   */
  async aggregated<T>(
    method: string,
    client: { initialize(): Promise<unknown>; innerApiCalls: Record<string, unknown> },
    request: Record<string, unknown>,
    field: string,
    signal?: AbortSignal,
  ): Promise<T[]> {
    await client.initialize();
    const inner = client.innerApiCalls.aggregatedList as (
      req: object,
      opts: object,
    ) => Promise<[Record<string, Record<string, unknown>>, { pageToken?: string } | null]>;
    const out: T[] = [];
    let token: string | undefined;
    do {
      const req = { ...request, ...(token ? { pageToken: token } : {}) };
      let next: string | undefined;
      const map = await this.call(
        method,
        async (o) => {
          const r = await inner(req, o);
          next = r[1]?.pageToken ?? undefined;
          return r;
        },
        signal,
      );
      for (const scoped of Object.values(map ?? {}))
        out.push(...(((scoped?.[field] as T[] | undefined) ?? []) as T[]));
      token = next;
    } while (token);
    return out;
  }

  /**
   * Waits for an Operation (zonal, regional or global, from its links) to be DONE; a failed one
   * rejects with its error as a ProviderError keeping Google's reason and message.
   */
  async waitFor(op: Operation, what: string, opts: WaitOptions = {}): Promise<Operation> {
    const zone = op.zone ? segmentOf(op.zone, 'zones') : undefined;
    const region = op.region ? segmentOf(op.region, 'regions') : undefined;
    const name = op.name ?? '';
    const get = (o: SdkCallOptions): Promise<readonly [Operation, ...unknown[]]> =>
      zone
        ? this.zoneOperations.get({ project: this.project, zone, operation: name }, o)
        : region
          ? this.regionOperations.get({ project: this.project, region, operation: name }, o)
          : this.globalOperations.get({ project: this.project, operation: name }, o);
    const method = zone ? 'zoneOperations.get' : region ? 'regionOperations.get' : 'globalOperations.get';
    let current = op;
    const done = await pollUntil<Operation>(
      async () => {
        if (current.status !== 'DONE') current = await this.call(method, get, opts.signal);
        if (current.status === 'DONE') return { done: true, value: current };
        return {
          done: false,
          state: String(current.status),
          ...(current.progress ? { percent: current.progress } : {}),
        };
      },
      {
        what,
        intervalMs: this.settings.pollIntervalMs,
        ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      },
    );
    const failure = operationError(done);
    if (failure) throw failure;
    return done;
  }

  /** Closes every client's connections. */
  async close(): Promise<void> {
    await Promise.all(this.#clients().map((c) => c.close()));
  }
}
