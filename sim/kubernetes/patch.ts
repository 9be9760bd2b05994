/**
 * PATCH for every resource: server-side apply (`application/apply-patch+yaml`, YAML or JSON body,
 * creates when absent), JSON merge patch, strategic merge patch and JSON patch; 415 for anything
 * else. Also the `scale` subresource, which patches and updates go through as an autoscaling/v1 Scale.
 */
import { parse as parseYaml } from 'yaml';
import { serverSideApply } from './apply.js';
import { applyDefaults, defaultPortProtocols } from './defaults.js';
import { applyJsonPatch, JsonPatchError } from './json-patch.js';
import { formatLabelSelector, fromLabelSelectorObject } from './label-selector.js';
import { applyMergePatch, applyStrategicMergePatch } from './merge-patch.js';
import type { Registry, WriteOptions } from './registry.js';
import type { ResourceInfo } from './resources.js';
import { apiVersionOf } from './resources.js';
import { ApiError, badRequest, invalid, unsupportedMediaType } from './status-errors.js';
import type { JsonObject, KubeObject } from './types.js';
import { cloneJson, getPath, isObject } from './types.js';

/** Patch media types the apiserver accepts. */
export const PATCH_TYPES = {
  apply: 'application/apply-patch+yaml',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
} as const;

/** Options of a PATCH request. */
export interface PatchOptions extends WriteOptions {
  force?: boolean;
}

/** Parses a request body that may be YAML (apply) or JSON. */
export function parseBody(raw: string, allowYaml: boolean): unknown {
  try {
    return allowYaml ? parseYaml(raw) : JSON.parse(raw);
  } catch (err) {
    throw badRequest(`error decoding patch: ${(err as Error).message}`);
  }
}

/** Applies a PATCH request and returns the stored (or dry-run) object. */
export function patchObject(
  registry: Registry,
  info: ResourceInfo,
  namespace: string,
  name: string,
  contentType: string,
  raw: string,
  opts: PatchOptions,
): KubeObject {
  const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  if (mediaType === PATCH_TYPES.apply) return apply(registry, info, namespace, name, raw, opts);
  if (
    mediaType !== PATCH_TYPES.merge &&
    mediaType !== PATCH_TYPES.strategic &&
    mediaType !== PATCH_TYPES.json
  ) {
    throw unsupportedMediaType(contentType);
  }
  if (opts.force !== undefined) {
    throw invalid({ group: 'meta.k8s.io', resource: 'patchoptions', kind: 'PatchOptions', name: '' }, [
      {
        reason: 'FieldValueForbidden',
        message: 'Forbidden: may not be specified for non-apply patch',
        field: 'force',
      },
    ]);
  }
  const patch = parseBody(raw, false);
  const live = registry.get(info, namespace, name);
  const structured = registry.isBuiltin(info);
  const current: unknown = opts.subresource === 'scale' ? toScale(live) : cloneJson(live);
  let patched: unknown;
  try {
    if (mediaType === PATCH_TYPES.json) patched = applyJsonPatch(current, patch);
    else if (mediaType === PATCH_TYPES.merge) patched = applyMergePatch(current, patch);
    else patched = applyStrategicMergePatch(current, patch, structured);
  } catch (err) {
    if (err instanceof JsonPatchError) {
      throw new ApiError(
        422,
        'Invalid',
        `the server rejected our request due to an error in our request: ${err.message}`,
      );
    }
    throw err;
  }
  if (!isObject(patched)) throw badRequest('the patch did not produce an object');
  if (opts.subresource === 'scale') return updateScale(registry, info, live, patched, opts);
  const next = registry.decode(info, namespace, { ...patched, kind: info.kind });
  if (next.metadata.name !== name)
    throw badRequest(
      `the name of the object (${next.metadata.name}) does not match the name on the URL (${name})`,
    );
  registry.checkResourceVersion(info, live, next.metadata.resourceVersion);
  const result = opts.subresource === 'status' ? { ...cloneJson(live), status: next.status } : next;
  applyDefaults(info, result);
  return registry.commit(info, live, result, opts);
}

