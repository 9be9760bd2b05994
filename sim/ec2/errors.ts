/** An EC2 API error: the code and message EC2 answers with, and its HTTP status. */
export class Ec2Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** `<Kind>.NotFound` as EC2 words it: "The vpc ID 'vpc-1' does not exist". */
export function notFound(code: string, what: string, id: string): Ec2Error {
  return new Ec2Error(code, `The ${what} ID '${id}' does not exist`);
}

/** A required parameter is missing. */
export function missingParameter(name: string): Ec2Error {
  return new Ec2Error('MissingParameter', `The request must contain the parameter ${name}`);
}

/** A parameter value is not acceptable. */
export function invalidValue(name: string, value: string, why = ''): Ec2Error {
  return new Ec2Error(
    'InvalidParameterValue',
    `Value (${value}) for parameter ${name} is invalid.${why ? ` ${why}` : ''}`,
  );
}
