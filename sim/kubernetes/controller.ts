/**
 * The control loops of a simulated cluster, driven by storage events through one deduplicating work
 * queue (so a burst of writes costs one pass per object): workload controllers (workloads.ts), the
 * scheduler binding Pods to Nodes (scheduler-sim.ts), a kubelet that turns bound Pods Running and
 * Ready after a short delay, the garbage collector following ownerReferences, and the service
 * account controller creating `default` in every namespace.
 */
import { randomUUID } from 'node:crypto';
import type { EventRecorder } from './events.js';
import { groupResourceKey } from './resources.js';
import type { NodeUsage, PodRequests } from './scheduler-sim.js';
import { chooseNode, podRequests } from './scheduler-sim.js';
import type { ObjectStore, StoreEvent } from './storage.js';
import type { JsonObject, KubeObject } from './types.js';
import { cloneJson, deepEqual, getPath } from './types.js';
import type { WorkloadContext } from './workloads.js';
import { GR, podReady, reconcileDeployment, reconcileReplicaSet, reconcileStatefulSet } from './workloads.js';

/** Tuning of the control loops. */
export interface ControllerOptions {
  /** Delay between a Pod being bound and it becoming Running+Ready (default 50 ms; 0 in tests). */
  podReadyDelayMs: number;
  now: () => string;
  events: EventRecorder;
}

const NODES = groupResourceKey('', 'nodes');
const NAMESPACES = groupResourceKey('', 'namespaces');
const SERVICE_ACCOUNTS = groupResourceKey('', 'serviceaccounts');

const sep = '\u0000';
const objectKey = (gr: string, ns: string, name: string): string => `${gr}${sep}${ns}${sep}${name}`;
const splitKey = (key: string): [string, string, string] => {
  const [gr = '', ns = '', name = ''] = key.split(sep);
  return [gr, ns, name];
};

/** Runs every control loop of one cluster. */
export class ClusterController {
  private readonly queue = new Set<string>();
  private flushScheduled = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** ownerUid → keys of objects naming it in ownerReferences. */
  private readonly dependentsIndex = new Map<string, Set<string>>();
  /** pod key → node and requests, for pods holding node resources. */
  private readonly placements = new Map<string, { node: string; requests: PodRequests }>();
  private readonly usage = new Map<string, NodeUsage>();
  private readonly unschedulable = new Set<string>();
  private readonly podIps = new Map<string, number>();
  private readonly unsubscribe: () => void;
  private readonly context: WorkloadContext;
  private stopped = false;

  constructor(
    private readonly store: ObjectStore,
    private readonly options: ControllerOptions,
  ) {
    this.context = this.workloadContext();
    this.unsubscribe = store.subscribe((event) => this.observe(event));
  }

