import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ApiObject, App, Chart, IResolver, Lazy, LazyResolver, ResolutionContext, Yaml } from 'cdk8s';
import { IConstruct } from 'constructs';
import { OUTPUT_MANIFEST, dangerousOutputReason } from './private/output-folder';
import { TetragonCluster } from './tetragon-cluster';

export { OUTPUT_MANIFEST };

const MANIFEST_HEADER =
  '# Written by cdk8s-tetragon synth: the next synth replaces the files listed here and refuses this folder if it holds any other file.';
const STAGING_PREFIX = '.cdk8s-tetragon-staging-';

/**
 * Writes an app's charts as GitOps units: one folder per chart (named by the chart's id, e.g. `policies/`),
 * one file per object (`<kind>-<name>.yaml`, lowercase), in a deterministic order, and the list of those files
 * ({@link OUTPUT_MANIFEST}).
 *
 * Every construct's validations run first, and the output is written to a staging folder and swapped in only
 * after everything rendered, so a failed synth leaves `outdir` untouched. An `outdir` that holds files this
 * library did not write (or the working directory, or one of its parents) is refused, never emptied.
 *
 * For an app with several clusters use {@link synthesizeClusters}.
 *
 * @param app the app holding the cluster's charts
 * @param outdir the cluster's folder, e.g. `dist/nlcl01k8s`
 * @returns the files written, relative to `outdir`
 */
export function synthesizeUnits(app: App, outdir: string): string[] {
  const files = producingOnce(app, () => {
    validateApp(app);
    const clusters = clustersOf(app);
    if (clusters.length > 1) {
      throw new Error(
        `synthesizeUnits: the app holds ${clusters.length} TetragonClusters (${clusters.map((c) => c.node.path).join(', ')}), ` +
          `whose units would share ${outdir}; call synthesizeClusters(app, '${dirname(outdir)}') to write each to <outdir>/<clusterName>/`,
      );
    }
    return renderUnits(app.charts);
  });
  writeOutput(outdir, [{ folder: outdir, files }]);
  return [...files.keys()].sort();
}

/**
 * Writes every {@link TetragonCluster} of an app to `<outdir>/<clusterName>/<unit>/`, all or nothing: the
 * clusters' folders are swapped in only when every cluster validated and rendered. Other folders in `outdir`
 * are left alone; a cluster folder that holds files this library did not write is refused.
 *
 * @param app the app holding one or more clusters (and no chart outside them)
 * @param outdir the output root, e.g. `dist`
 * @returns the files written per cluster name, relative to the cluster's folder
 */
export function synthesizeClusters(app: App, outdir: string): Record<string, string[]> {
  const { clusters, targets } = producingOnce(app, () => renderClusters(app, outdir));
  writeOutput(outdir, targets);
  return Object.fromEntries(clusters.map((c, i) => [c.clusterName, [...targets[i].files.keys()].sort()]));
}

function renderClusters(app: App, outdir: string): { clusters: TetragonCluster[]; targets: Target[] } {
  validateApp(app);
  const clusters = clustersOf(app);
  if (clusters.length === 0) {
    throw new Error(
      'synthesizeClusters: the app holds no TetragonCluster; add one, or write plain charts with synthesizeUnits(app, outdir)',
    );
  }
  const charts = app.charts; // sorted by dependencies each time it is read
  const loose = charts.filter((chart) => !clusters.some((c) => chart.node.scopes.includes(c)));
  if (loose.length) {
    throw new Error(
      `synthesizeClusters: chart ${loose.map((c) => `'${c.node.path}'`).join(', ')} belongs to no TetragonCluster; ` +
        "add its constructs to a cluster's unit (e.g. cluster.policies), or synthesize it with synthesizeUnits",
    );
  }
  const seen = new Map<string, string>();
  for (const c of clusters) {
    const other = seen.get(c.clusterName);
    if (other)
      throw new Error(
        `synthesizeClusters: ${other} and ${c.node.path} both have clusterName '${c.clusterName}', which names their folder; give each cluster its own name`,
      );
    seen.set(c.clusterName, c.node.path);
  }
  const rendered = new Map<string, string>();
  const targets = clusters.map((c) => ({
    folder: join(outdir, c.clusterName),
    files: renderUnits(
      charts.filter((chart) => chart.node.scopes.includes(c)),
      rendered,
    ),
  }));
  return { clusters, targets };
}

/** The charts of an app, by unit name. */
export function unitsOf(app: App): Record<string, Chart> {
  return Object.fromEntries(app.charts.map((c) => [c.node.id, c]));
}

/**
 * Runs `work` (validation, then rendering) with every `Lazy` of the app produced once: validation renders objects
 * (a TracingPolicy checks its own rendering) and rendering renders them again, and nothing changes the tree in
 * between. A resolver just ahead of cdk8s's own LazyResolver, so the app's own resolvers keep their turn; removed after.
 */
