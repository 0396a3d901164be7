import { Duration } from 'cdk8s';
import { Problems, show } from '../private/problems';
import { HookBaseProps } from './hook-base-props';
import { renderHookBase, validateHookBase } from './private/hook-base';

/** Props of a {@link TracepointHook}. Argument indexes count the tracepoint's format fields. */
export interface TracepointHookProps extends HookBaseProps {
  /** Tracepoint subsystem, e.g. `syscalls` or `sched`. */
  readonly subsystem: string;
  /** Tracepoint event, e.g. `sys_enter_ptrace`. */
  readonly event: string;
}

/**
 * A static kernel tracepoint (`spec.tracepoints[]`). Tracepoints have no ignore switch: a missing one fails the policy.
 * @see https://tetragon.io/docs/concepts/tracing-policy/hooks/#tracepoints
 */
export class TracepointHook {
  /** The hook kind, as the spec field is named. */
  public readonly kind = 'tracepoints';

  constructor(public readonly props: TracepointHookProps) {}

  /** `subsystem/event`. */
  public get call(): string {
    return `${this.props.subsystem}/${this.props.event}`;
  }

  /** @internal */
  public _validate(field: string, problems: Problems, defaultRateLimit: Duration | undefined): void {
    for (const key of ['subsystem', 'event'] as const) {
      if (!/^[a-z0-9_]+$/.test(this.props[key] ?? ''))
        problems.add(
          `${field}.${key}`,
          `got ${show(this.props[key])}; expected a tracefs name such as ${key === 'subsystem' ? 'syscalls' : 'sys_enter_ptrace'}`,
        );
    }
    // Tracepoint argument indexes count the event's format fields, which can exceed 4.
    validateHookBase(field, this.props, problems, undefined, defaultRateLimit, Number.MAX_SAFE_INTEGER);
  }

  /** @internal */
  public _render(defaultRateLimit: Duration | undefined, neverKill?: readonly string[]): Record<string, unknown> {
    return { subsystem: this.props.subsystem, event: this.props.event, ...renderHookBase(this.props, defaultRateLimit, neverKill) };
  }
}
