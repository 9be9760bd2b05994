import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';

/** Where a gateway child listens, as it says over IPC once started. */
export interface ChildGatewayUrls {
  readonly peerUrl: string;
  readonly appUrl: string;
}

/** Settings of one supervised `fedgate gateway` child. */
export interface GatewayChildProps {
  readonly cluster: string;
  /** The command line after the node binary (the fedgate entry, then `gateway --cluster …`). */
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** The log its lines are forwarded to (JSON lines re-logged at their level, tagged with the gateway). */
  readonly log: Logger;
  /** Told when the child starts listening (again, after a restart) or dies. */
  readonly onEvent?: (
    e: { type: 'listening'; urls: ChildGatewayUrls } | { type: 'exited'; why: string; restartInMs: number },
  ) => void;
}

const LEVELS: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/**
 * One `fedgate gateway --cluster NAME` child process, kept running: its log lines are forwarded,
 * it is restarted with backoff (0.5 s doubling up to 30 s; reset after a minute up) when it dies,
 * and stopped with SIGTERM (SIGKILL after 5 s) by `stop`. It runs in a process group of its own,
 * so a terminal's Ctrl-C reaches only its supervisor, which stops it in order; and it holds an IPC
 * channel to the supervisor and exits when that closes, so even a supervisor killed with SIGKILL
 * leaves no gateway behind.
 */
export class GatewayChild {
  private child: ChildProcess | undefined;
  private stopping = false;
  private failures = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly log: Logger;
  private firstListening: Promise<ChildGatewayUrls>;
  private resolveFirst!: (u: ChildGatewayUrls) => void;
  private rejectFirst!: (e: Error) => void;
  private listeningOnce = false;

  constructor(private readonly props: GatewayChildProps) {
    this.log = props.log.child({ gateway: props.cluster });
    this.firstListening = new Promise((resolve, reject) => {
      this.resolveFirst = resolve;
      this.rejectFirst = reject;
    });
    this.firstListening.catch(() => {});
  }

  /** The process id of the running child, if any. */
  get pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  /** Starts the child; resolves when it first listens (restarts included), rejects after `timeoutMs`. */
  start(timeoutMs = 120_000): Promise<ChildGatewayUrls> {
    this.spawn();
    const timer = setTimeout(
      () =>
        this.rejectFirst(
          new Error(`gateway ${this.props.cluster} did not start in ${timeoutMs / 1000} s (see the log)`),
        ),
      timeoutMs,
    );
    return this.firstListening.finally(() => clearTimeout(timer));
  }

  /** Stops the child (and any pending restart). */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    this.rejectFirst(new Error(`gateway ${this.props.cluster} stopped`));
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill('SIGTERM');
    const kill = setTimeout(() => c.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(kill);
  }

  private spawn(): void {
    const started = Date.now();
    const [command, args] = endingWithThisProcess(process.execPath, this.props.args);
    const child = spawn(command, args, {
      env: this.props.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: true,
    });
    this.child = child;
    createInterface({ input: child.stdout! }).on('line', (line) => this.forward(line, 'info'));
    createInterface({ input: child.stderr! }).on('line', (line) => this.forward(line, 'warn'));
    child.on('message', (m: { type?: string; peerUrl?: string; appUrl?: string }) => {
      if (m.type !== 'listening' || !m.peerUrl || !m.appUrl) return;
      const urls = { peerUrl: m.peerUrl, appUrl: m.appUrl };
      this.log.info({ pid: child.pid, ...urls }, 'gateway process listening');
      this.props.onEvent?.({ type: 'listening', urls });
      if (!this.listeningOnce) {
        this.listeningOnce = true;
        this.resolveFirst(urls);
      }
    });
    child.on('error', (err) => this.log.warn({ err: err.message }, 'gateway process error'));
    child.on('exit', (code, signal) => {
      if (this.stopping) return;
      if (Date.now() - started > 60_000) this.failures = 0;
      const delay = Math.min(30_000, 500 * 2 ** Math.min(this.failures++, 6));
      const why = signal ? `killed by ${signal}` : `exited with ${String(code)}`;
      this.log.warn({ pid: child.pid, why, restartInMs: delay }, 'gateway process died; restarting');
      this.props.onEvent?.({ type: 'exited', why, restartInMs: delay });
      this.restartTimer = setTimeout(() => {
        if (!this.stopping) this.spawn();
      }, delay);
      this.restartTimer.unref();
    });
  }

  /** Re-logs a child's pino line at its level (tagged with the gateway), or a plain line at info. */
  private forward(line: string, plain: 'info' | 'warn'): void {
    if (line.trim() === '') return;
    try {
      const o = JSON.parse(line) as {
        level?: number;
        msg?: string;
        time?: unknown;
        pid?: unknown;
        hostname?: unknown;
      };
      const { level, msg, time: _t, pid, hostname: _h, ...rest } = o;
      this.log[LEVELS[level ?? 30] ?? 'info']({ ...rest, childPid: pid }, msg ?? '');
    } catch {
      this.log[plain]({ childPid: this.child?.pid }, line);
    }
  }
}

/**
 * The command line that runs this same fedgate (compiled, or the sources through tsx) with other
 * arguments: the node flags and entry script of the running process.
 */
const SETPRIV = '/usr/bin/setpriv';

/**
 * The command that runs `file args` so that the kernel ends it (SIGTERM) when this process dies,
 * however it dies (kill -9 included), through util-linux's `setpriv --pdeathsig` where it exists
 * (Linux). The gateway's own watch of its IPC channel cannot cover a process whose JavaScript is
 * stuck (seen: a child still loading its sources, its main thread waiting on the module loader's
 * thread, never exited after its supervisor was killed); the kernel's signal does. Elsewhere,
 * the command as it is.
 */
export function endingWithThisProcess(file: string, args: readonly string[]): [string, string[]] {
  if (process.platform !== 'linux' || !existsSync(SETPRIV)) return [file, [...args]];
  return [SETPRIV, ['--pdeathsig', 'TERM', '--', file, ...args]];
}

export function fedgateArgs(args: readonly string[]): string[] {
  const nodeFlags = process.execArgv.filter((a) => !a.startsWith('--inspect'));
  return [...nodeFlags, process.argv[1]!, ...args];
}
