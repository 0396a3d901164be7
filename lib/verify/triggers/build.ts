/**
 * Builds the verifier's trigger programs: every `*.c` file of this folder, compiled with `gcc -static` into a
 * cache folder keyed by the content hash of the sources, the shared headers, the flags and the compiler version,
 * so an unchanged program is reused. Static programs run unchanged in the guest's initramfs and in a container
 * made from a busybox root file system.
 */
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The result of running a command (the shape of `spawnSync`'s, reduced to what the build reads). */
export interface CommandResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Set when the command could not be started (`ENOENT`: not installed). */
  readonly error?: NodeJS.ErrnoException;
}

/** Runs a command: the seam tests replace to check the flags and the failures. */
export type RunCommand = (file: string, args: readonly string[]) => CommandResult;

/** Options of {@link buildTriggers}. */
export interface BuildTriggersOptions {
  /**
   * Where built programs are kept, one sub-folder per content hash.
   * @default `$XDG_CACHE_HOME/cdk8s-tetragon/triggers` (`~/.cache/...` without XDG_CACHE_HOME)
   */
  readonly cacheDir?: string;
  /**
   * The folder holding the `*.c` sources and their headers.
   * @default the trigger sources shipped with this package
   */
  readonly sourceDir?: string;
  /**
   * The C compiler.
   * @default 'gcc'
   */
  readonly compiler?: string;
  /** @default spawnSync */
  readonly run?: RunCommand;
}

/** One built trigger program. */
export interface BuiltTrigger {
  /** The program's name: the source file name without `.c` (`vt-setid`). */
  readonly name: string;
  /** Absolute path of the static executable. */
  readonly path: string;
  /** Whether it came from the cache rather than from the compiler. */
  readonly reused: boolean;
}

/** The compiler flags of every trigger program. */
export const TRIGGER_CFLAGS: readonly string[] = ['-static', '-O2', '-Wall', '-Werror'];

/** The Debian packages the build needs, for error messages. */
const PACKAGES = 'gcc and libc6-dev (apt-get install gcc libc6-dev)';

const defaultRun: RunCommand = (file, args) => {
  const r = spawnSync(file, [...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error as NodeJS.ErrnoException | undefined };
};

/** The folder of the trigger sources: beside this file when run from source, in the package root when compiled. */
export function defaultSourceDir(): string {
  const candidates = [__dirname, path.resolve(__dirname, '..', '..', '..', '..', 'lib', 'verify', 'triggers')];
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'vt.h')));
  if (!found) throw new Error(`trigger sources not found (looked in ${candidates.join(', ')}); reinstall the package`);
  return found;
}

function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'cdk8s-tetragon', 'triggers');
}

/** The trigger programs of a source folder: every `*.c` file, by name, sorted. */
export function triggerSources(sourceDir: string = defaultSourceDir()): { readonly name: string; readonly file: string }[] {
  return fs
    .readdirSync(sourceDir)
    .filter((f) => f.endsWith('.c'))
    .sort()
    .map((f) => ({ name: f.slice(0, -2), file: path.join(sourceDir, f) }));
}

function compilerVersion(compiler: string, run: RunCommand): string {
  const r = run(compiler, ['--version']);
  if (r.error?.code === 'ENOENT') {
    throw new Error(`cannot build the trigger programs: the C compiler '${compiler}' is not installed; install Debian's ${PACKAGES}`);
  }
  if (r.error || r.status !== 0)
    throw new Error(`cannot build the trigger programs: '${compiler} --version' failed: ${r.error?.message ?? r.stderr.trim()}`);
  const libc = run(compiler, ['-print-file-name=libc.a']).stdout.trim();
  // gcc echoes the bare name back when the file is not on its search path.
  if (!path.isAbsolute(libc) || !fs.existsSync(libc)) {
    throw new Error(`cannot build the trigger programs: '${compiler}' finds no libc.a for static linking; install Debian's ${PACKAGES}`);
  }
  return r.stdout.split('\n')[0];
}

/**
 * Compiles every trigger program (or reuses the cached build) and returns where each one is.
 * @throws Error naming the missing Debian packages when gcc or the static C library is absent, or the
 *   compiler's own message when a source does not compile
 */
export function buildTriggers(options: BuildTriggersOptions = {}): BuiltTrigger[] {
  const run = options.run ?? defaultRun;
  const compiler = options.compiler ?? 'gcc';
  const sourceDir = options.sourceDir ?? defaultSourceDir();
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const version = compilerVersion(compiler, run);
  const headers = fs
    .readdirSync(sourceDir)
    .filter((f) => f.endsWith('.h'))
    .sort()
    .map((f) => `${f}\n${fs.readFileSync(path.join(sourceDir, f), 'utf8')}`)
    .join('\n');
  return triggerSources(sourceDir).map(({ name, file }) => {
    const hash = createHash('sha256')
      .update([version, TRIGGER_CFLAGS.join(' '), headers, fs.readFileSync(file, 'utf8')].join('\0'))
      .digest('hex');
    const dir = path.join(cacheDir, hash.slice(0, 24));
    const out = path.join(dir, name);
    if (fs.existsSync(out)) return { name, path: out, reused: true };
    fs.mkdirSync(dir, { recursive: true });
    // Compile beside the final name and rename, so an interrupted build never leaves a half-written program.
    const partial = `${out}.${process.pid}.partial`;
    const r = run(compiler, [...TRIGGER_CFLAGS, '-o', partial, file]);
    if (r.error || r.status !== 0) {
      fs.rmSync(partial, { force: true });
      const detail = r.error?.message ?? r.stderr.trim();
      const hint = /cannot find -lc\b/.test(detail) ? `; install Debian's ${PACKAGES}` : '';
      throw new Error(
        `cannot build trigger ${name} (${file}): ${compiler} ${[...TRIGGER_CFLAGS, '-o', out, file].join(' ')} failed:\n${detail}${hint}`,
      );
    }
    fs.renameSync(partial, out);
    return { name, path: out, reused: false };
  });
}
