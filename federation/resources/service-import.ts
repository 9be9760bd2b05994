import type { KubeObject } from './kube-object.js';
import type { ServiceExportSpec } from './peering-kinds.js';
import { FEDGATE_API_VERSION } from './resource-type.js';

/** A port of a ServiceImport, as in the MCS API (`multicluster.x-k8s.io/v1alpha1`). */
export interface ServiceImportPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: 'TCP';
  /** `kubernetes.io/h2c` for HTTP/2 without TLS and gRPC, `http` for HTTP/1.1, absent for raw TCP. */
  readonly appProtocol?: string;
}

/** ServiceImport spec in the MCS API's shape. The clusterset name resolves to the local gateway: ClusterSetIP. */
export interface ServiceImportSpec {
  readonly type: 'ClusterSetIP';
  readonly ports: readonly ServiceImportPort[];
}

/** ServiceImport status in the MCS API's shape: the clusters that serve the service. */
export interface ServiceImportStatus {
  readonly clusters: readonly { readonly cluster: string }[];
}

const APP_PROTOCOL: Record<string, string | undefined> = {
  HTTP: 'http',
  HTTP2: 'kubernetes.io/h2c',
  GRPC: 'kubernetes.io/h2c',
  TCP: undefined,
};

/**
 * The ServiceImport that matches a ServiceExport (same namespace and name): its ports, and the
 * clusters that serve it among those registered (`known`; sorted, so a re-derivation writes nothing new).
 */
export function serviceImportFor(
  exported: {
    readonly metadata: { readonly namespace?: string; readonly name: string };
    readonly spec: ServiceExportSpec;
  },
  known: ReadonlySet<string>,
): KubeObject & { spec: ServiceImportSpec; status: ServiceImportStatus } {
  const ports: ServiceImportPort[] = exported.spec.ports.map((p) => {
    const app = APP_PROTOCOL[p.protocol];
    return {
      ...(p.name === undefined ? {} : { name: p.name }),
      port: p.port,
      protocol: 'TCP' as const,
      ...(app === undefined ? {} : { appProtocol: app }),
    };
  });
  const clusters = [...new Set(exported.spec.clusters)].filter((c) => known.has(c)).sort();
  return {
    apiVersion: FEDGATE_API_VERSION,
    kind: 'ServiceImport',
    metadata: {
      name: exported.metadata.name,
      namespace: exported.metadata.namespace ?? 'default',
      labels: { 'multicluster.kubernetes.io/service-name': exported.metadata.name },
    },
    spec: { type: 'ClusterSetIP', ports },
    status: { clusters: clusters.map((cluster) => ({ cluster })) },
  };
}
