import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { OUTPUT_MANIFEST } from '../private/output-folder';

/**
 * The scope in which two policies of the same kind and name replace each other, for a YAML file found under a path
 * given to `cdk8s-tetragon check`: the cluster folder a synth wrote (the nearest folder above the file that holds
 * {@link OUTPUT_MANIFEST}), since each cluster applies its own folder; else the path given, which stands for one
 * set of manifests applied together.
 *
 * @param file the YAML file
 * @param path the path (file or folder) given on the command line that `file` was found under
 * @param isFile whether a file exists (a seam for tests)
 */
export function nameScope(file: string, path: string, isFile: (p: string) => boolean = existsSync): string {
  for (let dir = dirname(resolve(file)); ; dir = dirname(dir)) {
    if (isFile(resolve(dir, OUTPUT_MANIFEST))) return dir;
    if (dirname(dir) === dir) return resolve(path);
  }
}
