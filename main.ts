import { App } from 'cdk8s';
import { CHART_CONTEXT, HELM_CONTEXT, INSTALL_METHOD_CONTEXT, InstallMethod } from './lib/install/install-method';
import { synthesizeClusters } from './lib/synth';
import { TetragonCluster } from './lib/tetragon-cluster';
import { findOrProvisionHelm } from './scripts/support/helm';

// One app for every cluster: each writes dist/<clusterName>/<unit>/ (CDK8S_OUTDIR replaces dist/), and the
// folders are replaced only when every cluster synthesized.
const outdir = process.env.CDK8S_OUTDIR ?? 'dist';

/**
 * Synth-time switches for every cluster of the app, read here so that the library reads no environment:
 * TETRAGON_INSTALL_METHOD (helm-template | flux-helmrelease), TETRAGON_CHART (a chart directory, .tgz, oci:// or
 * https:// source) and TETRAGON_HELM (the helm binary) become the install context. A cluster's own install props
 * win over them. With helm-template and no TETRAGON_HELM, helm comes from PATH or is provisioned (linux-x64).
 */
function setInstallContext(app: App, env: NodeJS.ProcessEnv): void {
  const set = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);
  const method = set(env.TETRAGON_INSTALL_METHOD);
  const helm = set(env.TETRAGON_HELM) ?? (method === InstallMethod.HELM_TEMPLATE ? findOrProvisionHelm() : undefined);
  const context = { [INSTALL_METHOD_CONTEXT]: method, [CHART_CONTEXT]: set(env.TETRAGON_CHART), [HELM_CONTEXT]: helm };
  for (const [key, value] of Object.entries(context)) if (value !== undefined) app.node.setContext(key, value);
}

// The module block of the OpenTofu deployment, as typed props.
const app = new App();
setInstallContext(app, process.env);
new TetragonCluster(app, 'nlcl01k8s', {
  clusterName: 'nlcl01k8s',
  // TracingPolicy toggles (all observe-only, no enforcement)
  enableProcessExecMonitor: true,
  enableSensitiveFileMonitor: true,
  enablePrivilegeEscalationMonitor: true,
  enableShellAccessMonitor: true,
  enableNetworkMonitor: false, // can be noisy

  // Grafana dashboard
  enableGrafanaDashboard: true,
  grafanaDashboardNamespace: 'monitoring',
});
// Another cluster is one more `new TetragonCluster(app, 'prod', { clusterName: 'prod', ... })`.
synthesizeClusters(app, outdir);
