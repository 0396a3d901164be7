import { App, Testing } from 'cdk8s';
import { parse } from 'yaml';
import {
  ChartSource,
  CrdInstallMethod,
  EventType,
  ExportFilter,
  ExportSidecarMode,
  FieldFilter,
  InstallMethod,
  MetricsLabel,
  RedactionFilter,
  RuntimeHooksInterface,
  TaintEffect,
  TetragonInstall,
  TetragonInstallProps,
} from '../../lib/install';
import { FIXTURE_CHART, fakeHelm, find, lines, newChart, testHelm } from './helpers';

const DIGEST = `sha256:${'a'.repeat(64)}`;

function render(props: TetragonInstallProps = {}, app: App = Testing.app()) {
  const chart = newChart(app);
  const install = new TetragonInstall(chart, 'Tetragon', {
    method: InstallMethod.HELM_TEMPLATE,
    chart: ChartSource.local(FIXTURE_CHART),
    helmExecutable: testHelm(),
    ...props,
  });
  return { install, manifests: Testing.synth(chart), chart };
}

/** Every typed prop set to a non-default value. */
const EVERYTHING: TetragonInstallProps = {
  releaseName: 'tg',
  namespace: 'security',
  clusterName: 'nlcl01k8s',
  processCredentials: false,
  processNamespaces: false,
  export: {
    directory: '/var/log/tetragon',
    fileName: 'events.log',
    filePermissions: '640',
    maxSizeMB: 50,
    maxBackups: 2,
    compress: false,
    rateLimitPerMinute: 60000,
    allowList: [ExportFilter.eventTypes(EventType.PROCESS_EXEC, EventType.PROCESS_KPROBE)],
    denyList: [ExportFilter.namespaces('noisy')],
    fieldFilters: [FieldFilter.exclude(['process.pod.pod_labels'])],
    redactionFilters: [RedactionFilter.of({ redact: ['--pin(?:\\s+|=)(\\S+)'] })],
    sidecar: ExportSidecarMode.STDOUT,
    sidecarResources: { requests: { cpu: '5m', memory: '16Mi' }, limits: { memory: '64Mi' } },
  },
  metrics: {
    serviceMonitorLabels: { release: 'kube-prometheus-stack' },
    scrapeInterval: '30s',
    labels: [MetricsLabel.BINARY, MetricsLabel.NAMESPACE],
  },
  resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '2', memory: '2Gi' } },
  tolerations: [{ key: 'dedicated', value: 'gpu', effect: TaintEffect.NO_SCHEDULE }],
  priorityClassName: 'security-critical',
  rthooks: {
    enabled: true,
    interface: RuntimeHooksInterface.NRI_HOOK,
    failAllowNamespaces: ['kube-system', 'cilium'],
    priorityClassName: 'hooks-critical',
  },
  crdInstallMethod: CrdInstallMethod.HELM,
  operator: {
    replicas: 2,
    priorityClassName: 'op-critical',
    resources: { requests: { cpu: '20m', memory: '80Mi' } },
    forceUpdateCrds: true,
    podInfo: true,
  },
  images: {
    agent: { repository: 'registry.example.com/tetragon', tag: 'v1.7.0', digest: DIGEST },
    operator: { repository: 'registry.example.com/tetragon-operator', tag: 'v1.7.0-custom' },
    exportStdout: { repository: 'registry.example.com/export-stdout', tag: 'v9' },
    rthooks: { repository: 'registry.example.com/rthooks', tag: 'v0.9', digest: DIGEST },
  },
};

