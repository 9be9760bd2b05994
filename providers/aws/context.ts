/** What every part of the AWS adapter shares: the caller, the scope, and how to poll. */
import type { WaitOptions } from '../cloud/adapter.js';
import type { PollOptions } from '../cloud/poll.js';
import type { CloudScope } from '../cloud/types.js';
import type { Ec2Caller } from './ec2-caller.js';

/** Shared parts of one AWS adapter. */
export interface AwsContext {
  readonly ec2: Ec2Caller;
  readonly scope: CloudScope;
  /** First poll interval, ms. */
  readonly pollIntervalMs: number;
}

/** Poll options for waiting on `what`, from the caller's wait options. */
export function pollOptions(ctx: AwsContext, what: string, opts: WaitOptions): PollOptions {
  return {
    what,
    intervalMs: ctx.pollIntervalMs,
    maxIntervalMs: Math.max(ctx.pollIntervalMs, Math.min(15_000, ctx.pollIntervalMs * 8)),
    ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  };
}

/** Runs `call`, treating EC2's NotFound as done (deletes of what is already gone succeed). */
export async function ignoreNotFound(call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'NotFound') throw err;
  }
}
