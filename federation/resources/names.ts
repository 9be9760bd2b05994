import { z } from 'zod';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** True for a DNS-1123 label (namespaces, cluster names): at most 63 lowercase alphanumerics and '-'. */
export function isDns1123Label(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s);
}

/** True for a DNS-1123 subdomain (most object names): at most 253 chars of dot-separated labels. */
export function isDns1123Subdomain(s: string): boolean {
  return s.length <= 253 && DNS1123_SUBDOMAIN.test(s);
}

/** True for a Kubernetes label or annotation key: optional DNS subdomain prefix, '/', name. */
export function isQualifiedName(s: string): boolean {
  const slash = s.lastIndexOf('/');
  const prefix = slash >= 0 ? s.slice(0, slash) : undefined;
  const name = slash >= 0 ? s.slice(slash + 1) : s;
  if (prefix !== undefined && !isDns1123Subdomain(prefix)) return false;
  return name.length > 0 && name.length <= 63 && LABEL_NAME.test(name);
}

/** True for a Kubernetes label value (may be empty). */
export function isLabelValue(s: string): boolean {
  return s.length <= 63 && LABEL_VALUE.test(s);
}

/** Schema of an object name (DNS-1123 subdomain). */
export const objectNameSchema = z
  .string()
  .refine(
    isDns1123Subdomain,
    'must be a lowercase RFC 1123 subdomain (a-z, 0-9, "-", "."; at most 253 characters)',
  );

/** Schema of a namespace or member-cluster name (DNS-1123 label). */
export const labelNameSchema = z
  .string()
  .refine(isDns1123Label, 'must be a lowercase RFC 1123 label (a-z, 0-9, "-"; at most 63 characters)');

/** Schema of a label map. */
export const labelsSchema = z.record(
  z.string().refine(isQualifiedName, 'label key must be a qualified name ([prefix/]name)'),
  z.string().refine(isLabelValue, 'label value must be at most 63 alphanumerics, "-", "_", "." '),
);

/** Schema of an annotation map: qualified keys, any string values. */
export const annotationsSchema = z.record(
  z.string().refine(isQualifiedName, 'annotation key must be a qualified name ([prefix/]name)'),
  z.string(),
);
