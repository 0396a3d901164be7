/**
 * `cdk8s-tetragon simulate --policies PATH... --events FILE.jsonl`: runs described events through TracingPolicy
 * YAML and prints one JSON line per event with the matches, actions and reasons.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EventExpectation, EventFormatError, parseEventsJsonl } from '../simulate/event';
import { TracingPolicyManifest, loadPolicies } from '../simulate/policy-input';
import { SimulatedArch, SimulationResult, simulatePolicies } from '../simulate/simulator';

const USAGE = `usage: cdk8s-tetragon simulate --policies PATH... --events FILE.jsonl [--arch x86_64|arm64] [--format json|summary]

Runs each event of FILE.jsonl (one JSON object per line, see docs/simulate.md) through the
TracingPolicies found in PATH (YAML files, or folders searched for *.yaml and *.yml) and prints
one JSON line per event: matched policies, hooks, selectors and actions, or why nothing matched.
An event may state what it expects ("expect": "match", "no-match" or {"actions": ["Sigkill"]}).

  --policies PATH...   policy files or folders (repeatable; several paths may follow one flag)
  --events FILE        events as JSON Lines ('-' reads standard input)
  --arch ARCH          x86_64 (default; syscalls are __x64_sys_*) or arm64 (__arm64_sys_*)
  --format FORMAT      json (default): one JSON line per event; summary: one line per event
                       (PASS, FAIL, MATCH, NO-MATCH or INCONCLUSIVE, and why) and a verdict line

Exit status: 0 when every event was simulated conclusively and met its "expect";
1 when an event missed its "expect" or was inconclusive (no policy hooks it, it lacks data a
filter reads, or a policy would not load); 2 on usage, policy or event errors.`;

/** Output streams, replaceable in tests. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly readStdin: () => string;
}

const defaultIo: CliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  readStdin: () => readFileSync(0, 'utf8'),
};

/** JSON with object keys sorted at every level, so output is byte-for-byte reproducible. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, v[k]]),
      );
    }
    return v;
  });
}

function yamlFiles(path: string): string[] {
  const st = statSync(path);
  if (!st.isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => {
      const full = join(path, name);
      if (statSync(full).isDirectory()) return yamlFiles(full);
      return /\.ya?ml$/.test(name) ? [full] : [];
    });
}

interface Parsed {
  readonly policies: string[];
  readonly events?: string;
  readonly arch: SimulatedArch;
  readonly format: 'json' | 'summary';
  readonly help: boolean;
}

/** How one event came out: against its expectation, or (without one) what happened; and why, in one line. */
export interface EventVerdict {
  readonly status: 'PASS' | 'FAIL' | 'MATCH' | 'NO-MATCH' | 'INCONCLUSIVE';
  readonly detail: string;
}

/** Judges a simulation against the event's expectation; an inconclusive result never passes. */
export function verdictOf(result: SimulationResult, expected?: EventExpectation): EventVerdict {
  if (!result.hooked) return { status: 'INCONCLUSIVE', detail: `no policy hooks ${result.hook} (misspelt hook?)` };
  if (result.loadErrors.length) return { status: 'INCONCLUSIVE', detail: `a policy would not load: ${result.loadErrors[0]}` };
  if (result.problems.length) return { status: 'INCONCLUSIVE', detail: `the event lacks data a filter reads: ${result.problems[0]}` };
  const reported = result.matches
    .map(
      (m) =>
        `${m.policy} ${m.hook}${m.selector !== undefined ? ` selector ${m.selector}` : ''}` +
        ` -> ${m.actions.map((a) => a.action + (a.enforced === false ? ' (monitor)' : '')).join(', ')}`,
    )
    .join('; ');
  // The telling miss is one of a policy that hooks the call; "does not hook" misses of the others say little.
  const miss =
    result.misses.find((m) => m.hook !== undefined) ?? result.misses.find((m) => !m.reason.startsWith('does not hook')) ?? result.misses[0];
  const missed = miss
    ? `${[miss.policy, miss.selector !== undefined ? `selector ${miss.selector}` : ''].filter(Boolean).join(' ')}: ${miss.reason}`
    : 'no policy selected it';
  if (expected === undefined) return result.posted ? { status: 'MATCH', detail: reported } : { status: 'NO-MATCH', detail: missed };
  if (expected === 'match') {
    return result.posted
      ? { status: 'PASS', detail: reported }
      : {
          status: 'FAIL',
          detail: `expected a match; ${result.matched ? `matched without posting (NoPost): ${reported}` : `nothing matched: ${missed}`}`,
        };
  }
  if (expected === 'no-match')
    return result.posted ? { status: 'FAIL', detail: `expected no match; reported by ${reported}` } : { status: 'PASS', detail: missed };
  const missing = expected.actions.filter((a) => !result.actions.includes(a));
  return missing.length === 0 && result.matched
    ? { status: 'PASS', detail: reported }
    : {
        status: 'FAIL',
        detail: `expected ${expected.actions.join(', ')}; effective actions [${result.actions.join(', ')}]${reported ? `: ${reported}` : `: ${missed}`}`,
      };
}

