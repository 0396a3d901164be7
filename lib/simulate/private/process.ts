/**
 * The process side of Tetragon's filtering: the process as the execve map holds it, the process filters of a
 * selector (`bpf/process/pfilter.h`, `match_binaries` in `types/basic.h`) and the workload filters of a policy
 * (`podSelector`, `containerSelector`, `hostSelector`, namespaced policies; `pkg/policyfilter`).
 */
import { LIMITS } from '../../model/limits';
import {
  BinaryFilterView,
  CapabilityFilterView,
  LabelSelectorView,
  NamespaceChangeFilterView,
  NamespaceFilterView,
  PidFilterView,
  PolicyView,
} from '../../model/private/policy-reader';
import { NamespaceName } from '../../model/private/vocabulary';
import { show } from '../../private/problems';
import { NAMESPACE_KINDS, NamespaceKind, SimulatedEvent, CapabilitySets } from '../event';
import { FilterOutcome, fail, pass, problem, unmodeled } from './operators';
import {
  CAPABILITIES,
  DEFAULT_HOST_NAMESPACES,
  RUNTIME_DEFAULT_CAPABILITIES,
  capabilityMask,
  capabilityNames,
  imageRepo,
  policyCapabilityMask,
} from './values';

/** Simulator settings that stand for the node. */
export interface NodeModel {
  /** Host namespace inodes (`host_ns`), per kind. */
  readonly hostNamespaces: Readonly<Record<string, number>>;
}

/** The process with every default resolved. */
export interface ProcessModel {
  readonly binary: string;
  readonly exe: string;
  readonly pid: number;
  readonly nsPid?: number;
  readonly host: boolean;
  readonly podNamespace?: string;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly containerName?: string;
  readonly containerRepo?: string;
  readonly namespaces: Readonly<Record<string, number>>;
  readonly namespacesAtExec: Readonly<Record<string, number>>;
  readonly caps: { effective: bigint; permitted: bigint; inheritable: bigint };
  readonly capsAtExec: { effective: bigint; permitted: bigint; inheritable: bigint };
  /** Parent first, then further ancestors. */
  readonly ancestors: readonly { exe?: string; pid?: number; nsPid?: number }[];
  readonly parentKnown: boolean;
}

/** Inode base for namespaces the simulator invents for pod processes. */
const SYNTHETIC_NS_BASE = 4026532200;

function capSet(
  sets: CapabilitySets | undefined,
  fallback: bigint,
): { effective: bigint; permitted: bigint; inheritable: bigint } | string {
  if (!sets) return { effective: fallback, permitted: fallback, inheritable: 0n };
  const eff = capabilityMask(sets.effective ?? []);
  const prm = sets.permitted ? capabilityMask(sets.permitted) : eff;
  const inh = capabilityMask(sets.inheritable ?? []);
  for (const m of [eff, prm, inh]) if (typeof m === 'string') return m;
  return { effective: eff as bigint, permitted: prm as bigint, inheritable: inh as bigint };
}

