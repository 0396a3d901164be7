#!/usr/bin/env node
// Benchmark: the synth against a bare Node start and against the cdk8s starter's way, side by side in one run.
//
// Each round starts, one after the other: `node -e 0`; the node process `npm run synth` runs (`node scripts/synth.mjs`,
// timed without npm); the large app (scripts/bench/large-app.ts: ten clusters, every detection); and, in the first
// rounds, `cdk8s synth --app "npx ts-node main.ts"`. Every synth writes to a fresh folder; one untimed run of each
// synth first brings its bundle up to date. Prints each command's median wall time (and, on Linux, the CPU time of
// the process and the children it waited for), the ratios of the medians, and the median of the ratios within a
// round, which a machine whose load drifts during the run moves less.
//
// Usage: npm run bench [-- --runs N] [-- --starter-runs N] [-- --tests]   (defaults: 11 runs, 3 of the starter)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) || fallback : fallback);
const runs = option('--runs', 11);
const starterRuns = Math.min(runs, option('--starter-runs', 3));

/**
 * CPU seconds of the children this process waited for (Linux: /proc/self/stat cutime + cstime, in the kernel's
 * 1/100 s ticks), or undefined elsewhere.
 */
function childrenCpu() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

/** Wall and CPU seconds of one run of a command, in a fresh output folder given as CDK8S_OUTDIR (and to `out`). */
function time(command, argv = () => []) {
  const out = mkdtempSync(join(tmpdir(), 'bench-'));
  try {
    const cpu = childrenCpu();
    const start = process.hrtime.bigint();
    const r = spawnSync(command[0], [...command.slice(1), ...argv(out)], {
      cwd: root,
      env: { ...process.env, CDK8S_OUTDIR: out },
      stdio: 'pipe',
      encoding: 'utf8',
    });
    const wall = Number(process.hrtime.bigint() - start) / 1e9;
    if (r.status !== 0) throw new Error(`${command.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
    return { wall, cpu: cpu === undefined ? undefined : childrenCpu() - cpu };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const node = process.execPath;
const cases = [
  { label: 'node -e 0', command: [node, '-e', '0'] },
  { label: 'npm run synth (node scripts/synth.mjs)', command: [node, 'scripts/synth.mjs'] },
  { label: 'large app, 10 clusters, every detection', command: [node, 'scripts/synth.mjs', 'scripts/bench/large-app.ts'] },
  {
    label: 'cdk8s synth --app "npx ts-node main.ts"',
    rounds: starterRuns,
    command: [join(root, 'node_modules', '.bin', 'cdk8s'), '--no-check-upgrade', 'synth', '--app', 'npx ts-node main.ts'],
    argv: (out) => ['--output', out],
  },
];

console.log(`node ${process.version}, ${runs} rounds (the starter in the first ${starterRuns}), seconds\n`);
for (const c of cases.slice(1, 3)) time(c.command); // bundle, type-check and code cache up to date
for (const c of cases) c.samples = [];
for (let round = 0; round < runs; round++) {
  for (const c of cases) if (round < (c.rounds ?? runs)) c.samples.push(time(c.command, c.argv));
}
for (const c of cases) {
  const walls = c.samples.map((s) => s.wall);
  c.median = median(walls);
  const cpu = c.samples.every((s) => s.cpu !== undefined) ? `, cpu ${median(c.samples.map((s) => s.cpu)).toFixed(2)}` : '';
  console.log(
    `${c.label.padEnd(44)} wall median ${c.median.toFixed(3)} (min ${Math.min(...walls).toFixed(3)}, max ${Math.max(...walls).toFixed(3)})${cpu}`,
  );
}
const [bare, synth, large, starter] = cases;
/** The ratio of the medians, and the median of the ratios of the runs of one round. */
const ratio = (a, b) => {
  const n = Math.min(a.samples.length, b.samples.length);
  const perRound = median(Array.from({ length: n }, (_, i) => a.samples[i].wall / b.samples[i].wall));
  return `${(a.median / b.median).toFixed(2)}x (median per round ${perRound.toFixed(2)}x)`;
};
console.log('');
console.log(`synth / node -e 0:    ${ratio(synth, bare)}   goal: at most 4`);
console.log(`starter / synth:      ${ratio(starter, synth)}   goal: at least 20`);
console.log(`large app / synth:    ${ratio(large, synth)}   goal: at most 3`);

if (args.includes('--tests')) {
  const start = process.hrtime.bigint();
  const r = spawnSync('npm', ['test', '--silent'], { cwd: root, stdio: 'ignore' });
  console.log(
    `\ntest suite (npm test, type-check + jest): ${(Number(process.hrtime.bigint() - start) / 1e9).toFixed(1)} s${r.status ? ` (failed: ${r.status})` : ''}`,
  );
}