function producingOnce<T>(app: App, work: () => T): T {
  const produced = new Map<Lazy, unknown>();
  const once: IResolver = {
    resolve(context: ResolutionContext): void {
      const lazy = context.value;
      if (!(lazy instanceof Lazy)) return;
      if (!produced.has(lazy)) produced.set(lazy, lazy.produce());
      context.replaceValue(produced.get(lazy));
    },
  };
  const at = app.resolvers.findIndex((r) => r instanceof LazyResolver);
  app.resolvers.splice(at < 0 ? app.resolvers.length : at, 0, once);
  try {
    return work();
  } finally {
    app.resolvers.splice(app.resolvers.indexOf(once), 1);
  }
}

function validateApp(app: App): void {
  const errors = app.node.findAll().flatMap((c) => c.node.validate().map((e) => (e.startsWith(c.node.path) ? e : `${c.node.path}: ${e}`)));
  if (errors.length) throw new Error(`synth failed validation:\n  - ${errors.join('\n  - ')}`);
}

function clustersOf(app: App): TetragonCluster[] {
  return app.node.findAll().filter((c: IConstruct): c is TetragonCluster => TetragonCluster.isTetragonCluster(c));
}

/**
 * Renders charts to files by path (`<unit>/<kind>-<namespace>.<name>.yaml`). The app was validated once by
 * `validateApp`; `chart.toJson()` would validate the whole app again for every chart (n clusters: n² work). An object
 * identical to one already rendered (the same policy in every cluster of a fleet) reuses its YAML from `rendered`.
 */
function renderUnits(charts: readonly Chart[], rendered = new Map<string, string>()): Map<string, string> {
  const files = new Map<string, string>();
  for (const chart of charts) {
    const unit = chart.node.id;
    for (const object of apiObjectsOf(chart).map((o) => o.toJson())) {
      const ns = object.metadata?.namespace ? `${object.metadata.namespace}.` : '';
      const file = `${unit}/${`${object.kind}-${ns}${object.metadata?.name}.yaml`.toLowerCase().replace(/[^a-z0-9._-]/g, '-')}`;
      if (files.has(file)) throw new Error(`${chart.node.path}: two objects would be written to ${file}; give them distinct names`);
      const key = contentKey(object);
      let text = key === undefined ? undefined : rendered.get(key);
      if (text === undefined) {
        text = Yaml.stringify(object);
        if (key !== undefined) rendered.set(key, text);
      }
      files.set(file, text);
    }
  }
  return new Map([...files].sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * A key equal for two values exactly when they render the same YAML: their JSON, for plain data that JSON keeps as it
 * is; undefined (render without the cache) for anything JSON would drop or merge (undefined, NaN, -0, a class
 * instance...).
 */
function contentKey(value: unknown): string | undefined {
  return keptByJson(value) ? JSON.stringify(value) : undefined;
}

function keptByJson(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!(i in value) || !keptByJson(value[i])) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(value);
      if ((proto !== Object.prototype && proto !== null) || 'toJSON' in value) return false;
      for (const v of Object.values(value)) if (!keptByJson(v)) return false;
      return true;
    }
    default:
      return false;
  }
}

/** The API objects `chart.toJson()` renders: the chart's own, not those of charts nested in it. */
function apiObjectsOf(chart: Chart): ApiObject[] {
  const objects: ApiObject[] = [];
  const visit = (scope: IConstruct) => {
    for (const child of scope.node.children) {
      if (Chart.isChart(child)) continue;
      if (ApiObject.isApiObject(child)) objects.push(child);
      visit(child);
    }
  };
  visit(chart);
  return objects;
}

interface Target {
  /** The folder the files replace (its whole content must be ours). */
  readonly folder: string;
  /** Files by path relative to the folder. */
  readonly files: Map<string, string>;
}

/** Output written to a staging folder, waiting to be moved in: each folder's new content and where its old goes. */
interface Staged {
  readonly staging: string;
  readonly moves: ReadonlyArray<{ readonly folder: string; readonly fresh: string; readonly old: string }>;
}

/**
 * Key of the synth run that `scripts/synth.mjs` opens: while it exists, each call only stages its output, and the
 * runner swaps everything in once the app's file ran without an error (or drops it), so an app that writes several
 * clusters with several calls is still all or nothing.
 */
const SYNTH_RUN = Symbol.for('cdk8s-tetragon.synth-run');

interface SynthRun {
  staged?: Staged[];
  /** Swaps the staged output in (ok) or drops it; called once by the runner. */
  finish?: (ok: boolean) => void;
}

/**
 * Replaces each target folder's content with its files, all targets or none: refuses before writing anything when a
 * folder is dangerous or holds a file that is not ours, stages everything under `root`, then moves entries in.
 */
