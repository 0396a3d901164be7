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

/**
 * Context key: the install method of every `TetragonInstall` that does not set `method`, `helm-template` or
 * `flux-helmrelease` (this project's `main.ts` sets it from `TETRAGON_INSTALL_METHOD`).
 */
export const INSTALL_METHOD_CONTEXT = 'cdk8s-tetragon:install-method';
/**
 * Context key: the chart source of every `TetragonInstall` that does not set `chart`, in
 * `ChartSource.parse` syntax (this project's `main.ts` sets it from `TETRAGON_CHART`).
 */
export const CHART_CONTEXT = 'cdk8s-tetragon:chart';
/**
 * Context key: the `helm` binary of every helm-template `TetragonInstall` that does not set `helmExecutable`
 * (this project's `main.ts` sets it from `TETRAGON_HELM`).
 */
export const HELM_CONTEXT = 'cdk8s-tetragon:helm';
