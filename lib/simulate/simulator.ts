/**
 * An offline model of Tetragon's in-kernel filtering: which TracingPolicy hooks and selectors an event
 * reaches, which actions run, and why the others stay quiet.
 */
import { EventArg, HookRef, SimulatedEvent, parseHook, validateEvent } from './event';
import { ArgFilter, FilterOutcome, SpecArg, evaluateArgFilter } from './_operators';
import {
  DEFAULT_NODE, NodeModel, ProcessModel, evaluateBinaries, evaluateCapabilities, evaluateCapabilityChanges, evaluateNamespaceChanges,
  evaluateNamespaces, evaluatePids, evaluateWorkload, processModel,
} from './_process';
import { PolicyInput, TracingPolicyManifest, loadPolicies } from './policy-input';

/** CPU architecture, which decides the prefix of `syscall: true` functions. */
export type SimulatedArch = 'x86_64' | 'arm64';

/** Options of a simulation run. */
export interface SimulateOptions {
  /** Architecture of the node. @default 'x86_64' (syscalls become `__x64_sys_*`) */
  readonly arch?: SimulatedArch;
  /** Host namespace inodes that `host_ns` stands for, per kind (`mnt`, `net`, `pid`, ...). @default the kernel's initial namespace inodes */
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
   * Whether any policy hooks the event's hook at all. When none does (often a typo in the event's hook), the event
   * tests nothing: no filter was evaluated.
   */
  readonly hooked: boolean;
  /** Whether any policy hook selected the event. */
  readonly matched: boolean;
  /** Whether any match posts an event to user space. */
  readonly posted: boolean;
  /** Names of the actions that take effect, sorted and unique (Post only when posted, enforcement only when enforced). */
  readonly actions: readonly string[];
  readonly matches: readonly PolicyMatch[];
  readonly misses: readonly PolicyMiss[];
  /** Data the event lacks for a filter that reads it; while non-empty, the result is not conclusive. */
  readonly problems: readonly string[];
  /** Policies Tetragon would refuse to load, with why (they select nothing). */
  readonly loadErrors: readonly string[];
}

const ENFORCEMENT = ['Sigkill', 'Signal', 'Override', 'NotifyEnforcer', 'Set'];

const ACTION_NAMES: Record<string, string> = Object.fromEntries([
  'Post', 'FollowFD', 'UnfollowFD', 'Sigkill', 'CopyFD', 'Override', 'GetUrl', 'DnsLookup', 'NoPost', 'Signal', 'TrackSock',
  'UntrackSock', 'NotifyEnforcer', 'CleanupEnforcerNotification', 'Set',
].map((a) => [a.toLowerCase(), a]));

function archPrefix(arch: SimulatedArch): string {
  return arch === 'arm64' ? '__arm64_' : '__x64_';
}

/** Kernel symbols a kprobe spec attaches to (lists expanded, `syscall: true` names prefixed). */
function kprobeSymbols(kp: any, spec: any, arch: SimulatedArch): string[] | string {
  const call = String(kp.call ?? '');
  if (call.startsWith('list:')) {
    const name = call.slice(5);
    const list = (spec.lists ?? []).find((l: any) => l.name === name);
    if (!list) return `call ${call} names a list that spec.lists does not define`;
    const type = String(list.type ?? '');
    if (type === 'syscalls') {
      return (list.values ?? []).map((v: string) => {
        const [abi, fn] = v.includes('/') ? v.split('/') : ['', v];
        const prefix = abi === 'i386' ? '__ia32_' : abi === 'arm64' ? '__arm64_' : abi === 'x64' ? '__x64_' : archPrefix(arch);
        return prefix + fn;
      });
    }
    if (type === '' ) return (list.values ?? []).map(String);
    return `list ${name} has type '${type}', which the simulator cannot expand offline`;
  }
  // The CRD defaults syscall to true, and the prefix is added blindly.
  const syscall = kp.syscall ?? true;
  return [syscall ? archPrefix(arch) + call : call];
}

function hookLabel(kind: string, name: string): string {
  return `${kind}:${name}`;
}

