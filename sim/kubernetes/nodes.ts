/**
 * Node objects of a simulated cluster, shaped like a kubelet registers them: well-known topology and
 * instance-type labels, capacity and allocatable, the Ready condition and its siblings, addresses,
 * nodeInfo, podCIDR and providerID, and any taints.
 */
import { formatBytes, formatCpuMillis, parseBytes, parseCpuMillis } from './quantity.js';
import type { KubeObject } from './types.js';

/** A node taint. */
export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** Describes one node of a simulated cluster. */
export interface NodeSpec {
  name: string;
  /** CPU capacity, e.g. '4' or '3500m'. */
  cpu: string;
  /** Memory capacity, e.g. '16Gi'. */
  memory: string;
  /** Pod capacity (default 110). */
  pods?: number;
  /** Allocatable, when less than capacity (default: equal to capacity). */
  allocatable?: { cpu?: string; memory?: string; pods?: number };
  instanceType?: string;
  region?: string;
  zone?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  /** InternalIP (default: derived from the node index). */
  internalIP?: string;
  /** providerID, e.g. 'aws:///us-east-1a/i-0abc…'. */
  providerID?: string;
  unschedulable?: boolean;
}

/** Builds the Node object for a spec; `index` numbers nodes for default addresses and pod CIDRs. */
export function nodeObject(
  spec: NodeSpec,
  index: number,
  kubeletVersion: string,
  podCidrBase = '10.244',
): KubeObject {
  const cpu = formatCpuMillis(parseCpuMillis(spec.cpu));
  const memory = formatBytes(parseBytes(spec.memory));
  const pods = String(spec.pods ?? 110);
  const labels: Record<string, string> = {
    'kubernetes.io/hostname': spec.name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/arch': 'amd64',
  };
  if (spec.instanceType) {
    labels['node.kubernetes.io/instance-type'] = spec.instanceType;
    labels['beta.kubernetes.io/instance-type'] = spec.instanceType;
  }
  if (spec.region) labels['topology.kubernetes.io/region'] = spec.region;
  if (spec.zone) labels['topology.kubernetes.io/zone'] = spec.zone;
  Object.assign(labels, spec.labels);
  const ip = spec.internalIP ?? `10.0.${Math.floor(index / 250)}.${(index % 250) + 4}`;
  const since = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const condition = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    lastHeartbeatTime: since,
    lastTransitionTime: since,
    reason,
    message,
  });
  const nodeSpec: Record<string, unknown> = {
    podCIDR: `${podCidrBase}.${index}.0/24`,
    podCIDRs: [`${podCidrBase}.${index}.0/24`],
  };
  if (spec.providerID) nodeSpec.providerID = spec.providerID;
  if (spec.taints?.length) nodeSpec.taints = spec.taints;
  if (spec.unschedulable) nodeSpec.unschedulable = true;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: spec.name,
      labels,
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
      uid: '',
      resourceVersion: '',
      creationTimestamp: '',
    },
    spec: nodeSpec,
    status: {
      capacity: { cpu, memory, pods, 'ephemeral-storage': '100Gi', 'hugepages-2Mi': '0' },
      allocatable: {
        cpu: spec.allocatable?.cpu ? formatCpuMillis(parseCpuMillis(spec.allocatable.cpu)) : cpu,
        memory: spec.allocatable?.memory ? formatBytes(parseBytes(spec.allocatable.memory)) : memory,
        pods: String(spec.allocatable?.pods ?? spec.pods ?? 110),
        'ephemeral-storage': '95Gi',
        'hugepages-2Mi': '0',
      },
      conditions: [
        condition(
          'MemoryPressure',
          'False',
          'KubeletHasSufficientMemory',
          'kubelet has sufficient memory available',
        ),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: spec.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: `${index}`.padStart(32, '0'),
        systemUUID: `00000000-0000-0000-0000-${String(index).padStart(12, '0')}`,
        bootID: `00000000-0000-0000-0000-${String(index + 1).padStart(12, '0')}`,
        kernelVersion: '6.1.0-28-cloud-amd64',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        containerRuntimeVersion: 'containerd://1.7.24',
        kubeletVersion,
        kubeProxyVersion: kubeletVersion,
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}

/** The n-th /24 inside a CIDR ('10.244.0.0/16', 3 → '10.244.3.0/24'), as the node IPAM controller assigns. */
export function nthSubnet24(cidr: string, n: number): string {
  const [base = '10.244.0.0'] = cidr.split('/');
  const start = base.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const ip = start + n * 256;
  return `${[24, 16, 8, 0].map((shift) => Math.floor(ip / 2 ** shift) % 256).join('.')}/24`;
}
