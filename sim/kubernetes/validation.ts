/**
 * Validation the apiserver performs before storing, for the parts clients trip over: object names
 * (DNS-1123 subdomain or label, per kind), label syntax, required workload fields, selector/template
 * agreement and selector immutability. Messages copy the real ones so error text reads the same.
 */
import { fromLabelSelectorObject, matchesLabels } from './label-selector.js';
import type { ResourceInfo } from './resources.js';
import { BUILTIN_GROUPS } from './resources.js';
import { schemaCauses } from './schema.js';
import type { StatusCause } from './status-errors.js';
import type { KubeObject } from './types.js';
import { deepEqual, getPath, isObject } from './types.js';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

// Kinds whose names must be DNS-1123 labels rather than subdomains.
const LABEL_NAMED = new Set(['namespaces', 'services', 'statefulsets']);

function required(field: string): StatusCause {
  return { reason: 'FieldValueRequired', message: 'Required value', field };
}

function invalidValue(field: string, value: unknown, detail: string): StatusCause {
  return {
    reason: 'FieldValueInvalid',
    message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
    field,
  };
}

/** Checks a name; returns the causes (empty when valid). */
export function validateName(resource: string, name: unknown, field = 'metadata.name'): StatusCause[] {
  if (typeof name !== 'string' || name === '')
    return [{ ...required(field), message: 'Required value: name or generateName is required' }];
  if (LABEL_NAMED.has(resource)) {
    if (name.length > 63 || !DNS1123_LABEL.test(name)) {
      return [
        invalidValue(
          field,
          name,
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        ),
      ];
    }
    return [];
  }
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    return [
      invalidValue(
        field,
        name,
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ),
    ];
  }
  return [];
}

function validateLabels(labels: unknown, field: string): StatusCause[] {
  if (labels === undefined || labels === null) return [];
  if (!isObject(labels)) return [invalidValue(field, labels, 'must be a map of strings')];
  const causes: StatusCause[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.lastIndexOf('/');
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    const prefix = slash >= 0 ? key.slice(0, slash) : '';
    if (name.length > 63 || !QUALIFIED_NAME.test(name) || (prefix && !DNS1123_SUBDOMAIN.test(prefix))) {
      causes.push(
        invalidValue(
          field,
          key,
          "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        ),
      );
    }
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      causes.push(
        invalidValue(
          `${field}`,
          value,
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        ),
      );
    }
  }
  return causes;
}

function validatePodSpec(spec: unknown, field: string): StatusCause[] {
  if (!isObject(spec)) return [required(field)];
  const containers = spec.containers;
  if (!Array.isArray(containers) || containers.length === 0) return [required(`${field}.containers`)];
  const causes: StatusCause[] = [];
  containers.forEach((c, i) => {
    const at = `${field}.containers[${i}]`;
    if (!isObject(c)) {
      causes.push(required(at));
      return;
    }
    if (typeof c.name !== 'string' || c.name === '') causes.push(required(`${at}.name`));
    else if (!DNS1123_LABEL.test(c.name))
      causes.push(
        invalidValue(
          `${at}.name`,
          c.name,
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'",
        ),
      );
    if (typeof c.image !== 'string' || c.image === '') causes.push(required(`${at}.image`));
  });
  return causes;
}

function validateWorkload(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const selector = getPath(obj, ['spec', 'selector']);
  if (!isObject(selector)) return [required('spec.selector')];
  const parsed = fromLabelSelectorObject(selector);
  if (!parsed || parsed.length === 0)
    return [invalidValue('spec.selector', selector, 'empty selector is invalid for deployment')];
  const causes: StatusCause[] = [];
  const templateLabels = getPath(obj, ['spec', 'template', 'metadata', 'labels']);
  const labels = isObject(templateLabels) ? (templateLabels as Record<string, string>) : {};
  if (!matchesLabels(parsed, labels)) {
    causes.push(
      invalidValue('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'),
    );
  }
  const replicas = getPath(obj, ['spec', 'replicas']);
  if (
    replicas !== undefined &&
    (typeof replicas !== 'number' || replicas < 0 || !Number.isInteger(replicas))
  ) {
    causes.push(invalidValue('spec.replicas', replicas, 'must be greater than or equal to 0'));
  }
  if (old && !deepEqual(getPath(old, ['spec', 'selector']), selector)) {
    causes.push(invalidValue('spec.selector', selector, 'field is immutable'));
  }
  causes.push(...validatePodSpec(getPath(obj, ['spec', 'template', 'spec']), 'spec.template.spec'));
  return causes;
}

