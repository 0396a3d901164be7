/**
 * The trigger programs: every `*.c` in the package's `lib/verify/triggers/`, compiled with `gcc -static` into
 * the cache, keyed by the source's hash so an unchanged program is built once.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CommandRunner, mustRun } from './_exec';

/** A built program. */
export interface TriggerProgram {
  /** File name without `.c` (`vt-run`). */
  readonly name: string;
  readonly path: string;
}

/**
 * Where the C sources are: `lib/verify/triggers/` of the package, found by walking up from this module (it sits
 * at different depths in the sources, the tsc output and a bundle).
 */
export function triggerSourceDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    for (const candidate of [join(dir, 'triggers'), join(dir, 'lib', 'verify', 'triggers')]) {
      if (existsSync(join(candidate, 'vt-run.c'))) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`the trigger programs' C sources are missing (no lib/verify/triggers/vt-run.c above ${__dirname}); reinstall the package`);
}

/** Compiles every `*.c` of `sourceDir` (static, stripped) into `cacheDir/triggers`. */
export async function buildTriggerPrograms(sourceDir: string, cacheDir: string, run: CommandRunner, gcc = 'gcc'): Promise<TriggerProgram[]> {
  const out = join(cacheDir, 'triggers');
  mkdirSync(out, { recursive: true });
  const programs: TriggerProgram[] = [];
  for (const file of readdirSync(sourceDir).filter((f) => f.endsWith('.c')).sort()) {
    const name = file.slice(0, -2);
    const source = join(sourceDir, file);
    const digest = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 16);
    const path = join(out, `${name}-${digest}`);
    if (!existsSync(path)) {
      await mustRun(run, gcc, ['-static', '-O2', '-s', '-Wall', '-o', `${path}.tmp`, source]);
      renameSync(`${path}.tmp`, path);
    }
    programs.push({ name, path });
  }
  return programs;
}
