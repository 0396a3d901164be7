import { ApiObject, Duration, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as tetragon from '../../imports/cilium.io';
import { checkPolicy } from '../check/engine';
import { FEATURE_LABELS } from '../kernels/kernel-features';
import { KernelTable, bundledKernels, loadKernel } from '../kernels/kernel-table';
import { hooksOf } from '../model/private/policy-reader';
import { STRING_MAP_SLOTS, stringMapSlots } from '../model/private/string-map-slots';
import { uniquenessScope } from '../private/cluster-scope';
import { Marker } from '../private/marker';
import { isDnsLabel, isDnsSubdomain } from '../private/patterns';
import { Problems, show } from '../private/problems';
import { PropKeys, refuseUnknownProps } from '../private/props';
import { PolicyValidationError } from '../validation-error';
import { ENFORCEMENT_DRY_RUN_CONTEXT, EnforcementOptions, neverKillFor, PolicyMode, validateEnforcement } from './enforcement';
import { KprobeHook } from './kprobe-hook';
import { LabelSelector, renderLabelSelector, validateLabelSelector } from './label-selector';
import { LsmHook } from './lsm-hook';
import { BinaryOperator } from './process-filter';
import { TracepointHook } from './tracepoint-hook';

const TRACING_POLICY = new Marker('TracingPolicy');

/** Any hook kind. A TracingPolicy holds hooks of one kind only: Tetragon refuses mixed kinds. */
export type Hook = KprobeHook | TracepointHook | LsmHook;

/** Props of a {@link TracingPolicy}. */
export interface TracingPolicyProps {
  /**
   * The policy's name: stable, because it appears in events (`policy_name`), Loki labels and Prometheus
   * labels (`tetragon_policy_events_total{policy}`). A DNS subdomain of at most 253 characters.
   */
  readonly name: string;
  /**
   * Make it a `TracingPolicyNamespaced` that applies only to pods of this namespace.
   * @default - a cluster-wide `TracingPolicy`
   */
  readonly namespace?: string;
  /**
   * The hooks, all of one kind. More can be added with {@link TracingPolicy.addHook}.
   * @default []
   */
  readonly hooks?: readonly Hook[];
  /**
   * Only pods whose labels match (`{}` selects every pod and leaves host processes out).
   * Needs Tetragon's policy filter (`enablePolicyFilter`, on by default).
   * @default - pods and host processes alike
   */
  readonly podSelector?: LabelSelector;
  /**
   * Only containers matching (keys `name` and `repo`).
   * @default - every container
   */
  readonly containerSelector?: LabelSelector;
  /**
   * Default rate limit for Post actions that do not set one.
   * @default Duration.minutes(1)
   */
  readonly defaultRateLimit?: Duration;
  /**
   * Set `disable-kprobe-multi`: attach each kprobe on its own (slower to attach). Set without asking where
   * kprobe_multi cannot load the policy: Override on `security_*` functions, or more than 8 string filters of one
   * kind (Postfix, Prefix, Equal on strings) across the kprobes, which then share one program's 8 map slots.
   * @default false
   */
  readonly disableKprobeMulti?: boolean;
  /**
   * Turn on Tetragon's loader sensor (`spec.loader: true`): a `process_loader` event for every shared library and
   * executable a process maps, with its build id. Needs kernel 5.19+, applies to the whole node (no `namespace`,
   * `podSelector` or `containerSelector`: the sensor refuses policy filtering), and needs no hooks.
   * @default false
   */
  readonly loader?: boolean;
  /**
   * Required when a selector uses Sigkill, Override or Signal: the policy mode (monitor first), an explicit pod
   * scope, and any opt-out from the never-kill list. Rendered as the `policy-mode` option and a pod selector;
   * enforcing selectors leave the never-kill binaries alone.
   * @default - observe-only: enforcement actions are refused
   */
  readonly enforcement?: EnforcementOptions;
  /**
   * A description, stored as the `description` annotation.
   * @default - none
   */
  readonly description?: string;
  /**
   * Extra labels on the object.
   * @default {}
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * A Tetragon TracingPolicy (or TracingPolicyNamespaced) built from typed hooks.
 * Every kprobe renders `syscall` and every argument its `type` explicitly, every hook its `message` and `tags`,
 * and bad input fails at synth time with the construct path and the field.
 *
 * @example
 * const file = Arg.file(0);
 * new TracingPolicy(chart, 'Shadow', {
 *   name: 'shadow-reads',
 *   hooks: [KprobeHook.function('security_file_open', {
 *     message: 'Opened /etc/shadow', tags: ['observability.filesystem'],
 *     args: [file],
 *     selectors: [new Selector({ matchArgs: [ArgFilter.equal(file, ['/etc/shadow'])] })],
 *   })],
 * });
 */
export class TracingPolicy extends Construct {
  /** Whether `x` is a TracingPolicy construct of this library (also across copies of the package). */
  public static isTracingPolicy(x: unknown): x is TracingPolicy {
    return TRACING_POLICY.has(x);
  }

  /** Annotation listing what the kernels of the set limit (see {@link TracingPolicy.kernelNotes}). */
  public static readonly KERNEL_NOTES_ANNOTATION = 'cdk8s-tetragon/kernel-notes';

  /** The policy name. */
  public readonly name: string;
  /** The namespace of a namespaced policy. */
  public readonly namespace?: string;
  /** The default rate limit of Post actions. */
  public readonly defaultRateLimit: Duration;
  /** The generated object (`cilium.io/v1alpha1` TracingPolicy or TracingPolicyNamespaced). */
  public readonly apiObject: ApiObject;
  private readonly hooks: Hook[] = [];

  constructor(
    scope: Construct,
    id: string,
    private readonly props: TracingPolicyProps,
  ) {
    super(scope, id);
    TRACING_POLICY.mark(this);
    refuseUnknownProps(this.node.path, '', props, TRACING_POLICY_PROPS);
    this.name = props.name;
    this.namespace = props.namespace;
    this.defaultRateLimit = props.defaultRateLimit ?? Duration.minutes(1);

    const problems = policyProblems();
    if (!isDnsSubdomain(props.name)) {
      problems.add(
        'name',
        `got ${show(props.name)}; a policy name is a DNS subdomain: lowercase letters, digits, '-' and '.', at most 253 characters`,
      );
    }
    if (props.namespace !== undefined && !isDnsLabel(props.namespace)) {
      problems.add(
        'namespace',
        `got ${show(props.namespace)}; a namespace is a DNS label (lowercase letters, digits, '-', at most 63 characters)`,
      );
    }
    if (props.podSelector) validateLabelSelector('podSelector', props.podSelector, problems);
    if (props.containerSelector) validateLabelSelector('containerSelector', props.containerSelector, problems, ['name', 'repo']);
    if (props.enforcement) validateEnforcement('enforcement', props.enforcement, problems);
    if (props.loader) {
      for (const field of ['namespace', 'podSelector', 'containerSelector', 'enforcement'] as const) {
        if (props[field] !== undefined) {
          problems.add(
            field,
            'is set on a loader policy, and Tetragon\'s loader sensor refuses policy filtering ("loader sensor does not implement ' +
              `policy filtering"): remove ${field}; the sensor applies to the whole node`,
          );
        }
      }
    }
    const scopeLabels = props.enforcement?.scope?.podSelector?.matchLabels ?? {};
    for (const [key, value] of Object.entries(props.podSelector?.matchLabels ?? {})) {
      if (key in scopeLabels && scopeLabels[key] !== value) {
        problems.add(
          `podSelector.matchLabels.${key}`,
          `is ${show(value)} but the enforcement scope requires ${show(scopeLabels[key])}; together they select nothing: align them`,
        );
      }
    }
    problems.throwIfAny(this.node.path);

    const annotations = {
      ...(props.description ? { description: props.description } : {}),
      ...(props.enforcement?.neverKillOptOut
        ? {
            'cdk8s-tetragon/never-kill-opt-out': `${props.enforcement.neverKillOptOut.binaries.join(',')}: ${props.enforcement.neverKillOptOut.reason}`,
          }
        : {}),
      // Rendered only when some kernel of the set limits the policy, so reviewers see it in the synthesized YAML.
      [TracingPolicy.KERNEL_NOTES_ANNOTATION]: Lazy.any({ produce: () => this.kernelNotes.join('\n') || undefined }) as unknown as string,
    };
    const metadata = {
      name: props.name,
      ...(props.namespace ? { namespace: props.namespace } : {}),
      ...(props.labels ? { labels: { ...props.labels } } : {}),
      annotations,
    };
    // The spec renders lazily so hooks added after construction still reach the output.
    const spec = Lazy.any({ produce: () => this.renderSpec() }) as any;
    this.apiObject = props.namespace
      ? new tetragon.TracingPolicyNamespaced(this, 'Resource', { metadata, spec })
      : new tetragon.TracingPolicy(this, 'Resource', { metadata, spec });

    for (const hook of props.hooks ?? []) this.addHook(hook);
    this.node.addValidation({ validate: () => this.validateTree() });
  }

  /** The hook kind of this policy (`kprobes`, `tracepoints` or `lsmhooks`), once it has a hook. */
  public get hookKind(): Hook['kind'] | undefined {
    return this.hooks[0]?.kind;
  }

  /** The hooks, in order. */
  public get allHooks(): readonly Hook[] {
    return [...this.hooks];
  }

  /**
   * Adds a hook. Throws if its kind differs from the policy's (Tetragon refuses mixed kinds: create another
   * TracingPolicy), if it probes a function the policy already probes, or if any of its fields is invalid.
   */
  public addHook(hook: Hook): Hook {
    const index = this.hooks.filter((h) => h.kind === hook.kind).length;
    const field = `${hook.kind}[${index}](${hook.call})`;
    const problems = policyProblems();
    if (this.hookKind && hook.kind !== this.hookKind) {
      problems.add(
        field,
        `this policy holds ${this.hookKind} and Tetragon refuses a policy that mixes hook kinds; put the ${hook.kind} hook in another TracingPolicy`,
      );
    }
    if (hook.kind === 'kprobes' && this.hooks.some((h) => h.kind === 'kprobes' && h.call === hook.call)) {
      problems.add(
        `${field}.call`,
        `${show(hook.call)} is already probed by this policy; with kprobe_multi Tetragon refuses the same call twice: merge the selectors into one hook`,
      );
    }
    hook._validate(field, problems, this.defaultRateLimit);
    this.validateEnforcingSelectors(hook, field, problems);
    problems.throwIfAny(this.node.path);
    this.hooks.push(hook);
    return hook;
  }

  /** Whether any selector of the policy kills or blocks. */
  public get enforces(): boolean {
    return this.hooks.some((h) => (h.props.selectors ?? []).some((s) => s.enforces));
  }

  /** The policy mode rendered: the enforcement mode, or monitor under an enforcement dry run. */
  public get policyMode(): PolicyMode | undefined {
    if (!this.enforces || !this.props.enforcement) return undefined;
    return this.node.tryGetContext(ENFORCEMENT_DRY_RUN_CONTEXT) === true ? PolicyMode.MONITOR : this.props.enforcement.mode;
  }

  /**
   * Where the kernels in use (context `cdk8s-tetragon:kernels`, default every bundled table) load this policy but
   * limit what it does: a sockaddr_un filter compiled out before 5.11, lsmhooks where the BPF LSM is off by default,
   * a feature a table does not know. One line per finding, naming the kernels; also rendered as the annotation
   * {@link TracingPolicy.KERNEL_NOTES_ANNOTATION}. (What does not load on a kernel fails synth instead.)
   */
  public get kernelNotes(): string[] {
    if (!this.hasSensor) return [];
    const manifest = {
      apiVersion: 'cilium.io/v1alpha1',
      kind: this.namespace ? 'TracingPolicyNamespaced' : 'TracingPolicy',
      metadata: { name: this.name, ...(this.namespace ? { namespace: this.namespace } : {}) },
      spec: this.renderSpec(),
    };
    return checkPolicy(manifest, { kernels: this.node.tryGetContext(KERNELS_CONTEXT) })
      .filter((f) => f.severity === 'warning' && KERNEL_NOTE_RULES.includes(f.ruleId))
      .map(
        (f) => `${f.ruleId} (${(f.kernels ?? []).join(', ')}): ${f.message.slice(f.message.indexOf(`${f.field}: `) + f.field.length + 2)}`,
      );
  }

  /** The rendered spec (plain JSON, as in YAML). */
  public renderSpec(): Record<string, unknown> {
    const spec: Record<string, unknown> = {};
    const kind = this.hookKind;
    const enforcement = this.enforces ? this.props.enforcement : undefined;
    const neverKill = enforcement ? neverKillFor(enforcement) : undefined;
    if (kind) spec[kind] = this.hooks.map((h) => h._render(this.defaultRateLimit, neverKill));
    const podSelector = mergeSelectors(this.props.podSelector, enforcement?.scope.podSelector);
    if (podSelector) spec.podSelector = renderLabelSelector(podSelector);
    if (this.props.containerSelector) spec.containerSelector = renderLabelSelector(this.props.containerSelector);
    if (this.props.loader) spec.loader = true;
    const options: { name: string; value: string }[] = [];
    // Override on security_* functions uses fmod_ret, which does not work with kprobe_multi.
    const overridesSecurityHook = this.hooks.some(
      (h) =>
        h.kind === 'kprobes' &&
        !h.props.syscall &&
        (h.props.selectors ?? []).some((s) => (s.props.actions ?? []).some((a) => a.name === 'Override')),
    );
    // Under kprobe_multi all kprobes share one program's string map slots; past them the policy would not load.
    const kprobeHooks = kind === 'kprobes' ? hooksOf(spec) : [];
    const overflowsSlots = kprobeHooks.length > 1 && [...stringMapSlots(kprobeHooks).values()].some((n) => n > STRING_MAP_SLOTS);
    if (this.props.disableKprobeMulti || overridesSecurityHook || overflowsSlots)
      options.push({ name: 'disable-kprobe-multi', value: '1' });
    const mode = this.policyMode;
    if (mode) options.push({ name: 'policy-mode', value: mode });
    if (options.length) spec.options = options;
    return spec;
  }

  /** Whether the policy turns on any sensor: a hook, or the loader. */
  private get hasSensor(): boolean {
    return this.hooks.length > 0 || this.props.loader === true;
  }

  private validateEnforcingSelectors(hook: Hook, field: string, problems: Problems): void {
    (hook.props.selectors ?? []).forEach((selector, i) => {
      const where = `${field}.selectors[${i}]`;
      (selector.props.actions ?? []).forEach((action, j) => {
        if (!action.enforces) return;
        if (!this.props.enforcement) {
          problems.add(
            `${where}.matchActions[${j}]`,
            `${action.name} enforces, but the policy has no enforcement options; set enforcement: { mode: PolicyMode.MONITOR, scope: EnforcementScope.namespaces([...]) } (never the host by accident)`,
          );
        }
        if (action.name === 'Override') {
          const allowed =
            hook.kind === 'lsmhooks' || (hook.kind === 'kprobes' && (hook.props.syscall || hook.props.call.startsWith('security_')));
          if (!allowed) {
            problems.add(
              `${where}.matchActions[${j}]`,
              `Override does not work on ${show(hook.call)}: Tetragon allows it only on syscalls and security_* functions (and LSM hooks); use Sigkill, or hook the security_* function that guards this operation`,
            );
          } else if (hook.kind === 'kprobes') {
            const lacking = this.overrideLacking(hook.props.syscall === true);
            if (lacking) problems.add(`${where}.matchActions[${j}]`, lacking);
          }
        }
      });
      const binaries = selector.props.matchBinaries;
      if (selector.enforces && binaries && this.props.enforcement) {
        const neverKill = neverKillFor(this.props.enforcement);
        if (binaries.operator === BinaryOperator.IN) {
          const hit = binaries.values.filter((b) => neverKill.includes(b));
          if (hit.length)
            problems.add(
              `${where}.matchBinaries[0].values`,
              `would kill or block never-kill binaries ${show(hit)}; remove them, or name them in enforcement.neverKillOptOut with a reason`,
            );
        } else if (binaries.operator !== BinaryOperator.NOT_IN) {
          problems.add(
            `${where}.matchBinaries[0].operator`,
            `${binaries.operator} cannot be combined with the never-kill list on an enforcing selector; use BinaryFilter.in or BinaryFilter.notIn`,
          );
        }
      }
    });
  }

  /**
   * Why Override cannot load on some kernel of the set (context `cdk8s-tetragon:kernels`, default every bundled one):
   * syscalls need bpf_override_return, security_* functions fmod_ret. Undefined when every kernel provides it.
   */
  private overrideLacking(syscall: boolean): string | undefined {
    const feature = syscall ? 'overrideReturn' : 'modifyReturn';
    const kernels = ((this.node.tryGetContext(KERNELS_CONTEXT) as Array<string | KernelTable> | undefined) ?? bundledKernels()).map((k) =>
      typeof k === 'string' ? loadKernel(k) : k,
    );
    const missing = kernels.filter((k) => k.features[feature] === false).map((k) => k.name);
    const unknown = kernels.filter((k) => k.features[feature] === undefined).map((k) => k.name);
    if (missing.length === 0 && unknown.length === 0) return undefined;
    const where = [
      missing.length
        ? `kernel${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of the kernel set lack${missing.length > 1 ? '' : 's'} it`
        : '',
      unknown.length ? `for ${unknown.join(', ')} it is unknown (table made without the kernel config)` : '',
    ]
      .filter(Boolean)
      .join('; ');
    return syscall
      ? `Override on a syscall needs ${FEATURE_LABELS.overrideReturn}, and ${where}: the policy would not load there. ` +
          'Block the call with Override on the security_* function that guards it (or an LSM hook), use Sigkill, or, if every node has the helper, ' +
          `name their kernel tables in the context ${KERNELS_CONTEXT}`
      : `Override on a security_* function needs ${FEATURE_LABELS.modifyReturn}, and ${where}: the policy would not load there; use Sigkill, ` +
          `or name kernels that have it in the context ${KERNELS_CONTEXT}`;
  }

  private validateTree(): string[] {
    const errors: string[] = [];
    // The same engine as `cdk8s-tetragon check`: Tetragon's load rules and the kernel tables, on the rendered object.
    // Context `cdk8s-tetragon:kernels` (a list of bundled names or table paths) narrows or extends the kernel set.
    const kernels = this.node.tryGetContext(KERNELS_CONTEXT) as Array<string | KernelTable> | undefined;
    if (this.hasSensor) {
      for (const f of checkPolicy(this.apiObject.toJson(), { kernels })) {
        if (f.severity === 'error') errors.push(`${this.node.path}: [${f.ruleId}] ${f.message} (fix: ${f.fix})`);
      }
    } else {
      errors.push(`${this.node.path}: policy ${show(this.name)} has no hooks; add one with addHook() or remove the policy`);
    }
    const twins = uniquenessScope(this)
      .node.findAll()
      .filter(
        (c: IConstruct): c is TracingPolicy =>
          c !== this && TracingPolicy.isTracingPolicy(c) && c.name === this.name && c.namespace === this.namespace,
      );
    if (twins.length > 0) {
      errors.push(
        `${this.node.path}: policy name ${show(this.name)} is also used by ${twins.map((t) => t.node.path).join(', ')}; ` +
          'names must be unique (they identify the object and label its events): give one of them another name',
      );
    }
    return errors;
  }
}

const TRACING_POLICY_PROPS: PropKeys<TracingPolicyProps> = {
  name: true,
  namespace: true,
  hooks: true,
  podSelector: true,
  containerSelector: true,
  defaultRateLimit: true,
  disableKprobeMulti: true,
  loader: true,
  enforcement: true,
  description: true,
  labels: true,
};

/**
 * Context key: the kernel tables synth-time checks use: bundled names, table file paths (`cdk8s-tetragon kernel add`)
 * or `KernelTable` objects.
 */
export const KERNELS_CONTEXT = 'cdk8s-tetragon:kernels';

/** Warnings about what a kernel of the set limits, which a policy carries as {@link TracingPolicy.kernelNotes}. */
const KERNEL_NOTE_RULES = ['sockaddr-un-filter', 'lsm-not-default', 'kernel-feature-unknown'];

/** The collector of a policy's problems: they are thrown together as one {@link PolicyValidationError}. */
function policyProblems(): Problems {
  return new Problems('invalid TracingPolicy', (path, problems) => new PolicyValidationError(path, problems));
}

/** ANDs two label selectors. */
function mergeSelectors(a: LabelSelector | undefined, b: LabelSelector | undefined): LabelSelector | undefined {
  if (!a) return b;
  if (!b) return a;
  return {
    matchLabels: { ...(a.matchLabels ?? {}), ...(b.matchLabels ?? {}) },
    matchExpressions: [...(a.matchExpressions ?? []), ...(b.matchExpressions ?? [])],
  };
}
