/**
 * Where the trigger programs' C sources are, wherever the verifier runs from (sources, tsc output, a bundle).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

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
  throw new Error(
    `the trigger programs' C sources are missing (no lib/verify/triggers/vt-run.c above ${__dirname}); reinstall the package`,
  );
}
