/**
 * AWS inventory: regions and the scope region's zones, VPCs with subnets, and the EC2 instances
 * behind an EKS cluster's nodes (tagged `kubernetes.io/cluster/NAME`, as EKS and self-managed
 * node groups tag them) with their type's vCPU and memory.
 */
import {
  DescribeAvailabilityZonesCommand,
  type DescribeAvailabilityZonesResult,
  DescribeInstancesCommand,
  type DescribeInstancesResult,
  DescribeInstanceTypesCommand,
  type DescribeInstanceTypesResult,
  DescribeRegionsCommand,
  type DescribeRegionsResult,
  DescribeSubnetsCommand,
  type DescribeSubnetsResult,
  DescribeVpcsCommand,
  type DescribeVpcsResult,
  type Filter,
  type Instance,
  type Subnet,
  type Vpc,
} from '@aws-sdk/client-ec2';
import type { CallOptions, InventoryCapability } from '../cloud/adapter.js';
import { inParallel } from '../cloud/parallel.js';
import type {
  CloudInstance,
  CloudNetwork,
  CloudRegion,
  CloudScope,
  CloudSubnet,
  ClusterNodeSelector,
} from '../cloud/types.js';
import type { Ec2Caller } from './ec2-caller.js';
import { nameOf, tagRecord } from './tags.js';

/** Inventory through DescribeRegions/AvailabilityZones/Vpcs/Subnets/Instances/InstanceTypes. */
export class AwsInventory implements InventoryCapability {
  constructor(
    private readonly ec2: Ec2Caller,
    private readonly scope: CloudScope,
  ) {}

  /**
   * Every enabled region; zones for the scope region only (EC2 lists zones per regional endpoint,
   * so other regions' zones would cost a call each; their adapters list them).
   */
  async listRegions(opts: CallOptions = {}): Promise<CloudRegion[]> {
    const [regions, zones] = await inParallel(opts, [
      (opts) => this.ec2.send<DescribeRegionsResult>(new DescribeRegionsCommand({}), opts.signal),
      (opts) =>
        this.ec2.send<DescribeAvailabilityZonesResult>(
          new DescribeAvailabilityZonesCommand({
            Filters: [{ Name: 'zone-type', Values: ['availability-zone'] }],
          }),
          opts.signal,
        ),
    ]);
    const own = (zones.AvailabilityZones ?? [])
      .filter((z) => z.State === 'available')
      .map((z) => z.ZoneName ?? '');
    return (regions.Regions ?? []).map((r) => ({
      name: r.RegionName ?? '',
      zones: r.RegionName === this.scope.region ? own : [],
    }));
  }

  async listNetworks(opts: CallOptions = {}): Promise<CloudNetwork[]> {
    const [vpcs, subnets] = await inParallel(opts, [
      (opts) => this.vpcs([], opts),
      (opts) => this.subnets([], opts),
    ]);
    return vpcs.map((v) => this.network(v, subnets));
  }

  async getNetwork(networkId: string, opts: CallOptions = {}): Promise<CloudNetwork> {
    const [vpcs, subnets] = await inParallel(opts, [
      (opts) => this.vpcs([networkId], opts),
      (opts) => this.subnets([{ Name: 'vpc-id', Values: [networkId] }], opts),
    ]);
    return this.network(vpcs[0]!, subnets);
  }

