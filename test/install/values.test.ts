import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import {
  CrdInstallMethod,
  ExportSidecarMode,
  FieldFilter,
  InstallMethod,
  MetricsLabel,
  RuntimeHooksInterface,
  TetragonInstall,
  TetragonInstallProps,
} from '../../lib/install';
import { readReference } from '../support/reference';
import { newChart } from './helpers';

const UPSTREAM = parse(readReference('tetragon/v1.7.0/chart/values.yaml')) as Record<string, unknown>;

function valuesOf(props: TetragonInstallProps = {}): Record<string, unknown> {
  return new TetragonInstall(newChart(), 'Tetragon', { method: InstallMethod.FLUX_HELM_RELEASE, ...props }).values;
}

/**
 * Paths in `ours` that the chart's values.yaml does not have. Below an upstream free-form value
 * (an empty map, a list or null, such as `resources: {}` or `image.override: ~`) anything goes.
 */
function unknownPaths(ours: unknown, upstream: unknown, prefix = ''): string[] {
  if (typeof ours !== 'object' || ours === null || Array.isArray(ours)) return [];
  if (upstream === null || Array.isArray(upstream)) return [];
  if (typeof upstream !== 'object') return [prefix];
  const up = upstream as Record<string, unknown>;
  if (Object.keys(up).length === 0) return [];
  return Object.entries(ours as Record<string, unknown>).flatMap(([k, v]) => {
    const path = prefix ? `${prefix}.${k}` : k;
    return k in up ? unknownPaths(v, up[k], path) : [path];
  });
}

describe('chart values', () => {
  test('every key the typed props write exists in the chart 1.7.0 values.yaml', () => {
    // given the props that write the most keys
    const all = valuesOf({
      clusterName: 'c1',
      metrics: { serviceMonitorLabels: { release: 'prom' }, labels: [MetricsLabel.POD] },
      rthooks: { enabled: true, interface: RuntimeHooksInterface.OCI_HOOKS, failAllowNamespaces: ['a'] },
      export: { fieldFilters: [FieldFilter.include(['process'])], rateLimitPerMinute: 10 },
      images: { exportStdout: { repository: 'r.example/x', tag: 't', digest: `sha256:${'b'.repeat(64)}` } },
    });
    // then none is unknown upstream (a typo or a key removed upstream fails here)
    expect(unknownPaths(all, UPSTREAM)).toStrictEqual([]);
    // and the check itself notices a misspelt key
    expect(unknownPaths({ tetragon: { exportFilenme: 'x', prometheus: { serviceMonitr: {} } } }, UPSTREAM)).toStrictEqual([
      'tetragon.exportFilenme',
      'tetragon.prometheus.serviceMonitr',
    ]);
  });

  test('the typed values cover the settings a security team changes, with explicit values', () => {
    const v: any = valuesOf();
    expect(v.crds.installMethod).toBe('helm');
    expect(v.tetragon.enableProcessCred).toBe(true);
    expect(v.tetragon.enableProcessNs).toBe(true);
    expect(v.tetragon.prometheus.serviceMonitor.enabled).toBe(true);
    expect(v.tetragon.prometheus.metricsLabelFilter).toBe('namespace,workload,binary');
    expect(v.tetragonOperator.prometheus.serviceMonitor.enabled).toBe(true);
    expect(v.priorityClassName).toBe('system-node-critical');
    expect(v.tetragon.image).toStrictEqual({
      override: 'quay.io/cilium/tetragon:v1.7.0@sha256:deda51c3f88e4d26b4d76c99ea207f2b05f9e40c210e0f04a37ca632ab7bf527',
      repository: 'quay.io/cilium/tetragon',
      tag: 'v1.7.0',
    });
    expect(v.export.stdout.image).toStrictEqual({ repository: 'quay.io/cilium/hubble-export-stdout', tag: 'v1.1.1' });
    // keys are sorted at every level
    expect(Object.keys(v)).toStrictEqual([...Object.keys(v)].sort());
    expect(Object.keys(v.tetragon)).toStrictEqual([...Object.keys(v.tetragon)].sort());
  });

  test('another chart version moves the agent and operator tags and drops the 1.7.0 digests', () => {
    const v: any = valuesOf({ chartVersion: '1.8.1' });
    expect(v.tetragon.image).toStrictEqual({ repository: 'quay.io/cilium/tetragon', tag: 'v1.8.1' });
    expect(v.tetragonOperator.image).toStrictEqual({ repository: 'quay.io/cilium/tetragon-operator', tag: 'v1.8.1' });
    expect(v.export.stdout).toBeUndefined();
  });
});

