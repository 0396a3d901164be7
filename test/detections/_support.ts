/**
 * Shared helpers of the detection tests: the checker on every bundled kernel, event builders for the
 * simulator, and a small evaluator that runs a LogQL alert's log pipeline on one Tetragon event, after
 * the same label and structured-metadata extraction the log shippers apply.
 */
import { parser } from '@grafana/lezer-logql';
import { search } from 'jmespath';
import { checkPolicy } from '../../lib/check';
import { KernelTable, bundledKernels, loadKernel } from '../../lib/kernels';
import { LABEL_FIELDS, METADATA_FIELDS } from '../../lib/observability/log-schema';
import { validateAgainstCrd } from '../../lib/private/crd-schema';
import { SimulatedEvent, SimulatedProcess } from '../../lib/simulate';
import { AGENT_EVENT_KEYS, agentEvent, agentKprobe, inPod as podVariant } from '../support/agent-events';

const KERNELS = bundledKernels().map((k) => loadKernel(k));

/**
 * The bundled kernels as if built with CONFIG_BPF_KPROBE_OVERRIDE: the kernel set (context `cdk8s-tetragon:kernels`)
 * of a cluster where Override on syscalls loads. No bundled Debian kernel has it.
 */
export const OVERRIDE_KERNELS: KernelTable[] = KERNELS.map((k) => ({
  name: `${k.name}-override`,
  describe: `${k.describe}, with bpf_override_return`,
  size: k.size,
  features: { ...k.features, overrideReturn: true },
  lookup: (fn: string) => k.lookup(fn),
}));

/** Findings that are not clean: CRD errors and checker errors/warnings, except the rule ids allowed. */
export function problemsOf(manifest: any, allowedWarnings: readonly string[] = [], kernels: readonly KernelTable[] = KERNELS): string[] {
  const crd = validateAgainstCrd(manifest);
  const findings = checkPolicy(manifest, { kernels })
    .filter((f) => f.severity === 'error' || (f.severity === 'warning' && !allowedWarnings.includes(f.ruleId)))
    .map((f) => `${f.ruleId} ${f.kernels?.join(',') ?? ''}: ${f.message}`);
  return [...crd, ...findings];
}

/** The info findings of one rule (e.g. which kernels skip an ignored hook), one line per hook and kernel. */
export function infos(manifest: any, ruleId: string): string[] {
  return checkPolicy(manifest, { kernels: KERNELS })
    .filter((f) => f.ruleId === ruleId)
    .flatMap((f) => (f.kernels ?? [f.kernel]).map((k) => `${f.hook} ${k}`));
}

/** A process in a pod. */
export function inPod(binary: string, namespace = 'shop', extra: Partial<SimulatedProcess> = {}): SimulatedProcess {
  return {
    binary,
    uid: 0,
    pod: { namespace, name: `${namespace}-web-7d9f8-abcde`, container: { name: 'web', image: 'docker.io/library/nginx:1.27' } },
    ...extra,
  };
}

/** A process on the node itself. */
export function onHost(binary: string, extra: Partial<SimulatedProcess> = {}): SimulatedProcess {
  return { binary, uid: 0, ...extra };
}

/** A kprobe event. */
export function call(fn: string, args: SimulatedEvent['args'], process: SimulatedProcess, name?: string): SimulatedEvent {
  return { name, hook: `kprobe:${fn}`, args, process };
}

type Node = { name: string; from: number; to: number; children: Node[] };

function tree(expr: string): Node {
  const root: Node = { name: 'root', from: 0, to: expr.length, children: [] };
  const stack: Node[] = [root];
  parser.parse(expr).iterate({
    enter(n) {
      const node: Node = { name: n.type.name, from: n.from, to: n.to, children: [] };
      if (n.type.isError) throw new Error(`LogQL does not parse at ${n.from}: ${expr}`);
      stack[stack.length - 1].children.push(node);
      stack.push(node);
    },
    leave() {
      stack.pop();
    },
  });
  return root;
}

function all(n: Node, name: string, out: Node[] = []): Node[] {
  if (n.name === name) out.push(n);
  for (const c of n.children) all(c, name, out);
  return out;
}

/** LogQL syntax errors (empty when Grafana's grammar parses the expression). */
export function logqlErrors(expr: string): string[] {
  const out: string[] = [];
  parser.parse(expr).iterate({
    enter(n) {
      if (n.type.isError) out.push(`error at ${n.from}: ${expr.slice(Math.max(0, n.from - 20), n.from + 20)}`);
    },
  });
  return out;
}

function unquote(s: string): string {
  return s.startsWith('`') ? s.slice(1, -1) : JSON.parse(s);
}

function matcherHolds(op: string, actual: string | undefined, value: string): boolean {
  const a = actual ?? '';
  switch (op) {
    case 'Eq':
      return a === value;
    case 'Neq':
      return a !== value;
    case 'Re':
      return new RegExp(`^(?:${value})$`).test(a);
    case 'Nre':
      return !new RegExp(`^(?:${value})$`).test(a);
    default:
      throw new Error(`matcher ${op} not modelled`);
  }
}