  /** Stops timers and the storage subscription. */
  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Resolves once no work is queued or delayed (pods may still be Pending if they cannot be placed). */
  async settle(): Promise<void> {
    while (!this.stopped && (this.queue.size > 0 || this.timers.size > 0 || this.flushScheduled)) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /** Node resources currently requested by bound pods. */
  nodeUsage(): ReadonlyMap<string, NodeUsage> {
    return this.usage;
  }

  private enqueue(task: string): void {
    if (this.stopped) return;
    this.queue.add(task);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    // Tasks enqueued while flushing run in the same flush, after the current ones.
    for (const task of this.queue) {
      this.queue.delete(task);
      try {
        this.run(task);
      } catch (err) {
        // A controller error must not stop the loop; the real controllers requeue and log.
        process.emitWarning(
          `kube-sim controller task ${task.replaceAll(sep, '/')} failed: ${(err as Error).message}`,
        );
      }
    }
  }

  private observe(event: StoreEvent): void {
    const { object, previous, groupResource: gr, namespace } = event;
    const key = objectKey(gr, namespace, object.metadata.name);
    for (const ref of previous?.metadata.ownerReferences ?? [])
      this.dependentsIndex.get(ref.uid)?.delete(key);
    if (event.type !== 'DELETED') {
      for (const ref of object.metadata.ownerReferences ?? []) {
        let set = this.dependentsIndex.get(ref.uid);
        if (!set) {
          set = new Set();
          this.dependentsIndex.set(ref.uid, set);
        }
        set.add(key);
      }
    } else if (this.dependentsIndex.get(object.metadata.uid)?.size) {
      this.enqueue(`gc${sep}${object.metadata.uid}`);
    }
    const controllerRef = object.metadata.ownerReferences?.find((r) => r.controller);
    switch (gr) {
      case GR.deployments:
      case GR.replicasets:
      case GR.statefulsets:
        if (event.type !== 'DELETED') this.enqueue(key);
        if (gr === GR.replicasets && controllerRef?.kind === 'Deployment') {
          this.enqueue(objectKey(GR.deployments, namespace, controllerRef.name));
        }
        break;
      case GR.pods:
        this.observePod(event, key);
        if (controllerRef?.kind === 'ReplicaSet')
          this.enqueue(objectKey(GR.replicasets, namespace, controllerRef.name));
        if (controllerRef?.kind === 'StatefulSet')
          this.enqueue(objectKey(GR.statefulsets, namespace, controllerRef.name));
        break;
      case NODES:
        this.retryUnschedulable();
        break;
      case NAMESPACES:
        if (event.type === 'ADDED') this.enqueue(`sa${sep}${object.metadata.name}`);
        break;
    }
  }

  private observePod(event: StoreEvent, key: string): void {
    const pod = event.object;
    const old = this.placements.get(key);
    if (old) {
      this.adjust(old.node, old.requests, -1);
      this.placements.delete(key);
    }
    const phase = getPath(pod, ['status', 'phase']);
    const nodeName = getPath(pod, ['spec', 'nodeName']);
    if (event.type === 'DELETED') {
      this.unschedulable.delete(key);
      if (old) this.retryUnschedulable();
      return;
    }
    if (typeof nodeName === 'string' && nodeName && phase !== 'Succeeded' && phase !== 'Failed') {
      const requests = podRequests(pod.spec);
      this.placements.set(key, { node: nodeName, requests });
      this.adjust(nodeName, requests, 1);
      if (phase === 'Pending' || !podReady(pod)) this.startKubelet(key);
    } else if (!nodeName && !this.unschedulable.has(key)) {
      this.enqueue(`schedule${sep}${key}`);
    }
  }

  private adjust(node: string, requests: PodRequests, sign: 1 | -1): void {
    const u = this.usage.get(node) ?? { cpuMillis: 0, memoryBytes: 0, pods: 0 };
    u.cpuMillis += sign * requests.cpuMillis;
    u.memoryBytes += sign * requests.memoryBytes;
    u.pods += sign;
    this.usage.set(node, u);
  }

  private retryUnschedulable(): void {
    for (const key of this.unschedulable) this.enqueue(`schedule${sep}${key}`);
  }

  private startKubelet(podKey: string): void {
    const task = `kubelet${sep}${podKey}`;
    if (this.options.podReadyDelayMs <= 0) {
      this.enqueue(task);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.enqueue(task);
    }, this.options.podReadyDelayMs);
    this.timers.add(timer);
  }

  private run(task: string): void {
    const [head = '', ...rest] = task.split(sep);
    if (head === 'gc') this.collectGarbage(rest[0] ?? '');
    else if (head === 'sa') this.ensureServiceAccount(rest[0] ?? '');
    else if (head === 'schedule') this.schedule(rest.join(sep));
    else if (head === 'kubelet') this.runPod(rest.join(sep));
    else this.reconcile(task);
  }

  private reconcile(task: string): void {
    const [gr, ns, name] = splitKey(task);
    const object = this.store.get(gr, ns, name);
    if (!object || object.metadata.deletionTimestamp) return;
    if (gr === GR.deployments) reconcileDeployment(this.context, object);
    else if (gr === GR.replicasets) reconcileReplicaSet(this.context, object);
    else if (gr === GR.statefulsets) reconcileStatefulSet(this.context, object);
  }

  private collectGarbage(ownerUid: string): void {
    const keys = this.dependentsIndex.get(ownerUid);
    this.dependentsIndex.delete(ownerUid);
    for (const key of keys ?? []) {
      const [gr, ns, name] = splitKey(key);
      // Background propagation: dependents go once their owner is gone (their own dependents follow).
      if (this.store.get(gr, ns, name)) this.store.remove(gr, ns, name);
    }
  }

