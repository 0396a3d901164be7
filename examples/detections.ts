// examples/detections.ts: a cluster with the module's policies plus the baseline and crypto-mining bundles.
import { App } from 'cdk8s';
import { DetectionBundle, DetectionName, TetragonCluster, synthesizeClusters } from '../lib';

const app = new App();
new TetragonCluster(app, 'prod', {
  clusterName: 'prod',
  enableNetworkMonitor: true,
  networkMonitor: { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'] },
  detections: {
    bundles: [DetectionBundle.BASELINE, DetectionBundle.CRYPTO_MINING],
    include: [DetectionName.KUBERNETES_API_CONTACT],
    exclude: [DetectionName.SUDO],
    options: { [DetectionName.KUBERNETES_API_CONTACT]: { apiServerAddresses: ['10.96.0.1', '192.0.2.10'] } },
  },
});

synthesizeClusters(app, process.env.CDK8S_OUTDIR ?? 'dist/example'); // writes <outdir>/prod/
