/**
 * Three-way agreement: the agent's load state against `check`'s prediction for the kernel, and the agent's
 * verdict on each scenario against the simulator's and the expectation. Pure functions of the run's data.
 */
import { checkPolicy } from '../check/engine';
import { KernelTable } from '../kernels/kernel-table';
import { simulate } from '../simulate/simulator';
import { PolicyEvent } from './attribution';
import { PolicyUnderTest } from './policies';
import { LoadState, PolicyResult, ScenarioResult, ScenarioStatus, Verdict } from './report';
import { Scenario } from './scenario';

/** `check`'s prediction for one kernel: refused when it reports any error. */
export function predictLoad(manifest: unknown, table: KernelTable | undefined): { predicted: 'loads' | 'refused'; reasons: string[] } {
  const findings = checkPolicy(manifest, table ? { kernels: [table] } : { skipKernelChecks: true });
  const errors = findings.filter((f) => f.severity === 'error');
  return { predicted: errors.length ? 'refused' : 'loads', reasons: errors.map((f) => `${f.ruleId}: ${f.message}`) };
}

/** One entry of `tetra tracingpolicy list -o json`. */
export interface ListedPolicy {
  readonly name: string;
  /** `TP_STATE_ENABLED`, `TP_STATE_LOAD_ERROR`, ... */
  readonly state: string;
  readonly error?: string;
  readonly kernelMemoryBytes?: number;
  readonly mode?: string;
}

/** Parses `tetra tracingpolicy list -o json` (`{"policies": [...]}`). Throws on anything else. */
export function parsePolicyList(json: string): ListedPolicy[] {
  const doc = JSON.parse(json);
  if (!doc || typeof doc !== 'object' || (doc.policies !== undefined && !Array.isArray(doc.policies)))
    throw new Error('not a tracingpolicy list: no "policies" array');
  return ((doc.policies ?? []) as any[]).map((p) => ({
    name: String(p.name),
    state: String(p.state ?? (p.enabled ? 'TP_STATE_ENABLED' : 'TP_STATE_UNKNOWN')),
    error: p.error ? String(p.error) : undefined,
    kernelMemoryBytes: p.kernel_memory_bytes !== undefined ? Number(p.kernel_memory_bytes) : undefined,
    mode: p.mode ? String(p.mode) : undefined,
  }));
}

/** What the guest saw of one policy's load. */
export interface ObservedLoad {
  /** Exit code of `tetra tracingpolicy add`, absent when the add never ran. */
  readonly addExit?: number;
  /** What `tetra tracingpolicy add` printed. */
  readonly addOutput?: string;
  readonly seconds?: number;
  /** Its entry in the last policy list. */
  readonly listed?: ListedPolicy;
}

/** The real state: the list's state when there is one, else what `add` said. */
export function loadState(o: ObservedLoad): { state: LoadState; error?: string } {
  const addError = o.addOutput
    ?.split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .find((l) => /error|failed/i.test(l));
  if (o.listed) {
    if (o.listed.state === 'TP_STATE_ENABLED') return { state: 'loaded' };
    if (o.listed.state === 'TP_STATE_LOAD_ERROR') return { state: 'refused', error: o.listed.error ?? addError };
    return { state: 'error', error: `${o.listed.state}${o.listed.error ? `: ${o.listed.error}` : ''}` };
  }
  if (o.addExit === undefined) return { state: 'not-run' };
  if (o.addExit === 0) return { state: 'loaded' };
  if (o.addExit === 124 || o.addExit === 143) return { state: 'error', error: 'tetra tracingpolicy add timed out' };
  return { state: 'refused', error: addError ?? `tetra tracingpolicy add exited ${o.addExit}` };
}

/** One policy's result on one kernel. */
export function policyResult(
  p: PolicyUnderTest,
  observed: ObservedLoad,
  prediction: { predicted: 'loads' | 'refused'; reasons: string[] },
): PolicyResult {
  const { state, error } = loadState(observed);
  const agreement = state === 'not-run' ? 'not-run' : (state === 'loaded') === (prediction.predicted === 'loads') ? 'agree' : 'disagree';
  return {
    name: p.name,
    agentName: p.agentName,
    file: p.file,
    ...(p.podLess ? { podLess: p.podLess } : {}),
    ...(p.variantOf ? { variantOf: p.variantOf.policy } : {}),
    state,
    ...(error ? { error } : {}),
    ...(observed.seconds !== undefined ? { loadSeconds: observed.seconds } : {}),
    ...(observed.listed?.kernelMemoryBytes !== undefined ? { kernelMemoryBytes: observed.listed.kernelMemoryBytes } : {}),
    predicted: prediction.predicted,
    predictedReasons: prediction.reasons,
    agreement,
  };
}

/** The simulator's verdict on a scenario's events against one policy manifest. */
export function simulatorVerdict(manifest: unknown, scenario: Scenario): Verdict | 'inconclusive' {
  let inconclusive = false;
  for (const event of scenario.events) {
    const r = simulate(manifest as object, event);
    if (r.posted) return 'catch';
    if (r.problems.length > 0 || r.loadErrors.length > 0) inconclusive = true;
  }
  return inconclusive ? 'inconclusive' : 'ignore';
}

