/**
 * The real-kernel verifier: for each Debian release, boot its current kernel in QEMU with the real Tetragon
 * agent, add every policy with `tetra`, run every scenario's trigger, and compare what the agent did with
 * `check`'s prediction, the simulator's verdict and the expectation.
 *
 * One boot per kernel: all policies loaded one after another, then all triggers in sequence between markers.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { bundledKernelInfo, loadKernel } from '../kernels/kernel-table';
import { AgentBundle, resolveAgent } from './agent';
import { ObservedLoad, TriggerOutcome, parsePolicyList, policyResult, predictLoad, scenarioResult } from './agreement';
import { attributeEvents, parseExport } from './attribution';
import { Channel, parseChannel, recordsOf, sectionsOf } from './channel';
import { writeCpio } from './cpio';
import { AptRelease, DebianRelease, ResolvedKernel, extractKernel, findRelease, resolveKernel } from './debian';
import { GUEST, GuestTrigger, agentArguments, orderTriggers, renderInit, renderLibrary, renderPlan } from './guest';
import { initramfsEntries } from './initramfs';
import { PolicyUnderTest } from './policies';
import { CommandRunner, mustRun, runCommand } from './private/exec';
import { triggerSourceDir } from './private/triggers';
import { AgentCrash, KernelReport, PolicyResult, ScenarioResult, VerifyExit, VerifyReport, exitCodeOf } from './report';
import { RuncRuntime, RuntimeLibraries, fetchRunc, fetchRuntimeLibraries, ociConfig, releaseOfSuite, suiteOrder } from './runtime';
import { Scenario, Trigger } from './scenario';
import { buildTriggers } from './triggers/build';
import { Accelerator, AcceleratorChoice, runVm } from './vm';

/** Thrown when Debian's archive cannot provide a kernel or runtime; the CLI exits with its own code. */
export class DownloadError extends Error {}

/** Everything one run needs. */
export interface VerifyOptions {
  readonly kernels: readonly DebianRelease[];
  readonly policies: readonly PolicyUnderTest[];
  readonly scenarios: readonly Scenario[];
  /** For scenarios judged on a variant of their policy (scenario props): scenario id → the variant's agent name. */
  readonly scenarioPolicies?: ReadonlyMap<string, string>;
  /** Path of the agent bundle or directory. */
  readonly tetragon: string;
  /** Debian suites whose runc the guest carries; the first runs container triggers that name none. */
  readonly runtimes: readonly string[];
  readonly cacheDir: string;
  /** Where each kernel's raw artifacts go (`<dir>/<release>/`). */
  readonly artifactsDir: string;
  readonly accelerator: AcceleratorChoice;
  readonly cpus: number;
  readonly memoryMb: number;
  /** Kernels booted at the same time. */
  readonly parallel: number;
  /** Time limit of one boot in seconds. @default - from the number of policies and triggers */
  readonly bootTimeoutSeconds?: number;
  readonly maxRestarts: number;
  /** Use the package lists of an earlier run when Debian's archive is unreachable. */
  readonly offline?: boolean;
  readonly tools: { readonly qemu: string; readonly busybox: string; readonly gcc: string };
  readonly log: (line: string) => void;
  readonly run?: CommandRunner;
}

interface Shared {
  readonly agent: AgentBundle;
  readonly triggers: { name: string; path: string }[];
  readonly runtimes: RuncRuntime[];
  readonly libraries: RuntimeLibraries;
  readonly applets: string[];
}

const aptFor = new Map<string, AptRelease>();

/** The private apt configuration of a release, updated once per run. */
async function apt(release: DebianRelease, o: VerifyOptions): Promise<AptRelease> {
  const hit = aptFor.get(release.name);
  if (hit) return hit;
  const a = new AptRelease(release, join(o.cacheDir, 'apt', release.name), o.run ?? runCommand);
  try {
    if (!o.offline) await a.update();
    else if (!a.hasLists()) throw new Error('no package lists from an earlier run');
  } catch (e) {
    if (!a.hasLists()) throw new DownloadError(`${release.title}: Debian's package lists are unavailable: ${(e as Error).message}`);
    o.log(`${release.name}: package lists not refreshed (${(e as Error).message.split('\n')[0]}); using those of an earlier run`);
  }
  aptFor.set(release.name, a);
  return a;
}

/** Normalizes a trigger with its defaults, so equal triggers group into one run. */
function normalTrigger(t: Trigger, defaultRuntime: string): Omit<GuestTrigger, 'index'> {
  const place = t.place ?? 'host';
  return {
    argv: [...t.argv],
    place,
    uid: t.uid ?? 0,
    gid: t.gid ?? t.uid ?? 0,
    ...(t.binaryPath ? { binaryPath: t.binaryPath } : {}),
    setup: [...(t.setup ?? [])],
    ...(place !== 'host' ? { runtime: t.runtime ?? defaultRuntime, start: t.start ?? 'exec' } : {}),
    timeoutSeconds: t.timeoutSeconds ?? 60,
  };
}

