/**
 * The Tetragon agent the verifier runs: from a bundle (`.tar.xz`, `.tar.gz` or `.tar`) or an unpacked
 * directory with the official image's layout (`bin/tetragon`, `bin/tetra`, `lib/*.o` for the BPF objects).
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CommandRunner, mustRun } from './private/exec';

/** An agent ready to copy into the guest. */
export interface AgentBundle {
  /** Where it came from, as given. */
  readonly source: string;
  /** The directory holding `bin/` and `lib/`. */
  readonly root: string;
  readonly tetragon: string;
  readonly tetra: string;
  /** The BPF objects (`lib/*.o`). */
  readonly bpfObjects: readonly string[];
}

/** Why no agent could be found; the CLI prints it in one line and exits with its own code. */
export class AgentUnavailableError extends Error {}

const ARCHIVE = /\.(tar\.xz|txz|tar\.gz|tgz|tar)$/;

/** Whether `spec` names an image reference (`quay.io/cilium/tetragon:v1.7.0`) rather than a local path. */
export function isImageReference(spec: string): boolean {
  return !spec.startsWith('/') && !spec.startsWith('.') && /^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+(:[\w.-]+|@sha256:[0-9a-f]{64})$/.test(spec);
}

/** Finds the agent layout in `dir` itself or in its single top-level directory (as a bundle unpacks). */
export function agentLayout(dir: string, source: string): AgentBundle {
  const candidates = [
    dir,
    ...(existsSync(dir)
      ? readdirSync(dir, { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => join(dir, e.name))
      : []),
  ];
  for (const root of candidates) {
    const tetragon = join(root, 'bin', 'tetragon');
    const tetra = join(root, 'bin', 'tetra');
    const lib = join(root, 'lib');
    if (!existsSync(tetragon) || !existsSync(tetra) || !existsSync(lib)) continue;
    const bpfObjects = readdirSync(lib)
      .filter((f) => f.endsWith('.o'))
      .sort()
      .map((f) => join(lib, f));
    if (bpfObjects.length === 0) continue;
    return { source, root, tetragon, tetra, bpfObjects };
  }
  throw new AgentUnavailableError(
    `${source}: no Tetragon agent layout found (expected bin/tetragon, bin/tetra and lib/*.o for the BPF objects)`,
  );
}

async function fileDigest(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Resolves `--tetragon`: a directory is used in place; an archive is unpacked once into `cacheDir`
 * (keyed by its SHA-256, so a changed bundle is unpacked again). xz archives are unpacked with busybox,
 * which the guest needs anyway.
 */
export async function resolveAgent(spec: string, cacheDir: string, run: CommandRunner, busybox: string): Promise<AgentBundle> {
  if (!existsSync(spec)) {
    throw new AgentUnavailableError(
      isImageReference(spec)
        ? `${spec}: pulling the agent from an image registry is not supported; unpack the image's /usr/bin/tetragon, /usr/bin/tetra and /var/lib/tetragon into bin/ and lib/ and pass that directory`
        : `${spec}: no such file or directory`,
    );
  }
  if (statSync(spec).isDirectory()) return agentLayout(spec, spec);
  if (!ARCHIVE.test(spec)) throw new AgentUnavailableError(`${spec}: not a directory or a .tar.xz, .tar.gz or .tar bundle`);
  const digest = await fileDigest(spec);
  const dir = join(cacheDir, 'agents', digest.slice(0, 16));
  if (!existsSync(join(dir, '.complete'))) {
    const tmp = `${dir}.partial`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const unpack = /\.(tar\.xz|txz)$/.test(spec)
      ? `"$2" xzcat "$1" | tar -x -C "$3"`
      : /\.(tar\.gz|tgz)$/.test(spec)
        ? 'tar -xzf "$1" -C "$3"'
        : 'tar -xf "$1" -C "$3"';
    await mustRun(run, 'sh', ['-c', unpack, 'sh', spec, busybox, tmp]);
    agentLayout(tmp, spec);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    mkdirSync(join(dir, '.complete'));
  }
  return agentLayout(dir, basename(spec));
}
