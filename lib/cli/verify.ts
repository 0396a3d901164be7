/**
 * `cdk8s-tetragon verify`: proves TracingPolicies on the real Tetragon agent, booted in QEMU on Debian's
 * kernels, against `check`'s predictions and the simulator's verdicts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { AgentUnavailableError } from '../verify/agent';
import { builtInScenarios } from '../verify/catalog';
import { readPolicies, scenarioVariants } from '../verify/policies';
import { HostLookup, PrerequisiteError, hostLookup, requireHostTools } from '../verify/prerequisites';
import { DEFAULT_AGENT_IMAGE, agentFromRegistry } from '../verify/registry';
import { VerifyExit, summaryText } from '../verify/report';
import { Scenario } from '../verify/scenario';
import { readScenarioFile, scenarioMatches } from '../verify/scenario-file';
import { scenarioPolicy } from '../verify/scenarios';
import { DownloadError, reanalyze, releasesFromNames, verify } from '../verify/verifier';
import { Accelerator, chooseAccelerator } from '../verify/vm';

const USAGE = `usage: cdk8s-tetragon verify [options] PATH...

Boots each Debian release's current kernel in QEMU with the real Tetragon agent, adds every TracingPolicy
found in PATH (YAML files or folders) with tetra, runs the scenarios' triggers (and a real runc's container
starts and execs), and reports each policy's load state against 'check' and each scenario's events against
the simulator and the expectation.

  --kernel NAME        debian-11, debian-12, debian-13 or debian-sid (repeatable; default: all four)
  --tetragon PATH      the agent: a bundle (.tar.xz, .tar.gz, .tar) or a directory with bin/tetragon,
                       bin/tetra and lib/*.o (default: $CDK8S_TETRAGON_AGENT, else the official image
                       ${DEFAULT_AGENT_IMAGE} when its registry is reachable)
  --scenario-file FILE more scenarios, a JSON or YAML list (repeatable; see docs/verify.md)
  --scenarios PATTERN  only scenarios whose id matches: an id, a prefix like 'shell-access-monitor/', or a
                       glob with * (repeatable)
  --no-scenarios       only load the policies
  --runtime SUITE      the runc of this Debian suite in the guest (repeatable; default: bookworm and sid)
  --report FILE        write the JSON report
  --artifacts DIR      raw artifacts per kernel: export, agent log, metrics, console (default: under the cache)
  --cache DIR          downloads and builds (default: $CDK8S_TETRAGON_CACHE, else $XDG_CACHE_HOME/cdk8s-tetragon,
                       else ~/.cache/cdk8s-tetragon)
  --accel kvm|tcg      force the accelerator (default: KVM when usable, else TCG)
  --cpus N             virtual CPUs per VM (default 2)
  --memory MIB         memory per VM (default 3072)
  --parallel N         kernels booted at the same time (default 1)
  --timeout MINUTES    time limit of one boot (default: from the number of policies and triggers)
  --max-restarts N     agent restarts after crashes before the rest of a boot is skipped (default 2)
  --offline            use the package lists of an earlier run instead of refreshing them
  --reanalyze          boot nothing: rebuild the report from the artifacts of an earlier run (same PATHs,
                       scenarios and runtimes), e.g. after the scenarios' events changed

Exit status: 0 everything agrees; 1 a disagreement (load state, scenario verdict or agent crash);
2 usage; 3 host programs missing; 4 no agent; 5 a kernel or runtime could not be downloaded;
6 incomplete (a VM failed or timed out, though everything that ran agreed).`;

/** Output, replaceable in tests. */
export interface VerifyIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const defaultIo: VerifyIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/** What the command reaches outside itself, replaceable in tests. */
export interface VerifyDeps {
  readonly lookup: HostLookup;
  readonly agentFromRegistry: typeof agentFromRegistry;
  readonly verify: typeof verify;
  readonly env: NodeJS.ProcessEnv;
}

const defaultDeps: VerifyDeps = { lookup: hostLookup, agentFromRegistry, verify, env: process.env };

/** The cache directory: `--cache`, `$CDK8S_TETRAGON_CACHE`, `$XDG_CACHE_HOME/cdk8s-tetragon` or `~/.cache/cdk8s-tetragon`. */
export function cacheDirectory(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return resolve(flag);
  if (env.CDK8S_TETRAGON_CACHE) return resolve(env.CDK8S_TETRAGON_CACHE);
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'cdk8s-tetragon');
}