/** Groups scenarios by identical trigger; returns the ordered guest triggers and each scenario's trigger index. */
export function planTriggers(
  scenarios: readonly Scenario[],
  runtimes: readonly string[],
): { triggers: GuestTrigger[]; byScenario: Map<string, number>; skipped: Map<string, string> } {
  const groups = new Map<string, { trigger: Omit<GuestTrigger, 'index'>; ids: string[] }>();
  const skipped = new Map<string, string>();
  for (const s of scenarios) {
    const t = normalTrigger(s.trigger, runtimes[0]);
    if (t.runtime && !runtimes.includes(t.runtime)) {
      skipped.set(s.id, `its trigger needs the runc of ${t.runtime}, which this run does not carry (add --runtime ${t.runtime})`);
      continue;
    }
    const key = JSON.stringify(t);
    const g = groups.get(key) ?? { trigger: t, ids: [] };
    g.ids.push(s.id);
    groups.set(key, g);
  }
  const ordered = orderTriggers(
    [...groups.values()].map((g) => ({ ...g.trigger, ids: g.ids })),
    runtimes,
  );
  const byScenario = new Map<string, number>();
  const triggers = ordered.map(({ ids, ...t }, i) => {
    for (const id of ids) byScenario.set(id, i + 1);
    return { ...t, index: i + 1 };
  });
  return { triggers, byScenario, skipped };
}

async function prepareShared(o: VerifyOptions): Promise<Shared> {
  const run = o.run ?? runCommand;
  const agent = await resolveAgent(o.tetragon, o.cacheDir, run, o.tools.busybox);
  o.log(`agent: ${agent.source} (${agent.bpfObjects.length} BPF objects)`);
  const triggers = buildTriggers({ sourceDir: triggerSourceDir(), cacheDir: join(o.cacheDir, 'triggers'), compiler: o.tools.gcc }).map(
    (t) => ({ name: t.name, path: t.path }),
  );
  o.log(`trigger programs: ${triggers.map((t) => t.name).join(', ')}`);
  const runtimes: RuncRuntime[] = [];
  for (const suite of o.runtimes) {
    const release = releaseOfSuite(suite);
    try {
      runtimes.push(await fetchRunc(await apt(release, o), o.cacheDir, run));
    } catch (e) {
      throw e instanceof DownloadError ? e : new DownloadError(`runc from ${suite}: ${(e as Error).message}`);
    }
  }
  o.log(`runtimes: ${runtimes.map((r) => `runc ${r.version} (${r.suite})`).join(', ')}`);
  const newest = [...o.runtimes].sort((a, b) => suiteOrder(a) - suiteOrder(b)).pop()!;
  const libraries = await fetchRuntimeLibraries(await apt(releaseOfSuite(newest), o), o.cacheDir, run);
  const applets = (await mustRun(run, o.tools.busybox, ['--list']))
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
  return { agent, triggers, runtimes, libraries, applets };
}

/** Kernel modules the guest carries, and whether it loads them at boot as a node has them loaded. */
export const GUEST_MODULES: Readonly<Record<string, boolean>> = {
  /** The container file systems: loaded on every node, so runc does not request it at each start. */
  overlay: true,
  /** The outbound interface. */
  dummy: true,
  /** binfmt_misc, which the node mounts at boot. */
  binfmt_misc: true,
  /** Left for the module-load scenarios to load. */
  msr: false,
};

/** The layout of a cached kernel's files.json; a cache written with another layout is extracted again. */
const KERNEL_CACHE_LAYOUT = 2;

interface PreparedKernel {
  readonly kernel: ResolvedKernel;
  readonly vmlinuz: string;
  readonly modules: { guestPath: string; source: string; load: boolean }[];
}

