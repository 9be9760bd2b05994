/** The AWS (EC2) cloud adapter. */
export { createAwsAdapter } from './aws-adapter.js';
export { codeForEc2Error, translateEc2Error } from './translate-error.js';
