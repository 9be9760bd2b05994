/**
 * Every EC2 call goes through here: counted by Action (each attempt, as the API sees it), retried
 * on throttling and 5xx by withRetry (the SDK's own retries are off: maxAttempts 1 on the client,
 * so there is one retry layer with full jitter), errors translated, and cancellable.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { AdapterLogger } from '../cloud/registry.js';
import { withRetry } from '../cloud/retry.js';
import { translateEc2Error } from './translate-error.js';

/** Sends EC2 commands with counting, retries and error translation. */
export class Ec2Caller {
  readonly #counts: Record<string, number> = {};

  constructor(
    private readonly client: EC2Client,
    private readonly maxAttempts: number,
    private readonly logger?: AdapterLogger,
  ) {}

  /** Sends `command` (the Action is its class name without `Command`). */
  async send<O>(command: { readonly input: object }, signal?: AbortSignal): Promise<O> {
    const action = command.constructor.name.replace(/Command$/, '');
    return withRetry(
      async () => {
        signal?.throwIfAborted();
        this.#counts[action] = (this.#counts[action] ?? 0) + 1;
        try {
          return (await this.client.send(command as never, signal ? { abortSignal: signal } : {})) as O;
        } catch (err) {
          if (signal?.aborted) throw signal.reason;
          throw translateEc2Error(err, action);
        }
      },
      {
        maxAttempts: this.maxAttempts,
        ...(signal ? { signal } : {}),
        onRetry: ({ attempt, delayMs, error }) =>
          this.logger?.debug(
            {
              provider: 'aws',
              action,
              attempt,
              delayMs: Math.round(delayMs),
              code: error.code,
              providerCode: error.providerCode,
            },
            'retrying EC2 call',
          ),
      },
    );
  }

  /** Calls made so far by Action. */
  counts(): Readonly<Record<string, number>> {
    return { ...this.#counts };
  }
}
