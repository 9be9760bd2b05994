/**
 * Defaulting, as the apiserver applies it when decoding a request: the fields users see in
 * `kubectl get -o yaml` without having set them (replicas, strategy, restartPolicy, protocol…).
 * Only built-in kinds are defaulted; custom kinds are stored as sent.
 */
import type { ResourceInfo } from './resources.js';
import type { JsonObject, KubeObject } from './types.js';
import { ensureObject, getPath, isObject } from './types.js';

function setDefault(target: JsonObject, key: string, value: unknown): void {
  if (target[key] === undefined || target[key] === null) target[key] = value;
}

/** Defaults `protocol: TCP` on every `ports` item: it is part of the list key, so apply needs it too. */
export function defaultPortProtocols(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) defaultPortProtocols(item);
    return;
  }
  if (!isObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    if (key === 'ports' && Array.isArray(child)) {
      for (const port of child) if (isObject(port)) setDefault(port, 'protocol', 'TCP');
    }
    defaultPortProtocols(child);
  }
}

function defaultContainer(container: unknown): void {
  if (!isObject(container)) return;
  setDefault(container, 'terminationMessagePath', '/dev/termination-log');
  setDefault(container, 'terminationMessagePolicy', 'File');
  const image = typeof container.image === 'string' ? container.image : '';
  const tagged = /:[^/]+$/.test(image) || image.includes('@');
  setDefault(container, 'imagePullPolicy', !tagged || image.endsWith(':latest') ? 'Always' : 'IfNotPresent');
  setDefault(container, 'resources', {});
}

/** Defaults a PodSpec in place. */
export function defaultPodSpec(spec: unknown): void {
  if (!isObject(spec)) return;
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'schedulerName', 'default-scheduler');
  for (const list of ['containers', 'initContainers']) {
    const containers = spec[list];
    if (Array.isArray(containers)) containers.forEach(defaultContainer);
  }
}

function defaultWorkload(obj: KubeObject, resource: string): void {
  const spec = ensureObject(obj, ['spec']);
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', 10);
  if (resource === 'deployments') {
    setDefault(spec, 'progressDeadlineSeconds', 600);
    setDefault(spec, 'strategy', {
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
    });
  }
  if (resource === 'statefulsets') {
    setDefault(spec, 'podManagementPolicy', 'OrderedReady');
    setDefault(spec, 'updateStrategy', { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    setDefault(spec, 'persistentVolumeClaimRetentionPolicy', { whenDeleted: 'Retain', whenScaled: 'Retain' });
  }
  const template = getPath(obj, ['spec', 'template']);
  if (isObject(template)) {
    ensureObject(template, ['metadata']);
    defaultPodSpec(template.spec);
  }
}

/** Applies the apiserver's defaults to an object of a built-in kind, in place. */
export function applyDefaults(info: ResourceInfo, obj: KubeObject): void {
  if (
    info.group === 'apps' &&
    ['deployments', 'statefulsets', 'replicasets', 'daemonsets'].includes(info.resource)
  ) {
    defaultWorkload(obj, info.resource);
  } else if (info.group === '' && info.resource === 'pods') {
    defaultPodSpec(obj.spec);
  } else if (info.group === '' && info.resource === 'namespaces') {
    obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name };
    setDefault(ensureObject(obj, ['spec']), 'finalizers', ['kubernetes']);
    setDefault(ensureObject(obj, ['status']), 'phase', 'Active');
  } else if (info.group === '' && info.resource === 'secrets') {
    setDefault(obj, 'type', 'Opaque');
    if (isObject(obj.stringData)) {
      // stringData is write-only: folded into data (base64) and never stored.
      const data = ensureObject(obj, ['data']);
      for (const [k, v] of Object.entries(obj.stringData))
        data[k] = Buffer.from(String(v)).toString('base64');
      delete obj.stringData;
    }
  } else if (info.group === '' && info.resource === 'services') {
    const spec = ensureObject(obj, ['spec']);
    setDefault(spec, 'type', 'ClusterIP');
    setDefault(spec, 'sessionAffinity', 'None');
    setDefault(spec, 'internalTrafficPolicy', 'Cluster');
    setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
    setDefault(spec, 'ipFamilies', ['IPv4']);
    if (Array.isArray(spec.ports)) {
      for (const port of spec.ports) if (isObject(port)) setDefault(port, 'targetPort', port.port);
    }
  } else if (info.group === '' && info.resource === 'serviceaccounts') {
    // nothing: tokens are not simulated
  }
  if (info.group === '' || info.group === 'apps' || info.group === 'batch') defaultPortProtocols(obj.spec);
}
