/** Regions, zones, VPCs, subnets, instances and instance types: their Describe, Create and Delete actions. */

import type { ActionContext, ActionHandler } from './context.js';
import { Ec2Error, invalidValue, notFound } from './errors.js';
import { isoTime } from './lifecycle.js';
import { INSTANCE_TYPES, type Instance, REGIONS, type Subnet, type Vpc } from './model.js';
import { addSubnet, addVpc, zoneId, zonesOf } from './seed.js';
import { applyFilters, byIds, paginate } from './select.js';
import { tagSet, type XmlObject } from './xml.js';

const STATE_CODES: Readonly<Record<Instance['state'], number>> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

/** The inventory actions by name. */
export const inventoryActions: Readonly<Record<string, ActionHandler>> = {
  DescribeRegions: (ctx) => {
    const names = ctx.params.list('RegionName');
    const unknown = names.find((n) => !REGIONS.some((r) => r.name === n));
    if (unknown) throw new Ec2Error('InvalidParameterValue', `Invalid region: ${unknown}`);
    const regions = REGIONS.filter((r) => names.length === 0 || names.includes(r.name)).filter((r) =>
      ctx.params.filters().every((f) => f.name !== 'region-name' || f.values.includes(r.name)),
    );
    return {
      regionInfo: regions.map((r) => ({
        regionName: r.name,
        regionEndpoint: `ec2.${r.name}.amazonaws.com`,
        optInStatus: 'opt-in-not-required',
      })),
    };
  },

  DescribeAvailabilityZones: (ctx) => {
    const names = ctx.params.list('ZoneName');
    let zones = zonesOf(ctx.region);
    const unknown = names.find((n) => !zones.includes(n));
    if (unknown) throw new Ec2Error('InvalidParameterValue', `Invalid availability zone: [${unknown}]`);
    if (names.length > 0) zones = zones.filter((z) => names.includes(z));
    for (const f of ctx.params.filters()) {
      const key: Record<string, (z: string) => string> = {
        'zone-name': (z) => z,
        'zone-id': zoneId,
        state: () => 'available',
        'region-name': () => ctx.region,
        'zone-type': () => 'availability-zone',
      };
      const get = key[f.name];
      if (!get) throw new Ec2Error('InvalidParameterValue', `The filter '${f.name}' is invalid`);
      zones = zones.filter((z) => f.values.includes(get(z)));
    }
    return {
      availabilityZoneInfo: zones.map((z) => ({
        optInStatus: 'opt-in-not-required',
        zoneName: z,
        zoneId: zoneId(z),
        zoneState: 'available',
        regionName: ctx.region,
        groupName: ctx.region,
        networkBorderGroup: ctx.region,
        zoneType: 'availability-zone',
        messageSet: [],
      })),
    };
  },

  DescribeVpcs: (ctx) => {
    const ids = ctx.params.list('VpcId');
    const all = byIds(ctx.store.scoped(ctx.store.vpcs, ctx.account, ctx.region), ids, (id) =>
      notFound('InvalidVpcID.NotFound', 'vpc', id),
    );
    const matched = applyFilters(
      all,
      ctx.params,
      (v, name) =>
        ({
          'vpc-id': [v.id],
          'cidr-block': [v.cidr],
          cidr: [v.cidr],
          state: ['available'],
          'is-default': [String(v.isDefault)],
        })[name],
    );
    const { page, nextToken } = paginate(matched, ctx.params, ids.length > 0);
    return { vpcSet: page.map(vpcXml), nextToken };
  },

  CreateVpc: (ctx) => {
    const vpc = addVpc(
      ctx.store,
      ctx.account,
      ctx.region,
      ctx.params.required('CidrBlock'),
      ctx.params.tagsFor('vpc'),
      ctx.now,
    );
    return { vpc: { ...vpcXml(vpc), state: 'pending' } };
  },

  DeleteVpc: (ctx) => {
    const id = ctx.params.required('VpcId');
    const vpc = ctx.store.vpcs.get(id);
    if (!vpc || vpc.account !== ctx.account || vpc.region !== ctx.region)
      throw notFound('InvalidVpcID.NotFound', 'vpc', id);
    const inUse =
      [...ctx.store.subnets.values()].some((s) => s.vpcId === id) ||
      [...ctx.store.vpnGateways.values()].some((g) =>
        g.attachments.some((a) => a.vpcId === id && a.state !== 'detached'),
      ) ||
      [...ctx.store.routeTables.values()].some((t) => t.vpcId === id && !t.main);
    if (inUse)
      throw new Ec2Error('DependencyViolation', `The vpc '${id}' has dependencies and cannot be deleted.`);
    ctx.store.vpcs.delete(id);
    for (const t of [...ctx.store.routeTables.values()])
      if (t.vpcId === id) ctx.store.routeTables.delete(t.id);
    return { return: true };
  },

  DescribeSubnets: (ctx) => {
    const ids = ctx.params.list('SubnetId');
    const all = byIds(ctx.store.scoped(ctx.store.subnets, ctx.account, ctx.region), ids, (id) =>
      notFound('InvalidSubnetID.NotFound', 'subnet', id),
    );
    const matched = applyFilters(
      all,
      ctx.params,
      (s, name) =>
        ({
          'subnet-id': [s.id],
          'vpc-id': [s.vpcId],
          'cidr-block': [s.cidr],
          'availability-zone': [s.zone],
          'availability-zone-id': [zoneId(s.zone)],
          state: ['available'],
        })[name],
    );
    const { page, nextToken } = paginate(matched, ctx.params, ids.length > 0);
    return { subnetSet: page.map((s) => subnetXml(s, ctx)), nextToken };
  },

  CreateSubnet: (ctx) => {
    const zone = ctx.params.get('AvailabilityZone') ?? zonesOf(ctx.region)[0]!;
    const subnet = addSubnet(
      ctx.store,
      ctx.account,
      ctx.region,
      ctx.params.required('VpcId'),
      ctx.params.required('CidrBlock'),
      zone,
      ctx.params.tagsFor('subnet'),
      ctx.now,
    );
    return { subnet: { ...subnetXml(subnet, ctx), state: 'pending' } };
  },

  DeleteSubnet: (ctx) => {
    const id = ctx.params.required('SubnetId');
    const subnet = ctx.store.subnets.get(id);
    if (!subnet || subnet.account !== ctx.account || subnet.region !== ctx.region)
      throw notFound('InvalidSubnetID.NotFound', 'subnet', id);
    if ([...ctx.store.instances.values()].some((i) => i.subnetId === id && i.state !== 'terminated'))
      throw new Ec2Error('DependencyViolation', `The subnet '${id}' has dependencies and cannot be deleted.`);
    ctx.store.subnets.delete(id);
    return { return: true };
  },

  DescribeInstances: (ctx) => {
    const ids = ctx.params.list('InstanceId');
    const all = byIds(ctx.store.scoped(ctx.store.instances, ctx.account, ctx.region), ids, (id) =>
      notFound('InvalidInstanceID.NotFound', 'instance', id),
    );
    const matched = applyFilters(
      all,
      ctx.params,
      (i, name) =>
        ({
          'instance-id': [i.id],
          'instance-state-name': [i.state],
          'instance-type': [i.instanceType],
          'availability-zone': [i.zone],
          'vpc-id': [i.vpcId],
          'subnet-id': [i.subnetId],
          'private-ip-address': [i.privateIp],
        })[name],
    );
    const { page, nextToken } = paginate(matched, ctx.params, ids.length > 0);
    const reservations = new Map<string, Instance[]>();
    for (const i of page)
      reservations.set(i.reservationId, [...(reservations.get(i.reservationId) ?? []), i]);
    return {
      reservationSet: [...reservations].map(([reservationId, instances]) => ({
        reservationId,
        ownerId: ctx.account,
        groupSet: [],
        instancesSet: instances.map(instanceXml),
      })),
      nextToken,
    };
  },

  DescribeInstanceTypes: (ctx) => {
    const names = ctx.params.list('InstanceType');
    const unknown = names.find((n) => !INSTANCE_TYPES.some((t) => t.name === n));
    if (unknown)
      throw invalidValue(
        'InstanceType',
        unknown,
        `The following supplied instance types do not exist: [${unknown}]`,
      );
    const types = INSTANCE_TYPES.filter((t) => names.length === 0 || names.includes(t.name));
    const { page, nextToken } = paginate(types, ctx.params, false);
    return {
      instanceTypeSet: page.map((t) => ({
        instanceType: t.name,
        currentGeneration: true,
        supportedUsageClasses: ['on-demand', 'spot'],
        hypervisor: 'nitro',
        processorInfo: { supportedArchitectures: [t.architecture] },
        vCpuInfo: {
          defaultVCpus: t.vcpus,
          defaultCores: Math.max(1, t.vcpus / 2),
          defaultThreadsPerCore: t.vcpus > 1 ? 2 : 1,
        },
        memoryInfo: { sizeInMiB: t.memoryMiB },
      })),
      nextToken,
    };
  },
};

