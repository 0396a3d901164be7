/**
 * Reads a TracingPolicy manifest (plain JSON, as in YAML) once into a typed view: hooks with their declared
 * arguments, selectors with canonical operators and actions, options, lists and macros. The policy checker and
 * the simulator both walk this view instead of the raw JSON, so they agree on what a policy says.
 *
 * Reading never throws: a field of the wrong shape reads as absent (the CRD schema rule reports it), and every view
 * keeps the entry as written (`spec`) for messages that quote it.
 */
import {
  ActionName,
  ArgType,
  BinaryOperator,
  CapabilitySetName,
  ENFORCING_ACTIONS,
  GO_TRUE,
  HOOK_KINDS,
  HookKind,
  NamespaceName,
  Operator,
  SetOperator,
  BINARY_OPERATORS,
  SET_OPERATORS,
  canonicalAction,
  canonicalNamespace,
  canonicalOperator,
  knownArgType,
} from './vocabulary';

/** A plain object, or undefined. */
export function obj(x: unknown): Record<string, unknown> | undefined {
  return x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, unknown>) : undefined;
}

/** An array, or an empty one. */
export function arr(x: unknown): unknown[] {
  return Array.isArray(x) ? x : [];
}

/** A string, or undefined. */
export function str(x: unknown): string | undefined {
  return typeof x === 'string' ? x : undefined;
}

/** The plain objects of an array (other entries read as `{}`). */
function objects(x: unknown): Record<string, unknown>[] {
  return arr(x).map((e) => obj(e) ?? {});
}

/** An argument a hook declares (`args`, `data` or `returnArg`). */
export interface ArgDeclaration {
  readonly spec: Readonly<Record<string, unknown>>;
  /** The function argument index (`index`; the CRD default is 0). */
  readonly index: number;
  /** The type as written; `auto`, the CRD default, when absent. */
  readonly type: string;
  /** The type, if the CRD knows it. */
  readonly knownType?: ArgType;
  readonly label?: string;
}

function readArg(spec: Record<string, unknown>): ArgDeclaration {
  const type = str(spec.type) ?? 'auto';
  const label = str(spec.label);
  return { spec, index: Number(spec.index ?? 0), type, knownType: knownArgType(type), ...(label !== undefined ? { label } : {}) };
}

/** A selector entry with an operator. */
export interface FilterEntry<Op extends string> {
  /** The entry as written. */
  readonly spec: Readonly<Record<string, unknown>>;
  /** The operator, canonical; undefined when the CRD does not know the spelling (the schema rule reports it). */
  readonly operator?: Op;
  /** The operator as written, for messages. */
  readonly operatorText: unknown;
}

function filterEntry<Op extends string>(spec: Record<string, unknown>, canonical: (op: unknown) => Op | undefined): FilterEntry<Op> {
  const operator = canonical(spec.operator);
  return { spec, operatorText: spec.operator, ...(operator !== undefined ? { operator } : {}) };
}

const fromSet =
  <Op extends string>(known: ReadonlySet<string>) =>
  (op: unknown): Op | undefined =>
    typeof op === 'string' && known.has(op) ? (op as Op) : undefined;
const binaryOperator = fromSet<BinaryOperator>(BINARY_OPERATORS);
const setOperator = fromSet<SetOperator>(SET_OPERATORS);

/** A matchArgs, matchData or matchReturnArgs entry; `GreaterThan` and `LessThan` read as `GT` and `LT`. */
export interface ArgFilterView extends FilterEntry<Operator> {
  /** The function argument index the entry names (`index`, default 0). */
  readonly index: number;
  /** `args`: positions in the hook's declared arguments (they win over `index`). */
  readonly args: readonly number[];
  /** The values as Tetragon reads them (strings). */
  readonly values: readonly string[];
}

function readArgFilter(spec: Record<string, unknown>): ArgFilterView {
  return {
    ...filterEntry(spec, canonicalOperator),
    index: Number(spec.index ?? 0),
    args: arr(spec.args).map(Number),
    values: arr(spec.values).map(String),
  };
}

/**
 * The declared argument a filter reads, as Tetragon's `argIndexType` finds it: `args[position]` names a declared
 * argument by its position (and wins); otherwise matchArgs' `index` names it by its function index and matchData's
 * by position. A tracepoint rewrites a matching field index to the argument's position and leaves an index that
 * matches no field as is, which then names the argument at that position.
 */
export function filterTarget(
  filter: ArgFilterView,
  declared: readonly ArgDeclaration[],
  how: { byPosition?: boolean; tracepoint?: boolean } = {},
  position = 0,
): ArgDeclaration | undefined {
  if (filter.args.length > position) return declared[filter.args[position]];
  if (position > 0) return undefined;
  const byIndex = how.byPosition ? declared[filter.index] : declared.find((a) => a.index === filter.index);
  return byIndex ?? (how.tracepoint ? declared[filter.index] : undefined);
}

