#!/usr/bin/env node
// Benchmark: prints, from one run on this machine, the median wall time of `npm run synth`, of the cdk8s
// starter's way (`cdk8s synth` with `app: npx ts-node main.ts`), their ratio, and the test suite's wall time.
// Usage: npm run bench [-- --runs N] [-- --skip-tests]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const skipTests = args.includes('--skip-tests');

function time(command, argv, env = {}) {
  const start = process.hrtime.bigint();
  const r = spawnSync(command, argv, { cwd: root, env: { ...process.env, ...env }, stdio: 'pipe', encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${command} ${argv.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return seconds;
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function measure(label, command, argv) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const out = mkdtempSync(join(tmpdir(), 'bench-'));
    samples.push(time(command, argv(out), { CDK8S_OUTDIR: out }));
    rmSync(out, { recursive: true, force: true });
  }
  console.log(`${label.padEnd(44)} median ${median(samples).toFixed(3)} s  (runs: ${samples.map((s) => s.toFixed(2)).join(', ')})`);
  return median(samples);
}

console.log(`node ${process.version}, ${runs} runs each\n`);
const fast = measure('npm run synth (esbuild bundle + node)', 'npm', () => ['run', '--silent', 'synth']);
const starter = measure('cdk8s synth --app "npx ts-node main.ts"', join(root, 'node_modules', '.bin', 'cdk8s'),
  (out) => ['--no-check-upgrade', 'synth', '--app', 'npx ts-node main.ts', '--output', out]);
console.log(`\nspeed-up: ${(starter / fast).toFixed(1)}x (starter median / npm run synth median)`);

if (!skipTests) {
  const tests = time('npm', ['test', '--silent']);
  console.log(`test suite (npm test, type-check + jest): ${tests.toFixed(1)} s`);
}
