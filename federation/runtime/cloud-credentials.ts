import { CloudAdapters, type CloudAdaptersProps, type CredentialLookup } from '../cloud/cloud-adapters.js';
import { type CloudCredentialSpec, cloudCredentialSpecSchema } from '../resources/cloud-credential.js';
import { CLOUD_CREDENTIAL_TYPE } from '../resources/kinds.js';
import type { ResourceStore } from '../store/resource-store.js';
import { builtinCloudProviders } from './cloud-providers.js';

/**
 * Reads CloudCredentials from the store (opened with the operator's key by the store's codec). A
 * stored spec that no longer validates is treated as absent, so the cluster's condition names the
 * credential instead of an adapter failing on a half credential.
 */
export function storedCredentials(store: ResourceStore): CredentialLookup {
  return async (name): Promise<CloudCredentialSpec | undefined> => {
    const obj = await store.get({ type: CLOUD_CREDENTIAL_TYPE, namespace: '', name });
    const parsed = cloudCredentialSpecSchema.safeParse(obj?.spec);
    return parsed.success ? parsed.data : undefined;
  };
}

/** Settings of a worker's cloud adapters. */
export type WorkerCloudProps = Omit<CloudAdaptersProps, 'registry' | 'credentials'>;

/**
 * The cloud adapters of a worker, given the worker's store: credentials come from the cluster's
 * CloudCredential, else from each SDK's standard chain (AWS default provider chain, Google ADC,
 * DefaultAzureCredential).
 */
export function workerCloudAdapters(props: WorkerCloudProps = {}): (store: ResourceStore) => CloudAdapters {
  return (store) =>
    new CloudAdapters({ ...props, registry: builtinCloudProviders(), credentials: storedCredentials(store) });
}