/** What happened to a scenario's trigger in the guest. */
export interface TriggerOutcome {
  readonly index: number;
  /** Both markers were found in the export. */
  readonly ran: boolean;
  /** Why it did not run, when it did not. */
  readonly reason?: string;
  /** Policy events in its window. */
  readonly events: readonly PolicyEvent[];
  /** The trigger's exit status (the trigger programs: 0 done, 1 a call failed after the hooks, 3 preparation failed). */
  readonly exitCode?: number;
  /** The start of what the trigger and its setup printed. */
  readonly output?: string;
  /** A caveat on the result (an estimated window). */
  readonly note?: string;
}

function describe(events: readonly PolicyEvent[]): string {
  const hooks = [...new Set(events.map((e) => e.hook))];
  return `${events.length} event${events.length === 1 ? '' : 's'} (${hooks.join(', ')})`;
}

/** One scenario's result on one kernel. */
export function scenarioResult(
  scenario: Scenario,
  release: string,
  policy: PolicyUnderTest | undefined,
  load: PolicyResult | undefined,
  trigger: TriggerOutcome | undefined,
): ScenarioResult {
  const base = {
    id: scenario.id,
    policy: scenario.policy,
    summary: scenario.summary,
    expect: scenario.expect,
    ...(scenario.knownLimit ? { knownLimit: scenario.knownLimit } : {}),
  };
  const simulator = policy ? simulatorVerdict(policy.manifest, scenario) : 'inconclusive';
  const simulatorPodLess = policy?.podLess ? simulatorVerdict(policy.loaded, scenario) : undefined;
  const sims = { simulator, ...(simulatorPodLess ? { simulatorPodLess } : {}) };
  const done = (status: ScenarioStatus, reason?: string, extra: Partial<ScenarioResult> = {}): ScenarioResult => ({
    ...base,
    ...sims,
    status,
    ...(reason ? { reason } : {}),
    ...extra,
  });

  if (!policy) return done('not-run', `policy ${scenario.policy} is not among the verified policies`);
  if (!load || load.state !== 'loaded') {
    const why = load ? `policy ${load.state}${load.error ? `: ${load.error}` : ''}` : 'policy was not added';
    return load?.agreement === 'agree' ? done('not-applicable', why) : done('not-run', why);
  }
  const triggerInfo = (t: TriggerOutcome): Partial<ScenarioResult> => ({
    ...(t.exitCode !== undefined ? { triggerExit: t.exitCode } : {}),
    ...(t.output ? { triggerOutput: t.output.slice(0, 600) } : {}),
  });
  if (!trigger || !trigger.ran)
    return done('not-run', trigger?.reason ?? 'trigger did not run', trigger ? { trigger: trigger.index, ...triggerInfo(trigger) } : {});

  const own = trigger.events.filter((e) => e.policy === policy.agentName);
  const others: Record<string, number> = {};
  for (const e of trigger.events) if (e.policy !== policy.agentName) others[e.policy] = (others[e.policy] ?? 0) + 1;
  const real: Verdict = own.length > 0 ? 'catch' : 'ignore';
  const extra: Partial<ScenarioResult> = {
    real,
    trigger: trigger.index,
    ...(trigger.note ? { note: trigger.note } : {}),
    ...(own.length ? { hooks: [...new Set(own.map((e) => e.hook))], evidence: own.slice(0, 3).map((e) => e.line) } : {}),
    ...(Object.keys(others).length ? { otherPolicies: others } : {}),
  };
  const loadedVerdict = simulatorPodLess ?? simulator;
  if (simulatorPodLess && simulatorPodLess !== simulator && real === simulatorPodLess) {
    return done(
      'unproven',
      `the verdict depends on the policy's pod scope (${policy.podLess!.join(', ')}), which an agent outside Kubernetes cannot apply; the pod-less variant behaved as the simulator predicts (${real})`,
      extra,
    );
  }
  const agentOff = real !== scenario.expect;
  const simulatorOff = loadedVerdict !== scenario.expect;
  const reasons: string[] = [];
  if (agentOff)
    reasons.push(real === 'catch' ? `the agent reported ${describe(own)}, expected none` : 'the agent reported nothing, expected an event');
  if (loadedVerdict !== real) reasons.push(`the simulator says ${loadedVerdict}, the agent ${real}`);
  else if (simulatorOff) reasons.push(`the simulator says ${loadedVerdict} too`);
  if (!agentOff && !simulatorOff) return done('pass', undefined, extra);
  Object.assign(extra, triggerInfo(trigger));
  // A known limit explains exactly one kind of disagreement: the agent's alone, the simulator's alone, or the
  // policy's (agent and simulator agree with each other, against the expectation).
  const limit = scenario.knownLimit;
  const side = agentOff && simulatorOff ? (loadedVerdict === real ? 'policy' : undefined) : agentOff ? 'agent' : 'simulator';
  if (limit && (!limit.kernels || limit.kernels.includes(release)) && limit.side === side) {
    return done('known-limit', `${reasons.join('; ')} (known limit: ${limit.reason})`, extra);
  }
  return done('fail', reasons.join('; '), extra);
}
