/** The GCP (Compute Engine) cloud adapter. */
export { createGcpAdapter, endpointOptions } from './adapter.js';
export { operationError, translateGcpError } from './translate-error.js';
