/** The Azure cloud adapter (arm-network + arm-compute). */
export { createAzureAdapter } from './adapter.js';
export { FixedTokenCredential } from './clients.js';
export { toCloudNetwork } from './inventory.js';
export { toCloudSnapshot } from './storage.js';
