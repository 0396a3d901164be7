import { Duration } from 'cdk8s';
import { Problems, show } from '../private/problems';
import { Arg } from './argument';
import { HookBaseProps } from './hook-base-props';
import { renderHookBase, validateHookBase } from './private/hook-base';

/** Props of a {@link KprobeHook}. */
export interface KprobeHookProps extends HookBaseProps {
  /**
   * The kernel function to probe. For syscalls, the name without arch prefix (`sys_setns`): Tetragon adds
   * `__x64_`/`__arm64_` itself when `syscall` is true.
   */
  readonly call: string;
  /**
   * Whether `call` is a syscall. Always explicit: the CRD defaults it to true, which would turn
   * `security_file_open` into `__x64_security_file_open` and fail the whole policy.
   */
  readonly syscall: boolean;
  /**
   * Read the return value, typed (e.g. `Arg.int(0)` for an errno), so selectors can filter on it with `matchReturnArgs`.
   * @default - the return value is not read
   */
  readonly returnArg?: Arg;
  /**
   * Skip this hook, instead of failing the whole policy, on kernels that lack `call`.
   * Say in a comment which kernels lack it.
   * @default false
   */
  readonly ignoreCallNotFound?: boolean;
}

/**
 * A kprobe on a kernel function or syscall (`spec.kprobes[]`).
 * @see https://tetragon.io/docs/concepts/tracing-policy/hooks/#kprobes
 */
export class KprobeHook {
  /** A kprobe on a syscall, named without arch prefix (`sys_execve`). */
  public static syscall(call: string, props: Omit<KprobeHookProps, 'call' | 'syscall'>): KprobeHook {
    return new KprobeHook({ ...props, call, syscall: true });
  }

  /** A kprobe on an internal kernel function (`security_file_open`, `tcp_connect`, `__sys_setuid`). */
  public static function(call: string, props: Omit<KprobeHookProps, 'call' | 'syscall'>): KprobeHook {
    return new KprobeHook({ ...props, call, syscall: false });
  }

  /** The hook kind, as the spec field is named. */
  public readonly kind = 'kprobes';

  constructor(public readonly props: KprobeHookProps) {}

  /** The probed function, as written in the policy. */
  public get call(): string {
    return this.props.call;
  }

  /** @internal */
  public _validate(field: string, problems: Problems, defaultRateLimit: Duration | undefined): void {
    const { call, syscall } = this.props;
    if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(call ?? '')) {
      problems.add(`${field}.call`, `got ${show(call)}; expected a kernel function name such as security_file_open`);
    } else if (typeof syscall !== 'boolean') {
      problems.add(`${field}.syscall`, 'must be set to true or false explicitly (the CRD default true breaks non-syscall functions)');
    } else if (syscall && /^__(x64|ia32|arm64|x32)_sys_/.test(call)) {
      problems.add(
        `${field}.call`,
        `got ${show(call)} with syscall: true; Tetragon adds the arch prefix itself, so write ${show(call.replace(/^__[a-z0-9]+_/, ''))}`,
      );
    } else if (syscall && !call.startsWith('sys_')) {
      problems.add(
        `${field}.call`,
        `got ${show(call)} with syscall: true; Tetragon would probe __x64_${call}, which does not exist: name the syscall as sys_<name>, or set syscall: false for a kernel function`,
      );
    } else if (!syscall && call.startsWith('sys_')) {
      problems.add(
        `${field}.syscall`,
        `is false for ${show(call)}; without the arch prefix the symbol is not found on x86_64/arm64: use KprobeHook.syscall(${show(call)}, ...)`,
      );
    }
    validateHookBase(field, this.props, problems, this.props.returnArg, defaultRateLimit);
    this.props.returnArg?._validate(`${field}.returnArg`, problems);
  }

  /** @internal */
  public _render(defaultRateLimit: Duration | undefined, neverKill?: readonly string[]): Record<string, unknown> {
    const p = this.props;
    return {
      call: p.call,
      syscall: p.syscall,
      ...(p.returnArg ? { return: true, returnArg: p.returnArg._render() } : {}),
      ...(p.ignoreCallNotFound ? { ignore: { callNotFound: true } } : {}),
      ...renderHookBase(p, defaultRateLimit, neverKill),
    };
  }
}
