#!/usr/bin/env node
// The synth path: type-check the entry, bundle it with esbuild and run it, all or nothing. `npm run synth` and `npx cdk8s synth`
// (cdk8s.yaml `app`) both come here. Both steps are skipped while the content of their inputs is unchanged (a
// SHA-256 over every input file, not file times, which a checkout or a restore can set back), so an unchanged
// project synthesizes at bundle speed and a changed one is type-checked before anything is written.
//
// The bundle holds the app and everything it imports, cdk8s included, so a synth reads one file and compiles it from
// V8's code cache: Node's compile cache where the runtime has one (22+), a cached-data file beside the bundle before.
//
// Usage: node scripts/synth.mjs [--no-typecheck] [ENTRY.ts]   (default main.ts)
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
// `npm test`'s type-check pass compiles every file before its tests run the synth; they pass --no-typecheck.
const typecheck = !args.includes('--no-typecheck');
const entry = args.find((a) => !a.startsWith('--')) ?? 'main.ts';
const outfile = join(root, 'build', 'synth', entry.replace(/\.ts$/, '.js'));
const statefile = `${outfile}.state.json`;
// Files that change the bundle or what the type-checker sees without being bundled: this script (its bundle options),
// the compiler options, the dependency versions.
const TOOL_INPUTS = ['scripts/synth.mjs', 'tsconfig.json', 'package-lock.json'];
// A file's recorded hash is reused while its size and times are unchanged, and only for files whose last change was
// this long before they were hashed: a file written again within the file system's time granularity is read again.
const SETTLED_MS = 2000;

/** Last run's content hashes by file, each with the size and times it was read at (`signatures` in the state file). */
let known = {};
const fileHashes = new Map();
/** Whether this run hashed a settled file the state does not know yet. */
let learned = false;
/**
 * SHA-256 over the paths and contents of files (relative to the root); a missing file counts as a change. A file's
 * hash is read from the last run when its size, modification and change times are what they were; restoring an old
 * modification time sets the change time to now, so a changed file is always read. `context` is hashed first.
 */
function digest(files, context = '') {
  const hash = createHash('sha256').update(`${context}\0`);
  for (const f of [...new Set([...files, ...TOOL_INPUTS])].sort()) {
    if (!fileHashes.has(f)) fileHashes.set(f, fileHash(f));
    hash.update(`${f}\0${fileHashes.get(f).hash}\0`);
  }
  return hash.digest('hex');
}

