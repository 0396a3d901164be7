import { Duration } from 'cdk8s';
import { ActionName, ENFORCING_ACTIONS } from '../model/private/vocabulary';
import { Problems, show } from '../private/problems';

/** How events are grouped for `rateLimit`. */
export enum RateLimitScope {
  /** Per thread (Tetragon's default). */
  THREAD = 'thread',
  /** Per process. */
  PROCESS = 'process',
  /** Across all processes. */
  GLOBAL = 'global',
}

/** Options of a Post action. */
export interface PostOptions {
  /**
   * Emit at most one event per this interval for the same arguments (the first 40 bytes of each are compared).
   * Set to `null` to post every event.
   * @default - the policy's default rate limit (1 minute for the library's policies)
   */
  readonly rateLimit?: Duration | null;
  /**
   * What the rate limit counts per.
   * @default RateLimitScope.THREAD
   */
  readonly rateLimitScope?: RateLimitScope;
  /**
   * Attach the kernel stack trace to events.
   * @default false
   */
  readonly kernelStackTrace?: boolean;
  /**
   * Attach the user-space stack trace to events.
   * @default false
   */
  readonly userStackTrace?: boolean;
}

/** Signals for the Signal action. */
export enum Signal {
  SIGKILL = 9,
  SIGTERM = 15,
  SIGSTOP = 19,
  SIGUSR1 = 10,
}

/**
 * A selector action (`matchActions`). Post and NoPost observe; Sigkill, Override and Signal enforce, and a
 * policy that uses them must declare `enforcement` (mode, scope, never-kill list): see {@link EnforcementOptions}.
 * @see https://tetragon.io/docs/concepts/tracing-policy/selectors/#actions-filter
 */
export class Action {
  /** Kill the calling process synchronously (needs kernel 5.3+). Enforcement. */
  public static sigkill(): Action {
    return new Action('Sigkill', {});
  }
  /**
   * Make the probed function return `-errno` without running it. Only on syscalls, or on `security_*` functions
   * (the policy then sets `disable-kprobe-multi`). Enforcement.
   */
  public static override(errno: number): Action {
    return new Action('Override', {}, -Math.abs(errno));
  }
  /** Send a signal to the calling process. Enforcement. */
  public static signal(signal: Signal | number): Action {
    return new Action('Signal', {}, undefined, signal);
  }

  /** Send an event (rate-limited by default). */
  public static post(options: PostOptions = {}): Action {
    return new Action('Post', options);
  }
  /** Match without sending an event (to suppress what a later selector would report). */
  public static noPost(): Action {
    return new Action('NoPost', {});
  }

  private constructor(
    public readonly name: string,
    private readonly options: PostOptions,
    /** Override's return value (a negative errno). */
    public readonly argError?: number,
    /** Signal's signal number. */
    public readonly argSig?: number,
  ) {}

  /** Whether this action blocks or kills (and so needs the enforcement guardrails). */
  public get enforces(): boolean {
    return ENFORCING_ACTIONS.has(this.name as ActionName);
  }

  /** @internal */
  public _validate(field: string, problems: Problems, defaultRateLimit: Duration | undefined): void {
    if (this.name === 'Override' && (!Number.isInteger(this.argError) || this.argError === 0 || this.argError! < -4095)) {
      problems.add(`${field}.argError`, `got ${show(this.argError)}; Override needs an errno between 1 and 4095 (e.g. 1 for EPERM)`);
    }
    if (this.name === 'Signal' && (!Number.isInteger(this.argSig) || this.argSig! < 1 || this.argSig! > 64)) {
      problems.add(`${field}.argSig`, `got ${show(this.argSig)}; a signal number is 1-64`);
    }
    const rate = this.rateLimit(defaultRateLimit);
    if (rate !== undefined) {
      const ms = rate.toMilliseconds();
      if (ms < 1000 || ms % 1000 !== 0)
        problems.add(`${field}.rateLimit`, `got ${ms} ms; Tetragon takes whole seconds, minutes or hours (at least 1 second)`);
    }
  }

  private rateLimit(defaultRateLimit: Duration | undefined): Duration | undefined {
    if (this.name !== 'Post') return undefined;
    if (this.options.rateLimit === null) return undefined;
    return this.options.rateLimit ?? defaultRateLimit;
  }

  /** @internal */
  public _render(defaultRateLimit: Duration | undefined): Record<string, unknown> {
    const rate = this.rateLimit(defaultRateLimit);
    const o = this.options;
    return {
      action: this.name,
      ...(this.argError !== undefined ? { argError: this.argError } : {}),
      ...(this.argSig !== undefined ? { argSig: this.argSig } : {}),
      ...(rate !== undefined ? { rateLimit: formatRateLimit(rate) } : {}),
      ...(rate !== undefined && o.rateLimitScope ? { rateLimitScope: o.rateLimitScope } : {}),
      ...(o.kernelStackTrace ? { kernelStackTrace: true } : {}),
      ...(o.userStackTrace ? { userStackTrace: true } : {}),
    };
  }
}

/** Tetragon's rate-limit syntax: `N`, `Ns`, `Nm` or `Nh`, in the largest whole unit. */
export function formatRateLimit(duration: Duration): string {
  const seconds = duration.toMilliseconds() / 1000;
  if (!Number.isInteger(seconds)) throw new Error(`rateLimit ${show(duration.toMilliseconds())} ms is not whole seconds`);
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