async function prepareKernel(release: DebianRelease, o: VerifyOptions): Promise<PreparedKernel> {
  const run = o.run ?? runCommand;
  try {
    const a = await apt(release, o);
    const kernel = await resolveKernel(a);
    const dir = join(o.cacheDir, 'kernels', kernel.uname);
    const vmlinuz = join(dir, 'vmlinuz');
    const marker = join(dir, 'files.json');
    const cached = existsSync(marker) ? JSON.parse(readFileSync(marker, 'utf8')) : undefined;
    if (
      !existsSync(vmlinuz) ||
      cached?.layout !== KERNEL_CACHE_LAYOUT ||
      Object.keys(GUEST_MODULES).some((m) => !(m in (cached.wanted ?? {})))
    ) {
      o.log(`${release.name}: downloading ${kernel.packages.join(', ')} (${kernel.version})`);
      const debs = await a.download(kernel.packages, join(dir, 'download'));
      const files = await extractKernel(run, kernel.uname, debs, dir, Object.keys(GUEST_MODULES), o.tools.busybox);
      writeFileSync(vmlinuz, readFileSync(files.vmlinuz));
      if (files.config) writeFileSync(join(dir, 'config'), readFileSync(files.config));
      const modules: Record<string, string> = {};
      for (const [m, f] of Object.entries(files.modules)) {
        const out = join(dir, 'modules', f.relative);
        mkdirSync(dirname(out), { recursive: true });
        writeFileSync(out, readFileSync(f.path));
        modules[m] = f.relative;
      }
      rmSync(join(dir, 'tree'), { recursive: true, force: true });
      rmSync(join(dir, 'download'), { recursive: true, force: true });
      writeFileSync(marker, JSON.stringify({ ...kernel, layout: KERNEL_CACHE_LAYOUT, wanted: GUEST_MODULES, modules }, null, 2) + '\n');
    }
    const recorded = (JSON.parse(readFileSync(marker, 'utf8')).modules ?? {}) as Record<string, string>;
    const modules = Object.entries(recorded)
      .filter(([m]) => m in GUEST_MODULES)
      .map(([m, relative]) => ({
        guestPath: `/lib/modules/${kernel.uname}/${relative}`,
        source: join(dir, 'modules', relative),
        load: GUEST_MODULES[m],
      }));
    return { kernel, vmlinuz, modules };
  } catch (e) {
    throw e instanceof DownloadError ? e : new DownloadError(`${release.title}: ${(e as Error).message}`);
  }
}

function checkTableFor(release: DebianRelease): string | undefined {
  return bundledKernelInfo().find((k) => k.name.startsWith(release.kernelTablePrefix))?.name;
}

function defaultBootTimeout(o: VerifyOptions, triggers: number): number {
  const slow = o.accelerator.accelerator === 'tcg' ? 1 : 0.25;
  return Math.round(600 + slow * (o.policies.length * 300 + triggers * 60));
}

/** The excerpt of a crash log worth showing: the panic and its first frames, else the last lines. */
export function crashExcerpt(log: string): string {
  const lines = log.split('\n');
  const panic = lines.findIndex((l) => /^panic:|fatal error:|SIGSEGV/.test(l));
  if (panic >= 0) return lines.slice(panic, panic + 12).join('\n');
  return lines
    .filter((l) => l.trim())
    .slice(-8)
    .join('\n');
}

