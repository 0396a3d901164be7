import { accessSync, constants, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Helm } from 'cdk8s';
import { Construct } from 'constructs';
import { invalid, show } from '../../private/problems';
import { ChartSource, ChartSourceKind } from '../chart-source';
import { CHART_CONTEXT, HELM_CONTEXT } from '../install-method';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** `helm` in one of the folders of `searchPath` (a PATH value), if any. */
export function helmOnPath(searchPath: string): string | undefined {
  return searchPath
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, 'helm'))
    .find(isExecutable);
}

/**
 * Finds `helm` for the helm-template method: the explicit binary (the `helmExecutable` prop or the context
 * `cdk8s-tetragon:helm`), else `helm` on `searchPath`, else a clear error with the ways out.
 */
export function locateHelm(explicit: string | undefined, searchPath: string = process.env.PATH ?? ''): string {
  if (explicit) {
    if (!isExecutable(explicit)) {
      throw new Error(
        `helm binary ${show(explicit)} (from the helmExecutable prop or the context ${HELM_CONTEXT}) ` +
          'does not exist or is not executable',
      );
    }
    return explicit;
  }
  const found = helmOnPath(searchPath);
  if (found) return found;
  throw new Error(
    `helm is not on PATH. Install helm (https://helm.sh/docs/intro/install/) and put it on PATH, set the helmExecutable prop ` +
      `or the context ${HELM_CONTEXT} to its path, or use InstallMethod.FLUX_HELM_RELEASE, which needs no helm at synth time`,
  );
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
export const MIRROR_HINT =
  `If the chart source is unreachable from here, point the chart prop or the context ${CHART_CONTEXT} at a mirror: ` +
  'a chart directory or .tgz (air-gapped), oci://<registry>/<path>/tetragon, or an https chart repository URL; or use the ' +
  'flux-helmrelease method so that the cluster fetches the chart';

/**
 * Runs `helm template` through cdk8s `Helm` and adds the objects under `scope/id`. Any failure
 * (no binary, unreachable chart, template error) becomes one error naming the construct, the chart
 * source and the way to a mirror; the construct tree is left without a partial release.
 */
export function renderHelmTemplate(
  scope: Construct,
  id: string,
  req: HelmTemplateRequest,
  values: Record<string, unknown>,
  helmExecutable: string,
): Helm {
  const args = helmChartArgs(req);
  const what = `the ${req.chartName} chart ${req.version} from ${req.source}`;
  if (req.source.kind === ChartSourceKind.LOCAL) {
    const localVersion = req.source.localChartVersion();
    if (localVersion !== undefined && localVersion !== req.version) {
      invalid(
        scope,
        'chart',
        req.source.location,
        `a chart of version ${req.version} (chartVersion), but its Chart.yaml has version ${localVersion}`,
        `Point it at the ${req.version} chart or set chartVersion: '${localVersion}'`,
      );
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
    const detail = String((err as Error).message ?? err)
      .trim()
      .split('\n')
      .slice(0, 20)
      .join('\n    ');
    throw new Error(`${scope.node.path}: helm template failed for ${what} (helm: ${helmExecutable}):\n    ${detail}\n${MIRROR_HINT}.`);
  } finally {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    rmSync(workdir, { recursive: true, force: true });
  }
}
