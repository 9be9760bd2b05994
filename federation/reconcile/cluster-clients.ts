import type { MemberClusterClient } from '../../providers/member-cluster-client.js';
import type { MemberClusterObject } from './cluster-snapshot.js';

/** Builds the client for a member cluster (the Kubernetes adapter in production). */
export type ClusterClientFactory = (cluster: MemberClusterObject) => MemberClusterClient;

/**
 * One client per member cluster, rebuilt when the cluster's provider or connection changes, so
 * discovery caches and keep-alive connections are shared by every job of a worker (the client
 * refreshes its own credentials). A factory that cannot connect throws a ProviderError.
 */
export class ClusterClients {
  private readonly clients = new Map<string, { fingerprint: string; client: MemberClusterClient }>();

  constructor(private readonly factory: ClusterClientFactory) {}

  /** The client for a cluster. */
  get(cluster: MemberClusterObject): MemberClusterClient {
    const fingerprint = JSON.stringify([cluster.spec.provider, cluster.spec.connection]);
    const cached = this.clients.get(cluster.metadata.name);
    if (cached?.fingerprint === fingerprint) return cached.client;
    const client = this.factory(cluster);
    this.clients.set(cluster.metadata.name, { fingerprint, client });
    return client;
  }
}
