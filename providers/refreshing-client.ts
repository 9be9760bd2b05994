import type {
  ClusterProbe,
  ManifestObject,
  MemberClusterClient,
  ObjectRef,
  WatchHandle,
  WorkloadEvent,
  WorkloadStatus,
  WorkloadWatchSpec,
} from './member-cluster-client.js';
import { isProviderError, type ProviderError } from './provider-error.js';

/** When a connection is opened again. */
export interface RefreshProps {
  /**
   * Age after which the next call opens the connection again, reading its credentials afresh (a
   * kubeconfig rewritten with a new token). Default 10 min: under the 15 minutes of an EKS token.
   */
  readonly maxAgeMs?: number;
  readonly now?: () => number;
}

/**
 * A member-cluster client whose connection is opened again when its credentials may be stale: once
 * it is older than `maxAgeMs`, and at once when the cluster answers Unauthorized (the call is then
 * tried once more on the new connection). Exec credential plugins are re-run by client-node when
 * their token expires; this covers credentials written into the kubeconfig by someone else. A watch
 * that hears Unauthorized is restarted on a new connection.
 */
export class RefreshingClient implements MemberClusterClient {
  private client: MemberClusterClient | undefined;
  private openedAt = 0;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(
    private readonly open: () => MemberClusterClient,
    props: RefreshProps = {},
  ) {
    this.maxAgeMs = props.maxAgeMs ?? 600_000;
    this.now = props.now ?? Date.now;
    this.current(); // a broken configuration fails here, where the caller asked for the client
  }

  probe(): Promise<ClusterProbe> {
    return this.call((c) => c.probe());
  }

  apply(
    objects: readonly ManifestObject[],
    opts: { fieldManager: string; dryRun?: boolean },
  ): Promise<ManifestObject[]> {
    return this.call((c) => c.apply(objects, opts));
  }

  readStatus(ref: ObjectRef): Promise<WorkloadStatus> {
    return this.call((c) => c.readStatus(ref));
  }

  listByLabels(
    apiVersion: string,
    kind: string,
    labels: Readonly<Record<string, string>>,
  ): Promise<ManifestObject[]> {
    return this.call((c) => c.listByLabels(apiVersion, kind, labels));
  }

  delete(ref: ObjectRef): Promise<boolean> {
    return this.call((c) => c.delete(ref));
  }

  watchWorkloads(
    spec: WorkloadWatchSpec,
    onEvent: (event: WorkloadEvent) => void,
    onError: (err: ProviderError) => void,
  ): WatchHandle {
    let stopped = false;
    let inner: WatchHandle;
    const start = (client: MemberClusterClient): WatchHandle =>
      client.watchWorkloads(spec, onEvent, (err) => {
        onError(err);
        if (stopped || !isProviderError(err, 'Unauthorized')) return;
        // Credentials went stale under the watch: open the connection again and watch on it.
        this.client = undefined;
        inner.stop();
        inner = start(this.current());
      });
    inner = start(this.current());
    return {
      stop() {
        stopped = true;
        inner.stop();
      },
      get current() {
        return inner.current;
      },
    };
  }

  private current(): MemberClusterClient {
    if (!this.client || this.now() - this.openedAt >= this.maxAgeMs) {
      this.client = this.open();
      this.openedAt = this.now();
    }
    return this.client;
  }

  private async call<T>(fn: (c: MemberClusterClient) => Promise<T>): Promise<T> {
    const client = this.current();
    try {
      return await fn(client);
    } catch (err) {
      if (!isProviderError(err, 'Unauthorized')) throw err;
      // Another call may have opened a new connection already; otherwise open one now.
      if (this.client === client) this.client = undefined;
      return fn(this.current());
    }
  }
}
