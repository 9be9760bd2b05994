import type { ClusterSnapshot, PlacementPolicySpec } from '../../placement/index.js';
import { renderForCluster, SERVER_OWNED_METADATA } from '../../placement/index.js';
import type { ManifestObject } from '../../providers/member-cluster-client.js';
import type { KubeObject } from '../resources/kube-object.js';
import { bindingHash, OWNERSHIP } from './ownership.js';

/**
 * The manifest one member cluster receives: the template as the app team wrote it, with the
 * policy's overrides for that cluster and its replica share, stripped of the control plane's own
 * metadata, and labelled so fedgate can find, and only ever prune, what it placed.
 */
export function renderManifest(
  template: KubeObject,
  policy: PlacementPolicySpec | undefined,
  cluster: ClusterSnapshot,
  replicas: number | undefined,
  binding: { namespace: string; name: string },
): ManifestObject {
  const rendered = renderForCluster(template, policy, cluster, replicas);
  const { status: _status, ...rest } = rendered;
  const metadata: Record<string, unknown> = { ...rendered.metadata };
  for (const f of SERVER_OWNED_METADATA) delete metadata[f];
  return {
    ...rest,
    metadata: {
      ...metadata,
      name: rendered.metadata.name,
      labels: {
        ...(rendered.metadata.labels ?? {}),
        [OWNERSHIP.managedByLabel]: OWNERSHIP.managedByValue,
        [OWNERSHIP.bindingHashLabel]: bindingHash(binding.namespace, binding.name),
        [OWNERSHIP.clusterLabel]: cluster.name,
      },
      annotations: {
        ...(rendered.metadata.annotations ?? {}),
        [OWNERSHIP.bindingAnnotation]: `${binding.namespace}/${binding.name}`,
        [OWNERSHIP.templateGenerationAnnotation]: String(template.metadata.generation ?? 1),
      },
    },
  } as ManifestObject;
}