/** Resolves the event's process with the documented defaults. */
export function processModel(event: SimulatedEvent, node: NodeModel): ProcessModel | string {
  const p = event.process;
  const host = p.pod === undefined;
  const inHostNs = p.hostNamespaces ?? host;
  const nsFor = (given: SimulatedEvent['process']['namespaces']): Record<string, number> => {
    const out: Record<string, number> = {};
    NAMESPACE_KINDS.forEach((kind, i) => {
      const v = given?.[kind as NamespaceKind];
      if (v === 'host') out[kind] = node.hostNamespaces[kind];
      else if (typeof v === 'number') out[kind] = v;
      // Pods share the host's user and time namespaces unless user namespaces are enabled for them.
      else if (inHostNs || kind === 'user' || kind === 'time' || kind === 'timeForChildren') out[kind] = node.hostNamespaces[kind];
      else out[kind] = SYNTHETIC_NS_BASE + (kind === 'pidForChildren' ? NAMESPACE_KINDS.indexOf('pid') : i);
    });
    return out;
  };
  const namespaces = nsFor(p.namespaces);
  const all = (1n << BigInt(CAPABILITIES.length)) - 1n;
  const uid = p.uid ?? 0;
  const defaultCaps = uid !== 0 ? 0n : host ? all : (capabilityMask(RUNTIME_DEFAULT_CAPABILITIES) as bigint);
  const caps = capSet(p.capabilities, defaultCaps);
  if (typeof caps === 'string') return `process.capabilities: ${caps}`;
  const capsAtExec = p.capabilitiesAtExec ? capSet(p.capabilitiesAtExec, defaultCaps) : caps;
  if (typeof capsAtExec === 'string') return `process.capabilitiesAtExec: ${capsAtExec}`;
  const pid = p.pid ?? 1000;
  const ancestors = [
    ...(event.parent ? [{ exe: event.parent.exe ?? event.parent.binary, pid: event.parent.pid, nsPid: event.parent.nsPid }] : []),
    ...(p.ancestors ?? []).map((a) => ({ exe: a.exe ?? a.binary, pid: a.pid, nsPid: a.nsPid })),
  ];
  const container = p.pod?.container;
  return {
    binary: p.binary,
    exe: p.exe ?? p.binary,
    pid,
    nsPid: p.nsPid ?? (host && (p.pidNamespaceLevel ?? 0) === 0 ? pid : undefined),
    host,
    podNamespace: p.pod?.namespace,
    podLabels: p.pod?.labels ?? {},
    containerName: container?.name,
    containerRepo: container?.repo ?? (container?.image ? imageRepo(container.image) : undefined),
    namespaces,
    namespacesAtExec: p.namespacesAtExec ? nsFor({ ...p.namespaces, ...p.namespacesAtExec }) : namespaces,
    caps,
    capsAtExec,
    ancestors,
    parentKnown: event.parent !== undefined,
  };
}

function binaryMatches(op: string, path: string, vals: readonly string[]): boolean {
  switch (op) {
    case 'In':
    case 'NotIn':
      return vals.includes(path);
    case 'Prefix':
    case 'NotPrefix': {
      // Binary paths are stored in 256-byte buffers; the LPM tries see at most 255 bytes.
      const cut = path.slice(0, LIMITS.binaryPathLength);
      return vals.some((v) => cut.startsWith(v));
    }
    default:
      return vals.some((v) => path.endsWith(v));
  }
}

/**
 * `matchBinaries` / `matchParentBinaries`. Compares the resolved executable (`mm->exe_file`), not the exec'd
 * path the event shows in `process.binary`.
 */
export function evaluateBinaries(
  field: 'matchBinaries' | 'matchParentBinaries',
  list: readonly BinaryFilterView[],
  proc: ProcessModel,
): FilterOutcome | undefined {
  if (list.length === 0) return undefined;
  const b = list[0];
  const op = b.operator ?? String(b.operatorText);
  const vals = b.values;
  // An entry without values is ignored by the agent.
  if (vals.length === 0) return pass(`${field} has no values and is ignored`);
  const negated = op.startsWith('Not');
  const shown = `[${vals.join(', ')}]`;
  // matchBinaries compares the process; matchParentBinaries reads the parents map, and a process without an entry skips it.
  const parent = proc.ancestors[0];
  if (field === 'matchParentBinaries' && (!proc.parentKnown || parent?.exe === undefined)) {
    return problem(`${field} needs the parent's binary (event field "parent"); without it Tetragon would skip this filter`);
  }
  const [exe, above, what] =
    field === 'matchBinaries'
      ? [proc.exe, proc.ancestors, `resolved executable ${proc.exe}${proc.exe !== proc.binary ? ` (executed as ${proc.binary})` : ''}`]
      : [parent.exe!, proc.ancestors.slice(1), `parent executable ${parent.exe}`];
  let hit = binaryMatches(op, exe, vals);
  let via = what;
  if (!hit && b.followChildren) {
    const anc = above.find((a) => a.exe !== undefined && binaryMatches(op, a.exe, vals));
    if (anc) {
      hit = true;
      via = `ancestor ${anc.exe} (followChildren)`;
    }
  }
  const d = `${field} ${op} ${shown}: ${via} ${hit ? 'matches' : 'does not match'}`;
  return negated !== hit ? pass(d) : fail(d);
}

