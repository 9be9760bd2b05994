import type { Command } from 'commander';
import { isFedgateError } from '../../errors/fedgate-error.js';
import type { KubeObject } from '../../resources/kube-object.js';
import { FEDGATE_GROUP } from '../../resources/resource-type.js';
import type { ApiClient } from '../api-client.js';
import { renderDescribe } from '../output/describe.js';
import {
  addClientOptions,
  type ClientOptions,
  clientFor,
  kindAndNames,
  type NamespaceOptions,
  namespaceFor,
  out,
} from './common.js';

/** `fedgate describe KIND [NAME…]`. */
export function registerDescribe(program: Command): void {
  const cmd = program
    .command('describe')
    .description('Show objects in detail: metadata, spec, status, and for a template where it runs')
    .argument('<kind>', 'kind (or KIND/NAME)')
    .argument('[names...]', 'object names (default: every object of the kind)')
    .option('-n, --namespace <ns>', 'namespace of namespaced kinds (default: default)')
    .option('-l, --selector <selector>', 'label selector when no name is given')
    .action(
      async (
        kindArg: string,
        nameArgs: string[],
        opts: ClientOptions & NamespaceOptions & { selector?: string },
      ) => {
        const { kind, names } = kindAndNames([kindArg, ...nameArgs]);
        const client = await clientFor(opts);
        const ns = namespaceFor(kind, opts);
        const objects =
          names.length > 0
            ? await Promise.all(names.map((n) => client.get(kind.typeKey, ns, n)))
            : (
                await client.list(kind.typeKey, {
                  ...(ns === undefined ? {} : { namespace: ns }),
                  ...(opts.selector === undefined ? {} : { labelSelector: opts.selector }),
                })
              ).items;
        const parts: string[] = [];
        for (const o of objects) {
          const binding = kind.group === FEDGATE_GROUP ? undefined : await bindingOf(client, kind.typeKey, o);
          parts.push(renderDescribe(o, binding));
        }
        out(parts.join('\n\n'));
      },
    );
  addClientOptions(cmd);
}

/** The Binding of a template, or null when the scheduler has not made one. */
async function bindingOf(client: ApiClient, type: string, o: KubeObject): Promise<KubeObject | null> {
  try {
    return await client.explain(type, o.metadata.namespace, o.metadata.name);
  } catch (e) {
    if (isFedgateError(e, 'NotFound')) return null;
    throw e;
  }
}
