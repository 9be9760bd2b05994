/**
 * The workload controllers of kube-controller-manager, as single reconcile passes: a Deployment
 * owns one ReplicaSet per pod template (named `<deployment>-<pod-template-hash>`, so `kubectl
 * describe deploy` finds its NewReplicaSet) and scales old ones to zero; a ReplicaSet keeps its
 * number of Pods; a StatefulSet keeps ordinal Pods `<name>-<i>`, one at a time under OrderedReady.
 * Each pass ends by writing status (observedGeneration, replica counts, conditions) if it changed.
 */
import { createHash } from 'node:crypto';
import type { EventRecorder } from './events.js';
import { randomSuffix } from './registry.js';
import { groupResourceKey } from './resources.js';
import type { JsonObject, KubeObject, OwnerReference } from './types.js';
import { cloneJson, getPath, isObject } from './types.js';

/** Storage keys of the kinds the controllers touch. */
export const GR = {
  deployments: groupResourceKey('apps', 'deployments'),
  replicasets: groupResourceKey('apps', 'replicasets'),
  statefulsets: groupResourceKey('apps', 'statefulsets'),
  pods: groupResourceKey('', 'pods'),
} as const;

/** What a reconcile pass may do to the cluster. */
export interface WorkloadContext {
  events: EventRecorder;
  now(): string;
  /** Objects of a resource whose controller ownerReference points at this uid. */
  dependents(ownerUid: string, groupResource: string): KubeObject[];
  /** Stores a new object (uid, creationTimestamp, generation stamped). */
  create(groupResource: string, object: KubeObject): KubeObject;
  /** Rewrites an object's spec (bumping generation). */
  updateSpec(groupResource: string, object: KubeObject, spec: JsonObject): KubeObject;
  /** Rewrites status when it differs. */
  writeStatus(groupResource: string, object: KubeObject, status: JsonObject): void;
  remove(groupResource: string, object: KubeObject): void;
}

const num = (value: unknown, fallback = 0): number => (typeof value === 'number' ? value : fallback);

/** True when the pod has condition Ready=True. */
export function podReady(pod: KubeObject): boolean {
  const conditions = getPath(pod, ['status', 'conditions']);
  return (
    Array.isArray(conditions) &&
    conditions.some((c) => getPath(c, ['type']) === 'Ready' && getPath(c, ['status']) === 'True')
  );
}

/** The pod-template-hash of a template: 10 characters from the alphabet the real controller uses. */
export function templateHash(template: unknown): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const digest = createHash('sha1')
    .update(JSON.stringify(template ?? {}))
    .digest();
  return [...digest.subarray(0, 10)].map((b) => alphabet[b % alphabet.length]).join('');
}

function ownerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

function templateLabels(owner: KubeObject): Record<string, string> {
  const labels = getPath(owner, ['spec', 'template', 'metadata', 'labels']);
  return isObject(labels) ? ({ ...labels } as Record<string, string>) : {};
}

function condition(
  type: string,
  status: string,
  reason: string,
  message: string,
  now: string,
  previous: unknown,
): JsonObject {
  const old = Array.isArray(previous) ? previous.find((c) => getPath(c, ['type']) === type) : undefined;
  const same = old && getPath(old, ['status']) === status && getPath(old, ['reason']) === reason;
  return {
    type,
    status,
    lastUpdateTime: same ? getPath(old, ['lastUpdateTime']) : now,
    lastTransitionTime:
      old && getPath(old, ['status']) === status ? getPath(old, ['lastTransitionTime']) : now,
    reason,
    message,
  };
}