/** A matchActions or matchReturnActions entry. */
export interface ActionView {
  readonly spec: Readonly<Record<string, unknown>>;
  /** The action as Tetragon reads it (case-insensitively), in the CRD's spelling; undefined when unknown. */
  readonly action?: ActionName;
  /** The action as written, for messages. */
  readonly text: string;
  /** Whether the action enforces (see `ENFORCING_ACTIONS`). */
  readonly enforces: boolean;
}

function readAction(spec: Record<string, unknown>): ActionView {
  const action = canonicalAction(spec.action);
  return {
    spec,
    text: str(spec.action) ?? '',
    enforces: action !== undefined && ENFORCING_ACTIONS.has(action),
    ...(action ? { action } : {}),
  };
}

/** A matchBinaries or matchParentBinaries entry. */
export interface BinaryFilterView extends FilterEntry<BinaryOperator> {
  readonly values: readonly string[];
  readonly followChildren: boolean;
}

function readBinaryFilter(spec: Record<string, unknown>): BinaryFilterView {
  return { ...filterEntry(spec, binaryOperator), values: arr(spec.values).map(String), followChildren: spec.followChildren === true };
}

/** A matchPIDs entry. */
export interface PidFilterView extends FilterEntry<SetOperator> {
  readonly values: readonly number[];
  readonly followForks: boolean;
  readonly isNamespacePID: boolean;
}

/** A matchNamespaces entry. */
export interface NamespaceFilterView extends FilterEntry<SetOperator> {
  /** The namespace kind as Tetragon reads it (case-insensitively), in the CRD's spelling. */
  readonly namespace?: NamespaceName;
  readonly namespaceText: unknown;
  readonly values: readonly string[];
}

/** A matchCapabilities or matchCapabilityChanges entry. */
export interface CapabilityFilterView extends FilterEntry<SetOperator> {
  /** The capability set (`type`, default Effective), read case-insensitively; undefined when unknown. */
  readonly set?: CapabilitySetName;
  readonly setText: unknown;
  readonly values: readonly string[];
  readonly isNamespaceCapability: boolean;
}

const CAPABILITY_SETS: ReadonlyMap<string, CapabilitySetName> = new Map([
  ['effective', 'Effective'],
  ['inheritable', 'Inheritable'],
  ['permitted', 'Permitted'],
]);

/** A matchNamespaceChanges entry. */
export interface NamespaceChangeFilterView extends FilterEntry<SetOperator> {
  readonly values: readonly string[];
  /** Each value as a namespace kind (undefined where Tetragon does not know it). */
  readonly namespaces: readonly (NamespaceName | undefined)[];
}

/** The filters of a selector, by field name. */
export const SELECTOR_FILTERS = [
  'matchArgs',
  'matchData',
  'matchReturnArgs',
  'matchBinaries',
  'matchParentBinaries',
  'matchNamespaces',
  'matchPIDs',
  'matchCapabilities',
  'matchCapabilityChanges',
  'matchNamespaceChanges',
] as const;

/** One selector of a hook (or a macro). */
export interface SelectorView {
  /** The selector as written. */
  readonly spec: Readonly<Record<string, unknown>>;
  /** Filters on the declared arguments, by function index or by position. */
  readonly matchArgs: readonly ArgFilterView[];
  /** Filters on the declared `data`, by position. */
  readonly matchData: readonly ArgFilterView[];
  /** Filters on the return value (read by the return probe only). */
  readonly matchReturnArgs: readonly ArgFilterView[];
  /** Actions when the selector matches on entry; none means Post. */
  readonly matchActions: readonly ActionView[];
  /** Actions when the return filters match. */
  readonly matchReturnActions: readonly ActionView[];
  /** The executable (at most one entry loads). */
  readonly matchBinaries: readonly BinaryFilterView[];
  /** The parent's executable (needs the parents map). */
  readonly matchParentBinaries: readonly BinaryFilterView[];
  /** Process ids (the BPF side reads the first entry). */
  readonly matchPIDs: readonly PidFilterView[];
  /** Namespace inodes, ANDed. */
  readonly matchNamespaces: readonly NamespaceFilterView[];
  /** Capabilities held (the BPF side reads the first entry). */
  readonly matchCapabilities: readonly CapabilityFilterView[];
  /** Capabilities changed since exec. */
  readonly matchCapabilityChanges: readonly CapabilityFilterView[];
  /** Namespaces changed since exec (one entry loads). */
  readonly matchNamespaceChanges: readonly NamespaceChangeFilterView[];
  /** Names of the macros the selector uses. */
  readonly macros: readonly string[];
  /** Whether the selector has a filter (macros aside): without one it matches every call. */
  readonly filtered: boolean;
  /** Whether one of its actions enforces. */
  readonly enforces: boolean;
}

