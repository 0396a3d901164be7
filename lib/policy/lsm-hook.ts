import { Duration } from 'cdk8s';
import { Problems, show } from '../private/problems';
import { HookBaseProps } from './hook-base-props';
import { renderHookBase, validateHookBase } from './private/hook-base';

/** Props of an {@link LsmHook}. */
export interface LsmHookProps extends HookBaseProps {
  /** The LSM hook name without prefix, e.g. `file_open` (Tetragon attaches to `bpf_lsm_file_open`). */
  readonly hook: string;
}

/**
 * A BPF LSM hook (`spec.lsmhooks[]`). Needs kernel 5.7+ booted with `bpf` in `lsm=`, which many distributions
 * do not enable; kprobes on `security_*` functions are the portable choice.
 * @see https://tetragon.io/docs/concepts/tracing-policy/hooks/#lsm-bpf
 */
export class LsmHook {
  /** The hook kind, as the spec field is named. */
  public readonly kind = 'lsmhooks';

  constructor(public readonly props: LsmHookProps) {}

  /** The hook name. */
  public get call(): string {
    return this.props.hook;
  }

  /** @internal */
  public _validate(field: string, problems: Problems, defaultRateLimit: Duration | undefined): void {
    const hook = this.props.hook ?? '';
    if (!/^[a-z0-9_]+$/.test(hook)) problems.add(`${field}.hook`, `got ${show(hook)}; expected an LSM hook name such as file_open`);
    else if (hook.startsWith('bpf_lsm_') || hook.startsWith('security_')) {
      problems.add(
        `${field}.hook`,
        `got ${show(hook)}; write the hook without prefix, e.g. ${show(hook.replace(/^(bpf_lsm_|security_)/, ''))}`,
      );
    }
    (this.props.selectors ?? []).forEach((s, i) => {
      if (s.props.matchReturnArgs?.length)
        problems.add(`${field}.selectors[${i}].matchReturnArgs`, 'LSM hooks cannot filter on return values');
    });
    validateHookBase(field, this.props, problems, undefined, defaultRateLimit);
  }

  /** @internal */
  public _render(defaultRateLimit: Duration | undefined, neverKill?: readonly string[]): Record<string, unknown> {
    return { hook: this.props.hook, ...renderHookBase(this.props, defaultRateLimit, neverKill) };
  }
}
