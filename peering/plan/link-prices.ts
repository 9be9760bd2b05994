import type { Provider } from '../../placement/model/types.js';

/*
 * List prices of what links are made of, USD, us-east / europe-west list prices (the first tier).
 * The egress part of a link's cost comes from the placement cost model (placement/model): only the
 * fixed parts and the per-GiB charges that are not egress live here.
 *
 * - AWS Site-to-Site VPN: $0.05 per VPN connection-hour (two tunnels each); the virtual private
 *   gateway itself has no charge. VPC peering: no hourly charge, only data transfer.
 *   (aws.amazon.com/vpn/pricing, aws.amazon.com/vpc/pricing)
 * - GCP HA VPN: $0.05 per tunnel-hour, two tunnels for the 99.99 % SLA; Cloud Router with BGP has no
 *   charge of its own; VPC network peering: no hourly charge. (cloud.google.com/network-connectivity/docs/vpn/pricing)
 * - Azure VPN Gateway VpnGw1: $0.19 per gateway-hour, up to 10 site-to-site tunnels included;
 *   VNet peering $0.01 per GB in and $0.01 per GB out within a region, global peering $0.035 each
 *   way (zone 1). (azure.microsoft.com/pricing/details/vpn-gateway, …/virtual-network)
 * - On-prem: the site's own VPN endpoint; no cloud charge.
 * Refresh from the pages before relying on them: prices move, and differ by region.
 */

/** Hours in a billing month as the three clouds count them. */
export const HOURS_PER_MONTH = 730;

/** The fixed monthly charge a provider makes for its end of one VPN link, per link (see vpnEndPerMonth). */
export const VPN_LINK_PER_MONTH: Readonly<Record<Provider, { readonly usd: number; readonly what: string }>> =
  {
    aws: { usd: 0.05 * HOURS_PER_MONTH, what: 'AWS Site-to-Site VPN connection (2 tunnels)' },
    gcp: { usd: 2 * 0.05 * HOURS_PER_MONTH, what: 'GCP HA VPN, 2 tunnels' },
    azure: { usd: 0, what: 'Azure VPN connection (included in the gateway)' },
    onprem: { usd: 0, what: 'on-prem VPN endpoint (own hardware)' },
  };

/**
 * The fixed monthly charge of one end of a VPN link, knowing the other end: AWS ↔ GCP uses the
 * four-tunnel HA topology Google documents (two AWS VPN connections, four GCP tunnels), every other
 * pair one connection per cloud end as in VPN_LINK_PER_MONTH.
 */
export function vpnEndPerMonth(
  end: Provider,
  other: Provider,
): { readonly usd: number; readonly what: string } {
  if (end === 'aws' && other === 'gcp')
    return { usd: 2 * 0.05 * HOURS_PER_MONTH, what: 'AWS Site-to-Site VPN, 2 connections (4 tunnels)' };
  if (end === 'gcp' && other === 'aws')
    return { usd: 4 * 0.05 * HOURS_PER_MONTH, what: 'GCP HA VPN, 4 tunnels' };
  return VPN_LINK_PER_MONTH[end];
}

/** The fixed monthly charge of a cluster's VPN gateway, once per cluster that has any VPN link. */
export const VPN_GATEWAY_PER_MONTH: Readonly<
  Record<Provider, { readonly usd: number; readonly what: string }>
> = {
  aws: { usd: 0, what: 'AWS virtual private gateway (no charge)' },
  gcp: { usd: 0, what: 'GCP HA VPN gateway and Cloud Router (no charge of their own)' },
  azure: { usd: 0.19 * HOURS_PER_MONTH, what: 'Azure VPN Gateway VpnGw1' },
  onprem: { usd: 0, what: 'on-prem VPN endpoint (own hardware)' },
};

/** Azure VNet peering charges per GiB, each direction, on top of egress. */
export const AZURE_PEERING_PER_GIB = { sameRegion: 0.01 + 0.01, global: 0.035 + 0.035 } as const;