interface HookCandidate {
  readonly index: number;
  readonly spec: any;
  readonly label: string;
}

function hookSection(kind: HookRef['kind']): string {
  return kind === 'kprobe' ? 'kprobes' : kind === 'lsm' ? 'lsmhooks' : 'tracepoints';
}

function candidates(policy: TracingPolicyManifest, hook: HookRef, arch: SimulatedArch): { hits: HookCandidate[]; names: string[]; errors: string[] } {
  const spec = policy.spec;
  const hits: HookCandidate[] = [];
  const names: string[] = [];
  const errors: string[] = [];
  const section = spec[hookSection(hook.kind)] as any[] | undefined;
  for (const kind of ['kprobes', 'lsmhooks', 'tracepoints', 'uprobes', 'usdts', 'fentries']) {
    for (const h of (spec[kind] as any[] | undefined) ?? []) {
      if (kind === 'kprobes') {
        const syms = kprobeSymbols(h, spec, arch);
        if (typeof syms === 'string') errors.push(syms);
        else names.push(...syms.map((s) => hookLabel('kprobe', s)));
      } else if (kind === 'lsmhooks') names.push(hookLabel('lsm', String(h.hook)));
      else if (kind === 'tracepoints') names.push(hookLabel('tracepoint', `${h.subsystem}/${h.event}`));
      else names.push(`${kind}:${h.path ?? h.call ?? '?'}`);
    }
  }
  (section ?? []).forEach((h, index) => {
    if (hook.kind === 'kprobe') {
      const syms = kprobeSymbols(h, spec, arch);
      if (typeof syms !== 'string' && syms.includes(hook.name)) hits.push({ index, spec: h, label: hookLabel('kprobe', hook.name) });
    } else if (hook.kind === 'lsm' && String(h.hook) === hook.name) {
      hits.push({ index, spec: h, label: hookLabel('lsm', hook.name) });
    } else if (hook.kind === 'tracepoint' && `${h.subsystem}/${h.event}` === hook.name) {
      hits.push({ index, spec: h, label: hookLabel('tracepoint', hook.name) });
    }
  });
  return { hits, names, errors };
}

function hookKinds(spec: any): string[] {
  return ['kprobes', 'tracepoints', 'lsmhooks', 'uprobes', 'usdts', 'fentries'].filter((k) => Array.isArray(spec[k]) && spec[k].length > 0);
}

function policyMode(spec: any): 'enforce' | 'monitor' {
  const opt = (spec.options ?? []).find((o: any) => o?.name === 'policy-mode');
  return opt && String(opt.value) === 'monitor' ? 'monitor' : 'enforce';
}

function parseActions(list: readonly any[] | undefined, mode: 'enforce' | 'monitor', where: string): { actions: SimulatedAction[]; post: boolean } | string {
  const entries = list ?? [];
  if (entries.length > 3) return `${where}: at most 3 actions per selector (got ${entries.length})`;
  if (entries.length === 0) return { actions: [{ action: 'Post' }], post: true };
  let post = true;
  const actions: SimulatedAction[] = [];
  for (const a of entries) {
    const name = ACTION_NAMES[String(a.action).toLowerCase()];
    if (!name) return `${where}: unknown action '${a.action}'`;
    if (a.rateLimit !== undefined && name !== 'Post') return `${where}: rateLimit can only be applied to Post (was applied to '${a.action}')`;
    const out: Record<string, unknown> = { action: name };
    if (name === 'NoPost') post = false;
    if (name === 'Post') {
      if (a.rateLimit !== undefined) {
        if (!/^\d+[smhSMH]?$/.test(String(a.rateLimit))) return `${where}: rateLimit '${a.rateLimit}' is invalid; use N, Ns, Nm or Nh`;
        out.rateLimit = String(a.rateLimit);
        const scope = a.rateLimitScope ?? 'thread';
        if (!['thread', 'process', 'global'].includes(scope)) return `${where}: rateLimitScope '${scope}' is invalid; use thread, process or global`;
        out.rateLimitScope = scope;
      }
      if (a.kernelStackTrace) out.kernelStackTrace = true;
      if (a.userStackTrace) out.userStackTrace = true;
      if (a.imaHash) out.imaHash = true;
    }
    if (name === 'Sigkill') out.argSig = 9;
    if (name === 'Signal') out.argSig = Number(a.argSig ?? 9);
    if (name === 'Override' || name === 'NotifyEnforcer') out.argError = Number(a.argError ?? 0);
    if (name === 'NotifyEnforcer' && a.argSig !== undefined) out.argSig = Number(a.argSig);
    if (ENFORCEMENT.includes(name)) out.enforced = mode === 'enforce';
    const extra: Record<string, unknown> = {};
    for (const k of ['argFd', 'argName', 'argUrl', 'argFqdn', 'argSock', 'argIndex', 'argValue']) if (a[k] !== undefined) extra[k] = a[k];
    if (Object.keys(extra).length > 0) out.args = extra;
    actions.push(out as unknown as SimulatedAction);
  }
  return { actions, post };
}