/** `matchPIDs`: only the first entry is evaluated by BPF, on at most 4 values. */
export function evaluatePids(list: readonly PidFilterView[], proc: ProcessModel): FilterOutcome | undefined {
  if (list.length === 0) return undefined;
  const f = list[0];
  const op = f.operator ?? String(f.operatorText);
  const vals = f.values.slice(0, LIMITS.pidValuesPerFilter);
  const isNs = f.isNamespacePID;
  const note = list.length > 1 ? ` (only the first matchPIDs entry is evaluated; ${list.length - 1} more ignored)` : '';
  const own = isNs ? proc.nsPid : proc.pid;
  if (own === undefined) return problem('matchPIDs with isNamespacePID needs process.nsPid (the PID inside the container)');
  const what = isNs ? 'namespace PID' : 'PID';
  if (f.followForks) {
    const chain: (number | undefined)[] = [own, ...proc.ancestors.map((a) => (isNs ? a.nsPid : a.pid))].slice(
      0,
      LIMITS.pidAncestorLookups + 1,
    );
    const found = (v: number): boolean => {
      // With isNamespacePID the walk compares a parent PID that is always 0, so the value 0 is always found.
      if (isNs && v === 0) return true;
      return chain.some((pid) => pid === v);
    };
    const results = vals.map((v) => (op === 'In' ? found(v) : !found(v)));
    const ok = op === 'In' ? results.some(Boolean) : results.every(Boolean);
    const quirk =
      isNs && vals.includes(0)
        ? '; with isNamespacePID and followForks the value 0 always counts as found (pfilter.h compares a parent PID of 0)'
        : '';
    const d = `matchPIDs ${op} [${vals.join(', ')}] followForks: ${what} ${own} and its ancestors [${chain
      .slice(1)
      .map((x) => x ?? '?')
      .join(', ')}]${quirk}${note}`;
    return ok ? pass(d) : fail(d);
  }
  const hit = vals.includes(own);
  const d = `matchPIDs ${op} [${vals.join(', ')}]: ${what} ${own} ${hit ? 'is' : 'is not'} listed${note}`;
  return (op === 'In') === hit ? pass(d) : fail(d);
}

/** The event's name for a namespace kind (`PidForChildren` is `pidForChildren`). */
function namespaceKind(name: NamespaceName): NamespaceKind {
  return (name[0].toLowerCase() + name.slice(1)) as NamespaceKind;
}

/** `matchNamespaces`: entries ANDed, values ORed (In) or all different (NotIn); `host_ns` is the host's inode. */
export function evaluateNamespaces(list: readonly NamespaceFilterView[], proc: ProcessModel, node: NodeModel): FilterOutcome | undefined {
  if (list.length === 0) return undefined;
  const parts: string[] = [];
  for (const f of list) {
    if (!f.namespace) return unmodeled(`matchNamespaces: namespace ${show(f.namespaceText)}`);
    const kind = namespaceKind(f.namespace);
    const op = f.operator ?? String(f.operatorText);
    const vals = f.values;
    const inodes = vals.map((v) => (v === 'host_ns' ? node.hostNamespaces[kind] : Number(v)));
    const actual = proc.namespaces[kind];
    const hit = inodes.includes(actual);
    const isHost = actual === node.hostNamespaces[kind];
    const d = `${f.namespace} namespace ${actual}${isHost ? ' (host)' : ''} ${op} [${vals.join(', ')}]`;
    if ((op === 'In') !== hit) return fail(`matchNamespaces: ${d} does not hold`);
    parts.push(d);
  }
  return pass(`matchNamespaces: ${parts.join(' and ')}`);
}

type CapSet = 'effective' | 'permitted' | 'inheritable';

