import type { Continent, Provider, RegionInfo } from '../types.js';

/*
 * Regions fedgate knows. Coordinates are city-level (the metro the provider names for the region,
 * or the published data-centre town where the provider names one); RTT estimates need no better.
 * Sources, as of 2025-06:
 *   AWS   https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html
 *   GCP   https://cloud.google.com/compute/docs/regions-zones (towns: https://www.google.com/about/datacenters/locations/)
 *   Azure https://learn.microsoft.com/azure/reliability/regions-list (az account list-locations gives lat/lon)
 * Jurisdiction is the legal area that matters for data residency: 'EU' for EU member states,
 * otherwise the country ('UK' after Brexit, 'CH', 'US', ...).
 */

type Row = readonly [
  name: string,
  displayName: string,
  lat: number,
  lon: number,
  continent: Continent,
  country: string,
];

const EU_COUNTRIES = new Set(['IE', 'DE', 'NL', 'BE', 'SE', 'FR', 'IT', 'ES', 'FI', 'PL', 'AT', 'DK']);

function jurisdictionOf(country: string): string {
  if (EU_COUNTRIES.has(country)) return 'EU';
  return country === 'GB' ? 'UK' : country;
}

function build(provider: Provider, rows: readonly Row[]): RegionInfo[] {
  return rows.map(([name, displayName, lat, lon, continent, country]) => ({
    provider,
    name,
    displayName,
    location: { lat, lon },
    continent,
    jurisdiction: jurisdictionOf(country),
    country,
  }));
}

const AWS: readonly Row[] = [
  ['us-east-1', 'N. Virginia (Ashburn), US', 39.04, -77.49, 'north-america', 'US'],
  ['us-east-2', 'Ohio (Columbus), US', 39.96, -83.0, 'north-america', 'US'],
  ['us-west-2', 'Oregon (Boardman), US', 45.84, -119.7, 'north-america', 'US'],
  ['ca-central-1', 'Montréal, CA', 45.5, -73.57, 'north-america', 'CA'],
  ['eu-west-1', 'Dublin, IE', 53.35, -6.26, 'europe', 'IE'],
  ['eu-west-2', 'London, GB', 51.51, -0.13, 'europe', 'GB'],
  ['eu-central-1', 'Frankfurt, DE', 50.11, 8.68, 'europe', 'DE'],
  ['eu-north-1', 'Stockholm, SE', 59.33, 18.07, 'europe', 'SE'],
  ['ap-southeast-1', 'Singapore, SG', 1.35, 103.82, 'asia', 'SG'],
  ['ap-southeast-2', 'Sydney, AU', -33.87, 151.21, 'oceania', 'AU'],
  ['ap-northeast-1', 'Tokyo, JP', 35.68, 139.69, 'asia', 'JP'],
  ['ap-south-1', 'Mumbai, IN', 19.08, 72.88, 'asia', 'IN'],
  ['sa-east-1', 'São Paulo, BR', -23.55, -46.63, 'south-america', 'BR'],
];

const GCP: readonly Row[] = [
  ['us-central1', 'Council Bluffs, Iowa, US', 41.26, -95.86, 'north-america', 'US'],
  ['us-east1', 'Moncks Corner, South Carolina, US', 33.2, -80.01, 'north-america', 'US'],
  ['us-west1', 'The Dalles, Oregon, US', 45.6, -121.18, 'north-america', 'US'],
  ['europe-west1', 'St. Ghislain, BE', 50.47, 3.82, 'europe', 'BE'],
  ['europe-west2', 'London, GB', 51.51, -0.13, 'europe', 'GB'],
  ['europe-west3', 'Frankfurt, DE', 50.11, 8.68, 'europe', 'DE'],
  ['europe-west4', 'Eemshaven, NL', 53.44, 6.83, 'europe', 'NL'],
  ['asia-southeast1', 'Jurong West, SG', 1.34, 103.71, 'asia', 'SG'],
  ['asia-northeast1', 'Tokyo, JP', 35.68, 139.69, 'asia', 'JP'],
  ['australia-southeast1', 'Sydney, AU', -33.87, 151.21, 'oceania', 'AU'],
  ['southamerica-east1', 'Osasco (São Paulo), BR', -23.53, -46.79, 'south-america', 'BR'],
];

const AZURE: readonly Row[] = [
  ['eastus', 'Virginia (Boydton), US', 36.67, -78.39, 'north-america', 'US'],
  ['eastus2', 'Virginia (Boydton), US', 36.67, -78.39, 'north-america', 'US'],
  ['westus2', 'Washington (Quincy), US', 47.23, -119.85, 'north-america', 'US'],
  ['centralus', 'Iowa (Des Moines), US', 41.59, -93.62, 'north-america', 'US'],
  ['westeurope', 'Amsterdam, NL', 52.37, 4.9, 'europe', 'NL'],
  ['northeurope', 'Dublin, IE', 53.35, -6.26, 'europe', 'IE'],
  ['uksouth', 'London, GB', 51.51, -0.13, 'europe', 'GB'],
  ['germanywestcentral', 'Frankfurt, DE', 50.11, 8.68, 'europe', 'DE'],
  ['swedencentral', 'Gävle, SE', 60.67, 17.14, 'europe', 'SE'],
  ['southeastasia', 'Singapore, SG', 1.28, 103.83, 'asia', 'SG'],
  ['japaneast', 'Tokyo (Saitama), JP', 35.68, 139.77, 'asia', 'JP'],
  ['australiaeast', 'Sydney, AU', -33.86, 151.21, 'oceania', 'AU'],
  ['brazilsouth', 'São Paulo State (Campinas), BR', -22.9, -47.06, 'south-america', 'BR'],
];

// Example on-prem sites: users register their own through MemberCluster overrides (location).
const ONPREM: readonly Row[] = [
  ['onprem-fra', 'On-prem Frankfurt, DE', 50.11, 8.68, 'europe', 'DE'],
  ['onprem-ams', 'On-prem Amsterdam, NL', 52.37, 4.9, 'europe', 'NL'],
  ['onprem-zrh', 'On-prem Zürich, CH', 47.37, 8.54, 'europe', 'CH'],
  ['onprem-nyc', 'On-prem New York, US', 40.71, -74.01, 'north-america', 'US'],
];

/** Built-in region catalogue. */
export const REGIONS: readonly RegionInfo[] = [
  ...build('aws', AWS),
  ...build('gcp', GCP),
  ...build('azure', AZURE),
  ...build('onprem', ONPREM),
];
