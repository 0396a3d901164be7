#!/usr/bin/env node
// The project's type-check: one TypeScript program over tsconfig.json's files (library, tests, examples, scripts) and
// the complete TypeScript examples of docs/*.md, so the docs are checked in the same pass as the code.
//
// Usage: node scripts/typecheck.js   (npm run typecheck; npm test runs it before jest)
//
// A docs example is a ```ts block that starts with `import`; it imports the package as 'cdk8s-tetragon', which maps to
// lib/. Names an example uses without declaring them (a chart the reader already has, input data) are declared for it.
// The examples are held to the compiler options a reader's project has (strict), not to this project's unused-name
// and return-path rules. After a clean pass, build/typecheck.json records every file the pass read and its content,
// so test/docs.test.ts can tell whether the docs as they are now were checked.
'use strict';
const { createHash } = require('node:crypto');
const { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { join, relative, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..');
const RECORD = join(ROOT, 'build', 'typecheck.json');
const BUILD_INFO = join(ROOT, 'build', 'typecheck.tsbuildinfo');
// Inputs that change the result without being source files of the program.
const CONFIG_FILES = ['tsconfig.json', 'package-lock.json'];

/** Names the docs' examples use without declaring them, with the type they stand for. */
const FREE = {
  chart: 'import("cdk8s").Chart',
  observabilityChart: 'import("cdk8s").Chart',
  policyJson: 'unknown',
  docs: 'unknown[]',
};

/**
 * Diagnostics of this project's stricter options, which a docs example is not held to: unused names (6133, 6138,
 * 6192, 6196, 6198, 6199, 6205), not all code paths return (7030), switch fallthrough (7029).
 */
const NOT_FOR_DOCS = new Set([6133, 6138, 6192, 6196, 6198, 6199, 6205, 7029, 7030]);

/** The complete TypeScript examples of docs/*.md as source files (`docs/<page>.md.<n>.ts`, virtual), by path. */
function docsExamples() {
  const files = new Map();
  const dir = join(ROOT, 'docs');
  for (const page of readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort()) {
    const text = readFileSync(join(dir, page), 'utf8');
    [...text.matchAll(/```ts\n([\s\S]*?)```/g)].forEach((m, i) => {
      const code = m[1];
      if (!code.startsWith('import ')) return;
      const free = Object.entries(FREE).filter(
        ([name]) => new RegExp(`\\b${name}\\b`).test(code) && !new RegExp(`\\b(const|let|var|function|class)\\s+${name}\\b`).test(code),
      );
      const source = code.replace(/(from\s+|import\s+)'cdk8s-tetragon'/g, "$1'../lib'");
      files.set(join(dir, `${page}.${i}.ts`), `${source}\n${free.map(([n, t]) => `declare const ${n}: ${t};`).join('\n')}\nexport {};\n`);
    });
  }
  return files;
}

const sha256 = (text) => createHash('sha256').update(text).digest('hex');

/** Content digests of the project's files a pass read (node_modules left out: package-lock.json stands for them). */
function projectDigests(fileNames, virtual) {
  const out = {};
  for (const file of [...fileNames, ...CONFIG_FILES.map((f) => join(ROOT, f))]) {
    const rel = relative(ROOT, file).split('\\').join('/');
    if (rel.startsWith('..') || rel.split('/').includes('node_modules')) continue;
    out[rel] = sha256(virtual.get(file) ?? readFileSync(file));
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Type-checks the project and the docs' examples in one program (or only the examples, with `docsOnly`).
 * @returns the diagnostics as text (empty when clean) and the number of docs examples
 */
function typeCheck({ docsOnly = false, pretty = false } = {}) {
  const ts = require('typescript');
  const config = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, 'tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  );
  const examples = docsExamples();
  const options = docsOnly
    ? { ...config.options, noEmit: true }
    : { ...config.options, noEmit: true, incremental: true, tsBuildInfoFile: BUILD_INFO };
  const host = docsOnly ? ts.createCompilerHost(options) : ts.createIncrementalCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, ...rest) => {
    if (!examples.has(name)) return getSourceFile.call(host, name, ...rest);
    const file = ts.createSourceFile(name, examples.get(name), rest[0], true);
    file.version = sha256(examples.get(name)); // as the incremental host versions the files it reads
    return file;
  };
  host.fileExists = (name) => examples.has(name) || fileExists.call(host, name);
  host.readFile = (name) => examples.get(name) ?? readFile.call(host, name);
  const rootNames = [...(docsOnly ? [] : config.fileNames), ...examples.keys()];
  const program = docsOnly
    ? ts.createProgram({ rootNames, options, host })
    : ts.createIncrementalProgram({ rootNames, options, host, configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(config) });
  const diagnostics = [
    ...(docsOnly ? [] : program.getConfigFileParsingDiagnostics()),
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program.getSyntacticDiagnostics(),
    ...program.getSemanticDiagnostics(),
  ].filter((d) => !(d.file && examples.has(d.file.fileName) && NOT_FOR_DOCS.has(d.code)));
  if (!docsOnly) program.emit(); // the .tsbuildinfo only (noEmit), for a faster next pass
  const formatHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => '\n' };
  const text = pretty ? ts.formatDiagnosticsWithColorAndContext(diagnostics, formatHost) : ts.formatDiagnostics(diagnostics, formatHost);
  if (!docsOnly && diagnostics.length === 0) {
    const files = (program.getProgram ? program.getProgram() : program).getSourceFiles().map((f) => f.fileName);
    mkdirSync(join(ROOT, 'build'), { recursive: true });
    const tmp = `${RECORD}.${process.pid}`;
    writeFileSync(tmp, JSON.stringify({ typescript: ts.version, files: projectDigests(files, examples) }, null, 1));
    renameSync(tmp, RECORD);
  }
  return { text, examples: examples.size };
}

/**
 * Whether the last clean pass (build/typecheck.json) read the docs' examples as they are now, and every other file
 * it read is unchanged since: then the examples type-check as they are.
 */
function docsExamplesChecked() {
  let record;
  try {
    record = JSON.parse(readFileSync(RECORD, 'utf8'));
  } catch {
    return false;
  }
  const examples = docsExamples();
  const current = projectDigests([...examples.keys()], examples);
  const recorded = Object.keys(record.files).filter((f) => f.startsWith('docs/'));
  if (recorded.length !== examples.size || recorded.some((f) => record.files[f] !== current[f])) return false;
  if (record.typescript !== require('typescript').version) return false;
  return Object.entries(record.files).every(([f, digest]) => {
    if (f in current) return current[f] === digest;
    try {
      return sha256(readFileSync(join(ROOT, f))) === digest;
    } catch {
      return false;
    }
  });
}

module.exports = { docsExamples, docsExamplesChecked, typeCheck };

if (require.main === module) {
  const { text } = typeCheck({ pretty: process.stdout.isTTY });
  if (text) {
    process.stdout.write(text);
    process.exitCode = 1;
  }
}