function writeOutput(root: string, targets: readonly Target[]): void {
  for (const t of targets) refuseDangerous(t.folder);
  for (const t of targets) refuseForeign(t.folder, t.files);
  const rootPath = resolve(root);
  mkdirSync(rootPath, { recursive: true });
  removeStaleStaging(rootPath);
  const staging = mkdtempSync(join(rootPath, `${STAGING_PREFIX}${process.pid}-`));
  const staged: Staged = {
    staging,
    moves: targets.map((t, i) => ({
      folder: resolve(t.folder),
      fresh: join(staging, 'new', String(i)),
      old: join(staging, 'old', String(i)),
    })),
  };
  try {
    targets.forEach((t, i) => {
      const dir = staged.moves[i].fresh;
      mkdirSync(dir, { recursive: true });
      for (const [file, text] of t.files) {
        mkdirSync(dirname(join(dir, file)), { recursive: true });
        writeFileSync(join(dir, file), text);
      }
      writeFileSync(join(dir, OUTPUT_MANIFEST), `${MANIFEST_HEADER}\n${[...t.files.keys()].join('\n')}\n`);
    });
  } catch (e) {
    discard([staged]);
    throw e;
  }
  const run = (globalThis as { [SYNTH_RUN]?: SynthRun })[SYNTH_RUN];
  if (!run) {
    commit([staged]);
    return;
  }
  const pending = (run.staged ??= []);
  pending.push(staged);
  run.finish = (ok) => (ok ? commit(pending) : discard(pending));
}

function discard(staged: readonly Staged[]): void {
  for (const s of staged) rmSync(s.staging, { recursive: true, force: true });
}

/** Moves each folder's old entries out and the new ones in, in one go; undoes every move when one fails. */
function commit(staged: readonly Staged[]): void {
  const moved: Array<[string, string]> = [];
  const move = (from: string, to: string) => {
    mkdirSync(dirname(to), { recursive: true });
    renameSync(from, to);
    moved.push([from, to]);
  };
  try {
    for (const { folder, fresh, old } of staged.flatMap((s) => s.moves)) {
      mkdirSync(folder, { recursive: true });
      for (const name of readdirSync(folder)) {
        if (!name.startsWith(STAGING_PREFIX)) move(join(folder, name), join(old, name));
      }
      for (const name of readdirSync(fresh)) move(join(fresh, name), join(folder, name));
    }
  } catch (e) {
    for (const [from, to] of moved.reverse()) {
      try {
        renameSync(to, from);
      } catch {
        /* keep undoing the rest */
      }
    }
    throw e;
  } finally {
    discard(staged);
  }
}

/** Refuses the filesystem root, the home folder, and the working directory or any folder that contains it. */
function refuseDangerous(folder: string): void {
  const path = existsSync(folder) ? realpathSync(folder) : resolve(folder);
  const why = dangerousOutputReason(path, realpathSync(process.cwd()), homedir());
  if (why) throw new Error(`refusing to write into ${folder}: ${why}; set the output to a folder of its own, e.g. dist`);
}

/**
 * Refuses a folder holding anything but the files the last synth listed in its manifest, or files byte-identical to
 * what this synth writes at the same path (which lose nothing when rewritten).
 */
function refuseForeign(folder: string, files: Map<string, string>): void {
  if (!existsSync(folder)) return;
  if (!lstatSync(folder).isDirectory())
    throw new Error(`refusing to write into ${folder}: it is not a folder; remove it or choose another output`);
  const manifest = join(folder, OUTPUT_MANIFEST);
  const listed = new Set(
    existsSync(manifest)
      ? readFileSync(manifest, 'utf8')
          .split('\n')
          .filter((l) => l && !l.startsWith('#'))
      : [],
  );
  const foreign: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const rel = relative(folder, full).split(sep).join('/');
      if (dir === folder && (name === OUTPUT_MANIFEST || name.startsWith(STAGING_PREFIX))) continue;
      const st = lstatSync(full);
      if (st.isDirectory()) walk(full);
      else if (!(st.isFile() && (listed.has(rel) || sameBytes(full, files.get(rel))))) foreign.push(rel);
    }
  };
  walk(folder);
  if (foreign.length === 0) return;
  const tops = [...new Set(foreign.map((f) => (f.includes('/') ? `${f.slice(0, f.indexOf('/'))}/` : f)))];
  const shown = tops
    .slice(0, 3)
    .map((t) => (t.endsWith('/') ? `${t} (${foreign.filter((f) => f.startsWith(t)).length} files)` : t))
    .join(', ');
  throw new Error(
    `refusing to replace ${folder}: it holds ${shown}${tops.length > 3 ? `, and ${tops.length - 3} more` : ''} ` +
      `that this synth did not write (no ${OUTPUT_MANIFEST} lists them); write to an empty or new folder, or move them away first`,
  );
}

function sameBytes(path: string, text: string | undefined): boolean {
  return text !== undefined && readFileSync(path).equals(Buffer.from(text));
}

/** Removes staging folders left by a synth that was killed (their process no longer runs). */
function removeStaleStaging(root: string): void {
  for (const name of readdirSync(root)) {
    const pid = name.startsWith(STAGING_PREFIX) ? Number(/^(\d+)-/.exec(name.slice(STAGING_PREFIX.length))?.[1]) : 0;
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') rmSync(join(root, name), { recursive: true, force: true });
    }
  }
}
