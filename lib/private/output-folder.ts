import { parse, sep } from 'node:path';

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
