import type { Command } from 'commander';
import { FedgateError, type FieldIssue } from '../../errors/fedgate-error.js';
import { FEDGATE_GROUP } from '../../resources/resource-type.js';
import type { ApplyEffect, ApplyResultItem } from '../api-client.js';
import { CliError, EXIT, usageError } from '../errors.js';
import { kindOfManifest } from '../kinds.js';
import { describeDoc, loadManifests, type ManifestDoc } from '../manifests.js';
import { renderApplyEffect } from '../output/apply-effect.js';
import { displayOf, idOf, waitForPlacement } from '../wait.js';
import {
  addClientOptions,
  type ClientOptions,
  clientFor,
  collect,
  err,
  out,
  parseDuration,
} from './common.js';

interface ApplyOptions extends ClientOptions {
  filename: string[];
  recursive?: boolean;
  namespace?: string;
  dryRun?: boolean;
  wait?: boolean;
  timeout: string;
}

/** `fedgate apply -f FILE|DIR|-`. */
export function registerApply(program: Command): void {
  const cmd = program
    .command('apply')
    .description(
      'Create or update objects from YAML/JSON files: fedgate kinds and plain Kubernetes manifests',
    )
    .requiredOption(
      '-f, --filename <path>',
      'file, directory (*.yaml, *.yml, *.json) or - for stdin; repeatable',
      collect,
      [],
    )
    .option('-R, --recursive', 'descend into sub-directories of directories given with -f')
    .option('-n, --namespace <ns>', 'namespace for namespaced objects that name none')
    .option('--dry-run', 'validate on the server and show what would change, writing nothing')
    .option(
      '--wait',
      'wait until every applied template is applied in all its clusters or known to go nowhere (no policy selects it, or none can place it: exit 1), showing progress, then print the results',
    )
    .option('--timeout <duration>', 'how long --wait waits (e.g. 60s, 5m)', '60s')
    .action(async (opts: ApplyOptions) => {
      const timeoutMs = parseDuration(opts.timeout);
      const docs = await loadManifests(opts.filename, { recursive: opts.recursive ?? false });
      if (docs.length === 0) throw usageError(`no objects found in ${opts.filename.join(', ')}`);
      const items = docs.map((d) => withNamespace(d, opts.namespace));
      const client = await clientFor(opts);
      let result: { items: ApplyResultItem[]; effect?: ApplyEffect };
      try {
        result = await client.apply(items, opts.dryRun ?? false);
      } catch (e) {
        throw located(e, docs);
      }
      const templates = result.items.filter((r) => !r.type.endsWith(`.${FEDGATE_GROUP}`));
      if (!opts.wait || opts.dryRun || templates.length === 0) {
        for (const r of result.items) out(`${displayOf(r.type)}/${r.name} ${r.action}\n`);
        if (result.effect) out(renderApplyEffect(result.effect));
        return;
      }
      // Progress (stderr) while waiting, then the results, each with where it ended up.
      const waited = await waitForPlacement(client, templates, {
        timeoutMs,
        progress: (line) => err(`${line}\n`),
      });
      for (const r of result.items) {
        const outcome = waited.outcomes.get(idOf(r));
        out(`${displayOf(r.type)}/${r.name} ${r.action}${outcome ? ` (${outcome.line})` : ''}\n`);
      }
      if (!waited.settled)
        throw new CliError(
          EXIT.failed,
          `timed out after ${timeoutMs / 1000}s waiting for placement (see fedgate explain)`,
        );
      const unplaceable = [...waited.outcomes.values()].filter(
        (o) => o.state === 'not placed' && o.reason !== 'NoMatchingPolicy',
      );
      if (unplaceable.length > 0)
        throw new CliError(
          EXIT.failed,
          `${unplaceable.length} template${unplaceable.length === 1 ? '' : 's'} could not be placed (see fedgate explain)`,
        );
    });
  addClientOptions(cmd);
}

/** Fills in `-n` for namespaced objects without a namespace; refuses a different one. */
function withNamespace(doc: ManifestDoc, namespace: string | undefined): unknown {
  if (namespace === undefined) return doc.object;
  const o = doc.object as { apiVersion?: unknown; kind?: unknown; metadata?: unknown } | null;
  if (typeof o !== 'object' || o === null || typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') {
    return doc.object;
  }
  let namespaced = true;
  try {
    namespaced = kindOfManifest(o.apiVersion, o.kind).scope === 'Namespaced';
  } catch {
    return doc.object; // the server reports the bad kind with its path
  }
  const meta = (typeof o.metadata === 'object' && o.metadata !== null ? o.metadata : {}) as Record<
    string,
    unknown
  >;
  if (!namespaced) return doc.object;
  if (meta.namespace !== undefined && meta.namespace !== namespace) {
    throw usageError(
      `${describeDoc(doc)}: the object's namespace "${String(meta.namespace)}" does not match --namespace ${namespace}`,
    );
  }
  return { ...o, metadata: { ...meta, namespace } };
}

/** Adds the file and document to every `[i]…` field path of an API error. */
function located(e: unknown, docs: readonly ManifestDoc[]): unknown {
  if (!(e instanceof FedgateError) || e.fields.length === 0) return e;
  const fields: FieldIssue[] = e.fields.map((f) => {
    const m = /^\[(\d+)\]\.?(.*)$/.exec(f.path);
    const doc = m ? docs[Number(m[1])] : undefined;
    if (!m || doc === undefined) return f;
    return { path: `${describeDoc(doc)}: ${m[2] || '.'}`, message: f.message };
  });
  const docsHit = new Set(e.fields.map((f) => /^\[(\d+)\]/.exec(f.path)?.[1]).filter(Boolean)).size;
  if (docsHit === 0) return e;
  return new FedgateError(
    e.code,
    `nothing applied: ${e.fields.length} problem${e.fields.length === 1 ? '' : 's'} in ${docsHit} document${docsHit === 1 ? '' : 's'}`,
    fields,
  );
}
