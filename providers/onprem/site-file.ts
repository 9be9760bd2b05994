/**
 * The declared on-prem site: its networks and CIDRs, VPN endpoint addresses and the nodes of its
 * clusters. There is no cloud API to ask, so this file is the inventory.
 */
import { z } from 'zod';

const cidr = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'an IPv4 CIDR like 10.0.0.0/16');
const ip = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, 'an IPv4 address');

/** The site file's schema (YAML or JSON). */
export const SiteFileSchema = z.object({
  site: z.string().min(1),
  region: z.string().min(1),
  zones: z.array(z.string().min(1)).min(1),
  vpnEndpoints: z
    .array(z.object({ name: z.string().min(1), publicIp: ip, asn: z.number().int().positive().optional() }))
    .default([]),
  networks: z
    .array(
      z.object({
        name: z.string().min(1),
        cidrs: z.array(cidr).min(1),
        subnets: z
          .array(z.object({ name: z.string().min(1), cidr, zone: z.string().optional() }))
          .default([]),
      }),
    )
    .min(1),
  clusters: z
    .array(
      z.object({
        name: z.string().min(1),
        nodes: z.array(
          z.object({
            name: z.string().min(1),
            zone: z.string().min(1),
            instanceType: z.string().default('bare-metal'),
            vcpus: z.number().int().positive(),
            memoryMiB: z.number().int().positive(),
            ip: ip.optional(),
            network: z.string().optional(),
            subnet: z.string().optional(),
          }),
        ),
      }),
    )
    .default([]),
});

/** A parsed site file. */
export type SiteFile = z.infer<typeof SiteFileSchema>;

/** Validates a parsed site document; a bad one throws naming the field. */
export function parseSiteFile(doc: unknown): SiteFile {
  const result = SiteFileSchema.safeParse(doc);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(`site file: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const site = result.data;
  for (const c of site.clusters)
    for (const n of c.nodes)
      if (!site.zones.includes(n.zone))
        throw new Error(
          `site file: clusters.${c.name}.nodes.${n.name}.zone: ${n.zone} is not one of the site's zones`,
        );
  return site;
}