/** Reads one kernel's channel into its report. Pure apart from the check engine's kernel tables. */
export function kernelReportFromChannel(args: {
  release: DebianRelease;
  kernel?: ResolvedKernel;
  runtimes: readonly RuncRuntime[];
  accelerator: Accelerator;
  policies: readonly PolicyUnderTest[];
  scenarios: readonly Scenario[];
  triggers: readonly GuestTrigger[];
  byScenario: Map<string, number>;
  skipped: Map<string, string>;
  channel: Channel;
  problems: string[];
  scenarioPolicies?: ReadonlyMap<string, string>;
  /** On reanalysis: the add number of each policy in the run's plan (policies since added or renamed were not run). */
  planned?: ReadonlyMap<string, number>;
  timings: { prepareSeconds: number; vmSeconds: number; totalSeconds: number };
  qemuPeakRssBytes?: number;
  artifacts?: string;
}): KernelReport {
  const { channel, release } = args;
  const problems = [...args.problems];
  const table = checkTableFor(release);
  const kernelTable = table ? loadKernel(table) : undefined;

  // Policies: add exit codes and outputs, then the last list (final, else the one after loading).
  const adds = new Map<number, { begin?: number; end?: number; rc?: number }>();
  for (const r of channel.records) {
    const i = Number(r.args[0]);
    if (r.kind === 'add-begin') adds.set(i, { ...adds.get(i), begin: r.uptime });
    if (r.kind === 'add-end') adds.set(i, { ...adds.get(i), end: r.uptime, rc: Number(r.fields.rc) });
  }
  const outputs = new Map(sectionsOf(channel, 'add-output').map((s) => [Number(s.id), s.data.toString('utf8')]));
  const lists = sectionsOf(channel, 'policy-list');
  let listed = new Map<string, ReturnType<typeof parsePolicyList>[number]>();
  for (const l of [...lists].reverse()) {
    try {
      listed = new Map(parsePolicyList(l.data.toString('utf8')).map((p) => [p.name, p]));
      break;
    } catch {
      problems.push(`policy list ${l.id} does not parse`);
    }
  }
  const policies: PolicyResult[] = args.policies.map((p, i) => {
    const at = args.planned ? args.planned.get(p.agentName) : i + 1;
    if (at === undefined) {
      problems.push(`${p.agentName}: not in the plan of the run being reanalyzed, so not run`);
      return policyResult(p, {}, predictLoad(p.loaded, kernelTable));
    }
    const add = adds.get(at);
    const observed: ObservedLoad = {
      ...(add?.rc !== undefined && Number.isFinite(add.rc) ? { addExit: add.rc } : {}),
      ...(outputs.has(at) ? { addOutput: outputs.get(at) } : {}),
      ...(add?.begin !== undefined && add?.end !== undefined ? { seconds: Math.round((add.end - add.begin) * 10) / 10 } : {}),
      ...(listed.has(p.agentName) ? { listed: listed.get(p.agentName) } : {}),
    };
    return policyResult(p, observed, predictLoad(p.loaded, kernelTable));
  });

  // Crashes.
  const crashLogs = new Map(sectionsOf(channel, 'crash-log').map((s) => [s.id, s.data.toString('utf8')]));
  const crashes: AgentCrash[] = recordsOf(channel, 'agent-crash').map((r) => ({
    at: r.fields.at ?? '?',
    ...(r.fields.exit !== undefined ? { exitCode: Number(r.fields.exit) } : {}),
    excerpt: crashExcerpt(crashLogs.get(r.fields.n ?? '') ?? ''),
  }));
  const giveUp = recordsOf(channel, 'give-up')[0];
  if (giveUp) problems.push(`the agent is gone (${giveUp.fields.reason ?? 'unknown'}); the rest of the plan did not run`);

  // Export and attribution.
  const exportText = sectionsOf(channel, 'export')
    .map((s) => s.data.toString('utf8'))
    .join('\n');
  const { events } = parseExport(exportText);
  const beginAt = new Map(recordsOf(channel, 'trigger-begin').map((r) => [Number(r.args[0]), r.uptime]));
  const guestTimes = recordsOf(channel, 'trigger-end')
    .filter((r) => beginAt.has(Number(r.args[0])))
    .map((r) => ({ index: Number(r.args[0]), begin: beginAt.get(Number(r.args[0]))!, end: r.uptime }));
  const attribution = attributeEvents(events, guestTimes);
  const eventCounts: Record<string, number> = {};
  for (const e of events) eventCounts[e.kind] = (eventCounts[e.kind] ?? 0) + 1;
  const background: Record<string, number> = {};
  for (const e of attribution.outside) background[e.policy] = (background[e.policy] ?? 0) + 1;

  const skips = new Map(recordsOf(channel, 'trigger-skip').map((r) => [Number(r.args[0]), r.fields.reason ?? 'skipped']));
  const exits = new Map(recordsOf(channel, 'trigger-end').map((r) => [Number(r.args[0]), Number(r.fields.rc)]));
  const outputsOf = new Map(sectionsOf(channel, 'output').map((sec) => [sec.id, sec.data.toString('utf8')]));
  const begun = new Set(recordsOf(channel, 'trigger-begin').map((r) => Number(r.args[0])));
  const ended = new Set(recordsOf(channel, 'trigger-end').map((r) => Number(r.args[0])));
  const crashedIn = new Set(crashes.map((c) => c.at));
  const outcome = (index: number): TriggerOutcome => {
    const w = attribution.windows.get(index);
    const ran = !!w && w.begin !== undefined && w.end !== undefined && !crashedIn.has(`trigger-${index}`);
    const estimated = ran && w!.estimated ? "the agent lost a marker event; the window was estimated from the guest's clock" : undefined;
    const reason = ran
      ? undefined
      : skips.has(index)
        ? `trigger skipped: ${skips.get(index)}`
        : crashedIn.has(`trigger-${index}`)
          ? 'the agent crashed during the trigger'
          : !begun.has(index)
            ? 'the guest never reached the trigger'
            : !ended.has(index)
              ? 'the trigger did not finish'
              : 'its markers are missing from the export (the agent lost or did not export them)';
    const output = [outputsOf.get(`setup-${index}`), outputsOf.get(`trigger-${index}`)].filter(Boolean).join('');
    return {
      index,
      ran,
      ...(reason ? { reason } : {}),
      ...(estimated ? { note: estimated } : {}),
      events: attribution.byTrigger.get(index) ?? [],
      ...(exits.has(index) && Number.isFinite(exits.get(index)) ? { exitCode: exits.get(index) } : {}),
      ...(output ? { output } : {}),
    };
  };
  const byName = new Map(args.policies.map((p) => [p.name, p] as const));
  for (const p of args.policies) byName.set(p.agentName, p);
  const resultByName = new Map(policies.map((r) => [r.agentName, r] as const));
  const scenarios: ScenarioResult[] = args.scenarios.map((s) => {
    const policy = byName.get(args.scenarioPolicies?.get(s.id) ?? s.policy);
    const skip = args.skipped.get(s.id);
    if (skip)
      return {
        ...scenarioResult(s, release.name, policy, policy ? resultByName.get(policy.agentName) : undefined, {
          index: 0,
          ran: false,
          reason: skip,
          events: [],
        }),
      };
    const index = args.byScenario.get(s.id);
    return scenarioResult(
      s,
      release.name,
      policy,
      policy ? resultByName.get(policy.agentName) : undefined,
      index ? outcome(index) : undefined,
    );
  });

  // Timings (guest clock) and memory.
  const ready = recordsOf(channel, 'agent-ready')[0]?.uptime;
  const addTimes = [...adds.values()].filter((a) => a.begin !== undefined && a.end !== undefined);
  const begins = recordsOf(channel, 'trigger-begin').map((r) => r.uptime);
  const ends = recordsOf(channel, 'trigger-end').map((r) => r.uptime);
  const mems = recordsOf(channel, 'mem');
  const kb = (v?: string) => (v !== undefined && Number(v) > 0 ? Number(v) * 1024 : undefined);
  const peakUsed = mems.reduce<number | undefined>((m, r) => {
    const t = kb(r.fields.total_kb);
    const a = kb(r.fields.available_kb);
    return t !== undefined && a !== undefined ? Math.max(m ?? 0, t - a) : m;
  }, undefined);
  const agentPeak = mems.reduce<number | undefined>(
    (m, r) => (kb(r.fields.agent_hwm_kb) !== undefined ? Math.max(m ?? 0, kb(r.fields.agent_hwm_kb)!) : m),
    undefined,
  );
  const runtimeVersions = recordsOf(channel, 'runtime').map((r) => ({
    suite: r.args[0],
    version: (r.fields.version ?? '').replace(/_/g, ' '),
  }));

  if (!recordsOf(channel, 'done').length) problems.push('the guest did not finish its plan (no "done" record)');
  for (const s of channel.sections.filter((x) => x.truncated)) problems.push(`section ${s.name} ${s.id} is cut off`);

  return {
    release: release.name,
    title: release.title,
    ...(args.kernel ? { kernel: args.kernel.uname, kernelPackage: args.kernel.imagePackage, kernelVersion: args.kernel.version } : {}),
    ...(table ? { checkTable: table } : {}),
    runtimes: args.runtimes.map((r) => ({
      suite: r.suite,
      version: runtimeVersions.find((v) => v.suite === r.suite)?.version || r.version,
    })),
    accelerator: args.accelerator,
    policies,
    scenarios,
    crashes,
    background,
    eventCounts,
    problems,
    timings: {
      prepareSeconds: args.timings.prepareSeconds,
      vmSeconds: args.timings.vmSeconds,
      totalSeconds: args.timings.totalSeconds,
      ...(ready !== undefined ? { agentReadySeconds: ready } : {}),
      ...(addTimes.length ? { policiesSeconds: Math.round(addTimes.reduce((s, a) => s + (a.end! - a.begin!), 0)) } : {}),
      ...(begins.length && ends.length ? { triggersSeconds: Math.round(Math.max(...ends) - Math.min(...begins)) } : {}),
    },
    memory: {
      ...(peakUsed !== undefined ? { guestPeakUsedBytes: peakUsed } : {}),
      ...(kb(mems[0]?.fields.total_kb) !== undefined ? { guestTotalBytes: kb(mems[0]?.fields.total_kb) } : {}),
      ...(agentPeak !== undefined ? { agentPeakRssBytes: agentPeak } : {}),
      ...(args.qemuPeakRssBytes !== undefined ? { qemuPeakRssBytes: args.qemuPeakRssBytes } : {}),
    },
    ...(args.artifacts ? { artifacts: args.artifacts } : {}),
  };
}