function vpcXml(v: Vpc): XmlObject {
  return {
    vpcId: v.id,
    ownerId: v.account,
    state: 'available',
    cidrBlock: v.cidr,
    cidrBlockAssociationSet: [
      {
        cidrBlock: v.cidr,
        associationId: `vpc-cidr-assoc-${v.id.slice(4)}`,
        cidrBlockState: { state: 'associated' },
      },
    ],
    dhcpOptionsId: 'default',
    tagSet: tagSet(v.tags),
    instanceTenancy: 'default',
    isDefault: v.isDefault,
  };
}

function subnetXml(s: Subnet, ctx: ActionContext): XmlObject {
  const bits = Number(s.cidr.split('/')[1]);
  return {
    subnetId: s.id,
    subnetArn: `arn:aws:ec2:${s.region}:${s.account}:subnet/${s.id}`,
    state: 'available',
    ownerId: s.account,
    vpcId: s.vpcId,
    cidrBlock: s.cidr,
    availableIpAddressCount:
      2 ** (32 - bits) - 5 - [...ctx.store.instances.values()].filter((i) => i.subnetId === s.id).length,
    availabilityZone: s.zone,
    availabilityZoneId: zoneId(s.zone),
    defaultForAz: false,
    mapPublicIpOnLaunch: false,
    tagSet: tagSet(s.tags),
  };
}

function instanceXml(i: Instance): XmlObject {
  const dns = `ip-${i.privateIp.replace(/\./g, '-')}.${i.region}.compute.internal`;
  return {
    instanceId: i.id,
    imageId: 'ami-0eks0node00000001',
    instanceState: { code: STATE_CODES[i.state], name: i.state },
    privateDnsName: dns,
    dnsName: '',
    amiLaunchIndex: 0,
    productCodes: [],
    instanceType: i.instanceType,
    launchTime: isoTime(i.createdAt),
    placement: { availabilityZone: i.zone, groupName: '', tenancy: 'default' },
    monitoring: { state: 'disabled' },
    subnetId: i.subnetId,
    vpcId: i.vpcId,
    privateIpAddress: i.privateIp,
    sourceDestCheck: true,
    groupSet: [],
    architecture: 'x86_64',
    rootDeviceType: 'ebs',
    rootDeviceName: '/dev/xvda',
    blockDeviceMapping: [],
    virtualizationType: 'hvm',
    tagSet: i.tags.size > 0 ? tagSet(i.tags) : undefined,
    hypervisor: 'xen',
    ebsOptimized: false,
  };
}
