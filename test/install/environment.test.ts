import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import { ChartSource, ChartSourceKind, InstallMethod, TetragonInstall, resolveInstallEnvironment } from '../../lib/install';
import { FIXTURE_CHART, newChart } from './helpers';

describe('resolveInstallEnvironment', () => {
  test('unset or empty variables give nothing', () => {
    expect(resolveInstallEnvironment({})).toStrictEqual({ method: undefined, chart: undefined, helmExecutable: undefined });
    expect(resolveInstallEnvironment({ TETRAGON_INSTALL_METHOD: '', TETRAGON_CHART: ' ' })).toStrictEqual({ method: undefined, chart: undefined, helmExecutable: undefined });
  });

  test('reads the method', () => {
    expect(resolveInstallEnvironment({ TETRAGON_INSTALL_METHOD: 'helm-template' }).method).toBe(InstallMethod.HELM_TEMPLATE);
    expect(resolveInstallEnvironment({ TETRAGON_INSTALL_METHOD: 'flux-helmrelease' }).method).toBe(InstallMethod.FLUX_HELM_RELEASE);
  });

  test('a bad method names the variable, the value and the allowed values', () => {
    expect(() => resolveInstallEnvironment({ TETRAGON_INSTALL_METHOD: 'helm' }))
      .toThrow('TETRAGON_INSTALL_METHOD="helm" is not an install method; allowed: helm-template, flux-helmrelease (or unset it to use the value in code)');
  });

  test.each([
    ['oci://registry.example.com/charts/tetragon', ChartSourceKind.OCI, 'oci://registry.example.com/charts/tetragon'],
    ['oci://registry.example.com:5000/charts/tetragon', ChartSourceKind.OCI, 'oci://registry.example.com:5000/charts/tetragon'],
    ['https://helm.cilium.io/', ChartSourceKind.REPOSITORY, 'https://helm.cilium.io'],
    ['http://charts.internal/cilium', ChartSourceKind.REPOSITORY, 'http://charts.internal/cilium'],
    ['https://mirror.example.com/tetragon-1.7.0.tgz', ChartSourceKind.ARCHIVE_URL, 'https://mirror.example.com/tetragon-1.7.0.tgz'],
    [FIXTURE_CHART, ChartSourceKind.LOCAL, FIXTURE_CHART],
  ])('TETRAGON_CHART=%s', (value, kind, location) => {
    const chart = resolveInstallEnvironment({ TETRAGON_CHART: value }).chart!;
    expect([chart.kind, chart.location]).toStrictEqual([kind, location]);
  });

  test('a local .tgz is accepted, a relative path resolves against the working directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chart-'));
    writeFileSync(join(dir, 'tetragon-1.7.0.tgz'), 'x');
    expect(resolveInstallEnvironment({ TETRAGON_CHART: join(dir, 'tetragon-1.7.0.tgz') }).chart!.kind).toBe(ChartSourceKind.LOCAL);
    expect(resolveInstallEnvironment({ TETRAGON_CHART: 'test/fixtures/helm-chart' }).chart!.location).toBe(FIXTURE_CHART);
  });

  test.each([
    ['/nonexistent/chart', /does not exist/],
    ['test/fixtures', /has no Chart\.yaml/],
    ['s3://bucket/chart', /unsupported scheme/],
    ['oci://registry.example.com/charts/tetragon:1.7.0', /without a tag/],
    ['package.json', /not a packaged chart/],
  ])('TETRAGON_CHART=%s is refused', (value, why) => {
    expect(() => resolveInstallEnvironment({ TETRAGON_CHART: value })).toThrow(why);
    expect(() => resolveInstallEnvironment({ TETRAGON_CHART: value })).toThrow(/^TETRAGON_CHART=.*Allowed: a chart directory, a \.tgz file, oci:\/\/<registry>\/<path>\/tetragon, or an https chart repository URL$/s);
  });
});

describe('TetragonInstall environment overrides', () => {
  test('the environment wins over the props, for method and chart', () => {
    const chart = newChart();
    const install = new TetragonInstall(chart, 'Tetragon', {
      method: InstallMethod.HELM_TEMPLATE,
      chart: ChartSource.local(FIXTURE_CHART),
      env: { TETRAGON_INSTALL_METHOD: 'flux-helmrelease', TETRAGON_CHART: 'oci://registry.example.com/charts/tetragon' },
    });
    expect(install.method).toBe(InstallMethod.FLUX_HELM_RELEASE);
    expect(install.chartSource.kind).toBe(ChartSourceKind.OCI);
    expect(Testing.synth(chart).map((m) => m.kind)).toStrictEqual(['OCIRepository', 'HelmRelease']);
  });

  test('TETRAGON_INSTALL_METHOD=helm-template with TETRAGON_CHART=<dir> renders the local chart', () => {
    const chart = newChart();
    const install = new TetragonInstall(chart, 'Tetragon', { env: { TETRAGON_INSTALL_METHOD: 'helm-template', TETRAGON_CHART: FIXTURE_CHART } });
    expect(install.method).toBe(InstallMethod.HELM_TEMPLATE);
    expect(Testing.synth(chart).some((m) => m.kind === 'DaemonSet' && m.metadata.name === 'tetragon')).toBe(true);
  });

  test('props apply when the environment is silent; the default is flux-helmrelease from the Cilium repository', () => {
    const a = new TetragonInstall(newChart(), 'Tetragon', { env: {} });
    expect([a.method, a.chartSource.kind, a.chartSource.location]).toStrictEqual([InstallMethod.FLUX_HELM_RELEASE, ChartSourceKind.REPOSITORY, 'https://helm.cilium.io']);
    const b = new TetragonInstall(newChart(), 'Tetragon', { env: {}, chart: ChartSource.repository('https://mirror.example.com') });
    expect(b.chartSource.location).toBe('https://mirror.example.com');
  });

  test('a bad variable fails the construct', () => {
    expect(() => new TetragonInstall(newChart(), 'Tetragon', { env: { TETRAGON_INSTALL_METHOD: 'kustomize' } })).toThrow(/TETRAGON_INSTALL_METHOD="kustomize"/);
  });
});
