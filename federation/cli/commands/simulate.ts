import { type Command, Option } from 'commander';
import { FedgateError, type FieldIssue } from '../../errors/fedgate-error.js';
import type { SimulateRequest } from '../api-client.js';
import { usageError } from '../errors.js';
import { describeDoc, loadManifests, type ManifestDoc } from '../manifests.js';
import { toJson, toYaml } from '../output/format.js';
import { renderSimulation } from '../output/simulate.js';
import { addClientOptions, type ClientOptions, clientFor, collect, out } from './common.js';

interface SimulateOptions extends ClientOptions {
  filename: string[];
  fleet: string[];
  templates: string[];
  removePolicy: string[];
  recursive?: boolean;
  all?: boolean;
  output: string;
}

/** The request fields the documents of each option go to. */
type Field = 'policies' | 'fleet' | 'templates';

/** `fedgate simulate -f policies.yaml [--fleet fleet.yaml] [--templates DIR]`. */
export function registerSimulate(program: Command): void {
  const cmd = program
    .command('simulate')
    .description(
      'What-if: compute where every template would run under proposed policies (and optionally another fleet or other templates), and show replicas moved, monthly cost before and after, violated constraints and unschedulable templates. Applies nothing.',
    )
    .option(
      '-f, --filename <path>',
      'PlacementPolicy file, directory or - (stdin); each replaces the stored policy of the same name or is added; repeatable',
      collect,
      [],
    )
    .option(
      '--fleet <path>',
      'MemberCluster objects that replace the whole fleet (status.allocatable/available/conditions optional); repeatable',
      collect,
      [],
    )
    .option(
      '--templates <path>',
      'workload manifests that replace stored templates of the same kind/namespace/name or are added; repeatable',
      collect,
      [],
    )
    .option('--remove-policy <name>', 'simulate deleting a stored PlacementPolicy; repeatable', collect, [])
    .option('-R, --recursive', 'descend into sub-directories of directories')
    .option('--all', 'list unchanged templates too')
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'yaml']).default('text'),
    )
    .action(async (opts: SimulateOptions) => {
      if (opts.filename.length + opts.fleet.length + opts.templates.length + opts.removePolicy.length === 0) {
        throw usageError(
          'give what to simulate: -f POLICIES, --fleet FILE, --templates DIR or --remove-policy NAME',
        );
      }
      const load = async (paths: string[]) =>
        paths.length === 0 ? [] : loadManifests(paths, { recursive: opts.recursive ?? false });
      const docs: Record<Field, ManifestDoc[]> = {
        policies: await load(opts.filename),
        fleet: await load(opts.fleet),
        templates: await load(opts.templates),
      };
      if (opts.fleet.length > 0 && docs.fleet.length === 0) {
        throw usageError(
          `no MemberCluster objects found in ${opts.fleet.join(', ')}: an empty fleet cannot be simulated`,
        );
      }
      const request: SimulateRequest = {
        policies: docs.policies.map((d) => d.object),
        ...(opts.removePolicy.length > 0 ? { removePolicies: opts.removePolicy } : {}),
        ...(opts.fleet.length > 0 ? { fleet: docs.fleet.map((d) => d.object) } : {}),
        ...(opts.templates.length > 0 ? { templates: docs.templates.map((d) => d.object) } : {}),
        // Machine-readable output carries each template's explanation; the text report does not use it.
        ...(opts.output === 'text' ? {} : { explain: true }),
      };
      const client = await clientFor(opts);
      let result: Awaited<ReturnType<typeof client.simulate>>;
      try {
        result = await client.simulate(request);
      } catch (e) {
        throw located(e, docs);
      }
      if (opts.output === 'json') out(toJson(result));
      else if (opts.output === 'yaml') out(toYaml(result));
      else out(renderSimulation(result, { all: opts.all ?? false }));
    });
  addClientOptions(cmd);
}

/** Turns the server's `policies[2].spec.x` paths into `file:line (PlacementPolicy name): spec.x`. */
function located(e: unknown, docs: Record<Field, ManifestDoc[]>): unknown {
  if (!(e instanceof FedgateError) || e.fields.length === 0) return e;
  let hit = false;
  const fields: FieldIssue[] = e.fields.map((f) => {
    const m = /^(policies|fleet|templates)\[(\d+)\]\.?(.*)$/.exec(f.path);
    const doc = m ? docs[m[1] as Field][Number(m[2])] : undefined;
    if (!m || doc === undefined) return f;
    hit = true;
    return { path: `${describeDoc(doc)}: ${m[3] || '.'}`, message: f.message };
  });
  if (!hit) return e;
  const n = e.fields.length;
  return new FedgateError(
    e.code,
    `nothing simulated: ${n} problem${n === 1 ? '' : 's'} in the input`,
    fields,
  );
}