/** Progress lines from new channel records. */
function progressLine(
  release: string,
  r: { kind: string; args: readonly string[]; fields: Readonly<Record<string, string>>; uptime: number },
  policies: readonly PolicyUnderTest[],
  triggers: number,
  addBegin: Map<number, number>,
): string | undefined {
  const t = `${Math.round(r.uptime)} s`;
  switch (r.kind) {
    case 'agent-ready':
      return `${release}: agent ready at ${t}`;
    case 'add-begin':
      addBegin.set(Number(r.args[0]), r.uptime);
      return undefined;
    case 'add-end': {
      const i = Number(r.args[0]);
      const took = addBegin.has(i) ? ` in ${Math.round(r.uptime - addBegin.get(i)!)} s` : '';
      return `${release}: policy ${i}/${policies.length} ${policies[i - 1]?.agentName ?? '?'} ${r.fields.rc === '0' ? 'added' : `refused (exit ${r.fields.rc})`}${took}`;
    }
    case 'agent-crash':
      return `${release}: AGENT CRASHED at ${r.fields.at} (exit ${r.fields.exit})`;
    case 'give-up':
      return `${release}: giving up on the agent (${r.fields.reason})`;
    case 'runtime':
      return `${release}: runtime ${r.args[0]}: ${(r.fields.version ?? '').replace(/_/g, ' ')}`;
    case 'trigger-end':
      return Number(r.args[0]) % 10 === 0 || Number(r.args[0]) === triggers
        ? `${release}: trigger ${r.args[0]}/${triggers} at ${t}`
        : undefined;
    case 'done':
      return `${release}: plan done at ${t}; collecting`;
    default:
      return undefined;
  }
}

