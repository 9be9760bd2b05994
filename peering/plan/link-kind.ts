import type { LinkKind, PlanCluster } from './types.js';

const NATIVE: Readonly<Record<'aws' | 'gcp' | 'azure', LinkKind>> = {
  aws: 'aws-vpc-peering',
  gcp: 'gcp-network-peering',
  azure: 'azure-vnet-peering',
};

/**
 * The kind of link between two clusters, and why. Same cloud: that cloud's native peering (no
 * gateways to pay for, provider backbone, works across accounts and regions on all three).
 * Different clouds, or on-prem on either side: site-to-site IPsec through the providers' VPN
 * gateways. Clusters whose ranges clash cannot be routed to each other at all: the east-west
 * gateways carry their traffic, addressed by federation-assigned global ranges.
 */
export function chooseLinkKind(
  a: PlanCluster,
  b: PlanCluster,
  clash: boolean,
): { kind: LinkKind; why: string } {
  if (clash)
    return {
      kind: 'gateway-only',
      why: `${a.name} and ${b.name} use overlapping address ranges, so no route can join their networks: the east-west gateways carry their traffic over mTLS, addressed by federation-assigned global ranges`,
    };
  if (a.provider === b.provider && a.provider !== 'onprem') {
    const kind = NATIVE[a.provider];
    const where = a.region === b.region ? `in ${a.region}` : `across ${a.region} and ${b.region}`;
    return {
      kind,
      why: `both in ${a.provider} ${where}: native peering, no gateway charges, provider backbone`,
    };
  }
  if (a.provider === 'onprem' && b.provider === 'onprem')
    return {
      kind: 'ipsec-vpn',
      why: 'two on-prem sites: IPsec between their VPN endpoints (generated configuration)',
    };
  const onprem = a.provider === 'onprem' || b.provider === 'onprem';
  return {
    kind: 'ipsec-vpn',
    why: onprem
      ? `cloud ↔ on-prem (${a.provider}/${b.provider}): site-to-site IPsec through the cloud's VPN gateway and the site's endpoint`
      : `different clouds (${a.provider}/${b.provider}): site-to-site IPsec between the two clouds' VPN gateways`,
  };
}
