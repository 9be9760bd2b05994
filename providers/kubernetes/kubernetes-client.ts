import * as k8s from '@kubernetes/client-node';
import {
  type ClusterProbe,
  type ManifestObject,
  type MemberClusterClient,
  type NodeReport,
  type ObjectRef,
  type WatchHandle,
  type WorkloadEvent,
  type WorkloadStatus,
  type WorkloadWatchSpec,
  workloadStatusOf,
} from '../member-cluster-client.js';
import { isProviderError, type ProviderError } from '../provider-error.js';
import { type KubeConnection, type KubeconfigSource, kubeConfigFor } from './kubeconfig.js';
import { ObjectApi } from './object-api.js';
import { translateKubeError } from './translate-error.js';
import { WorkloadWatch, type WorkloadWatchProps } from './workload-watch.js';

/** Tuning of the Kubernetes adapter. */
export interface KubernetesClientProps {
  /** Attempts per call for retryable answers (409/429/5xx); connection failures are not retried here. Default 3. */
  readonly attempts?: number;
  /** First backoff in ms, doubled each attempt (a Retry-After header wins, capped at 5 s). Default 100. */
  readonly backoffMs?: number;
  /** Timing of workload watches. */
  readonly watch?: WorkloadWatchProps;
}

/** The member-cluster adapter for Kubernetes clusters, on @kubernetes/client-node. */
export class KubernetesClient implements MemberClusterClient {
  private readonly objects: ObjectApi;
  private readonly core: k8s.CoreV1Api;
  private readonly version: k8s.VersionApi;
  private readonly namespaces = new Set<string>();
  private readonly attempts: number;
  private readonly backoffMs: number;

  constructor(
    readonly name: string,
    private readonly kc: k8s.KubeConfig,
    private readonly props: KubernetesClientProps = {},
  ) {
    this.objects = ObjectApi.forConfig(kc);
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.version = kc.makeApiClient(k8s.VersionApi);
    this.attempts = props.attempts ?? 3;
    this.backoffMs = props.backoffMs ?? 100;
  }

  /** Builds the adapter for a cluster connection. */
  static connect(
    conn: KubeConnection,
    source?: KubeconfigSource,
    props?: KubernetesClientProps,
  ): KubernetesClient {
    return new KubernetesClient(conn.name, kubeConfigFor(conn, source), props);
  }