async function verifyKernel(release: DebianRelease, shared: Shared, o: VerifyOptions): Promise<KernelReport> {
  const started = Date.now();
  const dir = join(o.artifactsDir, release.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const { triggers, byScenario, skipped } = planTriggers(o.scenarios, o.runtimes);
  const empty = (problem: string): KernelReport =>
    kernelReportFromChannel({
      release,
      runtimes: shared.runtimes,
      accelerator: o.accelerator.accelerator,
      policies: o.policies,
      scenarios: o.scenarios,
      triggers,
      byScenario,
      skipped,
      channel: { records: [], sections: [], stray: 0 },
      problems: [problem],
      timings: { prepareSeconds: (Date.now() - started) / 1000, vmSeconds: 0, totalSeconds: (Date.now() - started) / 1000 },
      artifacts: dir,
    });
  let prepared: Awaited<ReturnType<typeof prepareKernel>>;
  try {
    prepared = await prepareKernel(release, o);
  } catch (e) {
    o.log(`${release.name}: ${(e as Error).message}`);
    if (o.kernels.length === 1) throw e;
    return empty((e as Error).message);
  }
  const { kernel, vmlinuz, modules } = prepared;
  o.log(`${release.name}: kernel ${kernel.uname} (${kernel.imagePackage} ${kernel.version})`);

  const token = `@@vt-${randomBytes(6).toString('hex')}`;
  const addSeconds = o.accelerator.accelerator === 'tcg' ? 1800 : 600;
  const plan = renderPlan({
    token,
    agentArgs: agentArguments(),
    readySeconds: o.accelerator.accelerator === 'tcg' ? 300 : 120,
    addSeconds,
    maxRestarts: o.maxRestarts,
    runtimes: o.runtimes,
    triggers,
    settleSeconds: 3,
    policies: o.policies.map((p, i) => ({
      index: i + 1,
      name: p.agentName,
      file: `${GUEST.policies}/${String(i + 1).padStart(3, '0')}-${p.agentName}.yaml`,
    })),
  });
  writeFileSync(join(dir, 'plan.sh'), plan);
  writeFileSync(
    join(dir, 'run.json'),
    JSON.stringify({ token, kernel, agent: shared.agent.source, accelerator: o.accelerator.accelerator }, null, 2) + '\n',
  );
  const containers = [
    { dir: `${GUEST.containers}/long`, config: ociConfig(GUEST.rootfs, ['sleep', '1000000']) },
    { dir: `${GUEST.containers}/long-priv`, config: ociConfig(GUEST.rootfs, ['sleep', '1000000'], { privileged: true }) },
    ...triggers
      .filter((t) => t.place !== 'host' && t.start === 'run')
      .map((t) => ({
        dir: `${GUEST.containers}/start-${t.index}`,
        config: ociConfig(GUEST.rootfs, t.binaryPath ? [t.binaryPath, ...t.argv.slice(1)] : t.argv, {
          uid: t.uid,
          gid: t.gid,
          privileged: t.place === 'privileged-container',
        }),
      })),
  ];
  const initrd = join(dir, 'initrd.cpio');
  const bytes = writeCpio(
    initrd,
    initramfsEntries({
      busybox: o.tools.busybox,
      applets: shared.applets,
      agent: shared.agent,
      triggers: shared.triggers,
      runtimes: shared.runtimes.map((r) => ({ suite: r.suite, binary: r.binary })),
      libraries: shared.libraries.files,
      policies: o.policies.map((p, i) => ({
        guestPath: `${GUEST.policies}/${String(i + 1).padStart(3, '0')}-${p.agentName}.yaml`,
        yaml: stringify(p.loaded),
      })),
      containers,
      init: renderInit(),
      library: renderLibrary(),
      plan,
      modules,
    }),
  );
  const prepareSeconds = (Date.now() - started) / 1000;
  const timeout = o.bootTimeoutSeconds ?? defaultBootTimeout(o, triggers.length);
  o.log(
    `${release.name}: booting ${o.accelerator.accelerator.toUpperCase()} with ${o.cpus} CPU, ${o.memoryMb} MiB; image ${Math.round(bytes / 1048576)} MiB; ${o.policies.length} policies, ${triggers.length} triggers; limit ${Math.round(timeout / 60)} min`,
  );

  const channelFile = join(dir, 'channel.log');
  const consoleFile = join(dir, 'console.log');
  let seen = 0;
  const addBegin = new Map<number, number>();
  const onProgress = () => {
    try {
      const ch = parseChannel(readFileSync(channelFile), token);
      for (const r of ch.records.slice(seen)) {
        const line = progressLine(release.name, r, o.policies, triggers.length, addBegin);
        if (line) o.log(line);
      }
      seen = ch.records.length;
    } catch {
      // partial line; next poll
    }
  };
  let accelerator = o.accelerator.accelerator;
  const spec = { kernel: vmlinuz, initrd, cpus: o.cpus, memoryMb: o.memoryMb, consoleFile, channelFile };
  let outcome = await runVm(
    { ...spec, accelerator },
    { timeoutSeconds: timeout, silenceSeconds: accelerator === 'kvm' ? 120 : 600 },
    onProgress,
    o.tools.qemu,
  );
  const problems: string[] = [];
  if (accelerator === 'kvm' && (outcome.silent || (outcome.exitCode !== 0 && outcome.seconds < 120 && !existsSync(channelFile)))) {
    // A /dev/kvm that QEMU cannot use aborts or hangs at once; the run goes on with TCG.
    problems.push(
      `the KVM boot failed (${outcome.silent ? 'the guest stayed silent' : (outcome.stderr.trim().split('\n').pop() ?? `exit ${outcome.exitCode}`)}); retried with TCG`,
    );
    accelerator = 'tcg';
    outcome = await runVm({ ...spec, accelerator }, { timeoutSeconds: timeout * 4, silenceSeconds: 600 }, onProgress, o.tools.qemu);
  }
  rmSync(initrd, { force: true });
  if (outcome.silent) problems.push('the guest wrote nothing to the result channel; it did not boot');
  else if (outcome.timedOut) problems.push(`the VM hit its time limit of ${Math.round(timeout / 60)} min and was stopped`);
  else if (outcome.exitCode !== 0)
    problems.push(`QEMU exited ${outcome.exitCode}: ${outcome.stderr.trim().split('\n').slice(-2).join(' ')}`);
  const channel = parseChannel(existsSync(channelFile) ? readFileSync(channelFile) : Buffer.alloc(0), token);
  if (channel.records.length === 0) {
    const tail = existsSync(consoleFile)
      ? readFileSync(consoleFile, 'utf8')
          .split('\n')
          .filter((l) => l.trim())
          .slice(-5)
          .join(' | ')
      : '';
    problems.push(`the guest sent nothing back${tail ? `; console: ${tail}` : ''}`);
  }
  // Raw artifacts for people and for the fixture refresher.
  const exportText = sectionsOf(channel, 'export')
    .map((s) => s.data.toString('utf8').replace(/\n?$/, '\n'))
    .join('');
  writeFileSync(join(dir, 'export.jsonl'), exportText);
  for (const [name, file] of [
    ['agent-log', 'agent.log'],
    ['metrics', 'metrics.txt'],
  ] as const) {
    const s = sectionsOf(channel, name).pop();
    if (s) writeFileSync(join(dir, file), s.data);
  }
  const lastList = sectionsOf(channel, 'policy-list').pop();
  if (lastList) writeFileSync(join(dir, 'policy-list.json'), lastList.data);

  const report = kernelReportFromChannel({
    release,
    kernel,
    runtimes: shared.runtimes,
    accelerator,
    policies: o.policies,
    scenarios: o.scenarios,
    triggers,
    byScenario,
    skipped,
    channel,
    problems,
    scenarioPolicies: o.scenarioPolicies,
    timings: { prepareSeconds, vmSeconds: outcome.seconds, totalSeconds: (Date.now() - started) / 1000 },
    qemuPeakRssBytes: outcome.peakRssBytes,
    artifacts: dir,
  });
  writeFileSync(join(dir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  return report;
}

/** Runs the whole verification. Throws the typed errors the CLI maps to exit codes. */
export async function verify(o: VerifyOptions): Promise<VerifyReport> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  mkdirSync(o.cacheDir, { recursive: true });
  const shared = await prepareShared(o);
  const reports: KernelReport[] = new Array(o.kernels.length);
  let next = 0;
  const worker = async () => {
    while (next < o.kernels.length) {
      const i = next++;
      reports[i] = await verifyKernel(o.kernels[i], shared, o);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.parallel, o.kernels.length)) }, worker));
  const qemuPeaks = reports
    .map((r) => r.memory.qemuPeakRssBytes ?? 0)
    .sort((a, b) => b - a)
    .slice(0, Math.max(1, o.parallel));
  const hostPeak = process.resourceUsage().maxRSS * 1024 + qemuPeaks.reduce((a, b) => a + b, 0);
  return {
    version: 1,
    tool: 'cdk8s-tetragon verify',
    startedAt,
    agent: shared.agent.source,
    accelerator: o.accelerator,
    kernels: reports,
    totalSeconds: (Date.now() - started) / 1000,
    hostPeakRssBytes: hostPeak,
    exitCode: exitCodeOf(reports),
  };
}