function specArgs(list: readonly any[] | undefined): SpecArg[] {
  return (list ?? []).map((a) => ({ index: Number(a.index ?? 0), type: String(a.type ?? 'auto'), label: a.label }));
}

function eventArgAt(event: SimulatedEvent): (index: number) => EventArg | undefined {
  return (index) => {
    const args = event.args as any;
    if (!args) return undefined;
    const v = Array.isArray(args) ? args[index] : args[String(index)];
    return v === null ? undefined : v;
  };
}

interface SelectorVerdict {
  readonly outcome: 'match' | 'fail' | 'load-error' | 'event-problem';
  readonly held: string[];
  readonly failed: string[];
}

function evaluateSelector(sel: any, hookSpec: any, hookKind: HookRef['kind'], event: SimulatedEvent, proc: ProcessModel, node: NodeModel): SelectorVerdict {
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
  const args = specArgs(hookSpec.args);
  const matchArgs: ArgFilter[] = sel.matchArgs ?? [];
  if (matchArgs.length + (sel.matchData ?? []).length > 5) {
    outcomes.push({ kind: 'load-error', detail: `matchArgs + matchData: at most 5 filters per selector (got ${matchArgs.length + (sel.matchData ?? []).length})` });
  }
  const argAt = eventArgAt(event);
  matchArgs.forEach((f, i) => {
    const o = evaluateArgFilter(f, args, argAt);
    outcomes.push({ ...o, detail: `matchArgs[${i}]: ${o.detail}` });
  });
  if ((sel.matchData ?? []).length > 0) outcomes.push({ kind: 'event-problem', detail: 'matchData reads kernel data the simulator does not model' });
  const returnArgs: ArgFilter[] = sel.matchReturnArgs ?? [];
  if (returnArgs.length > 0) {
    if (hookKind !== 'kprobe') outcomes.push({ kind: 'load-error', detail: 'matchReturnArgs is only supported on kprobes' });
    else if (hookSpec.return !== true || !hookSpec.returnArg) outcomes.push({ kind: 'load-error', detail: 'matchReturnArgs needs return: true and returnArg on the hook' });
    else {
      const retSpec: SpecArg[] = [{ index: Number(hookSpec.returnArg.index ?? 0), type: String(hookSpec.returnArg.type ?? 'int') }];
      const ret = event.returnValue;
      returnArgs.forEach((f, i) => {
        const o = ret === undefined
          ? { kind: 'event-problem' as const, detail: 'the event gives no returnValue' }
          : evaluateArgFilter(f, retSpec, (idx) => (idx === retSpec[0].index ? ret : undefined));
        outcomes.push({ ...o, detail: `matchReturnArgs[${i}]: ${o.detail}` });
      });
    }
  }
  let outcome: SelectorVerdict['outcome'] = 'match';
  for (const o of outcomes) {
    if (!o) continue;
    if (o.kind === 'pass') held.push(o.detail);
    else {
      failed.push(o.detail);
      if (o.kind === 'load-error') outcome = 'load-error';
      else if (o.kind === 'event-problem' && outcome !== 'load-error') outcome = 'event-problem';
      else if (outcome === 'match') outcome = 'fail';
    }
  }
  return { outcome, held, failed };
}

