import { join } from 'node:path';
import { App } from 'cdk8s';
import { TetragonCluster } from './lib/tetragon-cluster';
import { synthesizeUnits } from './lib/synth';

// One app per cluster; each writes dist/<cluster>/<unit>/ (CDK8S_OUTDIR replaces dist/).
const outdir = process.env.CDK8S_OUTDIR ?? 'dist';

// The module block of the OpenTofu deployment, as typed props.
const nlcl01k8s = new App();
new TetragonCluster(nlcl01k8s, 'nlcl01k8s', {
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
synthesizeUnits(nlcl01k8s, join(outdir, 'nlcl01k8s'));
