import { ChartSource } from './chart-source';

/** How the Tetragon chart becomes objects in `dist/`. */
export enum InstallMethod {
  /**
   * `helm template` runs at synth time (cdk8s `Helm`); `dist/` holds the chart's rendered objects as
   * plain YAML that any GitOps tool applies. Needs `helm` and a reachable chart at synth time.
   */
  HELM_TEMPLATE = 'helm-template',
  /**
   * `dist/` holds a Flux `HelmRepository` (or `OCIRepository`) and a `HelmRelease`; Flux's
   * helm-controller fetches and renders the chart in the cluster. Needs nothing at synth time.
   */
  FLUX_HELM_RELEASE = 'flux-helmrelease',
}

/** All install methods, for messages. */
export const INSTALL_METHODS: readonly InstallMethod[] = Object.freeze(Object.values(InstallMethod));

/** Environment variable that selects the install method for every cluster at synth time. */
export const INSTALL_METHOD_ENV = 'TETRAGON_INSTALL_METHOD';
/** Environment variable that selects the chart source for every cluster at synth time. */
export const CHART_ENV = 'TETRAGON_CHART';
/** Environment variable naming the `helm` binary to use. */
export const HELM_ENV = 'TETRAGON_HELM';

/** Install settings read from the environment; a field is absent when its variable is unset or empty. */
export interface InstallEnvironment {
  /** From `TETRAGON_INSTALL_METHOD`. */
  readonly method?: InstallMethod;
  /** From `TETRAGON_CHART`. */
  readonly chart?: ChartSource;
  /** From `TETRAGON_HELM`. */
  readonly helmExecutable?: string;
}

/**
 * Reads `TETRAGON_INSTALL_METHOD` (`helm-template` | `flux-helmrelease`), `TETRAGON_CHART`
 * (`<dir>` | `<file.tgz>` | `oci://...` | `https://<repo>`) and `TETRAGON_HELM` (path of `helm`).
 * Throws a message naming the variable, the value and what is allowed when a value is invalid.
 * {@link TetragonInstall} calls it itself; the environment wins over the props so that one variable
 * switches every cluster of an app.
 */
export function resolveInstallEnvironment(env: Record<string, string | undefined> = process.env): InstallEnvironment {
  const method = env[INSTALL_METHOD_ENV]?.trim();
  const chart = env[CHART_ENV]?.trim();
  const helm = env[HELM_ENV]?.trim();
  let parsedMethod: InstallMethod | undefined;
  if (method) {
    parsedMethod = INSTALL_METHODS.find((m) => m === method);
    if (!parsedMethod) {
      throw new Error(`${INSTALL_METHOD_ENV}=${JSON.stringify(method)} is not an install method; allowed: ${INSTALL_METHODS.join(', ')} (or unset it to use the value in code)`);
    }
  }
  let parsedChart: ChartSource | undefined;
  if (chart) {
    try {
      parsedChart = ChartSource.parse(chart);
    } catch (err) {
      throw new Error(`${CHART_ENV}=${JSON.stringify(chart)}: ${(err as Error).message}. Allowed: a chart directory, a .tgz file, oci://<registry>/<path>/tetragon, or an https chart repository URL`);
    }
  }
  return { method: parsedMethod, chart: parsedChart, helmExecutable: helm || undefined };
}
