import { Duration } from 'cdk8s';
import { LIMITS } from '../model/limits';
import { Problems } from '../private/problems';
import { Action } from './action';
import { ArgFilter } from './arg-filter';
import { Arg } from './argument';
import { BinaryFilter, BinaryOperator, CapabilityFilter, NamespaceFilter } from './process-filter';

/** Props of a {@link Selector}. Filters inside one selector are ANDed. */
export interface SelectorProps {
  /**
   * Conditions on the hook's arguments (at most 5, one operator each; each must read a declared argument).
   * @default - no argument condition
   */
  readonly matchArgs?: readonly ArgFilter[];
  /**
   * Conditions on the return value (the hook must declare `returnArg`).
   * @default - no return-value condition
   */
  readonly matchReturnArgs?: readonly ArgFilter[];
  /**
   * Condition on the calling executable (resolved path).
   * @default - any executable
   */
  readonly matchBinaries?: BinaryFilter;
  /**
   * Conditions on the caller's namespaces.
   * @default - any namespace
   */
  readonly matchNamespaces?: readonly NamespaceFilter[];
  /**
   * Conditions on the caller's capabilities.
   * @default - any capabilities
   */
  readonly matchCapabilities?: readonly CapabilityFilter[];
  /**
   * What to do on a match (at most 3).
   * @default - one Post action with the policy's default rate limit
   */
  readonly actions?: readonly Action[];
}

/**
 * One entry of a hook's `selectors`: selectors are ORed, the filters inside one are ANDed,
 * and a hook with no selector reports every call.
 * @see https://tetragon.io/docs/concepts/tracing-policy/selectors/
 */
export class Selector {
  constructor(public readonly props: SelectorProps = {}) {}

  /** @internal */
  public _validate(
    field: string,
    problems: Problems,
    args: readonly Arg[],
    returnArg: Arg | undefined,
    defaultRateLimit: Duration | undefined,
  ): void {
    const p = this.props;
    const matchArgs = p.matchArgs ?? [];
    if (matchArgs.length > LIMITS.matchArgsPerSelector) {
      problems.add(
        `${field}.matchArgs`,
        `${matchArgs.length} filters given; Tetragon takes at most ${LIMITS.matchArgsPerSelector} per selector: move some into another selector`,
      );
    }
    matchArgs.forEach((f, i) => {
      const where = `${field}.matchArgs[${i}]`;
      for (const second of f.secondArg ? [f.secondArg] : []) {
        if (!args.some((a) => a.sameAs(second)))
          problems.add(
            `${where}.args`,
            `compares argument ${second.index} (${second.type}), which the hook does not declare; add it to the hook's args`,
          );
      }
      const declared = args.find((a) => a.sameAs(f.arg)) ?? args.find((a) => a.index === f.arg.index);
      if (!declared) {
        problems.add(
          `${where}.index`,
          `reads argument ${f.arg.index}, which the hook does not declare; add it to the hook's args (declared: ${args.map((a) => a.index).join(', ') || 'none'})`,
        );
      } else if (!declared.sameAs(f.arg)) {
        problems.add(
          `${where}.index`,
          `reads argument ${f.arg.index} as ${f.arg.type}, but the hook declares it as ${declared.type}; build the filter from the declared argument`,
        );
      }
      f._validate(where, problems);
    });
    const matchReturnArgs = p.matchReturnArgs ?? [];
    if (matchReturnArgs.length > 0 && !returnArg) {
      problems.add(
        `${field}.matchReturnArgs`,
        'the hook does not declare returnArg; set returnArg on the hook to filter on the return value',
      );
    }
    matchReturnArgs.forEach((f, i) => {
      const where = `${field}.matchReturnArgs[${i}]`;
      if (returnArg && !returnArg.sameAs(f.arg)) {
        problems.add(
          where,
          `reads the return value as ${f.arg.type}, but the hook's returnArg is ${returnArg.type}; build the filter from the hook's returnArg`,
        );
      }
      f._validate(where, problems);
    });
    p.matchBinaries?._validate(`${field}.matchBinaries[0]`, problems);
    const namespaces = p.matchNamespaces ?? [];
    if (namespaces.length > LIMITS.namespaceFiltersPerSelector) {
      problems.add(`${field}.matchNamespaces`, `${namespaces.length} filters given; at most ${LIMITS.namespaceFiltersPerSelector}`);
    }
    namespaces.forEach((f, i) => f._validate(`${field}.matchNamespaces[${i}]`, problems));
    (p.matchCapabilities ?? []).forEach((f, i) => f._validate(`${field}.matchCapabilities[${i}]`, problems));
    const actions = p.actions ?? [Action.post()];
    if (actions.length === 0)
      problems.add(`${field}.matchActions`, 'is empty; leave actions out for the default Post, or give at least one action');
    if (actions.length > LIMITS.actionsPerSelector) {
      problems.add(`${field}.matchActions`, `${actions.length} actions given; Tetragon takes at most ${LIMITS.actionsPerSelector}`);
    }
    actions.forEach((a, i) => a._validate(`${field}.matchActions[${i}]`, problems, defaultRateLimit));
  }

