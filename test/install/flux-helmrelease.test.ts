import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { ChartSource, InstallMethod, TetragonInstall, TetragonInstallProps } from '../../lib/install';
import { validateAgainstCrd } from '../../lib/private/crd-schema';
import { FIXTURE_CHART, fakeHelm, find, newChart } from './helpers';

function flux(props: TetragonInstallProps = {}) {
  const chart = newChart();
  const install = new TetragonInstall(chart, 'Tetragon', { method: InstallMethod.FLUX_HELM_RELEASE, ...props });
  return { install, manifests: Testing.synth(chart) };
}

describe('TetragonInstall, flux-helmrelease renderer', () => {
  test('HelmRepository + HelmRelease: pinned chart, CRD policy, values, all valid against the Flux CRDs', () => {
    // given defaults / when rendered
    const { install, manifests } = flux({ clusterName: 'nlcl01k8s' });

    // then
    expect(manifests.map((m) => m.kind)).toStrictEqual(['HelmRepository', 'HelmRelease']);
    const repo = find(manifests, 'HelmRepository', 'tetragon');
    expect(repo.metadata.namespace).toBe('flux-system');
    expect(repo.spec).toStrictEqual({ interval: '1h', url: 'https://helm.cilium.io' });

    const hr = find(manifests, 'HelmRelease', 'tetragon');
    expect(hr.metadata.namespace).toBe('flux-system');
    expect(hr.spec.chart.spec).toStrictEqual({
      chart: 'tetragon',
      version: '1.7.0',
      interval: '1h',
      reconcileStrategy: 'ChartVersion',
      sourceRef: { kind: 'HelmRepository', name: 'tetragon', namespace: 'flux-system' },
    });
    expect(hr.spec.releaseName).toBe('tetragon');
    expect(hr.spec.targetNamespace).toBe('kube-system');
    expect(hr.spec.storageNamespace).toBe('kube-system');
    expect(hr.spec.install.crds).toBe('CreateReplace');
    expect(hr.spec.upgrade.crds).toBe('CreateReplace');
    expect(hr.spec.driftDetection).toStrictEqual({ mode: 'enabled' });
    expect(hr.spec.values).toStrictEqual(install.values);
    expect(hr.spec.values.tetragon.clusterName).toBe('nlcl01k8s');
    expect(hr.spec.values.crds.installMethod).toBe('helm');

    for (const m of manifests) expect(validateAgainstCrd(m)).toStrictEqual([]);
    expect(install.healthChecks[0]).toStrictEqual({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      name: 'tetragon',
      namespace: 'flux-system',
    });
  });

  test('values are identical to those the helm-template renderer hands to helm', () => {
    // given the same props for both renderers
    const props: TetragonInstallProps = {
      clusterName: 'c1',
      metrics: { serviceMonitorLabels: { release: 'prom' } },
      extraValues: { tetragon: { debug: true } },
    };
    const hr = find(flux(props).manifests, 'HelmRelease');
    const chart = newChart();
    new TetragonInstall(chart, 'Tetragon', {
      ...props,
      method: InstallMethod.HELM_TEMPLATE,
      chart: ChartSource.local(FIXTURE_CHART),
      helmExecutable: fakeHelm(),
    });
    const given = parse(find(Testing.synth(chart), 'ConfigMap', 'helm-call').data.values);
    // then
    expect(given).toStrictEqual(hr.spec.values);
  });

  test('an oci:// mirror becomes an OCIRepository pinned to the version tag and a chartRef', () => {
    const { manifests } = flux({ chart: ChartSource.oci('oci://registry.example.com/mirror/tetragon'), chartVersion: '1.8.0' });
    const oci = find(manifests, 'OCIRepository', 'tetragon');
    expect(oci.spec).toStrictEqual({
      interval: '1h',
      url: 'oci://registry.example.com/mirror/tetragon',
      ref: { tag: '1.8.0' },
      layerSelector: { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: 'copy' },
    });
    const hr = find(manifests, 'HelmRelease');
    expect(hr.spec.chart).toBeUndefined();
    expect(hr.spec.chartRef).toStrictEqual({ kind: 'OCIRepository', name: 'tetragon', namespace: 'flux-system' });
    expect(hr.spec.values.tetragon.image.tag).toBe('v1.8.0');
    for (const m of manifests) expect(validateAgainstCrd(m)).toStrictEqual([]);
  });

  test('Flux settings are applied and checked', () => {
    const { manifests } = flux({
      releaseName: 'tg',
      namespace: 'security',
      flux: { namespace: 'gitops', interval: '5m', sourceInterval: '12h', timeout: '15m', driftDetection: false },
    });
    const hr = find(manifests, 'HelmRelease', 'tg');
    expect(hr.metadata.namespace).toBe('gitops');
    expect([hr.spec.interval, hr.spec.timeout, hr.spec.targetNamespace, hr.spec.driftDetection]).toStrictEqual([
      '5m',
      '15m',
      'security',
      undefined,
    ]);
    expect(find(manifests, 'HelmRepository', 'tg').spec.interval).toBe('12h');
    expect(() => flux({ flux: { interval: 'hourly' } })).toThrow(/flux\.interval: got "hourly"; expected a duration/);
  });

  test('a local chart cannot be fetched by the cluster: clear error with the fix', () => {
    expect(() => flux({ chart: ChartSource.local(FIXTURE_CHART) })).toThrow(
      /chart: got "local .*"; expected a chart the cluster can fetch for the flux-helmrelease method: an https chart repository or an oci:\/\/ reference\. Point the chart prop or the context cdk8s-tetragon:chart at a repository or OCI mirror, or render the local chart with the helm-template method/,
    );
  });
});
