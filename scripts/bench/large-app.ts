// A large app for `npm run bench`: ten clusters, each with every policy toggle on and every detection of the library,
// for a fleet of Debian 12 and newer nodes (the loader sensor of shared-library-load needs 5.19+).
import { App } from 'cdk8s';
import { DetectionName, KERNELS_CONTEXT, TetragonCluster, synthesizeClusters } from '../../lib';

const app = new App();
app.node.setContext(KERNELS_CONTEXT, ['debian-12-6.1', 'debian-13-6.12', 'debian-sid-7.2']);
for (let i = 1; i <= 10; i++) {
  const name = `bench${String(i).padStart(2, '0')}`;
  new TetragonCluster(app, name, {
    clusterName: name,
    enableNetworkMonitor: true,
    networkMonitor: { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'] },
    enableGrafanaDashboard: true,
    detections: {
      include: Object.values(DetectionName),
      options: { [DetectionName.KUBERNETES_API_CONTACT]: { apiServerAddresses: ['10.96.0.1', '192.0.2.10'] } },
    },
  });
}
synthesizeClusters(app, process.env.CDK8S_OUTDIR ?? 'build/bench/large-app');