function apply(
  registry: Registry,
  info: ResourceInfo,
  namespace: string,
  name: string,
  raw: string,
  opts: PatchOptions,
): KubeObject {
  if (!opts.fieldManager) {
    throw invalid({ group: 'meta.k8s.io', resource: 'patchoptions', kind: 'PatchOptions', name: '' }, [
      {
        reason: 'FieldValueRequired',
        message: 'Required value: is required for apply patch',
        field: 'fieldManager',
      },
    ]);
  }
  const body = parseBody(raw, true);
  if (!isObject(body)) throw badRequest('apply patch must be an object');
  const apiVersion = apiVersionOf(info.group, info.version);
  if (body.apiVersion !== apiVersion || body.kind !== info.kind) {
    throw badRequest(
      `invalid object type: ${String(body.apiVersion)}, Kind=${String(body.kind)}; expected ${apiVersion}, Kind=${info.kind}`,
    );
  }
  const applied = registry.decode(info, namespace, body);
  if (applied.metadata.name !== name) {
    throw badRequest(
      `the name of the object (${String(applied.metadata.name)}) does not match the name on the URL (${name})`,
    );
  }
  const live = registry.store.get(registry.key(info), info.namespaced ? namespace : '', name);
  if (!live) registry.requireNamespace(info, namespace);
  else registry.checkResourceVersion(info, live, applied.metadata.resourceVersion);
  delete (applied.metadata as { resourceVersion?: string }).resourceVersion;
  const structured = registry.isBuiltin(info);
  if (structured) defaultPortProtocols(applied.spec);
  const subresource = opts.subresource === 'status' ? 'status' : undefined;
  const walk = registry.walkOptions(info, subresource);
  if (subresource) walk.excludeStatus = false;
  const merged = serverSideApply({
    live,
    applied,
    manager: opts.fieldManager,
    force: opts.force === true,
    apiVersion,
    now: registry.now(),
    walk,
  });
  applyDefaults(info, merged);
  return registry.commit(info, live, merged, { ...opts, managedFieldsDone: true });
}

/** The autoscaling/v1 Scale view of a workload. */
export function toScale(object: KubeObject): JsonObject {
  const selector = fromLabelSelectorObject(getPath(object, ['spec', 'selector']));
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: object.metadata.name,
      namespace: object.metadata.namespace,
      uid: object.metadata.uid,
      resourceVersion: object.metadata.resourceVersion,
      creationTimestamp: object.metadata.creationTimestamp,
    },
    spec: { replicas: getPath(object, ['spec', 'replicas']) ?? 0 },
    status: {
      replicas: getPath(object, ['status', 'replicas']) ?? 0,
      selector: selector ? formatLabelSelector(selector) : '',
    },
  };
}

/** Writes spec.replicas from a Scale body (PUT or PATCH on /scale) and returns the new Scale. */
export function updateScale(
  registry: Registry,
  info: ResourceInfo,
  live: KubeObject,
  scale: JsonObject,
  opts: WriteOptions,
): KubeObject {
  const replicas = getPath(scale, ['spec', 'replicas']);
  if (typeof replicas !== 'number' || replicas < 0) {
    throw invalid(registry.target(info, live.metadata.name), [
      {
        reason: 'FieldValueInvalid',
        message: `Invalid value: ${String(replicas)}: must be greater than or equal to 0`,
        field: 'spec.replicas',
      },
    ]);
  }
  registry.checkResourceVersion(info, live, getPath(scale, ['metadata', 'resourceVersion']));
  const next = cloneJson(live);
  next.spec = { ...(isObject(next.spec) ? next.spec : {}), replicas };
  const stored = registry.commit(info, live, next, { ...opts, subresource: undefined });
  return toScale(stored) as KubeObject;
}
