/**
 * The verifier's report: per kernel, each policy's real load state against `check`'s prediction, and each
 * scenario's real verdict against the simulator's and the expectation; with timings, memory and every
 * disagreement's evidence. JSON for machines, a table for people.
 */
import { KnownLimit, ScenarioExpectation } from './scenario';

/** Exit codes of `cdk8s-tetragon verify`. */
export enum VerifyExit {
  /** Every policy and scenario agrees (or disagrees only where a known limit says so). */
  PASS = 0,
  /** At least one disagreement: a load state `check` did not predict, a scenario verdict, or an agent crash. */
  DISAGREEMENT = 1,
  /** Bad command line. */
  USAGE = 2,
  /** Host programs are missing (the message names the Debian packages). */
  PREREQUISITES = 3,
  /** No Tetragon agent: no bundle or directory given and no registry reachable. */
  NO_AGENT = 4,
  /** A kernel or runtime could not be resolved or downloaded from Debian's archive. */
  DOWNLOAD = 5,
  /** Some work did not run (the VM failed or timed out) though everything that ran agreed. */
  INCOMPLETE = 6,
}

/** The real load state of a policy. */
export type LoadState = 'loaded' | 'refused' | 'error' | 'not-run';

/** One policy on one kernel. */
export interface PolicyResult {
  readonly name: string;
  /** The name the agent knows (differs for a namespaced policy's variant). */
  readonly agentName: string;
  readonly file: string;
  /** What was removed to load it outside Kubernetes, when a pod-less variant was loaded. */
  readonly podLess?: readonly string[];
  /** Set for a policy loaded only for scenarios that need its construct with other props: the library policy. */
  readonly variantOf?: string;
  readonly state: LoadState;
  /** The agent's reason for a refusal or error (from `tetra tracingpolicy add` and `list`). */
  readonly error?: string;
  /** Seconds `tetra tracingpolicy add` took (guest clock). */
  readonly loadSeconds?: number;
  /** Kernel memory of its BPF maps and programs, as `tetra tracingpolicy list` reports it. */
  readonly kernelMemoryBytes?: number;
  /** `check`'s prediction for this kernel. */
  readonly predicted: 'loads' | 'refused';
  /** The error findings behind a predicted refusal. */
  readonly predictedReasons: readonly string[];
  readonly agreement: 'agree' | 'disagree' | 'not-run';
}

/** A verdict: whether the policy reported the action. */
export type Verdict = 'catch' | 'ignore';

/** The status of one scenario on one kernel. */
export type ScenarioStatus =
  /** The agent, the simulator and the expectation agree. */
  | 'pass'
  /** A disagreement not covered by a known limit. */
  | 'fail'
  /** A disagreement its known limit explains. */
  | 'known-limit'
  /** The policy is pod-scoped and the scenario's verdict depends on the scope, which a pod-less agent cannot prove. */
  | 'unproven'
  /** The policy did not load on this kernel, as `check` predicted: nothing to run. */
  | 'not-applicable'
  /** The trigger did not run (agent crashed or gone, VM stopped, markers missing). */
  | 'not-run';

/** One scenario on one kernel. */
export interface ScenarioResult {
  readonly id: string;
  readonly policy: string;
  readonly summary: string;
  readonly expect: ScenarioExpectation;
  /** The agent's verdict: at least one event of the policy in the trigger's window. */
  readonly real?: Verdict;
  /** The simulator's verdict on the policy as written. */
  readonly simulator: Verdict | 'inconclusive';
  /** The simulator's verdict on the pod-less variant, when one was loaded. */
  readonly simulatorPodLess?: Verdict | 'inconclusive';
  readonly status: ScenarioStatus;
  /** Why, for every status but pass. */
  readonly reason?: string;
  readonly knownLimit?: KnownLimit;
  /** Trigger number in this boot. */
  readonly trigger?: number;
  /** Hooks of the policy's events in the window. */
  readonly hooks?: readonly string[];
  /** Up to three of the policy's events, as exported. */
  readonly evidence?: readonly string[];
  /** Other policies that reported something in the same window, with counts. */
  readonly otherPolicies?: Readonly<Record<string, number>>;
  /** A caveat on the result (the trigger's window was estimated because the agent lost a marker event). */
  readonly note?: string;
  /** For results other than pass: the trigger's exit status and the start of its output. */
  readonly triggerExit?: number;
  readonly triggerOutput?: string;
}

