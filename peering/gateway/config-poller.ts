import { EMPTY_CONFIG, type GatewayConfig } from './config.js';

/** Where a gateway's configuration comes from (the control plane's API, in production). */
export interface ConfigSource {
  /** The current configuration; throws when the control plane cannot be read. */
  load(): Promise<GatewayConfig>;
}

/**
 * Polls the control plane and swaps the configuration in one step when its version changes. A
 * failed read keeps the last good configuration (the gateway goes on serving), and the next poll
 * after the control plane is back picks up whatever changed meanwhile.
 */
export class ConfigPoller {
  private config: GatewayConfig = EMPTY_CONFIG;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Whether the last poll reached the control plane. */
  connected = false;

  constructor(
    private readonly source: ConfigSource,
    private readonly intervalMs: number,
    private readonly events: { applied?: (c: GatewayConfig) => void; failed?: (err: unknown) => void } = {},
  ) {}

  /** The configuration in force. */
  current(): GatewayConfig {
    return this.config;
  }

  /** Loads once (best effort: a control plane down at start leaves the empty config) and keeps polling. */
  async start(): Promise<void> {
    await this.poll();
    this.schedule();
  }

  /** Polls now. */
  async poll(): Promise<void> {
    try {
      const next = await this.source.load();
      this.connected = true;
      if (next.version !== this.config.version) {
        this.config = next;
        this.events.applied?.(next);
      }
    } catch (err) {
      this.connected = false;
      this.events.failed?.(err);
    }
  }

  /** Stops polling. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.poll().finally(() => this.schedule()), this.intervalMs);
    this.timer.unref();
  }
}
