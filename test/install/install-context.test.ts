import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import {
  CHART_CONTEXT,
  ChartSource,
  ChartSourceKind,
  HELM_CONTEXT,
  INSTALL_METHOD_CONTEXT,
  InstallMethod,
  TetragonInstall,
} from '../../lib/install';
import { FIXTURE_CHART, newChart, testHelm } from './helpers';

/** A chart in an app whose context holds `context`. */
function chartWith(context: Record<string, string>) {
  const app = Testing.app();
  for (const [key, value] of Object.entries(context)) app.node.setContext(key, value);
  return newChart(app);
}

describe('TetragonInstall install context', () => {
  test('the context sets method and chart of an install that does not set them', () => {
    // given the context of an app run with TETRAGON_INSTALL_METHOD=helm-template TETRAGON_CHART=<dir>
    const chart = chartWith({ [INSTALL_METHOD_CONTEXT]: 'helm-template', [CHART_CONTEXT]: FIXTURE_CHART, [HELM_CONTEXT]: testHelm() });
    // when an install sets neither
    const install = new TetragonInstall(chart, 'Tetragon');
    // then the local chart is rendered with helm template
    expect(install.method).toBe(InstallMethod.HELM_TEMPLATE);
    expect([install.chartSource.kind, install.chartSource.location]).toStrictEqual([ChartSourceKind.LOCAL, FIXTURE_CHART]);
    expect(Testing.synth(chart).some((m) => m.kind === 'DaemonSet' && m.metadata.name === 'tetragon')).toBe(true);
  });

  test('explicit props win over the context', () => {
    const chart = chartWith({ [INSTALL_METHOD_CONTEXT]: 'helm-template', [CHART_CONTEXT]: FIXTURE_CHART });
    const install = new TetragonInstall(chart, 'Tetragon', {
      method: InstallMethod.FLUX_HELM_RELEASE,
      chart: ChartSource.oci('oci://registry.example.com/charts/tetragon'),
    });
    expect(install.method).toBe(InstallMethod.FLUX_HELM_RELEASE);
    expect(install.chartSource.kind).toBe(ChartSourceKind.OCI);
    expect(Testing.synth(chart).map((m) => m.kind)).toStrictEqual(['OCIRepository', 'HelmRelease']);
  });

  test('without context or props: flux-helmrelease from the Cilium repository; blank context values count as unset', () => {
    const a = new TetragonInstall(newChart(), 'Tetragon');
    expect([a.method, a.chartSource.kind, a.chartSource.location]).toStrictEqual([
      InstallMethod.FLUX_HELM_RELEASE,
      ChartSourceKind.REPOSITORY,
      'https://helm.cilium.io',
    ]);
    const b = new TetragonInstall(chartWith({ [INSTALL_METHOD_CONTEXT]: ' ', [CHART_CONTEXT]: '' }), 'Tetragon');
    expect([b.method, b.chartSource.location]).toStrictEqual([InstallMethod.FLUX_HELM_RELEASE, 'https://helm.cilium.io']);
  });

  test.each([
    ['oci://registry.example.com/charts/tetragon', ChartSourceKind.OCI, 'oci://registry.example.com/charts/tetragon'],
    ['oci://registry.example.com:5000/charts/tetragon', ChartSourceKind.OCI, 'oci://registry.example.com:5000/charts/tetragon'],
    ['https://helm.cilium.io/', ChartSourceKind.REPOSITORY, 'https://helm.cilium.io'],
    ['http://charts.internal/cilium', ChartSourceKind.REPOSITORY, 'http://charts.internal/cilium'],
    ['https://mirror.example.com/tetragon-1.7.0.tgz', ChartSourceKind.ARCHIVE_URL, 'https://mirror.example.com/tetragon-1.7.0.tgz'],
    [FIXTURE_CHART, ChartSourceKind.LOCAL, FIXTURE_CHART],
  ])('the context chart syntax (ChartSource.parse): %s', (value, kind, location) => {
    const chart = ChartSource.parse(value);
    expect([chart.kind, chart.location]).toStrictEqual([kind, location]);
  });

  test('a repository or OCI chart in the context reaches a flux-helmrelease install', () => {
    const install = new TetragonInstall(chartWith({ [CHART_CONTEXT]: 'oci://registry.example.com/charts/tetragon' }), 'Tetragon');
    expect([install.method, install.chartSource.kind]).toStrictEqual([InstallMethod.FLUX_HELM_RELEASE, ChartSourceKind.OCI]);
  });

  test('a local .tgz is accepted, a relative path resolves against the working directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chart-'));
    writeFileSync(join(dir, 'tetragon-1.7.0.tgz'), 'x');
    expect(ChartSource.parse(join(dir, 'tetragon-1.7.0.tgz')).kind).toBe(ChartSourceKind.LOCAL);
    expect(ChartSource.parse('test/fixtures/helm-chart').location).toBe(FIXTURE_CHART);
  });

  test.each([
    ['/nonexistent/chart', /does not exist/],
    ['test/fixtures', /has no Chart\.yaml/],
    ['s3://bucket/chart', /unsupported scheme/],
    ['oci://registry.example.com/charts/tetragon:1.7.0', /without a tag/],
    ['package.json', /not a packaged chart/],
  ])('context chart %s is refused with the construct, the key and what is allowed', (value, why) => {
    const attempt = () => new TetragonInstall(chartWith({ [CHART_CONTEXT]: value }), 'Tetragon');
    expect(attempt).toThrow(why);
    expect(attempt).toThrow(
      /^install\/Tetragon: invalid TetragonInstall props\n {2}- context cdk8s-tetragon:chart: .*; set it to a chart/s,
    );
    expect(attempt).toThrow(/a \.tgz file, oci:\/\/<registry>\/<path>\/tetragon, or an http\(s\) chart repository or \.tgz URL$/);
  });

  test('a bad method in the context names the key, the value and the allowed values', () => {
    expect(() => new TetragonInstall(chartWith({ [INSTALL_METHOD_CONTEXT]: 'kustomize' }), 'Tetragon')).toThrow(
      'install/Tetragon: invalid TetragonInstall props\n' +
        '  - context cdk8s-tetragon:install-method: got "kustomize"; expected one of helm-template, flux-helmrelease. ' +
        'Set it to one of them, or leave it unset for the method in code',
    );
  });

  test('the context names the helm binary of helm-template installs', () => {
    const props = { method: InstallMethod.HELM_TEMPLATE, chart: ChartSource.local(FIXTURE_CHART) };
    expect(() => new TetragonInstall(chartWith({ [HELM_CONTEXT]: '/nonexistent/helm2' }), 'Tetragon', props)).toThrow(
      /helm binary "\/nonexistent\/helm2" \(from the helmExecutable prop or the context cdk8s-tetragon:helm\) does not exist/,
    );
  });
});