function fileHash(f) {
  const path = join(root, f);
  const now = Date.now();
  let st;
  try {
    st = statSync(path);
  } catch {
    return { hash: 'missing' };
  }
  const sig = `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;
  const last = known[f];
  if (last && last.sig === sig) return last;
  const hash = createHash('sha256').update(readFileSync(path)).digest('hex');
  const settled = st.ctimeMs < now - SETTLED_MS && st.mtimeMs < now - SETTLED_MS;
  if (!settled) return { hash };
  learned = true;
  return { hash, sig };
}

function readState() {
  try {
    return JSON.parse(readFileSync(statefile, 'utf8'));
  } catch {
    return { bundleInputs: [], typeInputs: [] };
  }
}

/** Writes a file through a temporary name, so a synth running beside this one never reads half of it. */
function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

function writeState(state) {
  const signatures = {};
  for (const f of [...state.bundleInputs, ...state.typeInputs, ...TOOL_INPUTS]) {
    const h = fileHashes.has(f) ? fileHashes.get(f) : known[f];
    if (h?.sig) signatures[f] = h;
  }
  writeAtomic(statefile, JSON.stringify({ ...state, signatures }));
  learned = false;
}

/**
 * Bundled packages that find files next to their own code (cdk8s runs `_loadurl.mjs` beside its yaml.js to load Helm
 * output and URLs) keep their real `__dirname` and `__filename`.
 */
const ownDirname = {
  name: 'own-dirname',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/].*\.c?js$/ }, (args) => {
      const contents = readFileSync(args.path, 'utf8');
      if (!/\b__(dirname|filename)\b/.test(contents)) return undefined;
      return {
        contents: `var __dirname = ${JSON.stringify(dirname(args.path))}, __filename = ${JSON.stringify(args.path)};\n${contents}`,
        loader: 'js',
      };
    });
  },
};

/**
 * A package that another bundles in its own node_modules (cdk8s ships yaml) is taken from the project's node_modules
 * when both hold the same version: one copy to load, and one whose compiled code both callers share.
 */
const sameVersionOnce = {
  name: 'same-version-once',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      const nested = /^(.*[\\/]node_modules[\\/](?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(args.importer)?.[1];
      const name = /^(@[^/]+\/)?[^/]+/.exec(args.path)[0];
      if (!nested || !existsSync(join(nested, 'node_modules', name, 'package.json'))) return undefined;
      const version = (dir) => {
        try {
          return JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')).version;
        } catch {
          return undefined;
        }
      };
      const own = version(nested);
      if (!own || own !== version(root)) return undefined;
      const shared = await build.resolve(args.path, { resolveDir: root, kind: args.kind });
      return shared.errors.length ? undefined : { path: shared.path };
    });
  },
};

/**
 * The generated CRD validators stay files of their own, required on first use by kind: an app loads the one or two it
 * validates (TracingPolicy), not all of them.
 */
const validatorsApart = {
  name: 'validators-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/[^/]+\.js$/ }, (args) => {
      if (!/[\\/]crd-validators[\\/]index\.ts$/.test(args.importer)) return undefined;
      const path = relative(dirname(outfile), resolve(args.resolveDir, args.path)).split('\\').join('/');
      return { path: path.startsWith('.') ? path : `./${path}`, external: true };
    });
  },
};

async function bundle() {
  mkdirSync(dirname(outfile), { recursive: true });
  const { build } = require('esbuild');
  const result = await build({
    entryPoints: [join(root, entry)],
    outfile,
    write: false,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    absWorkingDir: root,
    plugins: [ownDirname, sameVersionOnce, validatorsApart],
    // Less to read and compile at every run; names stay, for the messages that quote a class name.
    minifyWhitespace: true,
    minifySyntax: true,
    metafile: true,
    logLevel: 'warning',
  });
  writeAtomic(outfile, result.outputFiles[0].contents);
  return Object.keys(result.metafile.inputs).sort();
}

/**
 * Type-checks the entry and what it imports, incrementally. Returns the diagnostics as text (empty when clean) and
 * the project's files the check read (type-only imports included, which the bundle does not list).
 *
 * The incremental state of an entry's first check starts from the project's type-check pass (scripts/typecheck.js,
 * same compiler options, same folder so the same relative paths): the compiler then checks only what changed since.
 */
function typeCheck() {
  const ts = require('typescript');
  const config = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  );
  const buildInfo = join(root, 'build', `synth.${entry.replace(/[\\/]/g, '+')}.tsbuildinfo`);
  const projectInfo = join(root, 'build', 'typecheck.tsbuildinfo');
  if (!existsSync(buildInfo) && existsSync(projectInfo)) writeAtomic(buildInfo, readFileSync(projectInfo));
  const options = { ...config.options, noEmit: true, incremental: true, tsBuildInfoFile: buildInfo };
  const program = ts.createIncrementalProgram({ rootNames: [join(root, entry)], options, host: ts.createIncrementalCompilerHost(options) });
  const diagnostics = [
    ...program.getConfigFileParsingDiagnostics(),
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program.getSyntacticDiagnostics(),
    ...program.getSemanticDiagnostics(),
  ];
  program.emit(); // writes the .tsbuildinfo only (noEmit)
  const files = program
    .getProgram()
    .getSourceFiles()
    .map((f) => relative(root, f.fileName))
    .filter((f) => !f.startsWith('..') && !f.split(/[\\/]/).includes('node_modules'))
    .sort();
  const text = ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => root,
    getNewLine: () => '\n',
  });
  return { text, files };
}

/**
 * Runs the bundle as a CommonJS module. Node 22+ keeps the compiled code of the bundle and of the files it requires
 * in its compile cache. Before that, this does the same for the bundle and the project's files it requires (the CRD
 * validators): the code V8 compiled, lazily compiled functions included, is saved after the run beside the bundle,
 * under a digest of the source, and handed back to V8 the next time (V8 itself refuses data from another V8 version
 * or other flags).
 */
function runBundle(bundled) {
  if (typeof Module.enableCompileCache === 'function') {
    Module.enableCompileCache(join(root, 'build', 'synth', '.compile-cache'));
    require(outfile);
    return;
  }
  const loaded = new Map();
  const pending = [];
  const load = (file, key) => {
    if (loaded.has(file)) return loaded.get(file).exports;
    const cachefile =
      file === outfile
        ? `${outfile}.v8cache`
        : join(root, 'build', 'synth', '.code-cache', `${relative(root, file).replace(/[\\/]/g, '+')}.v8cache`);
    const source = readFileSync(file, 'utf8');
    key ??= createHash('sha256').update(source).digest('hex');
    let cachedData;
    try {
      const data = readFileSync(cachefile);
      if (data.subarray(0, 64).toString('latin1') === key) cachedData = data.subarray(64);
    } catch {
      /* no cache yet */
    }
    const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, {
      filename: file,
      cachedData,
    });
    if (!cachedData || script.cachedDataRejected)
      pending.push(() => writeAtomic(cachefile, Buffer.concat([Buffer.from(key, 'latin1'), script.createCachedData()])));
    const module = new Module(file);
    module.filename = file;
    loaded.set(file, module);
    const nodeRequire = createRequire(file);
    // Relative requires are the project's own files (the bundle keeps nothing else apart); packages load as usual.
    const requireFrom = (id) => (id.startsWith('.') ? load(resolve(dirname(file), id)) : nodeRequire(id));
    script.runInThisContext().call(module.exports, module.exports, Object.assign(requireFrom, nodeRequire), module, file, dirname(file));
    return module.exports;
  };
  try {
    load(outfile, bundled);
  } finally {
    if (pending.length) mkdirSync(join(root, 'build', 'synth', '.code-cache'), { recursive: true });
    for (const write of pending) write();
  }
}

const state = readState();
known = state.signatures ?? {};
// The bundle holds the absolute folders of the packages that need their own (ownDirname): a moved project rebundles.
if (!existsSync(outfile) || digest(state.bundleInputs, root) !== state.bundled) {
  state.bundleInputs = await bundle();
  state.bundled = digest(state.bundleInputs, root);
  writeState(state);
}
if (typecheck && digest(state.typeInputs) !== state.typechecked) {
  const { text, files } = typeCheck();
  if (text) {
    process.stderr.write(`synth failed: ${entry} does not type-check (nothing was written):\n${text}`);
    process.exit(1);
  }
  state.typeInputs = files;
  state.typechecked = digest(files);
  writeState(state);
}
if (learned) writeState(state);

// The run: every synthesizeUnits/synthesizeClusters call of the app only stages its output; it is swapped in
// when the whole file ran without an error, so one bad cluster leaves every folder as it was.
// A synth is a batch of a second or less, mostly code that runs a few times: at V8's default threshold its optimizing
// compiler works on functions the run leaves before that time is earned back. Ten times the threshold keeps it for hot
// code (V8 12 and later count calls; V8 11, of Node 20, counts a budget of executed bytecode).
const [v8Major, v8Minor] = process.versions.v8.split('.').map(Number);
if (v8Major >= 12) setFlagsFromString('--invocation-count-for-turbofan=30000');
else if (v8Major === 11 && v8Minor <= 3) setFlagsFromString('--interrupt-budget=675840');
const run = {};
globalThis[Symbol.for('cdk8s-tetragon.synth-run')] = run;
process.chdir(root);
try {
  runBundle(state.bundled);
  if (process.exitCode) throw new Error(`${entry} set exit code ${process.exitCode}; nothing was written`);
  run.finish?.(true);
} catch (err) {
  run.finish?.(false);
  // Construct and input errors carry their own explanation; a stack trace would only hide it.
  console.error(`synth failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
