import type { Command } from 'commander';
import { isFedgateError } from '../../errors/fedgate-error.js';
import { CliError, EXIT, reportError, usageError } from '../errors.js';
import { kindOfManifest, type ResolvedKind } from '../kinds.js';
import { loadManifests } from '../manifests.js';
import {
  addClientOptions,
  type ClientOptions,
  clientFor,
  collect,
  kindAndNames,
  namespaceFor,
  out,
} from './common.js';

interface DeleteOptions extends ClientOptions {
  filename: string[];
  recursive?: boolean;
  namespace?: string;
  ignoreNotFound?: boolean;
  dryRun?: boolean;
}

interface Target {
  kind: ResolvedKind;
  namespace: string | undefined;
  name: string;
}

/** `fedgate delete KIND NAME…` or `delete -f FILE`. */
export function registerDelete(program: Command): void {
  const cmd = program
    .command('delete')
    .description(
      'Delete objects by kind and name, or those in files (deleting a template removes it from its clusters)',
    )
    .argument('[kind]', 'kind (or KIND/NAME)')
    .argument('[names...]', 'object names')
    .option(
      '-f, --filename <path>',
      'delete the objects in this file, directory or - (repeatable)',
      collect,
      [],
    )
    .option('-R, --recursive', 'descend into sub-directories of directories given with -f')
    .option('-n, --namespace <ns>', 'namespace of namespaced kinds (default: default)')
    .option('--ignore-not-found', 'treat objects that do not exist as deleted')
    .option('--dry-run', 'only show what would be deleted')
    .action(async (kindArg: string | undefined, nameArgs: string[], opts: DeleteOptions) => {
      const targets = await targetsOf(kindArg, nameArgs, opts);
      const client = await clientFor(opts);
      let failures = 0;
      for (const t of targets) {
        const label = `${t.kind.display} "${t.name}"`;
        try {
          if (opts.dryRun) await client.get(t.kind.typeKey, t.namespace, t.name);
          else await client.delete(t.kind.typeKey, t.namespace, t.name);
          out(`${label} deleted${opts.dryRun ? ' (dry run)' : ''}\n`);
        } catch (e) {
          if (isFedgateError(e, 'NotFound')) {
            if (opts.ignoreNotFound) continue;
            failures++;
            reportError(
              new CliError(
                EXIT.failed,
                `${label} not found${t.namespace ? ` in namespace ${t.namespace}` : ''}`,
              ),
            );
            continue;
          }
          throw e;
        }
      }
      if (failures > 0) throw new CliError(EXIT.failed, '');
    });
  addClientOptions(cmd);
}

async function targetsOf(
  kindArg: string | undefined,
  nameArgs: string[],
  opts: DeleteOptions,
): Promise<Target[]> {
  if (opts.filename.length > 0) {
    if (kindArg !== undefined) throw usageError('give either KIND NAME… or -f FILE, not both');
    const docs = await loadManifests(opts.filename, { recursive: opts.recursive ?? false });
    return docs.map((d) => {
      const o = d.object as {
        apiVersion?: unknown;
        kind?: unknown;
        metadata?: { name?: unknown; namespace?: unknown };
      };
      if (
        typeof o?.apiVersion !== 'string' ||
        typeof o.kind !== 'string' ||
        typeof o.metadata?.name !== 'string'
      ) {
        throw usageError(`${d.source}:${d.line}: a document without apiVersion, kind and metadata.name`);
      }
      const kind = kindOfManifest(o.apiVersion, o.kind);
      const ns =
        kind.scope === 'Cluster'
          ? undefined
          : typeof o.metadata.namespace === 'string'
            ? o.metadata.namespace
            : (opts.namespace ?? 'default');
      return { kind, namespace: ns, name: o.metadata.name };
    });
  }
  if (kindArg === undefined) throw usageError('give KIND NAME… or -f FILE');
  const { kind, names } = kindAndNames([kindArg, ...nameArgs]);
  if (names.length === 0) throw usageError(`give the names of the ${kind.plural} to delete`);
  return names.map((name) => ({ kind, namespace: namespaceFor(kind, opts), name }));
}