describe('TetragonInstall, helm-template renderer (fixture chart)', () => {
  test('every typed value reaches the chart', () => {
    // given every typed prop set away from its default / when rendered
    const { manifests } = render(EVERYTHING);

    // then the agent config carries the export, process and metrics settings
    const cm = find(manifests, 'ConfigMap', 'tg-config');
    expect(cm.metadata.namespace).toBe('security');
    expect(cm.data).toStrictEqual({
      'cluster-name': 'nlcl01k8s',
      'enable-process-cred': 'false',
      'enable-process-ns': 'false',
      'export-filename': '/var/log/tetragon/events.log',
      'export-file-perm': '640',
      'export-file-max-size-mb': '50',
      'export-file-max-backups': '2',
      'export-file-compress': 'false',
      'export-rate-limit': '60000',
      'export-allowlist': '{"event_set":["PROCESS_EXEC","PROCESS_KPROBE"]}',
      'export-denylist': '{"namespace":["noisy"]}',
      'field-filters': '{"action":"EXCLUDE","fields":"process.pod.pod_labels"}',
      'redaction-filters': '{"redact":["--pin(?:\\\\s+|=)(\\\\S+)"]}',
      'metrics-server': ':2112',
      'metrics-label-filter': 'namespace,binary',
    });

    // and the DaemonSet has the pod settings and pinned images
    const ds = find(manifests, 'DaemonSet', 'tg');
    const pod = ds.spec.template.spec;
    expect(pod.priorityClassName).toBe('security-critical');
    expect(pod.tolerations).toStrictEqual([{ effect: 'NoSchedule', key: 'dedicated', operator: 'Equal', value: 'gpu' }]);
    const [agent, sidecar] = [
      pod.containers.find((c: any) => c.name === 'tetragon'),
      pod.containers.find((c: any) => c.name === 'export-stdout'),
    ];
    expect(agent.image).toBe(`registry.example.com/tetragon:v1.7.0@${DIGEST}`);
    expect(agent.resources).toStrictEqual({ limits: { cpu: '2', memory: '2Gi' }, requests: { cpu: '250m', memory: '512Mi' } });
    expect(sidecar.image).toBe('registry.example.com/export-stdout:v9');
    expect(sidecar.args).toStrictEqual(['/var/log/tetragon/events.log']);
    expect(sidecar.resources).toStrictEqual({ limits: { memory: '64Mi' }, requests: { cpu: '5m', memory: '16Mi' } });
    expect(pod.volumes[0].hostPath.path).toBe('/var/log/tetragon');

    // and both ServiceMonitors carry the Prometheus selector label and interval
    for (const name of ['tg', 'tg-operator']) {
      const sm = find(manifests, 'ServiceMonitor', name);
      expect(sm.metadata.labels.release).toBe('kube-prometheus-stack');
      expect(sm.spec.endpoints[0].interval).toBe('30s');
    }

    // and the operator
    const op = find(manifests, 'Deployment', 'tg-operator');
    expect(op.spec.replicas).toBe(2);
    expect(op.spec.template.spec.priorityClassName).toBe('op-critical');
    expect(op.spec.template.spec.containers[0].image).toBe('registry.example.com/tetragon-operator:v1.7.0-custom');
    expect(op.spec.template.spec.containers[0].resources).toStrictEqual({ requests: { cpu: '20m', memory: '80Mi' } });
    expect(find(manifests, 'ConfigMap', 'tg-operator-config').data).toStrictEqual({
      'force-update-crds': 'true',
      'skip-pod-info-crd': 'false',
      'skip-crd-creation': 'true',
    });

    // and the CRDs and the runtime hooks
    expect(
      manifests
        .filter((m) => m.kind === 'CustomResourceDefinition')
        .map((m) => m.metadata.name)
        .sort(),
    ).toStrictEqual(['tracingpolicies.cilium.io', 'tracingpoliciesnamespaced.cilium.io']);
    const hooks = find(manifests, 'DaemonSet', 'tg-rthooks');
    expect(hooks.spec.template.spec.priorityClassName).toBe('hooks-critical');
    expect(hooks.spec.template.spec.initContainers[0].image).toBe(`registry.example.com/rthooks:v0.9@${DIGEST}`);
    expect(hooks.spec.template.spec.initContainers[0].args).toStrictEqual([
      '--interface=nri-hook',
      '--fail-allow-namespaces=kube-system,cilium',
    ]);
  });

  test('defaults: secure settings, pinned images, CRDs with the release', () => {
    // given no props / when rendered
    const { manifests, install } = render();

    // then
    const cm = find(manifests, 'ConfigMap', 'tetragon-config');
    expect(cm.metadata.namespace).toBe('kube-system');
    expect(cm.data['enable-process-cred']).toBe('true');
    expect(cm.data['enable-process-ns']).toBe('true');
    expect(cm.data['metrics-label-filter']).toBe('namespace,workload,binary');
    expect(cm.data['export-file-compress']).toBe('true');
    expect(lines(cm.data['export-allowlist'])).toStrictEqual([{ event_set: Object.values(EventType) }]);
    const deny = lines(cm.data['export-denylist']) as any[];
    expect(deny[0]).toStrictEqual({ health_check: true });
    // host events are not denied wholesale: every namespace filter is combined with a binary regex
    for (const f of deny.filter((d) => d.namespace)) expect(f.binary_regex.length).toBeGreaterThan(0);
    expect(deny.some((d) => d.namespace?.includes('kube-system'))).toBe(false);
    expect((lines(cm.data['redaction-filters']) as any[]).length).toBeGreaterThanOrEqual(1);

    const ds = find(manifests, 'DaemonSet', 'tetragon');
    expect(ds.spec.template.spec.priorityClassName).toBe('system-node-critical');
    expect(ds.spec.template.spec.tolerations).toStrictEqual([{ operator: 'Exists' }]);
    const agent = ds.spec.template.spec.containers.find((c: any) => c.name === 'tetragon');
    expect(agent.image).toMatch(/^quay\.io\/cilium\/tetragon:v1\.7\.0@sha256:[a-f0-9]{64}$/);
    expect(agent.resources.requests).toStrictEqual({ cpu: '100m', memory: '256Mi' });
    expect(agent.resources.limits).toStrictEqual({ memory: '1Gi' });
    expect(find(manifests, 'Deployment', 'tetragon-operator').spec.template.spec.containers[0].image).toMatch(
      /^quay\.io\/cilium\/tetragon-operator:v1\.7\.0@sha256:[a-f0-9]{64}$/,
    );
    expect(find(manifests, 'ServiceMonitor', 'tetragon').spec.endpoints[0].interval).toBe('60s');
    expect(manifests.filter((m) => m.kind === 'CustomResourceDefinition')).toHaveLength(2);
    expect(manifests.filter((m) => m.metadata?.name === 'tg-rthooks' || m.metadata?.name === 'tetragon-rthooks')).toHaveLength(0);

    expect(install.healthChecks).toStrictEqual([
      { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'tetragon', namespace: 'kube-system' },
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'tetragon-operator', namespace: 'kube-system' },
    ]);
    expect(install.helmRelease).toBeUndefined();
  });

  test('operator CRD method leaves CRDs out; disabled export drops the file keys', () => {
    const { manifests } = render({
      crdInstallMethod: CrdInstallMethod.OPERATOR,
      export: { enabled: false, sidecar: ExportSidecarMode.NONE },
    });
    expect(manifests.filter((m) => m.kind === 'CustomResourceDefinition')).toHaveLength(0);
    const cm = find(manifests, 'ConfigMap', 'tetragon-config');
    expect(cm.data['export-filename']).toBeUndefined();
    const containers = find(manifests, 'DaemonSet', 'tetragon').spec.template.spec.containers.map((c: any) => c.name);
    expect(containers).toStrictEqual(['tetragon']);
  });

  test('release name and namespace are stable across construct ids and scopes', () => {
    // given two installs under different construct ids
    const a = render({}, Testing.app());
    const app = Testing.app();
    const chart = newChart(app);
    new TetragonInstall(chart, 'SomethingElse', {
      method: InstallMethod.HELM_TEMPLATE,
      chart: ChartSource.local(FIXTURE_CHART),
      helmExecutable: testHelm(),
    });
    const b = Testing.synth(chart);
    // then object names and namespaces do not depend on the construct id
    const names = (ms: any[]) => ms.map((m) => `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`).sort();
    expect(names(b)).toStrictEqual(names(a.manifests));
    expect(names(b)).toContain('DaemonSet/kube-system/tetragon');
  });

  test('output is deterministic: two renders are byte-identical', () => {
    const once = () => {
      const app = new App({ outdir: '/dev/null' });
      render(EVERYTHING, app);
      return app.synthYaml();
    };
    const first = once();
    expect(first.length).toBeGreaterThan(1000);
    expect(once()).toBe(first);
  });
});