/** What a boot left in its artifacts folder, enough to read its channel again. */
interface RunRecord {
  readonly token: string;
  readonly kernel?: ResolvedKernel;
  readonly agent?: string;
  readonly accelerator?: Accelerator;
}

function runRecord(dir: string): RunRecord {
  if (existsSync(join(dir, 'run.json'))) return JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  // Runs before run.json: the token from the plan, the kernel from the report.
  const token = /^VT_TOKEN=(\S+)$/m.exec(readFileSync(join(dir, 'plan.sh'), 'utf8'))?.[1];
  if (!token) throw new Error(`${dir}: no run.json and no token in plan.sh`);
  const old = existsSync(join(dir, 'report.json')) ? JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) : {};
  const kernel = old.kernel
    ? {
        release: old.release,
        uname: old.kernel,
        flavour: 'cloud-amd64' as const,
        imagePackage: old.kernelPackage,
        version: old.kernelVersion,
        packages: [],
      }
    : undefined;
  return { token, ...(kernel ? { kernel } : {}), accelerator: old.accelerator ?? 'tcg' };
}

/** The add number of each policy in a run's plan (`vt_add N /verify/policies/NNN-<name>.yaml`), by agent name. */
export function plannedAdds(plan: string): Map<string, number> {
  const planned = new Map<string, number>();
  for (const m of plan.matchAll(/^vt_add (\d+) '?[^\n']*\/\d{3}-([^/\n']+)\.yaml'?$/gm)) planned.set(m[2], Number(m[1]));
  return planned;
}

/**
 * Reads the artifacts of earlier boots again (`<artifactsDir>/<release>/`): the same policies and scenarios give
 * the same plan, so a report can be rebuilt after the analysis changed, without booting. Timings of the VM are
 * taken from the earlier report when there is one.
 */
export function reanalyze(
  o: Pick<VerifyOptions, 'kernels' | 'policies' | 'scenarios' | 'scenarioPolicies' | 'runtimes' | 'artifactsDir' | 'accelerator'>,
): VerifyReport {
  const reports = o.kernels.map((release) => {
    const dir = join(o.artifactsDir, release.name);
    const rec = runRecord(dir);
    const { triggers, byScenario, skipped } = planTriggers(o.scenarios, o.runtimes);
    const channel = parseChannel(readFileSync(join(dir, 'channel.log')), rec.token);
    const old = existsSync(join(dir, 'report.json'))
      ? (JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as KernelReport)
      : undefined;
    const runtimeVersions = recordsOf(channel, 'runtime').map((r) => ({
      suite: r.args[0],
      version: (r.fields.version ?? '').replace(/_/g, ' '),
      binary: '',
    }));
    const report = kernelReportFromChannel({
      release,
      ...(rec.kernel ? { kernel: rec.kernel } : {}),
      runtimes: runtimeVersions,
      accelerator: rec.accelerator ?? o.accelerator.accelerator,
      policies: o.policies,
      scenarios: o.scenarios,
      triggers,
      byScenario,
      skipped,
      channel,
      problems: [...(old?.problems.filter((p) => !/^section|^the guest did not finish/.test(p)) ?? [])],
      scenarioPolicies: o.scenarioPolicies,
      planned: plannedAdds(readFileSync(join(dir, 'plan.sh'), 'utf8')),
      timings: old?.timings ?? { prepareSeconds: 0, vmSeconds: 0, totalSeconds: 0 },
      ...(old?.memory.qemuPeakRssBytes !== undefined ? { qemuPeakRssBytes: old.memory.qemuPeakRssBytes } : {}),
      artifacts: dir,
    });
    writeFileSync(join(dir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
    return { report, rec };
  });
  const kernels = reports.map((r) => r.report);
  return {
    version: 1,
    tool: 'cdk8s-tetragon verify',
    startedAt: new Date().toISOString(),
    agent: reports[0]?.rec.agent ?? 'unknown',
    accelerator: o.accelerator,
    kernels,
    totalSeconds: kernels.reduce((s, k) => s + k.timings.totalSeconds, 0),
    exitCode: exitCodeOf(kernels),
  };
}

/** Resolves `--kernel` names, all four releases when none is given. */
export function releasesFromNames(names: readonly string[]): DebianRelease[] {
  if (names.length === 0) return ['debian-11', 'debian-12', 'debian-13', 'debian-sid'].map((n) => findRelease(n)!);
  return names.map((n) => {
    const r = findRelease(n);
    if (!r) throw new Error(`--kernel ${n}: unknown; use debian-11, debian-12, debian-13 or debian-sid`);
    return r;
  });
}

export { VerifyExit };
