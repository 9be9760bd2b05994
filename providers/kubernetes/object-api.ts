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

  /**
   * Server-side apply with the object sent exactly as given. client-node's `patch` serializes the
   * body through its typed models, which drops fields they do not know and misses renamed ones (a
   * NetworkPolicy's `from`): the applied object would silently lose them.
   */
  async serverSideApply(
    obj: k8s.KubernetesObject,
    opts: { fieldManager: string; force: boolean; dryRun?: boolean },
  ): Promise<k8s.KubernetesObject> {
    const path = await this.specUriPath(obj, 'patch');
    const ctx = this.configuration.baseServer.makeRequestContext(path, k8s.HttpMethod.PATCH);
    ctx.setHeaderParam('Accept', 'application/json, */*;q=0.8');
    ctx.setHeaderParam('Content-Type', k8s.PatchStrategy.ServerSideApply);
    ctx.setQueryParam('fieldManager', opts.fieldManager);
    ctx.setQueryParam('force', String(opts.force));
    if (opts.dryRun) ctx.setQueryParam('dryRun', 'All');
    ctx.setBody(JSON.stringify(obj));
    return this.requestPromise(ctx);
  }

  /** Whether objects of this kind are namespaced, from discovery (guessing namespaced when unknown). */
  async isNamespaced(apiVersion: string, kind: string): Promise<boolean> {
    const r = await this.resource(apiVersion, kind);
    return r?.namespaced ?? true;
  }

  /**
   * Object reads, lists and applies are returned as the server sent them (wire JSON), not as
   * client-node's typed models: those drop fields the models do not know (newer API fields) and
   * rename others (a NetworkPolicy's `from` becomes `_from`), which would make a placed object look
   * changed to drift detection. Typed requests (discovery) are deserialized as before.
   */
  protected override async processResponse<T extends k8s.KubernetesObject>(
    response: k8s.ResponseContext,
    type?: string,
  ): Promise<T> {
    const ok = response.httpStatusCode >= 200 && response.httpStatusCode <= 299;
    if (type !== undefined || !ok) return super.processResponse<T>(response, type);
    return JSON.parse(await response.body.text()) as T;
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
