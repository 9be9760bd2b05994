import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deleteLink,
  type OrchestratedLink,
  type PeeringRuntime,
  provisionLink,
} from '../../../peering/orchestrate/run-steps.js';
import type { PeeringJournal } from '../../../peering/orchestrate/types.js';
import { type AwsTestEnv, startAwsEnv } from '../../providers/aws/fixture.js';

/** A native AWS peering across accounts and regions, set up and removed through the real SDK against the EC2 simulator. */
describe('peering orchestration: AWS VPC peering through the EC2 simulator', () => {
  let env: AwsTestEnv;
  let link: OrchestratedLink;
  const journals: PeeringJournal[] = [];
  const runtime = (): PeeringRuntime => ({
    adapters: { a: env.adapter, b: env.peerAdapter! },
    tunnelKeys: [],
    verify: async () => 'both sides active',
    onpremConfig: async () => undefined,
    record: async (j) => {
      journals.push(j);
    },
    pollIntervalMs: 25,
  });

  beforeAll(async () => {
    env = await startAwsEnv({ operationMs: 50 });
    link = {
      name: 'a--b',
      kind: 'native-peering',
      a: {
        cluster: 'a',
        provider: 'aws',
        scope: env.adapter.scope,
        networkId: env.networkId,
        cidrs: ['10.10.0.0/16'],
      },
      b: {
        cluster: 'b',
        provider: 'aws',
        scope: env.peerAdapter!.scope,
        networkId: env.peerNetworkId!,
        cidrs: ['10.30.0.0/16'],
      },
    };
  }, 60_000);
  afterAll(() => env?.teardown());

  it('requests, accepts, waits, routes both ways and verifies; a second run after a "crash" creates nothing new', async () => {
    const done = await provisionLink(link, { phase: 'Provisioning', steps: [] }, runtime());
    expect(done.phase).toBe('Ready');
    expect(done.steps.map((s) => `${s.id}:${s.state}`)).toEqual([
      'peering.request/a:done',
      'peering.accept/b:done',
      'peering.wait-active/a:done',
      'routes/a:done',
      'routes/b:done',
      'verify/a:done',
    ]);
    expect(env.countResources!('peering')).toBe(1);
    const routes = env.countResources!('route');
    // Resume from a journal whose routes step was running when the worker died.
    const crashed: PeeringJournal = {
      phase: 'Provisioning',
      steps: done.steps.map((s) =>
        s.id.startsWith('routes/b')
          ? { ...s, state: 'running' }
          : s.id === 'verify/a'
            ? { id: s.id, title: s.title, state: 'pending' }
            : s,
      ),
    };
    expect((await provisionLink(link, crashed, runtime())).phase).toBe('Ready');
    expect(env.countResources!('peering')).toBe(1);
    expect(env.countResources!('route')).toBe(routes);
  }, 90_000);

  it('deletes everything on both sides, twice without error', async () => {
    const routesBefore = env.countResources!('route');
    const gone = await deleteLink(link, journals.at(-1)!, runtime());
    expect(gone.phase).toBe('Deleted');
    expect(env.countResources!('peering')).toBe(0);
    expect(env.countResources!('route')).toBeLessThan(routesBefore);
    expect((await deleteLink(link, gone, runtime())).phase).toBe('Deleted');
  }, 90_000);
});