describe('helm invocation seam', () => {
  test('flags: release, namespace, --kube-version, --include-crds, local chart', () => {
    const helm = fakeHelm();
    const { manifests } = render({ helmExecutable: helm, namespace: 'security', kubeVersion: '1.30.2', includeCrds: true });
    const call = find(manifests, 'ConfigMap', 'helm-call');
    const args: string[] = JSON.parse(call.data.args);
    expect(args[0]).toBe('template');
    expect(args.slice(args.indexOf('--namespace'), args.indexOf('--namespace') + 2)).toStrictEqual(['--namespace', 'security']);
    expect(args.slice(args.indexOf('--kube-version'), args.indexOf('--kube-version') + 2)).toStrictEqual(['--kube-version', '1.30.2']);
    expect(args).toContain('--include-crds');
    expect(args.slice(args.indexOf('--api-versions'), args.indexOf('--api-versions') + 2)).toStrictEqual([
      '--api-versions',
      'monitoring.coreos.com/v1',
    ]);
    expect(args).not.toContain('--version');
    expect(args.slice(-2)).toStrictEqual(['tetragon', FIXTURE_CHART]);
    // the values file holds the same values as the construct
    const install = render({ helmExecutable: helm, namespace: 'security' }).install;
    expect(parse(call.data.values)).toStrictEqual(install.values);
  });

  test('flags: chart repository and OCI mirror pin --version; no --include-crds by default', () => {
    const helm = fakeHelm();
    const repo = JSON.parse(
      find(
        render({ helmExecutable: helm, chart: ChartSource.repository('https://charts.example.com/cilium/') }).manifests,
        'ConfigMap',
        'helm-call',
      ).data.args,
    );
    expect(repo).toEqual(expect.arrayContaining(['--repo', 'https://charts.example.com/cilium', '--version', '1.7.0']));
    expect(repo).not.toContain('--include-crds');
    const noMonitor = JSON.parse(
      find(render({ helmExecutable: helm, metrics: { serviceMonitor: false } }).manifests, 'ConfigMap', 'helm-call').data.args,
    );
    expect(noMonitor).not.toContain('--api-versions');
    expect(repo.slice(-2)).toStrictEqual(['tetragon', 'tetragon']);
    const oci = JSON.parse(
      find(
        render({ helmExecutable: helm, chart: ChartSource.oci('oci://registry.example.com/charts/tetragon') }).manifests,
        'ConfigMap',
        'helm-call',
      ).data.args,
    );
    expect(oci.slice(-2)).toStrictEqual(['tetragon', 'oci://registry.example.com/charts/tetragon']);
    expect(oci.slice(oci.indexOf('--version'), oci.indexOf('--version') + 2)).toStrictEqual(['--version', '1.7.0']);
    expect(oci).not.toContain('--repo');
  });

  test('an unreachable chart is one clear error naming the source and the mirror variable, and adds no objects', () => {
    const helm = fakeHelm({
      fail: 'Error: looks like "https://helm.cilium.io" is not a valid chart repository or cannot be reached: dial tcp: lookup helm.cilium.io: no such host\n',
    });
    const app = Testing.app();
    const chart = newChart(app);
    let message = '';
    try {
      new TetragonInstall(chart, 'Tetragon', { method: InstallMethod.HELM_TEMPLATE, helmExecutable: helm });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(
      /^install\/Tetragon: helm template failed for the tetragon chart 1\.7\.0 from repository https:\/\/helm\.cilium\.io/,
    );
    expect(message).toContain('no such host');
    expect(message).toContain('point the chart prop or the context cdk8s-tetragon:chart at a mirror');
    expect(message).toContain('use the flux-helmrelease method');
    expect(Testing.synth(chart)).toStrictEqual([]);
  });

  test('a missing helm binary is a clear error', () => {
    expect(() => render({ helmExecutable: '/nonexistent/bin/helm' })).toThrow(
      /helm binary "\/nonexistent\/bin\/helm" \(from the helmExecutable prop or the context cdk8s-tetragon:helm\) does not exist/,
    );
  });

  test('a local chart of another version is refused', () => {
    expect(() => render({ chartVersion: '1.8.0' })).toThrow(
      /chart: got ".*helm-chart"; expected a chart of version 1\.8\.0 \(chartVersion\), but its Chart\.yaml has version 1\.7\.0/,
    );
  });
});