function capsEntry(f: CapabilityFilterView, field: string): { set: CapSet; mask: bigint; op: string } | FilterOutcome {
  if (!f.set) return unmodeled(`${field}: capability set ${show(f.setText)}`);
  const mask = policyCapabilityMask(f.values);
  if (typeof mask === 'string') return unmodeled(`${field}: ${mask}`);
  return { set: f.set.toLowerCase() as CapSet, mask, op: f.operator ?? String(f.operatorText) };
}

/** `matchCapabilities`: BPF evaluates the first entry only. */
export function evaluateCapabilities(
  list: readonly CapabilityFilterView[],
  proc: ProcessModel,
  node: NodeModel,
): FilterOutcome | undefined {
  if (list.length === 0) return undefined;
  const e = capsEntry(list[0], 'matchCapabilities');
  if ('kind' in e) return e;
  const note = list.length > 1 ? ` (only the first matchCapabilities entry is evaluated; ${list.length - 1} more ignored)` : '';
  if (list[0].isNamespaceCapability && proc.namespaces.user === node.hostNamespaces.user) {
    return fail(`matchCapabilities with isNamespaceCapability only matches outside the host user namespace; the process is in it${note}`);
  }
  const have = proc.caps[e.set];
  const hit = (have & e.mask) !== 0n;
  const d = `matchCapabilities ${e.set} ${e.op} [${capabilityNames(e.mask).join(', ')}]: the process has ${hit ? capabilityNames(have & e.mask).join(', ') : 'none of them'}${note}`;
  return (e.op === 'In') === hit ? pass(d) : fail(d);
}

/** `matchNamespaceChanges`: compares the namespaces recorded at exec with the current ones. */
export function evaluateNamespaceChanges(list: readonly NamespaceChangeFilterView[], proc: ProcessModel): FilterOutcome | undefined {
  if (list.length === 0) return undefined;
  const f = list[0];
  const op = f.operator ?? String(f.operatorText);
  const named = new Set<string>();
  for (const ns of f.namespaces) {
    if (!ns) return unmodeled(`matchNamespaceChanges: values ${show(f.values)}`);
    named.add(namespaceKind(ns));
  }
  const checked = NAMESPACE_KINDS.filter((k) => (op === 'In') === named.has(k));
  const changed = checked.filter((k) => proc.namespacesAtExec[k] !== proc.namespaces[k]);
  return changed.length > 0
    ? pass(`matchNamespaceChanges ${op}: ${changed.join(', ')} changed since exec`)
    : fail(`matchNamespaceChanges ${op} [${[...named].join(', ')}]: none of ${checked.join(', ')} changed since exec`);
}

/** `matchCapabilityChanges`: compares the capabilities recorded at exec with the current ones (first entry only). */
export function evaluateCapabilityChanges(
  list: readonly CapabilityFilterView[],
  proc: ProcessModel,
  node: NodeModel,
): FilterOutcome | undefined {
  if (list.length === 0) return undefined;
  const e = capsEntry(list[0], 'matchCapabilityChanges');
  if ('kind' in e) return e;
  if (list[0].isNamespaceCapability && proc.namespaces.user === node.hostNamespaces.user) {
    return fail('matchCapabilityChanges with isNamespaceCapability only matches outside the host user namespace');
  }
  const before = proc.capsAtExec[e.set];
  const now = proc.caps[e.set];
  let hit = false;
  if ((before & e.mask) !== (now & e.mask)) hit = e.op === 'In';
  else if (before !== now) hit = e.op === 'NotIn';
  const d = `matchCapabilityChanges ${e.set} ${e.op} [${capabilityNames(e.mask).join(', ')}]: at exec 0x${before.toString(16)}, now 0x${now.toString(16)}`;
  return hit ? pass(d) : fail(d);
}

