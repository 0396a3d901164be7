import { parse, sep } from 'node:path';

/**
 * Name of the file that lists what a synth wrote into a folder. The next synth replaces those files and refuses a
 * folder that holds anything else, so it never deletes what it did not write. It also marks the root of a cluster's
 * output, which `cdk8s-tetragon check` takes as the scope of policy names.
 */
export const OUTPUT_MANIFEST = '.cdk8s-tetragon-files';

/**
 * Why a synth must never replace the content of `path` whatever it holds, or undefined: the filesystem root, the
 * home folder, and the working directory or any folder that contains it (a project pointed at itself).
 *
 * @param path the output folder, absolute and with symbolic links resolved
 * @param cwd the working directory, likewise
 * @param home the user's home folder
 */
export function dangerousOutputReason(path: string, cwd: string, home: string): string | undefined {
  if (path === parse(path).root) return 'it is the filesystem root';
  if (path === home) return 'it is the home folder';
  if (path === cwd || cwd.startsWith(path.endsWith(sep) ? path : path + sep)) return 'it contains the working directory';
  return undefined;
}
