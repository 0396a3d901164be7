import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/** The README's ```lang block whose first line starts with `first`. */
function readmeBlock(lang: string, first: string): string {
  const block = [...README.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))]
    .map((m) => m[1])
    .find((b) => b.startsWith(first));
  if (!block) throw new Error(`README has no ${lang} block starting with ${first}`);
  return block;
}

/**
 * A consumer project as npm would lay it out: node_modules/cdk8s-tetragon holds the package.json and the declarations
 * `npm run build` publishes. It sits under build/ so cdk8s, constructs and jest resolve from this repository.
 */
function consumerProject(): string {
  mkdirSync(join(ROOT, 'build'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, 'build', 'consumer-'));
  const pkgDir = join(dir, 'node_modules', 'cdk8s-tetragon');
  const config = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, 'tsconfig.build.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  )!;
  // The declarations `npm run build` publishes, written without type-checking every body again (noCheck gives the
  // same files byte for byte; the code itself is checked by npm test's type-check pass and by `npm run build`).
  const program = ts.createProgram([join(ROOT, 'lib', 'index.ts'), join(ROOT, 'lib', 'testing', 'jest-globals.ts')], {
    ...config.options,
    declaration: true,
    emitDeclarationOnly: true,
    noEmit: false,
    noCheck: true,
    outDir: join(pkgDir, 'build'),
    rootDir: ROOT,
  });
  const emitted = program.emit();
  expect(
    ts.formatDiagnostics(emitted.diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => '\n' }),
  ).toBe('');
  const published = {
    name: PKG.name,
    version: PKG.version,
    main: PKG.main,
    types: PKG.types,
    typesVersions: PKG.typesVersions,
    exports: PKG.exports,
  };
  writeFileSync(join(pkgDir, 'package.json'), JSON.stringify(published));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module' }));
  return dir;
}

/**
 * Parsed declaration files by path, shared by the compilations below: each parses the package's declarations, cdk8s's
 * and the other packages' only once. (The consumer's own files are written anew, so they are never served from here.)
 */
const parsed = new Map<string, ts.SourceFile>();

/** Type errors in the consumer's files and in the package's declarations (not in other packages). */
function typeErrors(dir: string, files: Record<string, string>, options: ts.CompilerOptions): string[] {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const host = ts.createCompilerHost({ ...options, noEmit: true });
  const read = host.getSourceFile;
  host.getSourceFile = (name, version, ...rest) => {
    if (!name.endsWith('.d.ts')) return read.call(host, name, version, ...rest);
    const key = `${typeof version === 'object' ? JSON.stringify(version) : version}:${name}`;
    if (!parsed.has(key)) parsed.set(key, read.call(host, name, version, ...rest)!);
    return parsed.get(key);
  };
  const program = ts.createProgram(
    Object.keys(files).map((f) => join(dir, f)),
    { ...options, noEmit: true },
    host,
  );
  const ours = program
    .getSourceFiles()
    .filter((f) => !f.fileName.includes('/node_modules/') || f.fileName.includes('/node_modules/cdk8s-tetragon/'));
  expect(ours.filter((f) => f.fileName.includes('/node_modules/cdk8s-tetragon/')).length).toBeGreaterThan(50);
  return [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...ours.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]),
  ].map((d) => `${d.file ? relative(dir, d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

describe('the package as a consumer compiles it', () => {
  const dir = consumerProject();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // The README's tsconfig, with what TypeScript 7 defaults to: no @types packages unless listed, declarations checked.
  const readmeOptions = ts.convertCompilerOptionsFromJson(
    JSON.parse(readmeBlock('json', '{\n  "compilerOptions"')).compilerOptions,
    dir,
  ).options;

  test("the README's consumer main.ts compiles against the published declarations without @types/node", () => {
    const main = readmeBlock('ts', '// main.ts in your project');
    expect(main).toContain("from 'cdk8s-tetragon'");
    expect(typeErrors(dir, { 'main.ts': main }, { ...readmeOptions, types: [], skipLibCheck: false })).toStrictEqual([]);
  }, 60_000);

  test('toMatchEvent is typed on the expect of @jest/globals through cdk8s-tetragon/jest-globals', () => {
    const test = [
      "import { expect, test } from '@jest/globals';",
      "import { Chart, Testing } from 'cdk8s';",
      "import { SensitiveFileAccessMonitor } from 'cdk8s-tetragon';",
      "import 'cdk8s-tetragon/jest-globals';",
      "test('reported', () => {",
      "  const chart = new Chart(Testing.app(), 'test');",
      "  new SensitiveFileAccessMonitor(chart, 'Files', {});",
      "  expect(chart).toMatchEvent({ hook: 'kprobe:security_file_open', args: ['/etc/shadow'], process: { binary: '/usr/bin/cat' } });",
      "  expect(chart).not.toMatchEvent({ hook: 'kprobe:security_file_open', args: ['/etc/hostname'], process: { binary: '/usr/bin/cat' } }, { actions: ['Sigkill'] });",
      '});',
    ].join('\n');
    expect(typeErrors(dir, { 'globals.test.ts': test }, { ...readmeOptions, types: [], skipLibCheck: false })).toStrictEqual([]);
  }, 60_000);

  test("toMatchEvent is typed on jest's global expect after expect.extend(tetragonMatchers)", () => {
    const test = [
      "import { Chart, Testing } from 'cdk8s';",
      "import { SensitiveFileAccessMonitor, tetragonMatchers } from 'cdk8s-tetragon';",
      'expect.extend(tetragonMatchers);',
      "test('reported', () => {",
      "  const chart = new Chart(Testing.app(), 'test');",
      "  new SensitiveFileAccessMonitor(chart, 'Files', {});",
      "  expect(chart).toMatchEvent({ hook: 'kprobe:security_file_open', args: ['/etc/shadow'], process: { binary: '/usr/bin/cat' } });",
      '});',
    ].join('\n');
    expect(typeErrors(dir, { 'global.test.ts': test }, { ...readmeOptions, types: ['jest'], skipLibCheck: false })).toStrictEqual([]);
  }, 60_000);
});

describe('package.json', () => {
  test('names the repository, its home page and where to report bugs, so links work on the registry page', () => {
    const repo = /^git\+(https:\/\/github\.com\/[\w.-]+\/[\w.-]+)\.git$/.exec(PKG.repository?.url ?? '')?.[1];
    expect(PKG.repository.type).toBe('git');
    expect(repo).toBeDefined();
    expect(PKG.homepage).toBe(`${repo}#readme`);
    expect(PKG.bugs.url).toBe(`${repo}/issues`);
  });
});
