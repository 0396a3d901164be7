#!/usr/bin/env node
// The synth path: type-check the entry, bundle it with esbuild and run it, all or nothing. `npm run synth` and `npx cdk8s synth`
// (cdk8s.yaml `app`) both come here. Both steps are skipped while the content of their inputs is unchanged (a
// SHA-256 over every input file, not file times, which a checkout or a restore can set back), so an unchanged
// project synthesizes at bundle speed and a changed one is type-checked before anything is written.
//
// Usage: node scripts/synth.mjs [--no-typecheck] [ENTRY.ts]   (default main.ts)
import { buildSync } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
// `npm test` type-checks every file with tsc before its tests run the synth; they pass --no-typecheck.
const typecheck = !args.includes('--no-typecheck');
const entry = args.find((a) => !a.startsWith('--')) ?? 'main.ts';
const outfile = join(root, 'build', 'synth', entry.replace(/\.ts$/, '.js'));
const statefile = `${outfile}.state.json`;
// Files that change what the type-checker sees without being bundled (compiler options, dependency versions).
const TYPE_INPUTS = ['tsconfig.json', 'package-lock.json'];

const fileHashes = new Map();
/** SHA-256 over the paths and contents of files (relative to the root); a missing file counts as a change. */
function digest(files) {
  const hash = createHash('sha256');
  for (const f of [...new Set([...files, ...TYPE_INPUTS])].sort()) {
    if (!fileHashes.has(f)) {
      const path = join(root, f);
      fileHashes.set(f, existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'missing');
    }
    hash.update(`${f}\0${fileHashes.get(f)}\0`);
  }
  return hash.digest('hex');
}

function readState() {
  try {
    return JSON.parse(readFileSync(statefile, 'utf8'));
  } catch {
    return { bundleInputs: [], typeInputs: [] };
  }
}

function writeState(state) {
  const tmp = `${statefile}.${process.pid}`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, statefile);
}

function bundle() {
  mkdirSync(dirname(outfile), { recursive: true });
  const result = buildSync({
    entryPoints: [join(root, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    absWorkingDir: root,
    // cdk8s stays a package: its Helm and YAML loading run helper scripts relative to its own files.
    external: ['cdk8s'],
    metafile: true,
    logLevel: 'warning',
  });
  return Object.keys(result.metafile.inputs).sort();
}

/**
 * Type-checks the entry and what it imports, incrementally. Returns the diagnostics as text (empty when clean) and
 * the project's files the check read (type-only imports included, which the bundle does not list).
 */
function typeCheck() {
  const ts = require('typescript');
  const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  const options = { ...config.options, noEmit: true, incremental: true, tsBuildInfoFile: `${outfile}.tsbuildinfo` };
  const program = ts.createIncrementalProgram({ rootNames: [join(root, entry)], options, host: ts.createIncrementalCompilerHost(options) });
  const diagnostics = [
    ...program.getConfigFileParsingDiagnostics(), ...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics(),
    ...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics(),
  ];
  program.emit(); // writes the .tsbuildinfo only (noEmit)
  const files = program.getProgram().getSourceFiles().map((f) => relative(root, f.fileName))
    .filter((f) => !f.startsWith('..') && !f.split(/[\\/]/).includes('node_modules')).sort();
  const text = ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' });
  return { text, files };
}

const state = readState();
if (!existsSync(outfile) || digest(state.bundleInputs) !== state.bundled) {
  state.bundleInputs = bundle();
  state.bundled = digest(state.bundleInputs);
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

// The run: every synthesizeUnits/synthesizeClusters call of the app only stages its output; it is swapped in
// when the whole file ran without an error, so one bad cluster leaves every folder as it was.
const run = {};
globalThis[Symbol.for('cdk8s-tetragon.synth-run')] = run;
process.chdir(root);
try {
  require(outfile);
  if (process.exitCode) throw new Error(`${entry} set exit code ${process.exitCode}; nothing was written`);
  run.finish?.(true);
} catch (err) {
  run.finish?.(false);
  // Construct and input errors carry their own explanation; a stack trace would only hide it.
  console.error(`synth failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