/**
 * Runs one event through policies, the way the kernel side of Tetragon would: workload filters of the policy,
 * then each hook on the event's function, then its selectors in order (the first selector whose filters all hold
 * decides the actions), and finally the actions (Post unless NoPost; enforcement only in enforce mode).
 */
export function simulatePolicies(policies: readonly TracingPolicyManifest[], event: SimulatedEvent, options: SimulateOptions = {}): SimulationResult {
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
    const kinds = hookKinds(policy.spec);
    if (kinds.length > 1) {
      loadErrors.push(`${name}: a policy may use only one hook kind, this one has ${kinds.join(' and ')}`);
      continue;
    }
    const { hits, names, errors } = candidates(policy, hook, arch);
    if (errors.length > 0 && hits.length === 0) {
      loadErrors.push(...errors.map((e) => `${name}: ${e}`));
    }
    if (hits.length === 0) {
      const hint = hook.kind === 'kprobe' && !hook.name.startsWith('__') && names.includes(`kprobe:${archPrefix(arch)}${hook.name}`)
        ? ` (a syscall hook attaches to ${archPrefix(arch)}${hook.name}; name the event's hook that way)` : '';
      misses.push({ ...base, reason: `does not hook ${hookLabel(hook.kind, hook.name)}; it hooks ${names.join(', ') || 'nothing'}${hint}` });
      continue;
    }
    hooked = true;
    const workload = evaluateWorkload(policy, proc);
    if (workload.kind === 'load-error') {
      loadErrors.push(`${name}: ${workload.detail}`);
      continue;
    }
    if (workload.kind === 'event-problem') problems.push(`${name}: ${workload.detail}`);
    if (workload.kind !== 'pass') {
      misses.push({ ...base, reason: workload.detail });
      continue;
    }
    const mode = policyMode(policy.spec);
    for (const h of hits) {
      const where = { ...base, hook: h.label, hookIndex: h.index };
      const common = {
        policy: name,
        ...(policy.kind === 'TracingPolicyNamespaced' ? { namespace: policy.metadata.namespace } : {}),
        hook: h.label,
        hookIndex: h.index,
        mode,
        ...(h.spec.message ? { message: String(h.spec.message) } : {}),
        ...(h.spec.tags ? { tags: (h.spec.tags as unknown[]).map(String) } : {}),
      };
      const selectors: any[] = h.spec.selectors ?? [];
      if (selectors.length > 5) {
        loadErrors.push(`${name} ${h.label}: at most 5 selectors per hook (got ${selectors.length})`);
        continue;
      }
      if (selectors.length === 0) {
        matches.push({ ...common, actions: [{ action: 'Post' }], post: true, because: ['the hook has no selectors, so every call matches'] });
        continue;
      }
      let decided = false;
      let broken = false;
      const selectorMisses: PolicyMiss[] = [];
      for (let i = 0; i < selectors.length && !decided; i++) {
        const verdict = evaluateSelector(selectors[i], h.spec, hook.kind, event, proc, node);
        if (verdict.outcome === 'load-error') {
          loadErrors.push(`${name} ${h.label} selector ${i}: ${verdict.failed.join('; ')}`);
          broken = true;
          break;
        }
        if (verdict.outcome === 'event-problem') problems.push(...verdict.failed.map((f) => `${name} ${h.label} selector ${i}: ${f}`));
        if (verdict.outcome === 'match') {
          const parsed = parseActions(selectors[i].matchActions, mode, `${name} ${h.label} selector ${i}`);
          if (typeof parsed === 'string') {
            loadErrors.push(parsed);
            broken = true;
            break;
          }
          matches.push({ ...common, selector: i, actions: parsed.actions, post: parsed.post, because: verdict.held });
          decided = true;
        } else {
          selectorMisses.push({ ...where, selector: i, reason: verdict.failed.join('; ') });
        }
      }
      // Once a selector matched, the earlier ones no longer explain anything.
      if (!broken && !decided) misses.push(...selectorMisses);
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
