import { describe, expect, it } from 'vitest';
import { resolveKind } from '../../../../federation/cli/kinds.js';
import { renderTable } from '../../../../federation/cli/output/format.js';
import { columnsFor } from '../../../../federation/cli/output/tables.js';
import type { KubeObject } from '../../../../federation/resources/kube-object.js';

const cluster = (name: string, status: Record<string, unknown>, cloud = true): KubeObject => ({
  apiVersion: 'fedgate.dev/v1alpha1',
  kind: 'MemberCluster',
  metadata: { name },
  spec: { provider: 'aws', region: 'eu-west-1', ...(cloud ? { cloud: { account: '111122223333' } } : {}) },
  status,
});

describe('fedgate get clusters -o wide: the cloud inventory', () => {
  it('shows instances, their types, the network and the CloudInventory condition', () => {
    const table = renderTable(columnsFor(resolveKind('clusters'), true), [
      cluster('aws-eu-west-1', {
        conditions: [{ type: 'CloudInventory', status: 'True', reason: 'Discovered' }],
        cloud: {
          zones: { 'eu-west-1a': { instances: 2 }, 'eu-west-1b': { instances: 1 } },
          instanceTypes: { 'm6i.2xlarge': 2, 'm6i.xlarge': 1 },
          network: { name: 'vpc-prod', cidrs: ['10.30.0.0/16', '100.64.0.0/16'] },
        },
      }),
      cluster('aws-bad', {
        conditions: [{ type: 'CloudInventory', status: 'False', reason: 'CloudUnauthorized' }],
      }),
      cluster('plain', { conditions: [] }, false),
    ]);
    const [header, ok, bad, plain] = table.trimEnd().split('\n');
    expect(header).toMatch(/INSTANCES\s+INSTANCE-TYPES\s+NETWORK\s+CLOUD-INVENTORY/);
    expect(ok).toMatch(
      /\s3\s+m6i\.2xlarge×2,m6i\.xlarge×1\s+vpc-prod 10\.30\.0\.0\/16,100\.64\.0\.0\/16\s+True$/,
    );
    expect(bad).toMatch(/False \(CloudUnauthorized\)$/);
    expect(plain).toMatch(/<none>\s+<none>\s+<none>\s+<none>$/);
  });

  it('keeps the narrow table as it was', () => {
    const [header] = renderTable(columnsFor(resolveKind('clusters'), false), []).split('\n');
    expect(header).not.toContain('INSTANCES');
  });
});