  async probe(): Promise<ClusterProbe> {
    const [info, system, nodes, pods] = await Promise.all([
      this.call('read version', () => this.version.getCode()),
      this.call('read namespace kube-system', () => this.core.readNamespace({ name: 'kube-system' })),
      this.call('list nodes', () => this.core.listNode()),
      // Pods as wire JSON: the typed models' deserialization of every pod was most of a probe's cost.
      this.call(
        'list pods',
        async () =>
          (await this.objects.list(
            'v1',
            'Pod',
            undefined,
            undefined,
            undefined,
            undefined,
            'status.phase!=Succeeded,status.phase!=Failed',
          )) as unknown as { items: k8s.V1Pod[] },
      ),
    ]);
    const nodeReports: NodeReport[] = nodes.items.map((n) => ({
      name: n.metadata?.name ?? '',
      ready: (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
      labels: n.metadata?.labels ?? {},
      allocatable: n.status?.allocatable ?? n.status?.capacity ?? {},
    }));
    const podRequests = pods.items
      .filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed' && p.spec?.nodeName)
      .map((p) => (p.spec?.containers ?? []).map((c) => c.resources?.requests ?? {}));
    return {
      clusterID: system.metadata?.uid ?? '',
      kubernetesVersion: info.gitVersion,
      nodes: nodeReports,
      podRequests,
    };
  }

  async apply(
    objects: readonly ManifestObject[],
    opts: { fieldManager: string; dryRun?: boolean },
  ): Promise<ManifestObject[]> {
    const out: ManifestObject[] = [];
    for (const obj of objects) {
      if (obj.metadata.namespace && (await this.objects.isNamespaced(obj.apiVersion, obj.kind))) {
        await this.ensureNamespace(obj.metadata.namespace);
      }
      const applied = await this.call(`apply ${describe(obj)}`, () =>
        this.objects.serverSideApply(obj as k8s.KubernetesObject, {
          fieldManager: opts.fieldManager,
          force: true,
          ...(opts.dryRun ? { dryRun: true } : {}),
        }),
      );
      out.push(applied as ManifestObject);
    }
    return out;
  }

  async readStatus(ref: ObjectRef): Promise<WorkloadStatus> {
    try {
      const obj = (await this.call(`read ${describe(ref)}`, () =>
        this.objects.read(header(ref)),
      )) as ManifestObject;
      return workloadStatusOf(obj);
    } catch (err) {
      if (isProviderError(err, 'NotFound')) return { exists: false };
      throw err;
    }
  }

  async listByLabels(
    apiVersion: string,
    kind: string,
    labels: Readonly<Record<string, string>>,
  ): Promise<ManifestObject[]> {
    const selector = Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    try {
      const list = await this.call(`list ${kind}`, () =>
        this.objects.list(apiVersion, kind, undefined, undefined, undefined, undefined, undefined, selector),
      );
      return list.items as ManifestObject[];
    } catch (err) {
      // A kind this cluster does not serve holds nothing of ours.
      if (isProviderError(err, 'NotFound')) return [];
      throw err;
    }
  }

  async delete(ref: ObjectRef): Promise<boolean> {
    try {
      await this.call(`delete ${describe(ref)}`, () =>
        this.objects.delete(
          header(ref) as k8s.KubernetesObject,
          undefined,
          undefined,
          undefined,
          undefined,
          'Background',
        ),
      );
      return true;
    } catch (err) {
      if (isProviderError(err, 'NotFound')) return false;
      throw err;
    }
  }

  watchWorkloads(
    spec: WorkloadWatchSpec,
    onEvent: (event: WorkloadEvent) => void,
    onError: (err: ProviderError) => void,
  ): WatchHandle {
    const list = (selector: string) =>
      this.call(`list ${spec.kind}`, async () => {
        const l = await this.objects.list(
          spec.apiVersion,
          spec.kind,
          undefined,
          undefined,
          undefined,
          undefined,
          undefined,
          selector || undefined,
        );
        return l as unknown as { items: ManifestObject[]; metadata?: { resourceVersion?: string } };
      });
    const what = `cluster ${this.name}: watch ${spec.kind}`;
    return new WorkloadWatch(what, this.kc, list, spec, onEvent, onError, this.props.watch);
  }

  private async ensureNamespace(ns: string): Promise<void> {
    if (this.namespaces.has(ns)) return;
    try {
      // A Conflict here says the namespace exists: final, not retried.
      await this.call(
        `create namespace ${ns}`,
        () => this.core.createNamespace({ body: { metadata: { name: ns } } }),
        { conflictIsFinal: true },
      );
    } catch (err) {
      if (!isProviderError(err, 'Conflict')) throw err;
    }
    this.namespaces.add(ns);
  }

  /**
   * Runs one API call, retrying what the server says may succeed later (by the error's code, never
   * its text). `conflictIsFinal`: a Conflict answers the call (a create of what exists).
   */
  private async call<T>(
    what: string,
    fn: () => Promise<T>,
    opts: { conflictIsFinal?: boolean } = {},
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (raw) {
        const err = translateKubeError(raw, `cluster ${this.name}: ${what}`);
        const finalConflict = err.code === 'Conflict' && opts.conflictIsFinal === true;
        if (!err.retryable || err.code === 'Unavailable' || finalConflict || attempt >= this.attempts)
          throw err;
        const backoff = Math.min(err.retryAfterMs ?? this.backoffMs * 2 ** (attempt - 1), 5_000);
        await new Promise((r) => setTimeout(r, backoff * (0.8 + Math.random() * 0.4)));
      }
    }
  }
}

function header(ref: ObjectRef): {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
} {
  return {
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: ref.namespace ? { name: ref.name, namespace: ref.namespace } : { name: ref.name },
  };
}

function describe(ref: ObjectRef | ManifestObject): string {
  const ns = 'metadata' in ref ? ref.metadata.namespace : ref.namespace;
  const name = 'metadata' in ref ? ref.metadata.name : ref.name;
  return `${ref.kind} ${ns ? `${ns}/` : ''}${name}`;
}
