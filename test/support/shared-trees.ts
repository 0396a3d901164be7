import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * Output trees several suites read, each written once per test run by `node scripts/synth.mjs [--no-typecheck] ENTRY`:
 * `npm test`'s type-check pass compiled the entries already, but custom-policy.ts goes the whole way a user's synth
 * goes, type-check included (test/synth-script.test.ts runs that command in a copy of the project). `main` twice, so
 * two synths can be compared.
 */
export const SHARED_TREES = {
  main: { entry: 'main.ts', typecheck: false },
  'main-again': { entry: 'main.ts', typecheck: false },
  'custom-policy': { entry: 'examples/custom-policy.ts', typecheck: true },
  enforcement: { entry: 'examples/enforcement.ts', typecheck: false },
  detections: { entry: 'examples/detections.ts', typecheck: false },
} as const;

export type SharedTree = keyof typeof SHARED_TREES;

/** Where the trees of this run are (set by the global setup, read by the suites): tree name → folder, or the error. */
export const SHARED_TREES_ENV = 'CDK8S_TETRAGON_TEST_TREES';

type Trees = Partial<Record<SharedTree, { dir: string } | { error: string }>>;

function synthArgs(name: SharedTree): string[] {
  const { entry, typecheck } = SHARED_TREES[name];
  return [join(ROOT, 'scripts', 'synth.mjs'), ...(typecheck ? [] : ['--no-typecheck']), entry];
}

function synth(name: SharedTree, outdir: string): Promise<string | undefined> {
  return new Promise((done) => {
    execFile(process.execPath, synthArgs(name), { cwd: ROOT, env: { ...process.env, CDK8S_OUTDIR: outdir } }, (err, stdout, stderr) =>
      done(err ? `${synthArgs(name).join(' ')} failed: ${err.message}\n${stdout}${stderr}` : undefined),
    );
  });
}

/**
 * Synthesizes every shared tree into folders under `root`, two at a time (one entry's first synth builds its bundle,
 * so `main-again` waits for `main`). A failed synth is recorded, not thrown: the suites that read it fail with it.
 */
export async function synthesizeSharedTrees(root: string): Promise<Trees> {
  const trees: Trees = {};
  const run = async (name: SharedTree) => {
    const dir = join(root, name);
    const error = await synth(name, dir);
    trees[name] = error ? { error } : { dir };
  };
  await Promise.all([
    run('main').then(() => run('main-again')),
    run('custom-policy')
      .then(() => run('enforcement'))
      .then(() => run('detections')),
  ]);
  return trees;
}

const local: Trees = {};

/** The folder of a shared tree; synthesized on the spot when the run has none (a runner without the global setup). */
export function sharedTree(name: SharedTree): string {
  const trees = JSON.parse(process.env[SHARED_TREES_ENV] ?? '{}') as Trees;
  let tree = trees[name] ?? local[name];
  if (!tree) {
    const dir = join(mkdtempSync(join(tmpdir(), 'shared-tree-')), name);
    execFileSync(process.execPath, synthArgs(name), { cwd: ROOT, env: { ...process.env, CDK8S_OUTDIR: dir }, stdio: 'pipe' });
    tree = local[name] = { dir };
  }
  if ('error' in tree) throw new Error(tree.error);
  return tree.dir;
}