  private ensureServiceAccount(namespace: string): void {
    if (!this.store.get(NAMESPACES, '', namespace) || this.store.get(SERVICE_ACCOUNTS, namespace, 'default'))
      return;
    this.create(SERVICE_ACCOUNTS, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'default', namespace, uid: '', resourceVersion: '', creationTimestamp: '' },
    });
  }

  private schedule(podKey: string): void {
    const [, ns, name] = splitKey(podKey);
    const pod = this.store.get(GR.pods, ns, name);
    if (!pod || getPath(pod, ['spec', 'nodeName']) || pod.metadata.deletionTimestamp) {
      this.unschedulable.delete(podKey);
      return;
    }
    const scheduler = getPath(pod, ['spec', 'schedulerName']);
    if (scheduler !== undefined && scheduler !== 'default-scheduler') return;
    const result = chooseNode(this.store.list(NODES), this.usage, pod.spec, podRequests(pod.spec));
    const now = this.options.now();
    const next = cloneJson(pod);
    const status = (next.status ?? {}) as JsonObject;
    next.status = status;
    if ('node' in result) {
      this.unschedulable.delete(podKey);
      (next.spec as JsonObject).nodeName = result.node;
      status.conditions = [
        { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now },
      ];
      this.store.write(GR.pods, next);
      this.options.events.record(
        pod,
        'Normal',
        'Scheduled',
        `Successfully assigned ${ns}/${name} to ${result.node}`,
        'default-scheduler',
      );
      return;
    }
    this.unschedulable.add(podKey);
    const conditions = [
      {
        type: 'PodScheduled',
        status: 'False',
        lastProbeTime: null,
        lastTransitionTime: now,
        reason: 'Unschedulable',
        message: result.message,
      },
    ];
    const previous = getPath(pod, ['status', 'conditions']);
    if (Array.isArray(previous) && getPath(previous[0], ['message']) === result.message) return;
    status.conditions = conditions;
    this.store.write(GR.pods, next);
    this.options.events.record(pod, 'Warning', 'FailedScheduling', result.message, 'default-scheduler');
  }

  private runPod(podKey: string): void {
    const [, ns, name] = splitKey(podKey);
    const pod = this.store.get(GR.pods, ns, name);
    const nodeName = getPath(pod, ['spec', 'nodeName']);
    if (!pod || typeof nodeName !== 'string' || podReady(pod) || pod.metadata.deletionTimestamp) return;
    const node = this.store.get(NODES, '', nodeName);
    const hostIP =
      (getPath(node, ['status', 'addresses', '0', 'address']) as string | undefined) ?? '10.0.0.1';
    const now = this.options.now();
    const next = cloneJson(pod);
    const containers = getPath(pod, ['spec', 'containers']);
    const ok = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now });
    next.status = {
      phase: 'Running',
      conditions: [
        ok('PodReadyToStartContainers'),
        ok('Initialized'),
        ok('Ready'),
        ok('ContainersReady'),
        ok('PodScheduled'),
      ],
      hostIP,
      hostIPs: [{ ip: hostIP }],
      podIP: this.allocatePodIp(node),
      startTime: now,
      qosClass: getPath(pod, ['status', 'qosClass']) ?? 'Burstable',
      containerStatuses: (Array.isArray(containers) ? containers : []).map((c) => ({
        name: getPath(c, ['name']),
        image: getPath(c, ['image']),
        imageID: `${String(getPath(c, ['image']))}@sha256:${'0'.repeat(64)}`,
        containerID: `containerd://${randomUUID().replaceAll('-', '')}`,
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: now } },
      })),
    };
    (next.status as JsonObject).podIPs = [{ ip: (next.status as JsonObject).podIP }];
    this.store.write(GR.pods, next);
    this.options.events.record(
      pod,
      'Normal',
      'Started',
      `Started container ${String(getPath(containers, ['0', 'name']))}`,
      'kubelet',
    );
  }

  private allocatePodIp(node: KubeObject | undefined): string {
    const cidr = getPath(node, ['spec', 'podCIDR']);
    const base = typeof cidr === 'string' ? (cidr.split('/')[0] ?? '10.244.0.0') : '10.244.0.0';
    const name = node?.metadata.name ?? '';
    const n = (this.podIps.get(name) ?? 1) + 1;
    this.podIps.set(name, n);
    const octets = base.split('.');
    return `${octets[0]}.${octets[1]}.${octets[2]}.${(n % 253) + 1}`;
  }

  private create(gr: string, object: KubeObject): KubeObject {
    object.metadata.uid = randomUUID();
    object.metadata.creationTimestamp = this.options.now();
    if (gr !== GR.pods && gr !== SERVICE_ACCOUNTS) object.metadata.generation = 1;
    return this.store.write(gr, object);
  }

  private workloadContext(): WorkloadContext {
    return {
      events: this.options.events,
      now: () => this.options.now(),
      dependents: (uid, gr) => {
        const out: KubeObject[] = [];
        for (const key of this.dependentsIndex.get(uid) ?? []) {
          const [kgr, ns, name] = splitKey(key);
          if (kgr !== gr) continue;
          const o = this.store.get(kgr, ns, name);
          if (o?.metadata.ownerReferences?.some((r) => r.uid === uid && r.controller)) out.push(o);
        }
        return out;
      },
      create: (gr, object) => this.create(gr, object),
      updateSpec: (gr, object, spec) => {
        const next = cloneJson(object);
        next.spec = spec;
        next.metadata.generation = (object.metadata.generation ?? 1) + 1;
        return this.store.write(gr, next);
      },
      writeStatus: (gr, object, status) => {
        const current = this.store.get(gr, object.metadata.namespace ?? '', object.metadata.name);
        if (!current || deepEqual(current.status, status)) return;
        this.store.write(gr, { ...current, metadata: { ...current.metadata }, status });
      },
      remove: (gr, object) => {
        this.store.remove(gr, object.metadata.namespace ?? '', object.metadata.name);
      },
    };
  }
}