function readCapabilityFilter(spec: Record<string, unknown>): CapabilityFilterView {
  const setText = spec.type ?? 'Effective';
  const set = CAPABILITY_SETS.get(String(setText).toLowerCase());
  return {
    ...filterEntry(spec, setOperator),
    setText,
    values: arr(spec.values).map(String),
    isNamespaceCapability: spec.isNamespaceCapability === true,
    ...(set ? { set } : {}),
  };
}

/** Reads one selector as written. */
export function readSelector(spec: Record<string, unknown>): SelectorView {
  const matchActions = objects(spec.matchActions).map(readAction);
  const matchReturnActions = objects(spec.matchReturnActions).map(readAction);
  return {
    spec,
    matchArgs: objects(spec.matchArgs).map(readArgFilter),
    matchData: objects(spec.matchData).map(readArgFilter),
    matchReturnArgs: objects(spec.matchReturnArgs).map(readArgFilter),
    matchActions,
    matchReturnActions,
    matchBinaries: objects(spec.matchBinaries).map(readBinaryFilter),
    matchParentBinaries: objects(spec.matchParentBinaries).map(readBinaryFilter),
    matchPIDs: objects(spec.matchPIDs).map((p) => ({
      ...filterEntry(p, setOperator),
      values: arr(p.values).map(Number),
      followForks: p.followForks === true,
      isNamespacePID: p.isNamespacePID === true,
    })),
    matchNamespaces: objects(spec.matchNamespaces).map((n) => {
      const namespace = canonicalNamespace(n.namespace);
      return {
        ...filterEntry(n, setOperator),
        namespaceText: n.namespace,
        values: arr(n.values).map(String),
        ...(namespace ? { namespace } : {}),
      };
    }),
    matchCapabilities: objects(spec.matchCapabilities).map(readCapabilityFilter),
    matchCapabilityChanges: objects(spec.matchCapabilityChanges).map(readCapabilityFilter),
    matchNamespaceChanges: objects(spec.matchNamespaceChanges).map((c) => {
      const values = arr(c.values).map(String);
      return { ...filterEntry(c, setOperator), values, namespaces: values.map(canonicalNamespace) };
    }),
    macros: arr(spec.macros).map(String),
    filtered: SELECTOR_FILTERS.some((f) => arr(spec[f]).length > 0),
    enforces: matchActions.some((a) => a.enforces),
  };
}

/** One hook of a policy. */
export interface HookView {
  readonly kind: HookKind;
  /** Position in its section (`spec.kprobes[index]`). */
  readonly index: number;
  /** The hook as written. */
  readonly spec: Readonly<Record<string, unknown>>;
  /** What it attaches to: the call, the LSM hook, `subsystem/event`, or the binary path; `?` when missing. */
  readonly name: string;
  /** Display name, e.g. `kprobes[2] security_file_open`. */
  readonly label: string;
  /** JSON path prefix, e.g. `spec.kprobes[2]`. */
  readonly path: string;
  readonly args: readonly ArgDeclaration[];
  readonly data: readonly ArgDeclaration[];
  /** `returnArg`, when it is an object. */
  readonly returnArg?: ArgDeclaration;
  readonly selectors: readonly SelectorView[];
}

function hookName(kind: HookKind, s: Record<string, unknown>): string {
  if (kind === 'tracepoints') return `${str(s.subsystem) ?? '?'}/${str(s.event) ?? '?'}`;
  if (kind === 'lsmhooks') return str(s.hook) ?? '?';
  if (kind === 'uprobes' || kind === 'usdts') return str(s.path) ?? '?';
  return str(s.call) ?? '?';
}

/** Lists the hooks of a spec, in the order Tetragon looks at them. */
export function hooksOf(spec: Readonly<Record<string, unknown>>): HookView[] {
  return HOOK_KINDS.flatMap((kind) =>
    arr(spec[kind]).map((h, index): HookView => {
      const s = obj(h) ?? {};
      const name = hookName(kind, s);
      const ret = obj(s.returnArg);
      return {
        kind,
        index,
        spec: s,
        name,
        label: `${kind}[${index}] ${name}`,
        path: `spec.${kind}[${index}]`,
        args: objects(s.args).map(readArg),
        data: objects(s.data).map(readArg),
        ...(ret ? { returnArg: readArg(ret) } : {}),
        selectors: objects(s.selectors).map(readSelector),
      };
    }),
  );
}

/** A Kubernetes label selector (`podSelector`, `containerSelector`) as written. */
export interface LabelSelectorView {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly { readonly key: string; readonly operator: string; readonly values: readonly string[] }[];
}

