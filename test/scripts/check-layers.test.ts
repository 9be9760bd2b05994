import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../scripts/check-layers.mjs', import.meta.url));

/** Runs the layer check on a tree of files (path → source) and returns its exit code and output. */
async function check(
  root: string,
  files: Record<string, string>,
): Promise<{ code: number | null; out: string }> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  const r = spawnSync(process.execPath, [SCRIPT], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe('scripts/check-layers.mjs', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'fedgate-layers-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('lets a provider import the shared seam, SDKs and its own folder', async () => {
    const r = await check(root, {
      'providers/provider-error.ts': 'export class ProviderError {}\n',
      'providers/cloud/registry.ts': "import { ProviderError } from '../provider-error.js';\n",
      'providers/aws/adapter.ts': [
        "import { EC2Client } from '@aws-sdk/client-ec2';",
        "import { CloudProviderRegistry } from '../cloud/registry.js';",
        "import { ProviderError } from '../provider-error.js';",
        "import { toNetwork } from './translate.js';",
        '',
      ].join('\n'),
      'federation/runtime/wiring.ts': "import { plan } from '../../peering/plan.js';\n",
      'federation/controllers/peering/sync.ts': "import { plan } from '../../../peering/plan.js';\n",
      'peering/plan.ts':
        "import { cidrs } from './cidr.js';\nimport { prices } from '../placement/model/cost-model.js';\n",
      'federation/store/objects.ts': "import type { Redis } from 'ioredis';\n",
      'federation/redis/connection-factory.ts': "import { Redis } from 'ioredis';\n",
    });
    expect(r.out).toContain('layer rules hold');
    expect(r.code).toBe(0);
  });

  it('refuses a provider reaching into another provider, peering outside the runtime, a top-level dashboard and ioredis outside the factory', async () => {
    const r = await check(root, {
      'providers/aws/adapter.ts': "import { toNetwork } from '../gcp/translate.js';\n",
      'providers/cloud/registry.ts': "import { adapter } from '../azure/adapter.js';\n",
      'federation/reconcile/peer.ts': "import { plan } from '../../peering/plan.js';\n",
      'storage-replication/plan.ts': "import { plan } from '../peering/plan.js';\n",
      'federation/api/replicas.ts': "import { planner } from '../../storage-replication/planner.js';\n",
      'dashboard/index.ts': 'export const page = 1;\n',
      'federation/dashboard/routes.ts': "import { ResourceStore } from '../store/resource-store.js';\n",
      'federation/api/cache.ts': "import { Redis } from 'ioredis';\n",
    });
    expect(r.code).toBe(1);
    for (const line of [
      'providers/aws/adapter.ts: imports ../gcp/translate.js — providers/<provider>/ imports only the shared provider seam',
      'providers/cloud/registry.ts: imports ../azure/adapter.js — providers/<provider>/ imports only',
      'federation/reconcile/peer.ts: imports ../../peering/plan.js — only the runtime wiring',
      'storage-replication/plan.ts: imports ../peering/plan.js — only the runtime wiring',
      'federation/api/replicas.ts: imports ../../storage-replication/planner.js — only the runtime wiring',
      'dashboard/index.ts: the dashboard lives under federation/dashboard/',
      'federation/dashboard/routes.ts: imports ../store/resource-store.js — the dashboard reaches the control plane through the HTTP API only',
      'federation/api/cache.ts: imports ioredis — Redis connections are made by the connection factory',
    ])
      expect(r.out).toContain(line);
  });
});