/** Parsed command line. */
export interface VerifyArgs {
  readonly kernels: string[];
  readonly tetragon?: string;
  readonly scenarioFiles: string[];
  readonly scenarioPatterns: string[];
  readonly noScenarios: boolean;
  readonly runtimes: string[];
  readonly report?: string;
  readonly artifacts?: string;
  readonly cache?: string;
  readonly accel?: Accelerator;
  readonly cpus: number;
  readonly memory: number;
  readonly parallel: number;
  readonly timeout?: number;
  readonly maxRestarts: number;
  readonly offline: boolean;
  readonly reanalyze?: boolean;
  readonly paths: string[];
}

const VALUE_FLAGS = [
  '--kernel',
  '--tetragon',
  '--scenario-file',
  '--scenarios',
  '--runtime',
  '--report',
  '--artifacts',
  '--cache',
  '--accel',
  '--cpus',
  '--memory',
  '--parallel',
  '--timeout',
  '--max-restarts',
];

/** Parses the arguments; returns a usage error as a string. */
export function parseVerifyArgs(args: readonly string[]): VerifyArgs | string {
  const a = {
    kernels: [] as string[],
    scenarioFiles: [] as string[],
    scenarioPatterns: [] as string[],
    runtimes: [] as string[],
    paths: [] as string[],
    noScenarios: false,
    offline: false,
    cpus: 2,
    memory: 3072,
    parallel: 1,
    maxRestarts: 2,
  } as any;
  const numeric = (flag: string, v: string, min: number): number | string =>
    /^\d+$/.test(v) && Number(v) >= min ? Number(v) : `${flag} ${v}: give a whole number of at least ${min}`;
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (flag === '--no-scenarios') {
      a.noScenarios = true;
      continue;
    }
    if (flag === '--offline') {
      a.offline = true;
      continue;
    }
    if (flag === '--reanalyze') {
      a.reanalyze = true;
      continue;
    }
    if (!flag.startsWith('--')) {
      a.paths.push(flag);
      continue;
    }
    if (!VALUE_FLAGS.includes(flag)) return `unknown option ${flag}`;
    const v = args[++i];
    if (v === undefined) return `${flag} needs a value`;
    switch (flag) {
      case '--kernel':
        a.kernels.push(v);
        break;
      case '--tetragon':
        a.tetragon = v;
        break;
      case '--scenario-file':
        a.scenarioFiles.push(v);
        break;
      case '--scenarios':
        a.scenarioPatterns.push(v);
        break;
      case '--runtime':
        a.runtimes.push(v);
        break;
      case '--report':
        a.report = v;
        break;
      case '--artifacts':
        a.artifacts = v;
        break;
      case '--cache':
        a.cache = v;
        break;
      case '--accel':
        if (v !== 'kvm' && v !== 'tcg') return `--accel ${v}: use kvm or tcg`;
        a.accel = v;
        break;
      case '--cpus':
      case '--memory':
      case '--parallel':
      case '--timeout':
      case '--max-restarts': {
        const n = numeric(flag, v, flag === '--memory' ? 1024 : flag === '--max-restarts' ? 0 : 1);
        if (typeof n === 'string') return n;
        a[
          { '--cpus': 'cpus', '--memory': 'memory', '--parallel': 'parallel', '--timeout': 'timeout', '--max-restarts': 'maxRestarts' }[
            flag
          ]!
        ] = n;
        break;
      }
      default:
        return `unknown option ${flag}`;
    }
  }
  if (a.paths.length === 0) return 'no PATH given';
  if (a.runtimes.length === 0) a.runtimes = ['bookworm', 'sid'];
  return a as VerifyArgs;
}

/** The scenarios of a run: built-in and from files, filtered by pattern and to the policies present. Throws on a duplicate id. */
export function selectScenarios(all: readonly Scenario[], patterns: readonly string[], policyNames: ReadonlySet<string>): Scenario[] {
  const seen = new Set<string>();
  for (const s of all) {
    if (seen.has(s.id))
      throw new Error(`scenario id ${s.id} is defined twice (a --scenario-file repeats a built-in or another file's id); rename one`);
    seen.add(s.id);
  }
  return all.filter((s) => policyNames.has(s.policy) && (patterns.length === 0 || patterns.some((p) => scenarioMatches(s.id, p))));
}