/** The apiserver's limit on a ConfigMap's or Secret's data (core.MaxSecretSize): 1 MiB. */
export const MAX_DATA_BYTES = 1024 * 1024;
/** The apiserver's limit on all annotations of an object together: 256 KiB. */
export const MAX_ANNOTATION_BYTES = 256 * 1024;

function tooLong(field: string, max: number): StatusCause {
  return { reason: 'FieldValueTooLong', message: `Too long: must have at most ${max} bytes`, field };
}

function byteLength(values: unknown, base64: boolean): number {
  if (!isObject(values)) return 0;
  let total = 0;
  for (const v of Object.values(values)) {
    if (typeof v === 'string') total += base64 ? Buffer.from(v, 'base64').length : Buffer.byteLength(v);
  }
  return total;
}

// The size limits the apiserver enforces itself, below etcd's: ConfigMap and Secret data, annotations.
function validateSizes(info: ResourceInfo, obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const annotations = obj.metadata.annotations;
  if (isObject(annotations)) {
    let total = 0;
    for (const [k, v] of Object.entries(annotations)) total += k.length + String(v).length;
    if (total > MAX_ANNOTATION_BYTES) causes.push(tooLong('metadata.annotations', MAX_ANNOTATION_BYTES));
  }
  if (info.group === '' && info.resource === 'configmaps') {
    // ValidateConfigMap reports the total of data and binaryData at the root path, printed "[]".
    const total = byteLength(obj.data, false) + byteLength(obj.binaryData, true);
    if (total > MAX_DATA_BYTES) causes.push(tooLong('[]', MAX_DATA_BYTES));
  }
  if (info.group === '' && info.resource === 'secrets') {
    if (byteLength(obj.data, true) > MAX_DATA_BYTES) causes.push(tooLong('data', MAX_DATA_BYTES));
  }
  return causes;
}

/** Validates an object about to be stored; returns the causes (empty when valid). */
export function validateObject(
  info: ResourceInfo,
  obj: KubeObject,
  old: KubeObject | undefined,
): StatusCause[] {
  const causes = [...validateName(info.resource, obj.metadata.name)];
  causes.push(...validateLabels(obj.metadata.labels, 'metadata.labels'));
  causes.push(...validateSizes(info, obj));
  if (BUILTIN_GROUPS.has(info.group)) {
    const schema = schemaCauses(info.group, info.version, obj);
    causes.push(...schema);
    // A field of the wrong type would only add confusing follow-on causes below.
    if (schema.length > 0) return causes;
  }
  if (
    info.group === 'apps' &&
    ['deployments', 'statefulsets', 'replicasets', 'daemonsets'].includes(info.resource)
  ) {
    causes.push(...validateWorkload(obj, old));
  }
  if (info.group === '' && info.resource === 'pods') causes.push(...validatePodSpec(obj.spec, 'spec'));
  if (info.group === '' && info.resource === 'services') {
    const type = getPath(obj, ['spec', 'type']);
    const clusterIP = getPath(obj, ['spec', 'clusterIP']);
    const ports = getPath(obj, ['spec', 'ports']);
    if (type !== 'ExternalName' && clusterIP !== 'None' && (!Array.isArray(ports) || ports.length === 0)) {
      causes.push(required('spec.ports'));
    }
  }
  if (info.group === '' && info.resource === 'secrets' && isObject(obj.data)) {
    for (const [key, value] of Object.entries(obj.data)) {
      if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
        causes.push(invalidValue(`data[${key}]`, '<secret contents redacted>', 'illegal base64 data'));
      }
    }
  }
  return causes;
}
