/**
 * An offline model of Tetragon's in-kernel filtering: which TracingPolicy hooks and selectors an event
 * reaches, which actions run, and why the others stay quiet.
 */
import { checkPolicy } from '../check/engine';
import { ActionView, HookView, PolicyView, SelectorView, readPolicy, str } from '../model/private/policy-reader';
import { EventArg, HookRef, SimulatedEvent, parseHook, validateEvent } from './event';
import { PolicyInput, TracingPolicyManifest, loadPolicies } from './policy-input';
import { FilterOutcome, evaluateArgFilter } from './private/operators';
import {
  DEFAULT_NODE,
  NodeModel,
  ProcessModel,
  evaluateBinaries,
  evaluateCapabilities,
  evaluateCapabilityChanges,
  evaluateNamespaceChanges,
  evaluateNamespaces,
  evaluatePids,
  evaluateWorkload,
  processModel,
} from './private/process';

/** CPU architecture, which decides the prefix of `syscall: true` functions. */
export type SimulatedArch = 'x86_64' | 'arm64';

/** Options of a simulation run. */
export interface SimulateOptions {
  /** Architecture of the node. @default 'x86_64' (syscalls become `__x64_sys_*`) */
  readonly arch?: SimulatedArch;
  /**
   * Host namespace inodes that `host_ns` stands for, per kind (`mnt`, `net`, `pid`, ...).
   * @default the kernel's initial namespace inodes
   */
  readonly hostNamespaces?: Readonly<Record<string, number>>;
}

/** One action a matching selector takes. */
export interface SimulatedAction {
  /** The action as Tetragon names it (`Post`, `NoPost`, `Sigkill`, `Override`, `Signal`, `NotifyEnforcer`, ...). */
  readonly action: string;
  /** For enforcement actions: whether it takes effect (false under `policy-mode: monitor`). */
  readonly enforced?: boolean;
  /** `Post` rate limit as written (`1m`); the first event in each window is posted. */
  readonly rateLimit?: string;
  /** `Post` rate limit scope. */
  readonly rateLimitScope?: 'thread' | 'process' | 'global';
  /** `Override` return value. */
  readonly argError?: number;
  /** `Signal` number (Sigkill is 9). */
  readonly argSig?: number;
  readonly kernelStackTrace?: boolean;
  readonly userStackTrace?: boolean;
  readonly imaHash?: boolean;
  /** Other action arguments (argFd, argUrl, argFqdn, argSock, ...) as written. */
  readonly args?: Readonly<Record<string, unknown>>;
}

/** A policy hook that selects the event. */
export interface PolicyMatch {
  readonly policy: string;
  /** Namespace of a TracingPolicyNamespaced. */
  readonly namespace?: string;
  /** The hook as Tetragon's metrics label it: `kprobe:__x64_sys_setuid`, `lsm:file_open`, `tracepoint:sched/sched_process_exec`. */
  readonly hook: string;
  /** Position of the hook in `spec.kprobes`/`lsmhooks`/`tracepoints`. */
  readonly hookIndex: number;
  /** Index of the first matching selector; absent when the hook has no selectors (everything matches). */
  readonly selector?: number;
  /** The selector's actions (a missing `matchActions` means Post). */
  readonly actions: readonly SimulatedAction[];
  /** Whether an event reaches user space (false after NoPost). */
  readonly post: boolean;
  /** `enforce`, or `monitor` when `spec.options` sets `policy-mode: monitor`. */
  readonly mode: 'enforce' | 'monitor';
  readonly message?: string;
  readonly tags?: readonly string[];
  /** The filters that held, in evaluation order. */
  readonly because: readonly string[];
}

/** Why a policy, hook or selector did not select the event. */
export interface PolicyMiss {
  readonly policy: string;
  readonly hook?: string;
  readonly hookIndex?: number;
  readonly selector?: number;
  readonly reason: string;
}

/** The outcome of one event. */
export interface SimulationResult {
  /** The event's name (or position). */
  readonly event: string;
  readonly hook: string;
  /**
   * Whether a policy hooks the event's hook at all. When none does (often a typo in the event's hook), the event
   * tests nothing: no filter was evaluated.
   */
  readonly hooked: boolean;
  /** Whether a policy hook selected the event. */
  readonly matched: boolean;
  /** Whether one of the matches posts an event to user space. */
  readonly posted: boolean;
  /** Names of the actions that take effect, sorted and unique (Post only when posted, enforcement only when enforced). */
  readonly actions: readonly string[];
  readonly matches: readonly PolicyMatch[];
  readonly misses: readonly PolicyMiss[];
  /**
   * Data the event lacks for a filter that reads it, and filters the simulator does not model (`CelExpr`, `matchData`,
   * lists the agent expands on the node); while non-empty, the result is not conclusive.
   */
  readonly problems: readonly string[];
  /**
   * Policies Tetragon (or the API server) would refuse, as the policy checker finds them: `<rule id>: <finding>`, for
   * example `max-values: policy 'p' kprobes[0] ...`. They select nothing.
   */
  readonly loadErrors: readonly string[];
}

