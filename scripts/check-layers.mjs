#!/usr/bin/env node
// Enforces the dependency rules of DESIGN.md: placement/ is pure (no I/O, no other layer),
// providers/ reaches only SDKs, and only tests, benches and the `fedgate up` demo wiring import sim/.
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
      !/^federation\/runtime\/local-fleet\.ts$/.test(file),
    why: 'only tests, benches and the fedgate up wiring (federation/runtime/local-fleet.ts) import sim/',
  },
];

const roots = ['federation', 'placement', 'providers', 'sim', 'peering', 'storage-replication', 'dashboard'];
const files = roots.flatMap((r) => walk(r)).filter((f) => f.endsWith('.ts'));
const problems = [];
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
