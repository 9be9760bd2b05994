/*
 * Round-trip times in ms between regions, as `provider:region` pairs. Symmetric: list each pair
 * once, in either order. Values are medians (p50) of VM-to-VM pings over the provider backbone,
 * rounded to whole ms; the model falls back to a distance-based estimate for pairs not listed
 * (see `estimateRttMs` in cost-model.ts, calibrated against this table by a test).
 * Provenance is given per group. "Typical" groups are values consistent with the named public
 * matrix but NOT transcribed cell by cell in this session (the stored copies were truncated):
 * treat them as +-15% and refresh them from the live pages.
 */

/** One measured or sourced round trip: [a, b, ms] with a and b as `provider:region`. */
export type RttEntry = readonly [a: string, b: string, ms: number];

// Measured: "Average of 10 pings from EC2 instance in the from region to the EC2 endpoint in the
// to region", https://gist.github.com/caius/21eca095ba281393f0616e2325410278 (both directions
// averaged), read 2025-06.
const AWS_MEASURED: readonly RttEntry[] = [
  ['aws:ca-central-1', 'aws:us-east-1', 14],
  ['aws:us-east-1', 'aws:us-west-2', 71],
  ['aws:us-east-1', 'aws:eu-west-1', 67],
  ['aws:ca-central-1', 'aws:eu-west-1', 69],
  ['aws:ca-central-1', 'aws:us-west-2', 75],
  ['aws:ca-central-1', 'aws:eu-west-2', 78],
];

// Typical AWS inter-region p50, consistent with https://www.cloudping.co/ (AWS Region Latency
// Matrix, p50 over 1 day), as of 2025-06.
const AWS_TYPICAL: readonly RttEntry[] = [
  ['aws:us-east-1', 'aws:us-east-2', 12],
  ['aws:us-east-1', 'aws:eu-west-2', 76],
  ['aws:us-east-1', 'aws:eu-central-1', 90],
  ['aws:us-east-1', 'aws:eu-north-1', 112],
  ['aws:us-east-1', 'aws:ap-southeast-1', 214],
  ['aws:us-east-1', 'aws:ap-southeast-2', 198],
  ['aws:us-east-1', 'aws:ap-northeast-1', 148],
  ['aws:us-east-1', 'aws:ap-south-1', 187],
  ['aws:us-east-1', 'aws:sa-east-1', 115],
  ['aws:us-east-2', 'aws:us-west-2', 50],
  ['aws:us-east-2', 'aws:ca-central-1', 26],
  ['aws:us-east-2', 'aws:eu-west-1', 80],
  ['aws:us-east-2', 'aws:eu-west-2', 86],
  ['aws:us-east-2', 'aws:eu-central-1', 98],
  ['aws:us-east-2', 'aws:ap-northeast-1', 132],
  ['aws:us-east-2', 'aws:sa-east-1', 125],
  ['aws:us-west-2', 'aws:eu-west-1', 125],
  ['aws:us-west-2', 'aws:eu-central-1', 145],
  ['aws:us-west-2', 'aws:ap-northeast-1', 97],
  ['aws:us-west-2', 'aws:ap-southeast-1', 165],
  ['aws:us-west-2', 'aws:ap-southeast-2', 140],
  ['aws:us-west-2', 'aws:ap-south-1', 220],
  ['aws:us-west-2', 'aws:sa-east-1', 175],
  ['aws:ca-central-1', 'aws:eu-central-1', 92],
  ['aws:eu-west-1', 'aws:eu-west-2', 12],
  ['aws:eu-west-1', 'aws:eu-central-1', 25],
  ['aws:eu-west-1', 'aws:eu-north-1', 40],
  ['aws:eu-west-1', 'aws:ap-southeast-1', 175],
  ['aws:eu-west-1', 'aws:ap-south-1', 122],
  ['aws:eu-west-1', 'aws:ap-northeast-1', 210],
  ['aws:eu-west-1', 'aws:sa-east-1', 180],
  ['aws:eu-west-2', 'aws:eu-central-1', 15],
  ['aws:eu-west-2', 'aws:eu-north-1', 33],
  ['aws:eu-central-1', 'aws:eu-north-1', 23],
  ['aws:eu-central-1', 'aws:ap-south-1', 112],
  ['aws:eu-central-1', 'aws:ap-southeast-1', 160],
  ['aws:eu-central-1', 'aws:ap-northeast-1', 225],
  ['aws:eu-central-1', 'aws:sa-east-1', 203],
  ['aws:ap-southeast-1', 'aws:ap-northeast-1', 70],
  ['aws:ap-southeast-1', 'aws:ap-south-1', 58],
  ['aws:ap-southeast-1', 'aws:ap-southeast-2', 92],
  ['aws:ap-northeast-1', 'aws:ap-south-1', 125],
  ['aws:ap-northeast-1', 'aws:ap-southeast-2', 105],
  ['aws:ap-northeast-1', 'aws:sa-east-1', 255],
  ['aws:ap-south-1', 'aws:sa-east-1', 300],
];

