import { type Command, Option } from 'commander';
import { isFedgateError } from '../../errors/fedgate-error.js';
import type { KubeObject } from '../../resources/kube-object.js';
import { usageError } from '../errors.js';
import { renderTable, toJson, toYaml } from '../output/format.js';
import { columnsFor } from '../output/tables.js';
import {
  addClientOptions,
  type ClientOptions,
  clientFor,
  err,
  kindAndNames,
  type NamespaceOptions,
  namespaceFor,
  out,
} from './common.js';

interface GetOptions extends ClientOptions, NamespaceOptions {
  selector?: string;
  output: 'table' | 'wide' | 'json' | 'yaml' | 'name';
  ignoreNotFound?: boolean;
  config?: boolean;
  format?: string;
}

/** `fedgate get KIND [NAME…]`. */
export function registerGet(program: Command): void {
  const cmd = program
    .command('get')
    .description('List objects of a kind, or show some by name')
    .argument(
      '<kind>',
      'kind: deployments, deploy, memberclusters, mc, deployments.apps, Widget.v1.example.com, or KIND/NAME',
    )
    .argument('[names...]', 'object names')
    .option('-n, --namespace <ns>', 'namespace of namespaced kinds (default: default)')
    .option('-A, --all-namespaces', 'list across all namespaces')
    .option('-l, --selector <selector>', 'label selector, e.g. app=web,tier!=db')
    .addOption(
      new Option('-o, --output <format>', 'output format')
        .choices(['table', 'wide', 'json', 'yaml', 'name'])
        .default('table'),
    )
    .option('--ignore-not-found', 'print nothing for objects that do not exist')
    .option(
      '--config',
      "peerings: print the on-prem end's VPN configuration (admins only: it holds the keys)",
    )
    .addOption(
      new Option(
        '--format <format>',
        'with --config: swanctl (strongSwan IPsec), wireguard (the site), wireguard-gateway (its end beside the cloud gateway)',
      )
        .choices(['swanctl', 'wireguard', 'wireguard-gateway'])
        .default('swanctl'),
    )
    .action(async (kindArg: string, nameArgs: string[], opts: GetOptions) => {
      const { kind, names } = kindAndNames([kindArg, ...nameArgs]);
      if (opts.allNamespaces && names.length > 0) {
        throw usageError('a name cannot be looked up across all namespaces: give -n NAMESPACE instead of -A');
      }
      if (!opts.config && opts.format !== undefined && opts.format !== 'swanctl')
        throw usageError('--format goes with --config: fedgate get peering NAME --config --format wireguard');
      const client = await clientFor(opts);
      if (opts.config) {
        if (kind.kind !== 'Peering' || names.length !== 1)
          throw usageError('--config needs one peering: fedgate get peering NAME --config');
        const answer = await client.call<{ config: string }>(
          'GET',
          `/api/v1/peerings/${encodeURIComponent(names[0]!)}/config?format=${encodeURIComponent(opts.format ?? 'swanctl')}`,
        );
        out(answer.config);
        return;
      }
      let items: KubeObject[];
      let single = false;
      if (names.length > 0) {
        const ns = namespaceFor(kind, opts);
        items = [];
        for (const name of names) {
          try {
            items.push(await client.get(kind.typeKey, ns, name));
          } catch (e) {
            if (!(opts.ignoreNotFound && isFedgateError(e, 'NotFound'))) throw e;
          }
        }
        single = names.length === 1 && items.length === 1;
      } else {
        const ns = opts.allNamespaces ? undefined : namespaceFor(kind, opts);
        const list = await client.list(kind.typeKey, {
          ...(ns === undefined ? {} : { namespace: ns }),
          ...(opts.selector === undefined ? {} : { labelSelector: opts.selector }),
        });
        items = list.items;
      }
      switch (opts.output) {
        case 'json':
        case 'yaml': {
          const doc = single ? items[0] : { apiVersion: 'v1', kind: 'List', metadata: {}, items };
          out(opts.output === 'json' ? toJson(doc) : toYaml(doc));
          return;
        }
        case 'name':
          for (const o of items) out(`${kind.display}/${o.metadata.name}\n`);
          return;
        default:
          if (items.length === 0) {
            if (names.length > 0) return;
            const where =
              kind.scope === 'Namespaced' && !opts.allNamespaces
                ? ` in ${namespaceFor(kind, opts)} namespace`
                : '';
            err(`No ${kind.plural} found${where}.\n`);
            return;
          }
          out(renderTable(columnsFor(kind, opts.output === 'wide'), items));
      }
    });
  addClientOptions(cmd);
}