function parseArgs(args: string[]): Parsed | string {
  const policies: string[] = [];
  let events: string | undefined;
  let arch: SimulatedArch = 'x86_64';
  let format: 'json' | 'summary' = 'json';
  let help = false;
  let mode: 'policies' | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') {
      help = true;
      continue;
    }
    if (a === '--policies') {
      mode = 'policies';
      continue;
    }
    if (a.startsWith('--policies=')) {
      policies.push(a.slice('--policies='.length));
      mode = 'policies';
      continue;
    }
    if (a === '--events' || a === '--arch' || a === '--format') {
      const v = args[++i];
      if (v === undefined) return `${a} needs a value`;
      if (a === '--events') events = v;
      else if (a === '--format') {
        if (v !== 'json' && v !== 'summary') return `--format must be json or summary, got '${v}'`;
        format = v;
      } else if (v === 'x86_64' || v === 'arm64') arch = v;
      else return `--arch must be x86_64 or arm64, got '${v}'`;
      mode = undefined;
      continue;
    }
    if (a.startsWith('--events=')) {
      events = a.slice('--events='.length);
      mode = undefined;
      continue;
    }
    if (a.startsWith('-') && a !== '-') return `unknown option '${a}'`;
    if (mode === 'policies') {
      policies.push(a);
      continue;
    }
    return `unexpected argument '${a}'`;
  }
  return { policies, events, arch, format, help };
}

/** Runs the command; returns the exit code. */
export async function run(args: string[], io: CliIo = defaultIo): Promise<number> {
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') {
    io.err(`cdk8s-tetragon simulate: ${parsed}\n\n${USAGE}\n`);
    return 2;
  }
  if (parsed.help) {
    io.out(USAGE + '\n');
    return 0;
  }
  if (parsed.policies.length === 0 || parsed.events === undefined) {
    io.err(`cdk8s-tetragon simulate: ${parsed.policies.length === 0 ? '--policies' : '--events'} is required\n\n${USAGE}\n`);
    return 2;
  }
  let policies: TracingPolicyManifest[];
  try {
    const loaded: TracingPolicyManifest[] = [];
    for (const path of parsed.policies) {
      for (const file of yamlFiles(path)) {
        try {
          loaded.push(...loadPolicies(readFileSync(file, 'utf8'), file));
        } catch (e) {
          // Folders may hold other manifests; a file given by name must hold a policy.
          if (file === path || !/no TracingPolicy/.test((e as Error).message)) throw e;
        }
      }
    }
    if (loaded.length === 0) throw new Error(`no TracingPolicy found in ${parsed.policies.join(', ')}`);
    policies = loaded;
  } catch (e) {
    io.err(`cdk8s-tetragon simulate: ${(e as Error).message}\n`);
    return 2;
  }
  let events;
  try {
    const source = parsed.events === '-' ? '<stdin>' : parsed.events;
    const text = parsed.events === '-' ? io.readStdin() : readFileSync(parsed.events, 'utf8');
    events = parseEventsJsonl(text, source);
  } catch (e) {
    const msg = e instanceof EventFormatError ? e.message : `cannot read events: ${(e as Error).message}`;
    io.err(`cdk8s-tetragon simulate: ${msg}\n`);
    return 2;
  }
  const lines: string[] = [];
  const counts = { PASS: 0, FAIL: 0, MATCH: 0, 'NO-MATCH': 0, INCONCLUSIVE: 0 };
  for (const event of events) {
    let result: SimulationResult;
    try {
      result = simulatePolicies(policies, event, { arch: parsed.arch });
    } catch (e) {
      io.err(`cdk8s-tetragon simulate: ${(e as Error).message}\n`);
      return 2;
    }
    const verdict = verdictOf(result, event.expect);
    counts[verdict.status]++;
    lines.push(
      parsed.format === 'json' ? stableJson(result) : `${verdict.status.padEnd(12)} ${result.event}  ${result.hook}  ${verdict.detail}`,
    );
  }
  const failed = counts.FAIL + counts.INCONCLUSIVE;
  if (parsed.format === 'summary') {
    lines.push(
      `${events.length} event${events.length === 1 ? '' : 's'}: ${counts.PASS} passed, ${counts.FAIL} failed, ${counts.INCONCLUSIVE} inconclusive, ` +
        `${counts.MATCH + counts['NO-MATCH']} without expect (${counts.MATCH} matched): ${failed ? 'FAIL' : 'PASS'}`,
    );
  }
  io.out(lines.map((l) => l + '\n').join(''));
  return failed ? 1 : 0;
}