function archPrefix(arch: SimulatedArch): string {
  return arch === 'arm64' ? '__arm64_' : '__x64_';
}

/** Kernel symbols a kprobe attaches to (lists expanded, `syscall: true` names prefixed), or why they cannot be known offline. */
function kprobeSymbols(hook: HookView, policy: PolicyView, arch: SimulatedArch): string[] | string {
  const call = str(hook.spec.call) ?? '';
  if (call.startsWith('list:')) {
    const name = call.slice('list:'.length);
    const list = policy.lists.get(name);
    if (list?.type === 'syscalls') {
      return list.values.map((v) => {
        const [abi, fn] = v.includes('/') ? v.split('/') : ['', v];
        const prefix = abi === 'i386' ? '__ia32_' : abi === 'arm64' ? '__arm64_' : abi === 'x64' ? '__x64_' : archPrefix(arch);
        return prefix + fn;
      });
    }
    if (list?.type === '') return [...list.values];
    return `list ${name} has type '${list?.type}', which the simulator cannot expand offline`;
  }
  // The CRD defaults syscall to true, and the prefix is added blindly.
  return [hook.spec.syscall !== false ? archPrefix(arch) + call : call];
}

function hookLabel(kind: string, name: string): string {
  return `${kind}:${name}`;
}

/** How the event names a hook of a policy section. */
const EVENT_KIND: Readonly<Record<HookView['kind'], string>> = {
  kprobes: 'kprobe',
  lsmhooks: 'lsm',
  tracepoints: 'tracepoint',
  uprobes: 'uprobes',
  usdts: 'usdts',
  fentries: 'fentries',
};

interface HookCandidate {
  readonly hook: HookView;
  readonly label: string;
}

function candidates(
  policy: PolicyView,
  hook: HookRef,
  arch: SimulatedArch,
): { hits: HookCandidate[]; names: string[]; unexpanded: string[] } {
  const hits: HookCandidate[] = [];
  const names: string[] = [];
  const unexpanded: string[] = [];
  for (const h of policy.hooks) {
    const kind = EVENT_KIND[h.kind];
    const symbols = h.kind === 'kprobes' ? kprobeSymbols(h, policy, arch) : [h.name];
    if (typeof symbols === 'string') {
      unexpanded.push(symbols);
      continue;
    }
    names.push(...symbols.map((sym) => hookLabel(kind, sym)));
    if (kind === hook.kind && symbols.includes(hook.name)) hits.push({ hook: h, label: hookLabel(hook.kind, hook.name) });
  }
  return { hits, names, unexpanded };
}

/** The signal Sigkill sends, and Signal's default. */
const SIGKILL = 9;

/** The actions a matching selector takes: Post when it lists none. */
function parseActions(list: readonly ActionView[], mode: 'enforce' | 'monitor'): { actions: SimulatedAction[]; post: boolean } {
  if (list.length === 0) return { actions: [{ action: 'Post' }], post: true };
  const actions = list.map((a): SimulatedAction => {
    const name = a.action ?? a.text;
    const e = a.spec;
    const scope = str(e.rateLimitScope) ?? 'thread';
    const extra = Object.fromEntries(
      ['argFd', 'argName', 'argUrl', 'argFqdn', 'argSock', 'argIndex', 'argValue'].filter((k) => e[k] !== undefined).map((k) => [k, e[k]]),
    );
    return {
      action: name,
      ...(name === 'Post' && e.rateLimit !== undefined
        ? { rateLimit: String(e.rateLimit), rateLimitScope: scope === 'process' || scope === 'global' ? scope : 'thread' }
        : {}),
      ...(name === 'Post' && e.kernelStackTrace ? { kernelStackTrace: true } : {}),
      ...(name === 'Post' && e.userStackTrace ? { userStackTrace: true } : {}),
      ...(name === 'Post' && e.imaHash ? { imaHash: true } : {}),
      ...(name === 'Sigkill' ? { argSig: SIGKILL } : {}),
      ...(name === 'Signal' ? { argSig: Number(e.argSig ?? SIGKILL) } : {}),
      ...(name === 'Override' || name === 'NotifyEnforcer' ? { argError: Number(e.argError ?? 0) } : {}),
      ...(name === 'NotifyEnforcer' && e.argSig !== undefined ? { argSig: Number(e.argSig) } : {}),
      ...(a.enforces ? { enforced: mode === 'enforce' } : {}),
      ...(Object.keys(extra).length > 0 ? { args: extra } : {}),
    };
  });
  return { actions, post: !list.some((a) => a.action === 'NoPost') };
}