  /** Whether any action of this selector kills or blocks. */
  public get enforces(): boolean {
    return (this.props.actions ?? []).some((a) => a.enforces);
  }

  /**
   * @param neverKill binaries an enforcing selector must leave alone: merged into its binary filter as NotIn
   * @param specArgs the hook's arguments in rendered order
   * @internal
   */
  public _render(
    defaultRateLimit: Duration | undefined,
    neverKill?: readonly string[],
    specArgs: readonly Arg[] = [],
  ): Record<string, unknown> {
    const p = this.props;
    const out: Record<string, unknown> = {};
    if (p.matchArgs?.length) out.matchArgs = p.matchArgs.map((f) => f._render(specArgs));
    if (p.matchReturnArgs?.length) out.matchReturnArgs = p.matchReturnArgs.map((f) => f._render(specArgs));
    const exempt = this.enforces && neverKill?.length ? neverKill : undefined;
    if (exempt && (!p.matchBinaries || p.matchBinaries.operator === BinaryOperator.NOT_IN)) {
      out.matchBinaries = [BinaryFilter.notIn([...new Set([...(p.matchBinaries?.values ?? []), ...exempt])])._render()];
    } else if (p.matchBinaries) out.matchBinaries = [p.matchBinaries._render()];
    if (p.matchNamespaces?.length) out.matchNamespaces = p.matchNamespaces.map((f) => f._render());
    if (p.matchCapabilities?.length) out.matchCapabilities = p.matchCapabilities.map((f) => f._render());
    out.matchActions = (p.actions ?? [Action.post()]).map((a) => a._render(defaultRateLimit));
    return out;
  }

  /** A copy of this selector with extra filters ANDed in (used to narrow a library policy). */
  public narrowedBy(extra: Pick<SelectorProps, 'matchBinaries' | 'matchNamespaces' | 'matchCapabilities'>): Selector {
    if (extra.matchBinaries && this.props.matchBinaries) {
      // Tetragon takes one matchBinaries per selector; silently replacing one would widen the policy.
      throw new Error(
        'matchBinaries: this selector already filters on binaries and Tetragon allows one binary filter per selector; ' +
          'narrow with namespaces, capabilities or a pod selector instead',
      );
    }
    return new Selector({
      ...this.props,
      matchBinaries: extra.matchBinaries ?? this.props.matchBinaries,
      matchNamespaces: [...(this.props.matchNamespaces ?? []), ...(extra.matchNamespaces ?? [])],
      matchCapabilities: [...(this.props.matchCapabilities ?? []), ...(extra.matchCapabilities ?? [])],
    });
  }
}
