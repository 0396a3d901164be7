/**
 * The trigger build: the compiler flags, the content-hash cache, the errors that name Debian's packages, and a
 * real static build of every trigger program where gcc and libc.a are installed.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CommandResult, RunCommand, TRIGGER_CFLAGS, buildTriggers, triggerSources } from '../../../lib/verify/triggers/build';

const ok = (stdout = ''): CommandResult => ({ status: 0, stdout, stderr: '' });

/** A fake gcc that records its calls and writes the output file it is asked for. */
function fakeCompiler(libc: string, fail?: (args: readonly string[]) => CommandResult | undefined) {
  const calls: string[][] = [];
  const run: RunCommand = (file, args) => {
    calls.push([file, ...args]);
    if (args[0] === '--version') return ok('gcc (Debian 12.2.0-14) 12.2.0\nCopyright\n');
    if (args[0] === '-print-file-name=libc.a') return ok(`${libc}\n`);
    const failed = fail?.(args);
    if (failed) return failed;
    fs.writeFileSync(args[args.indexOf('-o') + 1], 'ELF');
    return ok();
  };
  return { calls, run };
}

describe('buildTriggers', () => {
  let dir: string;
  let sources: string;
  let cache: string;
  let libc: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vt-build-'));
    sources = path.join(dir, 'src');
    cache = path.join(dir, 'cache');
    libc = path.join(dir, 'libc.a');
    fs.mkdirSync(sources);
    fs.writeFileSync(libc, '');
    fs.writeFileSync(path.join(sources, 'vt.h'), '#define VT 1\n');
    fs.writeFileSync(path.join(sources, 'vt-a.c'), 'int main(void) { return 0; }\n');
    fs.writeFileSync(path.join(sources, 'vt-b.c'), 'int main(void) { return 1; }\n');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('compiles each source with -static -O2 -Wall -Werror, then reuses the cache until a source or header changes', () => {
    const gcc = fakeCompiler(libc);
    const first = buildTriggers({ sourceDir: sources, cacheDir: cache, run: gcc.run });
    expect(first.map((t) => [t.name, t.reused])).toStrictEqual([
      ['vt-a', false],
      ['vt-b', false],
    ]);
    const compiles = gcc.calls.filter((c) => c.includes('-o'));
    expect(compiles).toHaveLength(2);
    expect(compiles[0].slice(0, 5)).toStrictEqual(['gcc', '-static', '-O2', '-Wall', '-Werror']);
    expect(compiles[0][compiles[0].length - 1]).toBe(path.join(sources, 'vt-a.c'));
    expect(TRIGGER_CFLAGS).toStrictEqual(['-static', '-O2', '-Wall', '-Werror']);
    for (const t of first) expect(fs.readFileSync(t.path, 'utf8')).toBe('ELF');

    const again = fakeCompiler(libc);
    expect(buildTriggers({ sourceDir: sources, cacheDir: cache, run: again.run }).map((t) => t.reused)).toStrictEqual([true, true]);
    expect(again.calls.filter((c) => c.includes('-o'))).toHaveLength(0);

    fs.appendFileSync(path.join(sources, 'vt-b.c'), '/* changed */\n');
    const changed = fakeCompiler(libc);
    expect(buildTriggers({ sourceDir: sources, cacheDir: cache, run: changed.run }).map((t) => t.reused)).toStrictEqual([true, false]);
    fs.appendFileSync(path.join(sources, 'vt.h'), '/* changed */\n');
    expect(buildTriggers({ sourceDir: sources, cacheDir: cache, run: fakeCompiler(libc).run }).map((t) => t.reused)).toStrictEqual([
      false,
      false,
    ]);
  });

  test('a missing gcc or libc.a is named with the Debian packages to install', () => {
    const noGcc: RunCommand = () => ({
      status: null,
      stdout: '',
      stderr: '',
      error: Object.assign(new Error('spawn gcc ENOENT'), { code: 'ENOENT' }),
    });
    expect(() => buildTriggers({ sourceDir: sources, cacheDir: cache, run: noGcc })).toThrow(
      "cannot build the trigger programs: the C compiler 'gcc' is not installed; install Debian's gcc and libc6-dev (apt-get install gcc libc6-dev)",
    );
    // gcc prints the bare name back when libc.a is not on its search path.
    expect(() => buildTriggers({ sourceDir: sources, cacheDir: cache, run: fakeCompiler('libc.a').run })).toThrow(
      "'gcc' finds no libc.a for static linking; install Debian's gcc and libc6-dev",
    );
  });

  test('a compile error names the program, the command and the compiler output, and leaves nothing in the cache', () => {
    const gcc = fakeCompiler(libc, (args) =>
      args.includes(path.join(sources, 'vt-b.c'))
        ? { status: 1, stdout: '', stderr: "vt-b.c:1:1: error: unused variable 'x' [-Werror=unused-variable]" }
        : undefined,
    );
    expect(() => buildTriggers({ sourceDir: sources, cacheDir: cache, run: gcc.run })).toThrow(
      /cannot build trigger vt-b \(.*vt-b\.c\): gcc -static -O2 -Wall -Werror -o .*vt-b .*vt-b\.c failed:\nvt-b\.c:1:1: error: unused variable 'x'/,
    );
    const left = fs.readdirSync(cache, { recursive: true }).map(String);
    expect(left.filter((f) => f.includes('vt-b'))).toStrictEqual([]);
  });

  test("the package's sources are the vt-*.c programs", () => {
    const names = triggerSources().map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'vt-setid',
        'vt-capset',
        'vt-unshare',
        'vt-exec',
        'vt-file',
        'vt-connect',
        'vt-socket',
        'vt-ptrace',
        'vt-bpf',
        'vt-module',
        'vt-mount',
      ]),
    );
    expect(names.every((n) => n.startsWith('vt-'))).toBe(true);
  });
});

const gccReady = spawnSync('gcc', ['-print-file-name=libc.a'], { encoding: 'utf8' });
const canCompile = gccReady.status === 0 && path.isAbsolute(gccReady.stdout.trim());

// Needs Debian's gcc and libc6-dev; without them this test is reported as skipped.
(canCompile ? test : test.skip)(
  'every trigger program builds as a static executable with -Wall -Werror and prints its usage',
  () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'vt-real-'));
    try {
      const built = buildTriggers({ cacheDir: cache });
      expect(built.length).toBe(triggerSources().length);
      for (const t of built) {
        const elf = fs.readFileSync(t.path);
        expect(elf.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
        // A static executable has no program interpreter: no PT_INTERP (3) program header.
        const types = Array.from({ length: elf.readUInt16LE(0x38) }, (_, i) =>
          elf.readUInt32LE(Number(elf.readBigUInt64LE(0x20)) + i * elf.readUInt16LE(0x36)),
        );
        expect([t.name, types.includes(3)]).toStrictEqual([t.name, false]);
        const usage = spawnSync(t.path, [], { encoding: 'utf8' });
        expect([t.name, usage.status]).toStrictEqual([t.name, 2]);
        expect(usage.stderr).toMatch(new RegExp(`^usage: ${t.name} `));
      }
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  },
  120_000,
);
