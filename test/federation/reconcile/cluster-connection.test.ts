import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubernetesClientFactory } from '../../../federation/runtime/kube-client-factory.js';
import { startTestControlPlane, type TestControlPlane } from '../../support/control-plane.js';
import { waitFor } from '../../support/wait-for.js';

interface Ready {
  status: string;
  reason: string;
  message: string;
}

describe('a member cluster whose connection cannot work', () => {
  let cp: TestControlPlane;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fedgate-kubeconfig-'));
    const kubeconfig = join(dir, 'config.yaml');
    writeFileSync(kubeconfig, 'clusters: [\n  - {name: broken');
    cp = await startTestControlPlane([{ name: 'good', provider: 'onprem', region: 'onprem-fra' }], {
      workerProps: { clientFactory: kubernetesClientFactory({ kubeconfigPath: kubeconfig }) },
    });
  }, 120_000);
  afterAll(async () => {
    await cp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ready = async (name: string) => {
    const r = await cp.request('GET', `/api/v1/objects/MemberCluster.v1alpha1.fedgate.dev/${name}`);
    const conditions = (r.body as { status?: { conditions?: (Ready & { type: string })[] } }).status
      ?.conditions;
    return conditions?.find((c) => c.type === 'Ready');
  };

  it('is NotReady with the reason at its first probe, while the others stay Ready', async () => {
    const applied = await cp.apply([
      {
        apiVersion: 'fedgate.dev/v1alpha1',
        kind: 'MemberCluster',
        metadata: { name: 'misconfigured' },
        spec: { provider: 'aws', region: 'eu-west-1', connection: { kubeconfigContext: 'eks-prod' } },
      },
    ]);
    expect(applied.status).toBe(200);
    const r = await waitFor('misconfigured is NotReady', async () => {
      const c = await ready('misconfigured');
      return c?.status === 'False' ? c : undefined;
    });
    expect(r.reason).toBe('KubeconfigInvalid');
    expect(r.message).toMatch(/kubeconfig cannot be loaded/);
    await waitFor('good is Ready', async () => (await ready('good'))?.status === 'True');
    // No job about it is retried: the probe completed (the status says why); a scan that needs the
    // connection fails once, as unrecoverable.
    const q = cp.worker!.queues.maintenance;
    const jobs = [...(await q.getJobs(['failed', 'delayed'])), ...(await q.getJobs(['completed']))].filter(
      (j) => (j.data as { cluster?: string }).cluster === 'misconfigured',
    );
    expect(jobs.some((j) => j.name === 'probe' && j.finishedOn && !j.failedReason)).toBe(true);
    for (const j of jobs) expect(j.attemptsMade).toBeLessThanOrEqual(1);
    expect(
      jobs.filter((j) => j.failedReason).every((j) => /kubeconfig cannot be loaded/.test(j.failedReason)),
    ).toBe(true);
  });
});
