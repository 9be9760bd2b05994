/** The on-prem adapter (site-file inventory) and its VPN endpoint configuration. */
export { createOnpremAdapter } from './onprem-adapter.js';
export { parseSiteFile, type SiteFile } from './site-file.js';
export { swanctlConf, wireguardConf } from './vpn-config.js';