function eventArgAt(event: SimulatedEvent): (index: number) => EventArg | undefined {
  return (index) => {
    const args = event.args;
    if (!args) return undefined;
    const v = Array.isArray(args) ? args[index] : (args as Readonly<Record<string, EventArg | null>>)[String(index)];
    return v === null ? undefined : v;
  };
}

interface SelectorVerdict {
  readonly outcome: 'match' | 'fail' | 'inconclusive';
  readonly held: string[];
  readonly failed: string[];
}

function evaluateSelector(sel: SelectorView, hook: HookView, event: SimulatedEvent, proc: ProcessModel, node: NodeModel): SelectorVerdict {
  const held: string[] = [];
  const failed: string[] = [];
  const outcomes: (FilterOutcome | undefined)[] = [
    evaluateBinaries('matchBinaries', sel.matchBinaries, proc),
    evaluateBinaries('matchParentBinaries', sel.matchParentBinaries, proc),
    evaluatePids(sel.matchPIDs, proc),
    evaluateNamespaces(sel.matchNamespaces, proc, node),
    evaluateCapabilities(sel.matchCapabilities, proc, node),
    evaluateNamespaceChanges(sel.matchNamespaceChanges, proc),
    evaluateCapabilityChanges(sel.matchCapabilityChanges, proc, node),
  ];
  const argAt = eventArgAt(event);
  sel.matchArgs.forEach((f, i) => {
    const o = evaluateArgFilter(f, hook.args, argAt, hook.kind === 'tracepoints');
    outcomes.push({ ...o, detail: `matchArgs[${i}]: ${o.detail}` });
  });
  if (sel.matchData.length > 0) outcomes.push({ kind: 'unmodeled', detail: 'matchData reads kernel data the simulator does not model' });
  if (sel.macros.length > 0)
    outcomes.push({ kind: 'unmodeled', detail: `macros ${sel.macros.join(', ')}: the simulator does not model selectorsMacros` });
  const returnArg = hook.returnArg;
  if (sel.matchReturnArgs.length > 0 && hook.kind === 'kprobes' && hook.spec.return === true && returnArg) {
    const ret = event.returnValue;
    sel.matchReturnArgs.forEach((f, i) => {
      // The return probe compares the return value, whatever index the entry names.
      const o =
        ret === undefined
          ? { kind: 'event-problem' as const, detail: 'the event gives no returnValue' }
          : evaluateArgFilter({ ...f, index: returnArg.index }, [returnArg], (idx) => (idx === returnArg.index ? ret : undefined));
      outcomes.push({ ...o, detail: `matchReturnArgs[${i}]: ${o.detail}` });
    });
  } else if (sel.matchReturnArgs.length > 0) {
    // Tetragon parses matchReturnArgs only for the return probe of a kprobe with return: true.
    held.push('matchReturnArgs is not evaluated: only a kprobe with return: true has a return probe');
  }
  let outcome: SelectorVerdict['outcome'] = 'match';
  for (const o of outcomes) {
    if (!o) continue;
    if (o.kind === 'pass') held.push(o.detail);
    else {
      failed.push(o.detail);
      if (o.kind !== 'fail') outcome = 'inconclusive';
      else if (outcome === 'match') outcome = 'fail';
    }
  }
  return { outcome, held, failed };
}

/** Load errors by manifest text: the same policy is checked once, however many events run through it. */
const LOAD_ERRORS = new Map<string, readonly string[]>();
const LOAD_ERRORS_KEPT = 512;

/**
 * Why Tetragon (or the API server) would refuse a policy: the policy checker's errors, without the kernel rules
 * (the simulator models a kernel of 5.11 or later with every feature Tetragon needs).
 */
function loadErrorsOf(policy: TracingPolicyManifest): readonly string[] {
  const key = JSON.stringify(policy);
  const cached = LOAD_ERRORS.get(key);
  if (cached) return cached;
  const errors = checkPolicy(policy, { skipKernelChecks: true })
    .filter((f) => f.severity === 'error')
    .map((f) => `${f.ruleId}: ${f.message}`);
  if (LOAD_ERRORS.size >= LOAD_ERRORS_KEPT) LOAD_ERRORS.clear();
  LOAD_ERRORS.set(key, errors);
  return errors;
}

/**
 * Runs one event through policies, the way the kernel side of Tetragon would: workload filters of the policy,
 * then each hook on the event's function, then its selectors in order (the first selector whose filters all hold
 * decides the actions), and finally the actions (Post unless NoPost; enforcement only in enforce mode).
 */