/** Loki's JSON extraction path (`a.b[0].c`) on a parsed line; numbers and booleans as text, objects as JSON. */
function jsonPath(event: unknown, path: string): string | undefined {
  let cur: any = event;
  for (const part of path.match(/[^.[\]]+|\[\d+\]/g) ?? []) {
    if (cur === null || cur === undefined) return undefined;
    cur = part.startsWith('[') ? cur[Number(part.slice(1, -1))] : cur[part];
  }
  if (cur === null || cur === undefined) return undefined;
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}

/**
 * Whether one event line would be counted by the alert's `count_over_time(...)`: stream matchers on the
 * labels the shippers set, then each pipeline stage in order (label filters on labels, structured metadata
 * and extracted fields; line filters; `json` with extraction expressions).
 */
export function logRuleCounts(expr: string, event: unknown): boolean {
  const root = tree(expr);
  const line = JSON.stringify(event);
  const labels: Record<string, string> = { job: 'tetragon' };
  for (const f of [...LABEL_FIELDS, ...METADATA_FIELDS]) {
    const v = search(JSON.parse(line), f.expression);
    if (v !== null && v !== undefined && v !== '') labels[f.name] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  const text = (n: Node) => expr.slice(n.from, n.to);
  const selector = all(root, 'Selector')[0];
  for (const m of all(selector, 'Matcher')) {
    const [id, op, str] = m.children;
    if (!matcherHolds(op.name, labels[text(id)], unquote(text(str)))) return false;
  }
  const stages = all(root, 'PipelineStage').sort((a, b) => a.from - b.from);
  for (const stage of stages) {
    const filters = all(stage, 'LineFilter');
    if (filters.length) {
      for (const f of filters) {
        const op = f.children[0].children[0].name;
        const value = unquote(text(f.children.find((c) => c.name === 'String')!));
        const ok =
          op === 'PipeExact'
            ? line.includes(value)
            : op === 'Neq'
              ? !line.includes(value)
              : op === 'PipeMatch'
                ? new RegExp(value).test(line)
                : op === 'Nre'
                  ? !new RegExp(value).test(line)
                  : undefined;
        if (ok === undefined) throw new Error(`line filter ${op} not modelled`);
        if (!ok) return false;
      }
      continue;
    }
    const json = all(stage, 'JsonExpressionParser')[0];
    if (json) {
      for (const x of all(json, 'LabelExtractionExpression')) {
        const v = jsonPath(JSON.parse(line), unquote(text(x.children[2])));
        if (v !== undefined) labels[text(x.children[0])] = v;
      }
      continue;
    }
    const labelFilter = all(stage, 'LabelFilter')[0];
    if (labelFilter) {
      const matchers = all(labelFilter, 'Matcher');
      if (matchers.length !== 1 || text(labelFilter).includes(' or ')) throw new Error(`label filter ${text(labelFilter)} not modelled`);
      const [id, op, str] = matchers[0].children;
      if (!matcherHolds(op.name, labels[text(id)], unquote(text(str)))) return false;
      continue;
    }
    throw new Error(`pipeline stage ${text(stage)} not modelled`);
  }
  return true;
}

/**
 * A process_exec line: the real `process_exec/container` line of the captured agent output (test/fixtures/agent/), or
 * `process_exec/host` without a namespace, with the fields a rule reads replaced: binary, arguments (left out when not
 * given, as the agent does for an exec without arguments), uid, binary_properties and the parent's binary; a namespace
 * puts the process in a pod (see test/support/agent-events.ts). The rules' inputs (a miner, a setuid binary, ...) are what the verifier's
 * run cannot produce, so they are set on a real line rather than written as a whole event.
 */
export function execEvent(
  binary: string,
  options: { namespace?: string; arguments?: string; binaryProperties?: unknown; uid?: number; parent?: string } = {},
): unknown {
  const real = agentEvent(options.namespace === undefined ? 'process_exec/host' : 'process_exec/container');
  const event = options.namespace === undefined ? real : podVariant(real, { namespace: options.namespace });
  const { process, parent } = event.process_exec;
  process.binary = binary;
  delete process.arguments;
  if (options.arguments !== undefined) process.arguments = options.arguments;
  process.uid = options.uid ?? 0;
  delete process.binary_properties;
  if (options.binaryProperties) process.binary_properties = options.binaryProperties;
  parent.binary = options.parent ?? '/bin/sh';
  return event;
}

/**
 * A process_kprobe line of a policy: the policy's real line when the captured run has one, else a real kprobe line
 * with the policy's name; function, arguments and binary replaced, and the hook-specific fields of the line it came
 * from (return value, message, tags) left out, since they belong to another hook. A namespace puts it in a pod.
 */
export function kprobeEvent(policy: string, fn: string, args: unknown[], options: { namespace?: string; binary?: string } = {}): unknown {
  const real = agentKprobe(policy) ?? agentEvent(AGENT_EVENT_KEYS.find((k) => k.startsWith('process_kprobe/'))!);
  const event = options.namespace === undefined ? real : podVariant(real, { namespace: options.namespace });
  const kprobe = event.process_kprobe;
  kprobe.process.binary = options.binary ?? '/usr/bin/python3';
  delete kprobe.process.arguments;
  Object.assign(kprobe, { function_name: fn, args, policy_name: policy, action: 'KPROBE_ACTION_POST' });
  for (const field of ['return', 'message', 'tags']) delete kprobe[field];
  return event;
}