/** Matches labels like Tetragon's `pkg/labels` (In, NotIn, Exists, DoesNotExist; NotIn also holds for a missing key). */
export function labelSelectorMatches(
  sel: LabelSelectorView,
  labels: Readonly<Record<string, string>>,
): { ok: boolean; detail: string } | string {
  for (const [k, v] of Object.entries(sel.matchLabels)) {
    if (labels[k] !== v)
      return { ok: false, detail: `label ${k}=${show(v)} required, found ${k in labels ? show(labels[k]) : 'no such label'}` };
  }
  for (const e of sel.matchExpressions) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const vals = e.values;
    let ok: boolean;
    switch (e.operator) {
      case 'In':
        ok = has && vals.includes(labels[e.key]);
        break;
      case 'NotIn':
        ok = !has || !vals.includes(labels[e.key]);
        break;
      case 'Exists':
        ok = has;
        break;
      case 'DoesNotExist':
        ok = !has;
        break;
      default:
        return `unknown label selector operator '${e.operator}'`;
    }
    if (!ok)
      return {
        ok: false,
        detail: `expression ${e.key} ${e.operator} [${vals.join(', ')}] fails (${has ? `${e.key}=${show(labels[e.key])}` : `no ${e.key} label`})`,
      };
  }
  return { ok: true, detail: 'labels match' };
}

/** The workload filter of a policy: namespaced policies, `hostSelector`, `podSelector`, `containerSelector`. */
export function evaluateWorkload(policy: PolicyView, proc: ProcessModel): FilterOutcome {
  const namespaced = policy.kind === 'TracingPolicyNamespaced';
  if (namespaced) {
    const ns = policy.namespace;
    // Applied without a namespace, the policy lands in the namespace kubectl defaults to, which the simulator cannot know.
    if (!ns) return unmodeled('a TracingPolicyNamespaced without metadata.namespace: give it the namespace it is applied to');
    if (proc.host) return fail(`namespaced policy in ${ns} applies only to pods of that namespace; the process runs on the host`);
    if (proc.podNamespace !== ns)
      return fail(`namespaced policy in ${ns} applies only to pods of that namespace; the pod is in ${proc.podNamespace}`);
  }
  const { hostSelector: host, podSelector: pod, containerSelector: container } = policy;
  if (!namespaced && !host && !pod && !container) return pass('no workload selectors: host and pod processes are selected');
  if (proc.host) {
    return host
      ? pass('hostSelector: {} selects host processes')
      : fail(
          `the process runs on the host, and ${pod ? 'podSelector' : 'containerSelector'} without hostSelector: {} selects pod processes only`,
        );
  }
  if (!namespaced && !pod && !container)
    return fail('hostSelector: {} without podSelector or containerSelector selects host processes only; the process runs in a pod');
  if (pod) {
    const labels = { ...proc.podLabels };
    if (!('k8s:io.kubernetes.pod.namespace' in labels)) labels['k8s:io.kubernetes.pod.namespace'] = proc.podNamespace!;
    const r = labelSelectorMatches(pod, labels);
    if (typeof r === 'string') return unmodeled(`podSelector: ${r}`);
    if (!r.ok) return fail(`podSelector: ${r.detail}`);
  }
  if (container) {
    // policyfilter/state.go: a container has the fields name and repo only; other keys are never there.
    const fields: Record<string, string> = {};
    if (proc.containerName !== undefined) fields.name = proc.containerName;
    if (proc.containerRepo !== undefined) fields.repo = proc.containerRepo;
    for (const key of [...Object.keys(container.matchLabels), ...container.matchExpressions.map((e) => e.key)]) {
      if ((key === 'name' || key === 'repo') && fields[key] === undefined) {
        return problem(`containerSelector reads the container ${key}; give process.pod.container.${key === 'repo' ? 'image' : 'name'}`);
      }
    }
    const r = labelSelectorMatches(container, fields);
    if (typeof r === 'string') return unmodeled(`containerSelector: ${r}`);
    if (!r.ok) return fail(`containerSelector: ${r.detail}`);
  }
  return pass('workload selectors match');
}

/** The default node model. */
export const DEFAULT_NODE: NodeModel = { hostNamespaces: DEFAULT_HOST_NAMESPACES };