/** `cdk8s-tetragon verify`. */
export async function run(args: string[], io: VerifyIo = defaultIo, deps: VerifyDeps = defaultDeps): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(USAGE + '\n');
    return VerifyExit.PASS;
  }
  const parsed = parseVerifyArgs(args);
  if (typeof parsed === 'string') {
    io.err(`cdk8s-tetragon verify: ${parsed}\n\n${USAGE}\n`);
    return VerifyExit.USAGE;
  }
  const log = (line: string) => io.err(line + '\n');
  let tools = { qemu: '', busybox: '', gcc: '' };
  try {
    if (!parsed.reanalyze) tools = requireHostTools(deps.lookup);
  } catch (e) {
    if (e instanceof PrerequisiteError) {
      io.err(`cdk8s-tetragon verify: ${e.message}\n`);
      return VerifyExit.PREREQUISITES;
    }
    throw e;
  }
  let kernels;
  let policies;
  let scenarios: Scenario[] = [];
  let scenarioPolicies = new Map<string, string>();
  try {
    kernels = releasesFromNames(parsed.kernels);
    policies = readPolicies(parsed.paths);
    if (policies.length === 0) throw new Error(`no TracingPolicy found in ${parsed.paths.join(', ')}`);
    if (!parsed.noScenarios) {
      const all = [
        ...builtInScenarios(parsed.runtimes, [...new Set(policies.map((p) => p.name))]),
        ...parsed.scenarioFiles.flatMap((f) => readScenarioFile(f)),
      ];
      scenarios = selectScenarios(all, parsed.scenarioPatterns, new Set(policies.flatMap((p) => [p.name, p.agentName])));
      const { variants, policyOf } = scenarioVariants(scenarios, policies, (policy, props) => scenarioPolicy(policy, props));
      policies = [...policies, ...variants];
      scenarioPolicies = policyOf;
    }
  } catch (e) {
    io.err(`cdk8s-tetragon verify: ${(e as Error).message}\n`);
    return VerifyExit.USAGE;
  }
  const cacheDir = cacheDirectory(parsed.cache, deps.env);
  const artifactsDir = parsed.artifacts
    ? resolve(parsed.artifacts)
    : join(cacheDir, 'runs', new Date().toISOString().replace(/[:.]/g, '-'));
  let accelerator;
  try {
    accelerator = chooseAccelerator(undefined, parsed.accel);
  } catch (e) {
    io.err(`cdk8s-tetragon verify: ${(e as Error).message}\n`);
    return VerifyExit.USAGE;
  }
  if (parsed.reanalyze) {
    if (!parsed.artifacts) {
      io.err("cdk8s-tetragon verify: --reanalyze needs --artifacts DIR (the earlier run's)\n");
      return VerifyExit.USAGE;
    }
    const report = reanalyze({ kernels, policies, scenarios, scenarioPolicies, runtimes: parsed.runtimes, artifactsDir, accelerator });
    if (parsed.report) {
      mkdirSync(dirname(resolve(parsed.report)), { recursive: true });
      writeFileSync(parsed.report, JSON.stringify(report, null, 2) + '\n');
    }
    io.out(summaryText(report));
    return report.exitCode;
  }
  try {
    const tetragon = parsed.tetragon ?? deps.env.CDK8S_TETRAGON_AGENT ?? (await deps.agentFromRegistry(cacheDir, log));
    const own = policies.filter((p) => !p.variantOf);
    log(
      `verifying ${own.length} policies${own.some((p) => p.podLess) ? ` (${own.filter((p) => p.podLess).length} pod-scoped, loaded as pod-less variants)` : ''}${policies.length > own.length ? ` plus ${policies.length - own.length} variants for scenario props` : ''} and ${scenarios.length} scenarios on ${kernels.map((k) => k.name).join(', ')}; artifacts in ${artifactsDir}`,
    );
    const report = await deps.verify({
      kernels,
      policies,
      scenarios,
      scenarioPolicies,
      tetragon,
      runtimes: parsed.runtimes,
      cacheDir,
      artifactsDir,
      accelerator,
      cpus: parsed.cpus,
      memoryMb: parsed.memory,
      parallel: parsed.parallel,
      maxRestarts: parsed.maxRestarts,
      offline: parsed.offline,
      ...(parsed.timeout ? { bootTimeoutSeconds: parsed.timeout * 60 } : {}),
      tools,
      log,
    });
    if (parsed.report) {
      mkdirSync(dirname(resolve(parsed.report)), { recursive: true });
      writeFileSync(parsed.report, JSON.stringify(report, null, 2) + '\n');
    }
    io.out(summaryText(report));
    return report.exitCode;
  } catch (e) {
    if (e instanceof AgentUnavailableError) {
      io.err(`cdk8s-tetragon verify: ${e.message}\n`);
      return VerifyExit.NO_AGENT;
    }
    if (e instanceof DownloadError) {
      io.err(`cdk8s-tetragon verify: ${e.message}\n`);
      return VerifyExit.DOWNLOAD;
    }
    throw e;
  }
}