/** An agent crash. */
export interface AgentCrash {
  /** Where in the plan (`add-3`, `trigger-12`, ...). */
  readonly at: string;
  readonly exitCode?: number;
  /** The panic or last lines of the agent log. */
  readonly excerpt: string;
}

/** Memory figures of one boot. */
export interface MemoryFigures {
  /** Peak of MemTotal − MemAvailable in the guest, at the sampled points. */
  readonly guestPeakUsedBytes?: number;
  readonly guestTotalBytes?: number;
  /** The agent's peak resident set (VmHWM). */
  readonly agentPeakRssBytes?: number;
  /** The QEMU process's peak resident set on the host. */
  readonly qemuPeakRssBytes?: number;
}

/** Seconds spent per phase of one kernel's run (host clock unless noted). */
export interface KernelTimings {
  readonly prepareSeconds: number;
  readonly vmSeconds: number;
  /** Guest uptime when the agent was first ready. */
  readonly agentReadySeconds?: number;
  /** Guest seconds spent adding policies. */
  readonly policiesSeconds?: number;
  /** Guest seconds from the first trigger to the last. */
  readonly triggersSeconds?: number;
  readonly totalSeconds: number;
}

/** One kernel's run. */
export interface KernelReport {
  /** `debian-12`. */
  readonly release: string;
  readonly title: string;
  /** `uname -r` of the booted kernel. */
  readonly kernel?: string;
  readonly kernelPackage?: string;
  readonly kernelVersion?: string;
  /** The bundled kernel table `check` predicted with. */
  readonly checkTable?: string;
  /** runc per Debian suite, as booted. */
  readonly runtimes: readonly { readonly suite: string; readonly version: string }[];
  readonly accelerator: string;
  readonly policies: readonly PolicyResult[];
  readonly scenarios: readonly ScenarioResult[];
  readonly crashes: readonly AgentCrash[];
  /** Policy events outside every trigger window, per policy (the agent's and the plan's own activity). */
  readonly background: Readonly<Record<string, number>>;
  /** Export lines by event kind. */
  readonly eventCounts: Readonly<Record<string, number>>;
  /** Problems with the run itself (VM failed, timed out, channel cut). */
  readonly problems: readonly string[];
  readonly timings: KernelTimings;
  readonly memory: MemoryFigures;
  /** Where the raw artifacts are (export, agent log, metrics, console). */
  readonly artifacts?: string;
}

/** The whole run. */
export interface VerifyReport {
  readonly version: 1;
  readonly tool: string;
  readonly startedAt: string;
  readonly agent: string;
  readonly accelerator: { readonly accelerator: string; readonly reason: string };
  readonly kernels: readonly KernelReport[];
  readonly totalSeconds: number;
  /** Peak resident memory of the verifier and its largest VM on the host. */
  readonly hostPeakRssBytes?: number;
  readonly exitCode: VerifyExit;
}

/** Counts of one kernel's results. */
export function kernelCounts(k: KernelReport) {
  const count = <T extends string>(
    xs: readonly { status?: T; state?: T; agreement?: string }[],
    key: 'status' | 'state' | 'agreement',
    value: string,
  ) => xs.filter((x) => (x as any)[key] === value).length;
  return {
    loaded: count(k.policies, 'state', 'loaded'),
    refused: count(k.policies, 'state', 'refused') + count(k.policies, 'state', 'error'),
    loadDisagreements: count(k.policies, 'agreement', 'disagree'),
    pass: count(k.scenarios, 'status', 'pass'),
    fail: count(k.scenarios, 'status', 'fail'),
    knownLimit: count(k.scenarios, 'status', 'known-limit'),
    unproven: count(k.scenarios, 'status', 'unproven'),
    notApplicable: count(k.scenarios, 'status', 'not-applicable'),
    notRun: count(k.scenarios, 'status', 'not-run'),
    /** Scenarios that ran, and those where the simulator's verdict (on what was loaded) equals the agent's. */
    ran: k.scenarios.filter((x) => x.real !== undefined).length,
    modelAgrees: k.scenarios.filter((x) => x.real !== undefined && (x.simulatorPodLess ?? x.simulator) === x.real).length,
  };
}

/** Percentage with one decimal, or '-' for none. */
export function percent(part: number, whole: number): string {
  return whole ? `${(Math.floor((part / whole) * 1000) / 10).toFixed(1)}%` : '-';
}

