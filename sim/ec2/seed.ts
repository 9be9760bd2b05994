/**
 * Creating the resources that exist before a test or demo talks to the simulator (VPCs,
 * subnets, a managed cluster's instances, volumes), shared with the Create* actions so a VPC
 * made either way gets its main route table.
 */
import { Ec2Error, invalidValue } from './errors.js';
import { INSTANCE_TYPES, type Instance, REGIONS, type Subnet, type Volume, type Vpc } from './model.js';
import { type Ec2Store, owned } from './store.js';

/** Makes a VPC with its main route table (the `local` route). */
export function addVpc(
  store: Ec2Store,
  account: string,
  region: string,
  cidr: string,
  tags: Map<string, string>,
  now: number,
): Vpc {
  checkCidr('CidrBlock', cidr);
  const vpc: Vpc = { ...owned(store.newId('vpc'), account, region, now, tags), cidr, isDefault: false };
  store.vpcs.set(vpc.id, vpc);
  const rtb = {
    ...owned(store.newId('rtb'), account, region, now),
    vpcId: vpc.id,
    main: true,
    routes: [{ destinationCidr: cidr, gatewayId: 'local', origin: 'CreateRouteTable' as const }],
  };
  store.routeTables.set(rtb.id, rtb);
  return vpc;
}

/** Makes a subnet of a VPC in a zone of the VPC's region. */
export function addSubnet(
  store: Ec2Store,
  account: string,
  region: string,
  vpcId: string,
  cidr: string,
  zone: string,
  tags: Map<string, string>,
  now: number,
): Subnet {
  const vpc = store.vpcs.get(vpcId);
  if (!vpc || vpc.account !== account || vpc.region !== region)
    throw new Ec2Error('InvalidVpcID.NotFound', `The vpc ID '${vpcId}' does not exist`);
  checkCidr('CidrBlock', cidr);
  if (!zoneOf(region, zone))
    throw invalidValue(
      'AvailabilityZone',
      zone,
      `Subnets can currently only be created in the following availability zones: ${zonesOf(region).join(', ')}.`,
    );
  const subnet: Subnet = { ...owned(store.newId('subnet'), account, region, now, tags), vpcId, cidr, zone };
  store.subnets.set(subnet.id, subnet);
  return subnet;
}

/** Seeds a running instance in a subnet (the node of a managed cluster when tagged so). */
export function addInstance(
  store: Ec2Store,
  subnetId: string,
  instanceType: string,
  tags: Map<string, string>,
  now: number,
): Instance {
  const subnet = store.subnets.get(subnetId);
  if (!subnet) throw new Ec2Error('InvalidSubnetID.NotFound', `The subnet ID '${subnetId}' does not exist`);
  if (!INSTANCE_TYPES.some((t) => t.name === instanceType)) throw invalidValue('InstanceType', instanceType);
  const n = [...store.instances.values()].filter((i) => i.subnetId === subnetId).length;
  const base = subnet.cidr.split('/')[0]!.split('.').map(Number);
  const privateIp = `${base[0]}.${base[1]}.${base[2]}.${10 + n}`;
  const inst: Instance = {
    ...owned(store.newId('i'), subnet.account, subnet.region, now, tags),
    vpcId: subnet.vpcId,
    subnetId,
    zone: subnet.zone,
    instanceType,
    privateIp,
    reservationId: store.newId('r'),
    state: 'running',
  };
  store.instances.set(inst.id, inst);
  return inst;
}

/** Seeds an available volume (a cluster's persistent volume) in a zone. */
export function addVolume(
  store: Ec2Store,
  account: string,
  region: string,
  zone: string,
  sizeGiB: number,
  tags: Map<string, string>,
  now: number,
): Volume {
  if (!zoneOf(region, zone)) throw invalidValue('AvailabilityZone', zone);
  const vol: Volume = {
    ...owned(store.newId('vol'), account, region, now, tags),
    zone,
    sizeGiB,
    volumeType: 'gp3',
    create: { startedAt: now, durationMs: 0 },
    deleted: false,
  };
  store.volumes.set(vol.id, vol);
  return vol;
}

/** Zone names of a region (`eu-west-1a`, …). */
export function zonesOf(region: string): string[] {
  return (REGIONS.find((r) => r.name === region)?.zones ?? []).map((z) => `${region}${z}`);
}

/** True when `zone` is a zone of `region`. */
export function zoneOf(region: string, zone: string): boolean {
  return zonesOf(region).includes(zone);
}

/** A zone id of the form AWS gives (`use1-az1` for us-east-1a). */
export function zoneId(zone: string): string {
  const m = /^([a-z]+)-([a-z]+)-(\d)([a-z])$/.exec(zone);
  if (!m) return zone;
  return `${m[1]}${m[2]!.slice(0, 1)}${m[3]}-az${m[4]!.charCodeAt(0) - 96}`;
}

function checkCidr(name: string, cidr: string): void {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) < 16 || Number(m[5]) > 28)
    throw new Ec2Error(
      'InvalidParameterValue',
      `Value (${cidr}) for parameter ${name} is invalid. This is not a valid CIDR block.`,
    );
}
