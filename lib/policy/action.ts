import { Duration } from 'cdk8s';
import { Problems, show } from './_problems';

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

/**
 * A selector action (`matchActions`). Observe-only actions live here; enforcement actions
 * (Sigkill, Override, Signal) come with guardrails in the enforcement API.
 * @see https://tetragon.io/docs/concepts/tracing-policy/selectors/#actions-filter
 */
export class Action {
  /** Send an event (rate-limited by default). */
  public static post(options: PostOptions = {}): Action {
    return new Action('Post', options);
  }
  /** Match without sending an event (to suppress what a later selector would report). */
  public static noPost(): Action {
    return new Action('NoPost', {});
  }

  private constructor(public readonly name: string, private readonly options: PostOptions) {}

  /** @internal */
  public _validate(field: string, problems: Problems, defaultRateLimit: Duration | undefined): void {
    const rate = this.rateLimit(defaultRateLimit);
    if (rate !== undefined) {
      const ms = rate.toMilliseconds();
      if (ms < 1000 || ms % 1000 !== 0) problems.add(`${field}.rateLimit`, `got ${ms} ms; Tetragon takes whole seconds, minutes or hours (at least 1 second)`);
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
