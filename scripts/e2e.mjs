#!/usr/bin/env node
// `npm run e2e [-- verify options]`: proves the library's policies on the real agent. Synthesizes every policy
// the library can emit (scripts/e2e-policies.ts) into build/e2e/policies, then runs `cdk8s-tetragon verify`
// on them with the agent bundle ($CDK8S_TETRAGON_AGENT, else ../shared/e2e/tetragon-v1.7.0-amd64.tar.xz when
// present) and writes build/e2e/report-<kernels>.json. Options after `--` go to verify (default: --kernel debian-12),
// except `--set monitors,detections,enforcement` (default: all three), which picks the policy folders.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build', 'e2e');
const bundle = (source, outfile) =>
  buildSync({
    stdin: { contents: source, resolveDir: root, loader: 'ts' },
    outfile: join(out, outfile),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    absWorkingDir: root,
    external: ['cdk8s'],
    logLevel: 'warning',
  });
bundle("import './scripts/e2e-policies';", 'e2e-policies.js');
if (process.argv[2] === 'docs') {
  bundle("import './scripts/e2e-docs';", 'e2e-docs.js');
  const docs = spawnSync(process.execPath, [join(out, 'e2e-docs.js'), ...process.argv.slice(3)], { stdio: 'inherit', cwd: root });
  process.exit(docs.status ?? 1);
}
// The CLI's entry loads commands lazily by name, which a bundle cannot follow: bundle the verify command itself.
bundle(
  "import { run } from './lib/cli/verify'; run(process.argv.slice(2)).then((c) => { process.exitCode = c; }, (e) => { console.error(e); process.exitCode = 2; });",
  'verify.js',
);

const policies = join(out, 'policies');
const synth = spawnSync(process.execPath, [join(out, 'e2e-policies.js'), policies], { stdio: 'inherit', cwd: root });
if (synth.status !== 0) process.exit(synth.status ?? 1);

const argv = process.argv.slice(2);
const setAt = argv.indexOf('--set');
const sets = setAt >= 0 ? argv[setAt + 1].split(',') : ['monitors', 'detections', 'enforcement'];
const args = setAt >= 0 ? [...argv.slice(0, setAt), ...argv.slice(setAt + 2)] : argv;
for (const s of sets)
  if (!existsSync(join(policies, s))) {
    console.error(`--set ${s}: no such policy set (monitors, detections, enforcement)`);
    process.exit(2);
  }
const has = (flag) => args.includes(flag);
const kernels = args.filter((a, i) => args[i - 1] === '--kernel');
const extra = [];
if (!has('--kernel')) {
  extra.push('--kernel', 'debian-12');
  kernels.push('debian-12');
}
const shared = join(root, '..', 'shared', 'e2e', 'tetragon-v1.7.0-amd64.tar.xz');
if (!has('--tetragon') && !process.env.CDK8S_TETRAGON_AGENT && existsSync(shared)) extra.push('--tetragon', shared);
if (!has('--report')) extra.push('--report', join(out, `report-${kernels.join('-')}.json`));
if (!has('--artifacts')) extra.push('--artifacts', join(out, 'artifacts'));
const verify = spawnSync(process.execPath, [join(out, 'verify.js'), ...extra, ...args, ...sets.map((s) => join(policies, s))], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(verify.status ?? 1);
