import { App } from 'cdk8s';
import { TetragonCluster } from './lib/tetragon-cluster';
import { synthesizeClusters } from './lib/synth';

// One app for every cluster: each writes dist/<clusterName>/<unit>/ (CDK8S_OUTDIR replaces dist/), and the
// folders are replaced only when every cluster synthesized.
const outdir = process.env.CDK8S_OUTDIR ?? 'dist';

// The module block of the OpenTofu deployment, as typed props.
const app = new App();
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
