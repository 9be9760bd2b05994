/**
 * Seeds what exists before a client talks to the simulator: a network with subnets, a managed
 * cluster's nodes tagged as EKS tags them, volumes. Tests and `fedgate up` use it.
 */
import { addInstance, addSubnet, addVolume, addVpc } from './seed.js';
import type { Ec2Store } from './store.js';

/** A network to seed. */
export interface SeedNetwork {
  readonly account: string;
  readonly region: string;
  readonly name: string;
  readonly cidr: string;
  readonly subnets: readonly { readonly cidr: string; readonly zone: string; readonly name?: string }[];
}

/** An EKS cluster's nodes to seed, spread over the given subnets in turn. */
export interface SeedCluster {
  readonly clusterName: string;
  readonly subnetIds: readonly string[];
  readonly instanceType: string;
  readonly count: number;
  readonly nodegroup?: string;
}

/** Seeding on one store. */
export class Ec2Seeder {
  constructor(private readonly store: Ec2Store) {}

  /** A VPC (Name-tagged) and its subnets; returns their ids. */
  network(n: SeedNetwork): { vpcId: string; subnetIds: string[] } {
    const now = Date.now();
    const vpc = addVpc(this.store, n.account, n.region, n.cidr, new Map([['Name', n.name]]), now);
    const subnetIds = n.subnets.map(
      (s, i) =>
        addSubnet(
          this.store,
          n.account,
          n.region,
          vpc.id,
          s.cidr,
          s.zone,
          new Map([['Name', s.name ?? `${n.name}-${i + 1}`]]),
          now,
        ).id,
    );
    return { vpcId: vpc.id, subnetIds };
  }

  /** Running instances tagged as an EKS managed node group tags its nodes; returns their ids. */
  cluster(c: SeedCluster): string[] {
    const nodegroup = c.nodegroup ?? `${c.clusterName}-ng-1`;
    return Array.from({ length: c.count }, (_, i) => {
      const tags = new Map([
        ['Name', `${c.clusterName}-${nodegroup}-node-${i + 1}`],
        ['eks:cluster-name', c.clusterName],
        ['eks:nodegroup-name', nodegroup],
        [`kubernetes.io/cluster/${c.clusterName}`, 'owned'],
        ['aws:autoscaling:groupName', `eks-${nodegroup}`],
      ]);
      return addInstance(this.store, c.subnetIds[i % c.subnetIds.length]!, c.instanceType, tags, Date.now())
        .id;
    });
  }

  /** An available volume; returns its id. */
  volume(account: string, region: string, zone: string, sizeGiB: number, name: string): string {
    return addVolume(this.store, account, region, zone, sizeGiB, new Map([['Name', name]]), Date.now()).id;
  }
}