  async listClusterInstances(
    selector: ClusterNodeSelector,
    opts: CallOptions = {},
  ): Promise<CloudInstance[]> {
    const filters: Filter[] = [
      { Name: `tag:kubernetes.io/cluster/${selector.clusterName}`, Values: ['owned', 'shared'] },
      { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
    ];
    const instances: Instance[] = [];
    let token: string | undefined;
    do {
      const page = await this.ec2.send<DescribeInstancesResult>(
        new DescribeInstancesCommand({ Filters: filters, MaxResults: 1000, NextToken: token }),
        opts.signal,
      );
      for (const r of page.Reservations ?? []) instances.push(...(r.Instances ?? []));
      token = page.NextToken;
    } while (token);
    if (instances.length === 0) return [];
    const typeNames = [...new Set(instances.map((i) => i.InstanceType ?? ''))].filter(Boolean);
    const types = await this.ec2.send<DescribeInstanceTypesResult>(
      new DescribeInstanceTypesCommand({ InstanceTypes: typeNames as never }),
      opts.signal,
    );
    const shape = new Map(
      (types.InstanceTypes ?? []).map((t) => [
        t.InstanceType ?? '',
        { vcpus: t.VCpuInfo?.DefaultVCpus ?? 0, memoryMiB: t.MemoryInfo?.SizeInMiB ?? 0 },
      ]),
    );
    return instances.map((i) => {
      const tags = tagRecord(i.Tags);
      const s = shape.get(i.InstanceType ?? '');
      const nodePool = tags['eks:nodegroup-name'];
      return {
        id: i.InstanceId ?? '',
        name: tags.Name ?? i.PrivateDnsName ?? i.InstanceId ?? '',
        zone: i.Placement?.AvailabilityZone ?? '',
        instanceType: i.InstanceType ?? '',
        vcpus: s?.vcpus ?? 0,
        memoryMiB: s?.memoryMiB ?? 0,
        state: instanceState(i.State?.Name),
        ...(i.PrivateIpAddress ? { privateIp: i.PrivateIpAddress } : {}),
        ...(i.VpcId ? { networkId: i.VpcId } : {}),
        ...(i.SubnetId ? { subnetId: i.SubnetId } : {}),
        ...(nodePool ? { nodePool } : {}),
      };
    });
  }

  private async vpcs(ids: string[], opts: CallOptions): Promise<Vpc[]> {
    const out: Vpc[] = [];
    let token: string | undefined;
    do {
      const page = await this.ec2.send<DescribeVpcsResult>(
        new DescribeVpcsCommand(ids.length > 0 ? { VpcIds: ids } : { MaxResults: 1000, NextToken: token }),
        opts.signal,
      );
      out.push(...(page.Vpcs ?? []));
      token = page.NextToken;
    } while (token);
    return out;
  }

  private async subnets(filters: Filter[], opts: CallOptions): Promise<Subnet[]> {
    const out: Subnet[] = [];
    let token: string | undefined;
    do {
      const page = await this.ec2.send<DescribeSubnetsResult>(
        new DescribeSubnetsCommand({ Filters: filters, MaxResults: 1000, NextToken: token }),
        opts.signal,
      );
      out.push(...(page.Subnets ?? []));
      token = page.NextToken;
    } while (token);
    return out;
  }

  private network(v: Vpc, subnets: readonly Subnet[]): CloudNetwork {
    const associated = (v.CidrBlockAssociationSet ?? [])
      .filter((a) => a.CidrBlockState?.State === 'associated' && a.CidrBlock)
      .map((a) => a.CidrBlock!);
    const cidrs = associated.length > 0 ? associated : v.CidrBlock ? [v.CidrBlock] : [];
    return {
      id: v.VpcId ?? '',
      name: nameOf(v.Tags) ?? v.VpcId ?? '',
      region: this.scope.region,
      cidrs,
      subnets: subnets.filter((s) => s.VpcId === v.VpcId).map((s) => this.subnet(s)),
      tags: tagRecord(v.Tags),
    };
  }

  private subnet(s: Subnet): CloudSubnet {
    return {
      id: s.SubnetId ?? '',
      name: nameOf(s.Tags) ?? s.SubnetId ?? '',
      cidr: s.CidrBlock ?? '',
      region: this.scope.region,
      ...(s.AvailabilityZone ? { zone: s.AvailabilityZone } : {}),
    };
  }
}

function instanceState(name: string | undefined): CloudInstance['state'] {
  switch (name) {
    case 'pending':
    case 'running':
    case 'stopping':
    case 'stopped':
    case 'terminated':
      return name;
    case 'shutting-down':
      return 'stopping';
    default:
      return 'unknown';
  }
}