export function simulatePolicies(
  policies: readonly TracingPolicyManifest[],
  event: SimulatedEvent,
  options: SimulateOptions = {},
): SimulationResult {
  const arch = options.arch ?? 'x86_64';
  const node: NodeModel = { hostNamespaces: { ...DEFAULT_NODE.hostNamespaces, ...(options.hostNamespaces ?? {}) } };
  const hook = parseHook(event.hook);
  if (typeof hook === 'string') throw new Error(`event ${event.name ?? ''}: ${hook}`);
  const proc = processModel(event, node);
  if (typeof proc === 'string') throw new Error(`event ${event.name ?? ''}: ${proc}`);
  const matches: PolicyMatch[] = [];
  const misses: PolicyMiss[] = [];
  const problems: string[] = [];
  const loadErrors: string[] = [];
  let hooked = false;

  for (const policy of policies) {
    const name = policy.metadata.name;
    const base = { policy: name };
    // Whether the policy loads is the policy checker's answer; a refused policy selects nothing.
    const refused = loadErrorsOf(policy);
    if (refused.length > 0) {
      loadErrors.push(...refused);
      continue;
    }
    const view = readPolicy(policy);
    const { hits, names, unexpanded } = candidates(view, hook, arch);
    if (hits.length === 0) {
      problems.push(...unexpanded.map((e) => `${name}: ${e}`));
      const hint =
        hook.kind === 'kprobe' && !hook.name.startsWith('__') && names.includes(`kprobe:${archPrefix(arch)}${hook.name}`)
          ? ` (a syscall hook attaches to ${archPrefix(arch)}${hook.name}; name the event's hook that way)`
          : '';
      misses.push({
        ...base,
        reason: `does not hook ${hookLabel(hook.kind, hook.name)}; it hooks ${names.join(', ') || 'nothing'}${hint}`,
      });
      continue;
    }
    hooked = true;
    const workload = evaluateWorkload(view, proc);
    if (workload.kind === 'event-problem' || workload.kind === 'unmodeled') problems.push(`${name}: ${workload.detail}`);
    if (workload.kind !== 'pass') {
      misses.push({ ...base, reason: workload.detail });
      continue;
    }
    for (const { hook: h, label } of hits) {
      const where = { ...base, hook: label, hookIndex: h.index };
      const common = {
        policy: name,
        ...(policy.kind === 'TracingPolicyNamespaced' ? { namespace: policy.metadata.namespace } : {}),
        hook: label,
        hookIndex: h.index,
        mode: view.mode,
        ...(h.spec.message ? { message: String(h.spec.message) } : {}),
        ...(Array.isArray(h.spec.tags) ? { tags: h.spec.tags.map(String) } : {}),
      };
      if (h.selectors.length === 0) {
        matches.push({
          ...common,
          actions: [{ action: 'Post' }],
          post: true,
          because: ['the hook has no selectors, so every call matches'],
        });
        continue;
      }
      let decided = false;
      const selectorMisses: PolicyMiss[] = [];
      h.selectors.forEach((sel, i) => {
        if (decided) return;
        const verdict = evaluateSelector(sel, h, event, proc, node);
        if (verdict.outcome === 'inconclusive') problems.push(...verdict.failed.map((f) => `${name} ${label} selector ${i}: ${f}`));
        if (verdict.outcome === 'match') {
          const parsed = parseActions(sel.matchActions, view.mode);
          matches.push({ ...common, selector: i, actions: parsed.actions, post: parsed.post, because: verdict.held });
          decided = true;
        } else {
          selectorMisses.push({ ...where, selector: i, reason: verdict.failed.join('; ') });
        }
      });
      // Once a selector matched, the earlier ones no longer explain anything.
      if (!decided) misses.push(...selectorMisses);
    }
  }
  const posted = matches.some((m) => m.post);
  const effective = new Set<string>();
  for (const m of matches) {
    // An event is posted unless NoPost (or, over time, a rate limit) stops it, whether or not Post is listed.
    if (m.post) effective.add('Post');
    for (const a of m.actions) {
      if (a.action === 'Post' || a.action === 'NoPost') continue;
      if (a.enforced === false) continue;
      effective.add(a.action);
    }
  }
  return {
    event: event.name ?? '(event)',
    hook: hookLabel(hook.kind, hook.name),
    hooked,
    matched: matches.length > 0,
    posted,
    actions: [...effective].sort(),
    matches,
    misses,
    problems,
    loadErrors,
  };
}

/**
 * Runs one event through policies. Policies may be YAML text, manifests, cdk8s constructs or charts, or lists
 * of these; the event may be a `SimulatedEvent` object (it is validated first).
 * @throws EventFormatError for a malformed event; Error when the input holds no TracingPolicy
 */
export function simulate(policies: PolicyInput, event: SimulatedEvent, options: SimulateOptions = {}): SimulationResult {
  const checked = validateEvent(event, event?.name ?? 'event');
  return simulatePolicies(loadPolicies(policies), checked, options);
}