describe('extraValues escape hatch', () => {
  test('adds values the props do not model and keeps typed ones', () => {
    const v: any = valuesOf({
      extraValues: {
        tetragon: { processAncestors: { enabled: 'base,kprobe' }, enableProcessCred: true },
        nodeSelector: { 'kubernetes.io/os': 'linux' },
      },
    });
    expect(v.tetragon.processAncestors).toStrictEqual({ enabled: 'base,kprobe' });
    expect(v.tetragon.enableProcessCred).toBe(true);
    expect(v.nodeSelector).toStrictEqual({ 'kubernetes.io/os': 'linux' });
  });

  test('a contradiction of a typed value names the path, both values and the prop to use', () => {
    expect(() => valuesOf({ extraValues: { tetragon: { enableProcessCred: false, exportFilePerm: '644' } } })).toThrow(
      /^install\/Tetragon: extraValues contradicts typed values\n {2}- tetragon\.enableProcessCred: extraValues sets false but the typed prop processCredentials sets true\. Set it through processCredentials and remove it from extraValues\n {2}- tetragon\.exportFilePerm: extraValues sets "644" but the typed prop export\.filePermissions sets "600"/,
    );
    // replacing a typed object with a scalar is a contradiction too
    expect(() => valuesOf({ extraValues: { tetragon: { resources: 'none' } } })).toThrow(/tetragon\.resources: .* typed prop resources/);
  });
});

describe('prop validation', () => {
  test('bad values are reported together, with the construct path, the field, the value and what is allowed', () => {
    let message = '';
    try {
      valuesOf({
        resources: { requests: { cpu: 'lots' } },
        images: { agent: { repository: 'quay.io/cilium/tetragon', tag: 'v1.7.0', digest: 'sha256:xyz' } },
        rthooks: { enabled: true },
        export: { filePermissions: '0999', allowList: [] },
        metrics: { enabled: false, serviceMonitor: true, scrapeInterval: 'often' },
      });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message.split('\n')[0]).toBe('install/Tetragon: invalid TetragonInstall props');
    expect(message).toContain('resources.requests.cpu: got "lots"; expected a Kubernetes quantity');
    expect(message).toContain('images.agent.digest: got "sha256:xyz"; expected sha256: followed by 64 lowercase hex digits');
    expect(message).toContain('rthooks.interface: got undefined; expected an interface, which rthooks.enabled needs');
    expect(message).toContain('export.filePermissions: got "0999"');
    expect(message).toContain('export.allowList: got []');
    expect(message).toContain('metrics.serviceMonitor: got true; expected no ServiceMonitor while metrics.enabled is false');
    expect(message).toContain('metrics.scrapeInterval: got "often"');
  });

  test('contradictory switches are refused with the fix', () => {
    expect(() => valuesOf({ export: { enabled: false } })).toThrow(
      /export\.sidecar: got "stdout"; .*\. Set export\.sidecar: ExportSidecarMode\.NONE/,
    );
    expect(() => valuesOf({ operator: { enabled: false }, crdInstallMethod: CrdInstallMethod.OPERATOR })).toThrow(
      /operator\.enabled: got false; expected the operator, which crdInstallMethod OPERATOR needs/,
    );
    expect(valuesOf({ export: { enabled: false, sidecar: ExportSidecarMode.NONE } })).toMatchObject({
      tetragon: { exportFilename: '' },
      export: { mode: '' },
    });
  });

  test('construct-level props are checked', () => {
    expect(() => valuesOf({ chartVersion: '^1.7.0' })).toThrow(/chartVersion: got "\^1\.7\.0"; expected an exact chart version/);
    expect(() => valuesOf({ releaseName: 'Tetragon_1' })).toThrow(/releaseName: got "Tetragon_1"/);
    expect(() => valuesOf({ namespace: 'kube system' })).toThrow(/namespace: got "kube system"/);
  });

  test('install objects synthesize even with every default', () => {
    const chart = newChart();
    new TetragonInstall(chart, 'Tetragon', {});
    expect(
      Testing.synth(chart)
        .map((m) => m.kind)
        .sort(),
    ).toStrictEqual(['HelmRelease', 'HelmRepository']);
  });
});
