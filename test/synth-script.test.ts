import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { OUTPUT_MANIFEST } from '../lib';

const ROOT = join(__dirname, '..');

/** Every file under a folder with its bytes, by relative path (empty folders included as `dir/`). */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    const names = readdirSync(d).sort();
    if (names.length === 0 && d !== dir) out[`${relative(dir, d)}/`] = '';
    for (const n of names) {
      const full = join(d, n);
      if (statSync(full).isDirectory()) walk(full);
      else out[relative(dir, full)] = readFileSync(full, 'latin1');
    }
  };
  walk(dir);
  return out;
}

function tmp(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Runs scripts/synth.mjs on an entry with an output root; returns the exit status and what it printed. */
function synthScript(entry: string, outdir: string, opts: { typecheck?: boolean; env?: Record<string, string> } = {}) {
  const args = [join(ROOT, 'scripts', 'synth.mjs'), entry, ...(opts.typecheck ? [] : ['--no-typecheck'])];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CDK8S_OUTDIR: outdir, ...opts.env } });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('scripts/synth.mjs: all or nothing', () => {
  const entries = join(ROOT, 'build', 'test-entries');
  mkdirSync(entries, { recursive: true });
  // BAD=construct breaks beta while it is built, BAD=validate at synth-time validation (a name used twice).
  const clusters = `
const bad = process.env.BAD;
function beta(app: App) {
  const c = new TetragonCluster(app, 'beta', { clusterName: 'beta', enableGrafanaDashboard: false,
    enableNetworkMonitor: true, networkMonitor: { podCidrs: [bad === 'construct' ? '10.0.0.0/33' : '10.0.0.0/16'] } });
  if (bad === 'validate') new ShellAccessMonitor(c.policies, 'Twin', {});
}
`;
  const imports =
    "import { App } from 'cdk8s';\nimport { ShellAccessMonitor, TetragonCluster, synthesizeClusters, synthesizeUnits } from '../../lib';\n";
  writeFileSync(
    join(entries, 'one-app.ts'),
    `${imports}${clusters}
const app = new App();
new TetragonCluster(app, 'alpha', { clusterName: 'alpha', enableGrafanaDashboard: false, enableShellAccessMonitor: !bad });
beta(app);
synthesizeClusters(app, process.env.CDK8S_OUTDIR!);
`,
  );
  // The pattern of one app per cluster, one call each: the first call's output must wait for the second.
  writeFileSync(
    join(entries, 'app-per-cluster.ts'),
    `${imports}${clusters}
const alpha = new App();
new TetragonCluster(alpha, 'alpha', { clusterName: 'alpha', enableGrafanaDashboard: false, enableShellAccessMonitor: !bad });
synthesizeUnits(alpha, process.env.CDK8S_OUTDIR! + '/alpha');
const app = new App();
beta(app);
synthesizeUnits(app, process.env.CDK8S_OUTDIR! + '/beta');
`,
  );

  test.each(['one-app.ts', 'app-per-cluster.ts'])(
    '%s: with one bad cluster, dist/ stays byte-identical',
    (entry) => {
      // given: a dist/ holding the project's own cluster and the two clusters from a good synth
      const dist = join(tmp('dist-'), 'dist');
      cpSync(join(ROOT, 'dist'), dist, { recursive: true });
      const good = synthScript(`build/test-entries/${entry}`, dist);
      expect(good).toMatchObject({ status: 0 });
      expect(readdirSync(dist).sort()).toStrictEqual(['alpha', 'beta', 'nlcl01k8s']);
      const before = tree(dist);
      for (const bad of ['construct', 'validate']) {
        // when: the second cluster fails (the first would change: its shell monitor goes)
        const run = synthScript(`build/test-entries/${entry}`, dist, { env: { BAD: bad } });
        // then
        expect(run.status).toBe(1);
        expect(run.output).toMatch(
          bad === 'construct'
            ? /beta\/policies\/NetworkConnectionMonitor[\s\S]*"10\.0\.0\.0\/33"; prefix length must be 0-32/
            : /policy name "shell-access-monitor" is also used by/,
        );
        expect(tree(dist)).toStrictEqual(before);
      }
    },
    120_000,
  );

  /**
   * A copy of the project (sources, examples, dist/ and this synth script; node_modules linked), so the commands that
   * would wipe a folder in a broken build can only wipe the copy. The synth's records of the examples come along (the
   * run's shared trees made them, custom-policy.ts type-checked): the copy is a project its user synthesized before,
   * moved (so it bundles again: a bundle records the project's folder).
   */
  function projectCopy(): string {
    const box = join(tmp('project-'), 'project');
    for (const entry of [
      'scripts',
      'lib',
      'imports',
      'kernels',
      'examples',
      'dist',
      'main.ts',
      'package.json',
      'package-lock.json',
      'tsconfig.json',
    ]) {
      cpSync(join(ROOT, entry), join(box, entry), { recursive: true });
    }
    const caches = join(ROOT, 'build', 'synth', 'examples');
    if (existsSync(caches)) cpSync(caches, join(box, 'build', 'synth', 'examples'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(box, 'node_modules'));
    return box;
  }

  test('CDK8S_OUTDIR=dist node scripts/synth.mjs examples/custom-policy.ts (and the other examples) leave dist/nlcl01k8s byte-identical', () => {
    const box = projectCopy();
    const committed = tree(join(box, 'dist'));
    // The exact command, type-checked as a user runs it.
    const exact = execFileSync('sh', ['-c', 'CDK8S_OUTDIR=dist node scripts/synth.mjs examples/custom-policy.ts 2>&1; echo "exit $?"'], {
      cwd: box,
      encoding: 'utf8',
    });
    expect(exact).toBe(
      `synth failed: refusing to replace dist: it holds nlcl01k8s/ (${Object.keys(committed).length} files) that this synth did not write ` +
        `(no ${OUTPUT_MANIFEST} lists them); write to an empty or new folder, or move them away first\nexit 1\n`,
    );
    const run = (entry: string) =>
      spawnSync(process.execPath, ['scripts/synth.mjs', entry, '--no-typecheck'], {
        cwd: box,
        encoding: 'utf8',
        env: { ...process.env, CDK8S_OUTDIR: 'dist' },
      });
    expect(run('examples/enforcement.ts').status).toBe(1);
    expect(tree(join(box, 'dist'))).toStrictEqual(committed);
    // detections.ts writes <outdir>/prod/: beside the cluster, never over it.
    expect(run('examples/detections.ts').status).toBe(0);
    const after = tree(join(box, 'dist'));
    expect(Object.fromEntries(Object.entries(after).filter(([f]) => f.startsWith('nlcl01k8s/')))).toStrictEqual(committed);
    expect(Object.keys(after).filter((f) => f.startsWith('prod/policies/')).length).toBeGreaterThan(10);
  }, 120_000);

  test('pointed at the project folder or a source folder, it refuses and deletes nothing', () => {
    const box = projectCopy();
    const before = tree(join(box, 'lib'));
    const run = (outdir: string) =>
      spawnSync(process.execPath, ['scripts/synth.mjs', 'examples/custom-policy.ts', '--no-typecheck'], {
        cwd: box,
        encoding: 'utf8',
        env: { ...process.env, CDK8S_OUTDIR: outdir },
      });
    expect(run('.')).toMatchObject({
      status: 1,
      stderr:
        'synth failed: refusing to write into .: it contains the working directory; set the output to a folder of its own, e.g. dist\n',
    });
    expect(run('lib').stderr).toMatch(/^synth failed: refusing to replace lib: it holds .* that this synth did not write/);
    expect(run('..').stderr).toMatch(/^synth failed: refusing to write into \.\.: it contains the working directory/);
    expect(tree(join(box, 'lib'))).toStrictEqual(before);
    expect(readdirSync(box).sort()).toStrictEqual(
      [
        'dist',
        'examples',
        'imports',
        'kernels',
        'lib',
        'main.ts',
        'node_modules',
        'package-lock.json',
        'package.json',
        'scripts',
        'tsconfig.json',
      ]
        .concat(readdirSync(box).includes('build') ? ['build'] : [])
        .sort(),
    );
  }, 60_000);
});

describe('scripts/synth.mjs: type-check and cache', () => {
  const entries = join(ROOT, 'build', 'test-entries');
  mkdirSync(entries, { recursive: true });

  test("a misspelt prop fails the synth with the compiler's error, and without the type-check the construct refuses it", () => {
    writeFileSync(
      join(entries, 'typo.ts'),
      [
        "import { App } from 'cdk8s';",
        "import { TetragonCluster, synthesizeClusters } from '../../lib';",
        'const app = new App();',
        "new TetragonCluster(app, 'typo', { clusterName: 'typo', enableNetworkMonitr: true });",
        'synthesizeClusters(app, process.env.CDK8S_OUTDIR!);',
        '',
      ].join('\n'),
    );
    const out = tmp('typo-');
    const checked = synthScript('build/test-entries/typo.ts', out, { typecheck: true });
    expect(checked.status).toBe(1);
    expect(checked.output).toContain(
      'synth failed: build/test-entries/typo.ts does not type-check (nothing was written):\n' +
        "build/test-entries/typo.ts(4,57): error TS2561: Object literal may only specify known properties, but 'enableNetworkMonitr' does not exist in type 'TetragonClusterProps'. Did you mean to write 'enableNetworkMonitor'?",
    );
    const unchecked = synthScript('build/test-entries/typo.ts', out);
    expect(unchecked.status).toBe(1);
    expect(unchecked.output).toContain(
      "synth failed: typo: enableNetworkMonitr: unknown prop, so it would be ignored; did you mean 'enableNetworkMonitor'?",
    );
    expect(readdirSync(out)).toStrictEqual([]);
  }, 120_000);

  test("the bundle is rebuilt when an input's content changes, even if the file is restored with an older time", () => {
    const helper = join(entries, 'cache-name.ts');
    writeFileSync(
      join(entries, 'cache.ts'),
      [
        "import { App, Chart } from 'cdk8s';",
        "import { Arg, ArgFilter, KprobeHook, Selector, TracingPolicy, synthesizeUnits } from '../../lib';",
        "import { POLICY_NAME } from './cache-name';",
        'const app = new App();',
        'const file = Arg.file(0);',
        "new TracingPolicy(new Chart(app, 'policies'), 'P', { name: POLICY_NAME, hooks: [KprobeHook.function('security_file_open', {",
        "  message: 'Secret opened', tags: ['observability.filesystem'], args: [file],",
        "  selectors: [new Selector({ matchArgs: [ArgFilter.equal(file, ['/etc/secret'])] })] })] });",
        'synthesizeUnits(app, process.env.CDK8S_OUTDIR!);',
        '',
      ].join('\n'),
    );
    writeFileSync(helper, "export const POLICY_NAME = 'first-name';\n");
    const out = join(tmp('cache-'), 'out');
    expect(synthScript('build/test-entries/cache.ts', out)).toMatchObject({ status: 0 });
    expect(readdirSync(join(out, 'policies'))).toStrictEqual(['tracingpolicy-first-name.yaml']);
    // when: the input changes but carries a time older than the bundle (a checkout or a backup restore does this)
    writeFileSync(helper, "export const POLICY_NAME = 'second-name';\n");
    utimesSync(helper, new Date('2001-01-01'), new Date('2001-01-01'));
    // then
    expect(synthScript('build/test-entries/cache.ts', out)).toMatchObject({ status: 0 });
    expect(readdirSync(join(out, 'policies'))).toStrictEqual(['tracingpolicy-second-name.yaml']);
  }, 120_000);

  test('a code cache V8 refuses is written anew, and the synth writes the same files', () => {
    writeFileSync(
      join(entries, 'code-cache.ts'),
      [
        "import { App, Chart } from 'cdk8s';",
        "import { Arg, KprobeHook, TracingPolicy, synthesizeUnits } from '../../lib';",
        'const app = new App();',
        "new TracingPolicy(new Chart(app, 'policies'), 'P', { name: 'cached', hooks: [KprobeHook.function('security_file_open', {",
        "  message: 'File opened', tags: ['observability.filesystem'], args: [Arg.file(0)] })] });",
        'synthesizeUnits(app, process.env.CDK8S_OUTDIR!);',
        '',
      ].join('\n'),
    );
    const first = join(tmp('code-cache-'), 'out');
    expect(synthScript('build/test-entries/code-cache.ts', first)).toMatchObject({ status: 0 });
    // Node 22+ keeps the bundle's compiled code in its own compile cache; before, it sits beside the bundle, after
    // the digest of the bundle's inputs.
    const cache = join(ROOT, 'build', 'synth', 'build', 'test-entries', 'code-cache.js.v8cache');
    expect(existsSync(cache) || typeof (require('node:module') as { enableCompileCache?: unknown }).enableCompileCache === 'function').toBe(
      true,
    );
    if (existsSync(cache)) {
      // when: the cached code is damaged (its digest still matches)
      const data = readFileSync(cache);
      writeFileSync(cache, Buffer.concat([data.subarray(0, 64), Buffer.alloc(data.length - 64, 0x5a)]));
    }
    const second = join(tmp('code-cache-'), 'out');
    expect(synthScript('build/test-entries/code-cache.ts', second)).toMatchObject({ status: 0, output: '' });
    // then: the same files, and a cache V8 accepts again
    expect(tree(second)).toStrictEqual(tree(first));
    if (existsSync(cache))
      expect(
        readFileSync(cache)
          .subarray(64)
          .every((b) => b === 0x5a),
      ).toBe(false);
  }, 120_000);

  test('the bundle holds the app and what it uses: cdk8s with one yaml, no simulator, CLI or verifier, the CRD validators apart', () => {
    const out = join(tmp('bundle-'), 'out');
    expect(synthScript('main.ts', out)).toMatchObject({ status: 0 });
    const inputs: string[] = JSON.parse(readFileSync(join(ROOT, 'build', 'synth', 'main.js.state.json'), 'utf8')).bundleInputs;
    expect(inputs).toContain('main.ts');
    expect(inputs).toContain('node_modules/cdk8s/lib/index.js');
    expect(inputs).toContain('lib/private/crd-validators/index.ts');
    expect(
      inputs.filter((f) =>
        /^lib\/(simulate|cli|verify)\/|^lib\/private\/crd-validators\/.*\.js$|node_modules\/(ajv|cdk8s\/node_modules\/yaml)\//.test(f),
      ),
    ).toStrictEqual([]);
  }, 120_000);
});
