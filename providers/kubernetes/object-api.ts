import * as k8s from '@kubernetes/client-node';

/**
 * client-node's generic object API, with one change: when discovery does not list a kind (a
 * group served without discovery, or a kind the cluster has not advertised yet), it falls back to
 * the conventional lowercase plural instead of refusing. A cluster that truly lacks the kind then
 * answers 404, which is the honest error.
 */
export class ObjectApi extends k8s.KubernetesObjectApi {
  /** Builds one for a KubeConfig (the base class' factory returns the base type). */
  static forConfig(kc: k8s.KubeConfig): ObjectApi {
    const api = kc.makeApiClient(ObjectApi);
    api.setDefaultNamespace(kc);
    return api;
  }

  /** Whether objects of this kind are namespaced, from discovery (guessing namespaced when unknown). */
  async isNamespaced(apiVersion: string, kind: string): Promise<boolean> {
    const r = await this.resource(apiVersion, kind);
    return r?.namespaced ?? true;
  }

  protected override async resource(
    apiVersion: string,
    kind: string,
    options?: k8s.Configuration,
  ): Promise<k8s.V1APIResource | undefined> {
    try {
      const found = await super.resource(apiVersion, kind, options);
      if (found) return found;
    } catch (err) {
      if (!(err instanceof k8s.ApiException) || err.code !== 404) throw err;
    }
    return { name: pluralOf(kind), kind, namespaced: true, singularName: kind.toLowerCase(), verbs: [] };
  }
}

/** The conventional plural resource name of a kind (`Policy` → `policies`, `Ingress` → `ingresses`). */
export function pluralOf(kind: string): string {
  const k = kind.toLowerCase();
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(k)) return `${k}es`;
  return `${k}s`;
}
