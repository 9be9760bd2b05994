/** Why a peering plan could not be made: bad input, or clashing ranges when overlaps are refused. */
export class PeeringPlanError extends Error {
  override readonly name = 'PeeringPlanError';

  constructor(
    /** `Invalid` for malformed input (with the field path in the message), `Overlap` for clashing ranges. */
    readonly code: 'Invalid' | 'Overlap',
    message: string,
  ) {
    super(message);
  }
}