/** The exit code a report earns. */
export function exitCodeOf(kernels: readonly KernelReport[]): VerifyExit {
  const disagreement = kernels.some(
    (k) => k.crashes.length > 0 || k.policies.some((p) => p.agreement === 'disagree') || k.scenarios.some((s) => s.status === 'fail'),
  );
  if (disagreement) return VerifyExit.DISAGREEMENT;
  const incomplete = kernels.some(
    (k) => k.problems.length > 0 || k.policies.some((p) => p.state === 'not-run') || k.scenarios.some((s) => s.status === 'not-run'),
  );
  return incomplete ? VerifyExit.INCOMPLETE : VerifyExit.PASS;
}

function mib(bytes?: number): string {
  return bytes === undefined ? '-' : `${Math.round(bytes / 1048576)} MiB`;
}

function secs(s?: number): string {
  if (s === undefined) return '-';
  return s >= 90 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${Math.round(s)} s`;
}

/** The readable summary: one block per kernel, then every disagreement with its evidence. */
export function summaryText(report: VerifyReport): string {
  const lines: string[] = [];
  lines.push(
    `cdk8s-tetragon verify: agent ${report.agent}, ${report.accelerator.accelerator.toUpperCase()} (${report.accelerator.reason})`,
  );
  lines.push('');
  lines.push(
    ['kernel'.padEnd(30), 'loaded', 'refused', 'check≠', 'pass', 'fail', 'limit', 'unproven', 'n/a', 'not run', 'sim=agent', 'time'].join(
      '  ',
    ),
  );
  for (const k of report.kernels) {
    const c = kernelCounts(k);
    lines.push(
      [
        `${k.release} ${k.kernel ?? ''}`.padEnd(30),
        String(c.loaded).padStart(6),
        String(c.refused).padStart(7),
        String(c.loadDisagreements).padStart(6),
        String(c.pass).padStart(4),
        String(c.fail).padStart(4),
        String(c.knownLimit).padStart(5),
        String(c.unproven).padStart(8),
        String(c.notApplicable).padStart(3),
        String(c.notRun).padStart(7),
        percent(c.modelAgrees, c.ran).padStart(9),
        secs(k.timings.totalSeconds),
      ].join('  '),
    );
  }
  for (const k of report.kernels) {
    const issues: string[] = [];
    for (const p of k.problems) issues.push(`  run: ${p}`);
    for (const c of k.crashes)
      issues.push(
        `  agent crashed at ${c.at}${c.exitCode !== undefined ? ` (exit ${c.exitCode})` : ''}: ${c.excerpt.split('\n').slice(0, 3).join(' | ')}`,
      );
    for (const p of k.policies.filter((x) => x.agreement === 'disagree')) {
      issues.push(
        `  policy ${p.name}: agent ${p.state}${p.error ? ` (${p.error})` : ''}, check predicted ${p.predicted}${p.predictedReasons.length ? ` (${p.predictedReasons.join('; ')})` : ''}`,
      );
    }
    for (const s of k.scenarios.filter((x) => x.status === 'fail' || x.status === 'not-run')) {
      issues.push(
        `  ${s.status} ${s.id}: expected ${s.expect}, agent ${s.real ?? '-'}, simulator ${s.simulator}${s.reason ? `: ${s.reason}` : ''}`,
      );
      if (s.triggerExit !== undefined && s.triggerExit !== 0)
        issues.push(
          `      trigger exited ${s.triggerExit}${s.triggerOutput ? `: ${s.triggerOutput.trim().split('\n').slice(-2).join(' | ')}` : ''}`,
        );
      for (const e of s.evidence ?? []) issues.push(`      ${e.length > 400 ? e.slice(0, 400) + '…' : e}`);
    }
    if (issues.length) {
      lines.push('', `${k.release} (${k.kernel ?? 'kernel unknown'}):`, ...issues);
    }
  }
  lines.push('');
  const m = report.kernels.map(
    (k) =>
      `${k.release}: guest ${mib(k.memory.guestPeakUsedBytes)} used of ${mib(k.memory.guestTotalBytes)}, agent ${mib(k.memory.agentPeakRssBytes)}, QEMU ${mib(k.memory.qemuPeakRssBytes)}`,
  );
  lines.push(`memory peaks: ${m.join('; ')}${report.hostPeakRssBytes ? `; whole run on the host ${mib(report.hostPeakRssBytes)}` : ''}`);
  lines.push(
    `total ${secs(report.totalSeconds)}; exit ${report.exitCode} (${VerifyExit[report.exitCode].toLowerCase().replace(/_/g, ' ')})`,
  );
  return lines.join('\n') + '\n';
}