/** One Deployment pass: ensure the new ReplicaSet at the desired size, old ones at zero, then status. */
export function reconcileDeployment(ctx: WorkloadContext, d: KubeObject): void {
  const desired = num(getPath(d, ['spec', 'replicas']), 1);
  const template = getPath(d, ['spec', 'template']);
  const hash = templateHash(template);
  const owned = ctx.dependents(d.metadata.uid, GR.replicasets);
  let newRs = owned.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash);
  const revision = String(owned.length + (newRs ? 0 : 1));
  if (!newRs) {
    const labels = { ...templateLabels(d), 'pod-template-hash': hash };
    const selector = cloneJson(getPath(d, ['spec', 'selector'])) as JsonObject;
    selector.matchLabels = {
      ...(isObject(selector.matchLabels) ? selector.matchLabels : {}),
      'pod-template-hash': hash,
    };
    const rsTemplate = cloneJson(template) as JsonObject;
    rsTemplate.metadata = { ...(isObject(rsTemplate.metadata) ? rsTemplate.metadata : {}), labels };
    newRs = ctx.create(GR.replicasets, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        labels,
        annotations: {
          'deployment.kubernetes.io/desired-replicas': String(desired),
          'deployment.kubernetes.io/max-replicas': String(desired + Math.ceil(desired * 0.25)),
          'deployment.kubernetes.io/revision': revision,
        },
        ownerReferences: [ownerRef(d)],
        uid: '',
        resourceVersion: '',
        creationTimestamp: '',
      },
      spec: {
        replicas: desired,
        minReadySeconds: num(getPath(d, ['spec', 'minReadySeconds'])),
        selector,
        template: rsTemplate,
      },
    });
    ctx.events.record(
      d,
      'Normal',
      'ScalingReplicaSet',
      `Scaled up replica set ${newRs.metadata.name} from 0 to ${desired}`,
      'deployment-controller',
    );
  } else {
    const current = num(getPath(newRs, ['spec', 'replicas']));
    if (current !== desired) {
      const spec = { ...(newRs.spec as JsonObject), replicas: desired };
      newRs = ctx.updateSpec(GR.replicasets, newRs, spec);
      const verb = desired > current ? 'up' : 'down';
      ctx.events.record(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled ${verb} replica set ${newRs.metadata.name} from ${current} to ${desired}`,
        'deployment-controller',
      );
    }
  }
  for (const rs of owned) {
    if (rs === newRs || rs.metadata.name === newRs.metadata.name) continue;
    const current = num(getPath(rs, ['spec', 'replicas']));
    if (current === 0) continue;
    ctx.updateSpec(GR.replicasets, rs, { ...(rs.spec as JsonObject), replicas: 0 });
    ctx.events.record(
      d,
      'Normal',
      'ScalingReplicaSet',
      `Scaled down replica set ${rs.metadata.name} from ${current} to 0`,
      'deployment-controller',
    );
  }
  const all = ctx.dependents(d.metadata.uid, GR.replicasets);
  const sum = (path: string[]) => all.reduce((n, rs) => n + num(getPath(rs, path)), 0);
  const fresh = all.find((rs) => rs.metadata.name === newRs.metadata.name);
  const available = sum(['status', 'availableReplicas']);
  const updated = num(getPath(fresh, ['status', 'replicas']));
  const maxUnavailable = Math.floor(desired * 0.25);
  const now = ctx.now();
  const previous = getPath(d, ['status', 'conditions']);
  const complete = updated === desired && available >= desired && sum(['status', 'replicas']) === desired;
  const status: JsonObject = {
    observedGeneration: d.metadata.generation ?? 1,
    replicas: sum(['status', 'replicas']),
    updatedReplicas: updated,
    readyReplicas: sum(['status', 'readyReplicas']),
    availableReplicas: available,
    conditions: [
      available >= desired - maxUnavailable
        ? condition(
            'Available',
            'True',
            'MinimumReplicasAvailable',
            'Deployment has minimum availability.',
            now,
            previous,
          )
        : condition(
            'Available',
            'False',
            'MinimumReplicasUnavailable',
            'Deployment does not have minimum availability.',
            now,
            previous,
          ),
      complete
        ? condition(
            'Progressing',
            'True',
            'NewReplicaSetAvailable',
            `ReplicaSet "${newRs.metadata.name}" has successfully progressed.`,
            now,
            previous,
          )
        : condition(
            'Progressing',
            'True',
            'ReplicaSetUpdated',
            `ReplicaSet "${newRs.metadata.name}" is progressing.`,
            now,
            previous,
          ),
    ],
  };
  if (desired - available > 0) status.unavailableReplicas = desired - available;
  // Omit zero counts, as the real (omitempty) serialization does.
  for (const key of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas'])
    if (status[key] === 0) delete status[key];
  ctx.writeStatus(GR.deployments, d, status);
}

function newPod(
  owner: KubeObject,
  name: string,
  extraLabels: Record<string, string>,
  specExtra: JsonObject,
): KubeObject {
  const template = getPath(owner, ['spec', 'template']);
  const annotations = getPath(template, ['metadata', 'annotations']);
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: owner.metadata.namespace,
      labels: { ...templateLabels(owner), ...extraLabels },
      ownerReferences: [ownerRef(owner)],
      uid: '',
      resourceVersion: '',
      creationTimestamp: '',
    },
    spec: { ...(cloneJson(getPath(template, ['spec'])) as JsonObject), ...specExtra },
    status: { phase: 'Pending', qosClass: 'Burstable' },
  };
  if (isObject(annotations)) pod.metadata.annotations = { ...annotations } as Record<string, string>;
  return pod;
}

// Victims first: unscheduled, then not ready, then the newest.
function deletionOrder(a: KubeObject, b: KubeObject): number {
  const rank = (p: KubeObject) => (getPath(p, ['spec', 'nodeName']) ? (podReady(p) ? 2 : 1) : 0);
  return (
    rank(a) - rank(b) ||
    b.metadata.creationTimestamp.localeCompare(a.metadata.creationTimestamp) ||
    b.metadata.name.localeCompare(a.metadata.name)
  );
}

/** One ReplicaSet pass: create or delete Pods to match spec.replicas, then status. */
export function reconcileReplicaSet(ctx: WorkloadContext, rs: KubeObject): void {
  const desired = num(getPath(rs, ['spec', 'replicas']), 1);
  let pods = ctx.dependents(rs.metadata.uid, GR.pods).filter((p) => !p.metadata.deletionTimestamp);
  if (pods.length < desired) {
    for (let i = pods.length; i < desired; i++) {
      const pod = ctx.create(GR.pods, newPod(rs, `${rs.metadata.name}-${randomSuffix()}`, {}, {}));
      ctx.events.record(
        rs,
        'Normal',
        'SuccessfulCreate',
        `Created pod: ${pod.metadata.name}`,
        'replicaset-controller',
      );
    }
  } else if (pods.length > desired) {
    for (const pod of [...pods].sort(deletionOrder).slice(0, pods.length - desired)) {
      ctx.remove(GR.pods, pod);
      ctx.events.record(
        rs,
        'Normal',
        'SuccessfulDelete',
        `Deleted pod: ${pod.metadata.name}`,
        'replicaset-controller',
      );
    }
  }
  pods = ctx.dependents(rs.metadata.uid, GR.pods);
  const ready = pods.filter(podReady).length;
  const status: JsonObject = {
    replicas: pods.length,
    fullyLabeledReplicas: pods.length,
    readyReplicas: ready,
    availableReplicas: ready,
    observedGeneration: rs.metadata.generation ?? 1,
  };
  for (const key of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'])
    if (status[key] === 0) delete status[key];
  ctx.writeStatus(GR.replicasets, rs, status);
}

/** One StatefulSet pass: ordinal Pods, OrderedReady (one at a time) or Parallel, then status. */
export function reconcileStatefulSet(ctx: WorkloadContext, sts: KubeObject): void {
  const desired = num(getPath(sts, ['spec', 'replicas']), 1);
  const name = sts.metadata.name;
  const parallel = getPath(sts, ['spec', 'podManagementPolicy']) === 'Parallel';
  const revision = `${name}-${templateHash(getPath(sts, ['spec', 'template']))}`;
  const byName = new Map(ctx.dependents(sts.metadata.uid, GR.pods).map((p) => [p.metadata.name, p]));
  for (let i = 0; i < desired; i++) {
    const podName = `${name}-${i}`;
    const existing = byName.get(podName);
    if (existing) {
      if (!parallel && !podReady(existing)) break;
      continue;
    }
    const serviceName = getPath(sts, ['spec', 'serviceName']);
    const extra: JsonObject = { hostname: podName };
    if (typeof serviceName === 'string' && serviceName) extra.subdomain = serviceName;
    const labels = {
      'statefulset.kubernetes.io/pod-name': podName,
      'apps.kubernetes.io/pod-index': String(i),
      'controller-revision-hash': revision,
    };
    const pod = ctx.create(GR.pods, newPod(sts, podName, labels, extra));
    byName.set(podName, pod);
    ctx.events.record(
      sts,
      'Normal',
      'SuccessfulCreate',
      `create Pod ${podName} in StatefulSet ${name} successful`,
      'statefulset-controller',
    );
    if (!parallel) break;
  }
  const ordinal = (p: KubeObject) => Number(p.metadata.name.slice(name.length + 1));
  const extras = [...byName.values()]
    .filter((p) => ordinal(p) >= desired)
    .sort((a, b) => ordinal(b) - ordinal(a));
  for (const pod of extras) {
    ctx.remove(GR.pods, pod);
    byName.delete(pod.metadata.name);
    ctx.events.record(
      sts,
      'Normal',
      'SuccessfulDelete',
      `delete Pod ${pod.metadata.name} in StatefulSet ${name} successful`,
      'statefulset-controller',
    );
  }
  const pods = ctx.dependents(sts.metadata.uid, GR.pods);
  const ready = pods.filter(podReady).length;
  const status: JsonObject = {
    observedGeneration: sts.metadata.generation ?? 1,
    replicas: pods.length,
    readyReplicas: ready,
    currentReplicas: pods.length,
    updatedReplicas: pods.length,
    availableReplicas: ready,
    currentRevision: revision,
    updateRevision: revision,
    collisionCount: 0,
  };
  for (const key of ['readyReplicas', 'currentReplicas', 'updatedReplicas'])
    if (status[key] === 0) delete status[key];
  ctx.writeStatus(GR.statefulsets, sts, status);
}
