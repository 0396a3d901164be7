/**
 * `cdk8s-tetragon simulate --policies PATH... --events FILE.jsonl`: runs described events through TracingPolicy
 * YAML and prints one JSON line per event with the matches, actions and reasons.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EventFormatError, parseEventsJsonl } from '../simulate/event';
import { TracingPolicyManifest, loadPolicies } from '../simulate/policy-input';
import { SimulatedArch, simulatePolicies } from '../simulate/simulator';

const USAGE = `usage: cdk8s-tetragon simulate --policies PATH... --events FILE.jsonl [--arch x86_64|arm64]

Runs each event of FILE.jsonl (one JSON object per line, see docs/simulate.md) through the
TracingPolicies found in PATH (YAML files, or folders searched for *.yaml and *.yml) and prints
one JSON line per event: matched policies, hooks, selectors and actions, or why nothing matched.

  --policies PATH...   policy files or folders (repeatable; several paths may follow one flag)
  --events FILE        events as JSON Lines ('-' reads standard input)
  --arch ARCH          x86_64 (default; syscalls are __x64_sys_*) or arm64 (__arm64_sys_*)

Exit status: 0 when every event was simulated, 2 on usage, policy or event errors.`;

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
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]));
    }
    return v;
  });
}

function yamlFiles(path: string): string[] {
  const st = statSync(path);
  if (!st.isDirectory()) return [path];
  return readdirSync(path).sort().flatMap((name) => {
    const full = join(path, name);
    if (statSync(full).isDirectory()) return yamlFiles(full);
    return /\.ya?ml$/.test(name) ? [full] : [];
  });
}

interface Parsed {
  readonly policies: string[];
  readonly events?: string;
  readonly arch: SimulatedArch;
  readonly help: boolean;
}

function parseArgs(args: string[]): Parsed | string {
  const policies: string[] = [];
  let events: string | undefined;
  let arch: SimulatedArch = 'x86_64';
  let help = false;
  let mode: 'policies' | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') { help = true; continue; }
    if (a === '--policies') { mode = 'policies'; continue; }
    if (a.startsWith('--policies=')) { policies.push(a.slice('--policies='.length)); mode = 'policies'; continue; }
    if (a === '--events' || a === '--arch') {
      const v = args[++i];
      if (v === undefined) return `${a} needs a value`;
      if (a === '--events') events = v;
      else if (v === 'x86_64' || v === 'arm64') arch = v;
      else return `--arch must be x86_64 or arm64, got '${v}'`;
      mode = undefined;
      continue;
    }
    if (a.startsWith('--events=')) { events = a.slice('--events='.length); mode = undefined; continue; }
    if (a.startsWith('-') && a !== '-') return `unknown option '${a}'`;
    if (mode === 'policies') { policies.push(a); continue; }
    return `unexpected argument '${a}'`;
  }
  return { policies, events, arch, help };
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
  for (const event of events) {
    try {
      lines.push(stableJson(simulatePolicies(policies, event, { arch: parsed.arch })));
    } catch (e) {
      io.err(`cdk8s-tetragon simulate: ${(e as Error).message}\n`);
      return 2;
    }
  }
  io.out(lines.map((l) => l + '\n').join(''));
  return 0;
}
