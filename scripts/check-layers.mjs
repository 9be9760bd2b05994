#!/usr/bin/env node
// Enforces the dependency rules of docs/architecture.md ("Folders and their dependency rules"):
// placement/ is pure (no I/O, no other layer); providers/ reaches only SDKs, and each provider's
// folder only the shared provider seam; only tests, benches and the `fedgate up` demo wiring
// (local-fleet.ts, local-clouds.ts) import sim/; only the federation runtime wiring imports
// peering/ and storage-replication/; the dashboard
// lives under federation/dashboard/ and reaches the control plane through the API; every Redis
// connection is made by the connection factory in federation/redis/.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const IO_MODULES =
  /^(node:)?(fs|fs\/promises|net|http|https|http2|child_process|dgram|dns|tls|worker_threads|cluster)$/;
const RULES = [
  {
    from: 'placement/',
    forbid: (spec, target) =>
      IO_MODULES.test(spec) ||
      /^(ioredis|bullmq|fastify|@kubernetes|@aws-sdk|@google-cloud|@azure)/.test(spec) ||
      /^(federation|providers|sim|peering|storage-replication|dashboard)\//.test(target ?? ''),
    why: 'placement/ is pure: no I/O and no other layer',
  },
  {
    from: 'providers/',
    forbid: (_s, target) =>
      /^(federation|placement|sim|peering|storage-replication|dashboard)\//.test(target ?? ''),
    why: 'providers/ depends on SDKs only',
  },
  {
    // providers/<provider>/ (and the seam itself, providers/cloud/) reach no other provider's folder.
    from: 'providers/',
    forbid: (_s, target, file) => {
      const own = /^providers\/([^/]+)\//.exec(file)?.[1];
      const other = /^providers\/([^/]+)\//.exec(target ?? '')?.[1];
      // On-prem storage is CSI through the member cluster: its "cloud API" is Kubernetes.
      const onpremKube = own === 'onprem' && other === 'kubernetes';
      return own !== undefined && other !== undefined && other !== own && other !== 'cloud' && !onpremKube;
    },
    why: 'providers/<provider>/ imports only the shared provider seam (providers/cloud/, providers/provider-error.ts, providers/member-cluster-client.ts) and SDKs; providers/onprem/ may also use providers/kubernetes/ (CSI snapshots through the member cluster)',
  },
  {
    from: 'peering/',
    forbid: (_s, target) =>
      /^(federation|sim|storage-replication|dashboard)\//.test(target ?? '') ||
      (/^placement\//.test(target ?? '') && !/^placement\/model\//.test(target ?? '')),
    why: 'peering/ depends on providers/, the pure cost model (placement/model/) and SDKs only',
  },
  {
    from: 'sim/',
    forbid: (_s, target) =>
      /^(federation|placement|providers|peering|storage-replication|dashboard)\//.test(target ?? ''),
    why: 'sim/ imports nothing of the product',
  },
  {
    from: '',
    forbid: (_s, target, file) =>
      (target ?? '').startsWith('sim/') &&
      !/^(sim|test|bench)\//.test(file) &&
      !/^federation\/runtime\/local-(fleet|clouds)\.ts$/.test(file),
    why: 'only tests, benches and the fedgate up wiring (federation/runtime/local-fleet.ts, local-clouds.ts) import sim/',
  },
  {
    from: '',
    forbid: (_s, target, file) =>
      /^(peering|storage-replication)\//.test(target ?? '') &&
      !/^(test|bench|federation\/runtime|federation\/controllers\/(peering|replication))\//.test(file) &&
      file !== 'federation/api/routes/peering-plan.ts' &&
      !file.startsWith(`${(target ?? '').split('/')[0]}/`),
    why: 'only the runtime wiring (federation/runtime/), the controllers that drive them (federation/controllers/peering|replication/) and the plan route import peering/ and storage-replication/',
  },
  {
    from: 'federation/dashboard/',
    forbid: (_s, target) => /^federation\/(store|queue|reconcile|runtime|redis)\//.test(target ?? ''),
    why: 'the dashboard reaches the control plane through the HTTP API only',
  },
  {
    from: '',
    forbid: (spec, _t, file) => spec === 'ioredis' && !file.startsWith('federation/redis/'),
    why: 'Redis connections are made by the connection factory (federation/redis/connection-factory.ts), which understands Sentinel; import ioredis types only',
  },
];

const roots = ['federation', 'placement', 'providers', 'sim', 'peering', 'storage-replication', 'dashboard'];
const files = roots.flatMap((r) => walk(r)).filter((f) => f.endsWith('.ts'));
const problems = [];
for (const file of files.filter((f) => f.startsWith('dashboard/')))
  problems.push(`${file}: the dashboard lives under federation/dashboard/, not at the top level`);
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(
    /^\s*import\s+(?!type\b)[^'"]*?from\s+['"]([^'"]+)['"]|^\s*export\s+(?!type\b)[^'"]*?from\s+['"]([^'"]+)['"]/gm,
  )) {
    const spec = m[1] ?? m[2];
    const target = spec.startsWith('.') ? relative('.', join(file, '..', spec)) : undefined;
    for (const rule of RULES) {
      if (file.startsWith(rule.from) && rule.forbid(spec, target, file))
        problems.push(`${file}: imports ${spec} — ${rule.why}`);
    }
  }
}
if (problems.length > 0) {
  console.error(`layer rules broken:\n${problems.join('\n')}`);
  process.exit(1);
}
console.log(`layer rules hold (${files.length} files)`);

function walk(dir) {
  let out = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e);
    out = statSync(p).isDirectory() ? out.concat(walk(p)) : out.concat(p);
  }
  return out;
}
