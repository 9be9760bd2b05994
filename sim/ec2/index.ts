/** The EC2 simulator: see server.ts. */

export type { Ec2Faults } from './faults.js';
export type { SeedCluster, SeedNetwork } from './seeder.js';
export type { Ec2Account, Ec2ResourceKind, Ec2Sim, Ec2SimOptions } from './server.js';
export { startEc2Sim } from './server.js';