// Typical GCP inter-region p50, consistent with Network Intelligence Center's Performance Dashboard
// (https://cloud.google.com/network-intelligence-center/docs/performance-dashboard/concepts/overview)
// and the AWS/GCP heat-maps of https://medium.com/@sachinkagarwal/public-cloud-inter-region-network-latency-as-heat-maps-134e22a5ff19 (2018).
const GCP_TYPICAL: readonly RttEntry[] = [
  ['gcp:us-central1', 'gcp:us-east1', 30],
  ['gcp:us-central1', 'gcp:us-west1', 35],
  ['gcp:us-east1', 'gcp:us-west1', 65],
  ['gcp:us-central1', 'gcp:europe-west1', 100],
  ['gcp:us-east1', 'gcp:europe-west1', 90],
  ['gcp:us-east1', 'gcp:europe-west2', 85],
  ['gcp:europe-west1', 'gcp:europe-west2', 7],
  ['gcp:europe-west1', 'gcp:europe-west3', 9],
  ['gcp:europe-west1', 'gcp:europe-west4', 7],
  ['gcp:europe-west2', 'gcp:europe-west3', 15],
  ['gcp:europe-west2', 'gcp:europe-west4', 12],
  ['gcp:europe-west3', 'gcp:europe-west4', 8],
  ['gcp:us-central1', 'gcp:asia-northeast1', 135],
  ['gcp:us-west1', 'gcp:asia-northeast1', 90],
  ['gcp:asia-northeast1', 'gcp:asia-southeast1', 70],
  ['gcp:asia-southeast1', 'gcp:australia-southeast1', 92],
  ['gcp:us-west1', 'gcp:australia-southeast1', 140],
  ['gcp:us-east1', 'gcp:southamerica-east1', 115],
  ['gcp:europe-west1', 'gcp:asia-southeast1', 160],
];

// Typical Azure inter-region p50, consistent with "Azure network round-trip latency statistics"
// (https://learn.microsoft.com/azure/networking/azure-network-latency, monthly P50), as of 2025-06.
const AZURE_TYPICAL: readonly RttEntry[] = [
  ['azure:eastus', 'azure:eastus2', 7],
  ['azure:eastus', 'azure:centralus', 30],
  ['azure:eastus', 'azure:westus2', 67],
  ['azure:centralus', 'azure:westus2', 40],
  ['azure:eastus', 'azure:westeurope', 82],
  ['azure:eastus', 'azure:northeurope', 70],
  ['azure:eastus', 'azure:uksouth', 75],
  ['azure:westeurope', 'azure:northeurope', 18],
  ['azure:westeurope', 'azure:uksouth', 10],
  ['azure:westeurope', 'azure:germanywestcentral', 9],
  ['azure:westeurope', 'azure:swedencentral', 22],
  ['azure:northeurope', 'azure:uksouth', 12],
  ['azure:uksouth', 'azure:germanywestcentral', 16],
  ['azure:germanywestcentral', 'azure:swedencentral', 20],
  ['azure:southeastasia', 'azure:japaneast', 70],
  ['azure:southeastasia', 'azure:australiaeast', 92],
  ['azure:japaneast', 'azure:australiaeast', 105],
  ['azure:eastus', 'azure:brazilsouth', 118],
  ['azure:westeurope', 'azure:southeastasia', 155],
  ['azure:westus2', 'azure:japaneast', 100],
];

// Cross-provider pairs in one metro: ESTIMATE. Providers interconnect at the metro's exchanges;
// "traffic within a cloud provider's region is lower latency (< 1ms) than cross-cloud traffic
// (1-10ms), even if the providers are geographically close" (https://turbopuffer.com/docs/regions,
// 2025-06). 2 ms where both sit in one metro; 3-5 ms where the campuses are 100-250 km apart.
const SAME_METRO: readonly RttEntry[] = [
  ['aws:eu-west-1', 'azure:northeurope', 2],
  ['aws:eu-central-1', 'gcp:europe-west3', 2],
  ['aws:eu-central-1', 'azure:germanywestcentral', 2],
  ['gcp:europe-west3', 'azure:germanywestcentral', 2],
  ['aws:eu-west-2', 'gcp:europe-west2', 2],
  ['aws:eu-west-2', 'azure:uksouth', 2],
  ['gcp:europe-west2', 'azure:uksouth', 2],
  ['aws:ap-northeast-1', 'gcp:asia-northeast1', 2],
  ['aws:ap-northeast-1', 'azure:japaneast', 2],
  ['gcp:asia-northeast1', 'azure:japaneast', 2],
  ['aws:ap-southeast-1', 'gcp:asia-southeast1', 2],
  ['aws:ap-southeast-1', 'azure:southeastasia', 2],
  ['gcp:asia-southeast1', 'azure:southeastasia', 2],
  ['aws:ap-southeast-2', 'gcp:australia-southeast1', 2],
  ['aws:ap-southeast-2', 'azure:australiaeast', 2],
  ['gcp:australia-southeast1', 'azure:australiaeast', 2],
  ['aws:sa-east-1', 'gcp:southamerica-east1', 2],
  ['aws:sa-east-1', 'azure:brazilsouth', 4],
  ['gcp:southamerica-east1', 'azure:brazilsouth', 4],
  ['aws:us-east-1', 'azure:eastus', 4],
  ['aws:us-east-1', 'azure:eastus2', 4],
  ['gcp:us-central1', 'azure:centralus', 4],
  ['aws:us-west-2', 'gcp:us-west1', 3],
  ['aws:eu-north-1', 'azure:swedencentral', 4],
  ['gcp:europe-west4', 'azure:westeurope', 4],
  ['onprem:onprem-fra', 'aws:eu-central-1', 2],
  ['onprem:onprem-fra', 'gcp:europe-west3', 2],
  ['onprem:onprem-fra', 'azure:germanywestcentral', 2],
  ['onprem:onprem-ams', 'azure:westeurope', 2],
  ['onprem:onprem-nyc', 'aws:us-east-1', 8],
];

/** Built-in RTT table. */
export const RTT_TABLE: readonly RttEntry[] = [
  ...AWS_MEASURED,
  ...AWS_TYPICAL,
  ...GCP_TYPICAL,
  ...AZURE_TYPICAL,
  ...SAME_METRO,
];