function readLabelSelector(x: unknown): LabelSelectorView | undefined {
  const o = obj(x);
  if (!o) return undefined;
  const labels = Object.entries(obj(o.matchLabels) ?? {}).map(([k, v]): [string, string] => [k, String(v)]);
  return {
    matchLabels: Object.fromEntries(labels),
    matchExpressions: objects(o.matchExpressions).map((e) => ({
      key: str(e.key) ?? '',
      operator: str(e.operator) ?? '',
      values: arr(e.values).map(String),
    })),
  };
}

/** Whether a label selector narrows what it selects (an empty one selects everything). */
export function narrows(selector: LabelSelectorView | undefined): boolean {
  return !!selector && (Object.keys(selector.matchLabels).length > 0 || selector.matchExpressions.length > 0);
}

/** A `spec.lists` entry. */
export interface ListView {
  readonly name: string;
  /** `syscalls`, `generated_syscalls`, `generated_ftrace`, or `` (plain functions). */
  readonly type: string;
  readonly values: readonly string[];
}

/** A TracingPolicy or TracingPolicyNamespaced, read. */
export interface PolicyView {
  readonly apiVersion?: string;
  readonly kind?: string;
  /** The name findings use: `metadata.name`, with `namespace/` for a TracingPolicyNamespaced. */
  readonly name: string;
  readonly namespace?: string;
  /** The spec as written (`{}` when missing). */
  readonly spec: Readonly<Record<string, unknown>>;
  readonly hooks: readonly HookView[];
  /** The hook sections that hold hooks. */
  readonly hookKinds: readonly HookKind[];
  /** `podSelector`, when set (`{}` selects every pod). */
  readonly podSelector?: LabelSelectorView;
  /** `containerSelector`, when set. */
  readonly containerSelector?: LabelSelectorView;
  /** `hostSelector`, when set to an object (`{}` selects host processes); null and absent read as unset. */
  readonly hostSelector?: Readonly<Record<string, unknown>>;
  /** `spec.selectorsMacros`, read as selectors. */
  readonly macros: ReadonlyMap<string, SelectorView>;
  /** `spec.options` by name (the last entry of a name wins, as in Tetragon's getSpecOptions); values as strings. */
  readonly options: ReadonlyMap<string, string>;
  /** `spec.lists` by name (the first list of a name, as Tetragon's isList finds it). */
  readonly lists: ReadonlyMap<string, ListView>;
  /** Whether a selector of a hook or a macro has an enforcing action. */
  readonly enforces: boolean;
  /** `policy-mode: monitor` keeps enforcing actions from acting; anything else is enforce mode. */
  readonly mode: 'enforce' | 'monitor';
}

/** Reads a manifest; anything that is not an object reads as an empty policy. */
export function readPolicy(manifest: unknown): PolicyView {
  const m = obj(manifest) ?? {};
  const meta = obj(m.metadata) ?? {};
  const kind = str(m.kind);
  const apiVersion = str(m.apiVersion);
  const namespace = str(meta.namespace);
  const metadataName = str(meta.name) ?? '<unnamed>';
  const spec = obj(m.spec) ?? {};
  const hooks = hooksOf(spec);
  const macros = new Map(Object.entries(obj(spec.selectorsMacros) ?? {}).map(([k, v]) => [k, readSelector(obj(v) ?? {})]));
  const options = new Map(objects(spec.options).map((o) => [str(o.name) ?? '', o.value === undefined ? '' : String(o.value)]));
  // isList: the first list of a name is the one a call names.
  const lists = new Map(
    objects(spec.lists)
      .reverse()
      .map((l): [string, ListView] => {
        const name = str(l.name) ?? '';
        return [name, { name, type: str(l.type) ?? '', values: arr(l.values).map(String) }];
      }),
  );
  const podSelector = readLabelSelector(spec.podSelector);
  const containerSelector = readLabelSelector(spec.containerSelector);
  const hostSelector = obj(spec.hostSelector);
  return {
    ...(apiVersion !== undefined ? { apiVersion } : {}),
    ...(kind !== undefined ? { kind } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
    name: kind === 'TracingPolicyNamespaced' ? `${namespace ?? '<no namespace>'}/${metadataName}` : metadataName,
    spec,
    hooks,
    hookKinds: HOOK_KINDS.filter((k) => arr(spec[k]).length > 0),
    ...(podSelector ? { podSelector } : {}),
    ...(containerSelector ? { containerSelector } : {}),
    ...(hostSelector ? { hostSelector } : {}),
    macros,
    options,
    lists,
    enforces: hooks.some((h) => h.selectors.some((s) => s.enforces)) || [...macros.values()].some((s) => s.enforces),
    mode: options.get('policy-mode') === 'monitor' ? 'monitor' : 'enforce',
  };
}

/** Whether a Go boolean option (`disable-kprobe-multi`) is set to true. */
export function optionIsTrue(policy: PolicyView, name: string): boolean {
  return GO_TRUE.has(policy.options.get(name) ?? '');
}
