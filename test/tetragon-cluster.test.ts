import { App } from 'cdk8s';
import { TetragonCluster } from '../lib';
import { loadKernel, bundledKernels } from '../lib/kernels';
import { validateAgainstCrd } from '../lib/private/crd-schema';

function policiesOf(props: Partial<ConstructorParameters<typeof TetragonCluster>[2]> = {}) {
  const app = new App({ outdir: '/nonexistent' });
  const cluster = new TetragonCluster(app, 'c1', { clusterName: 'c1', ...props });
  return cluster.policies.toJson();
}

describe('TetragonCluster', () => {
  test('by default deploys the four default-on policies of the module and not the network one', () => {
    const names = policiesOf()
      .map((m: any) => m.metadata.name)
      .sort();
    expect(names).toStrictEqual([
      'privilege-escalation-monitor',
      'process-exec-monitor',
      'sensitive-file-access-monitor',
      'shell-access-monitor',
    ]);
  });

  test('each toggle adds or removes its policy', () => {
    expect(policiesOf({ enableNetworkMonitor: true }).map((m: any) => m.metadata.name)).toContain('network-connection-monitor');
    const names = policiesOf({ enableProcessExecMonitor: false, enableShellAccessMonitor: false })
      .map((m: any) => m.metadata.name)
      .sort();
    expect(names).toStrictEqual(['privilege-escalation-monitor', 'sensitive-file-access-monitor']);
  });

  test('per-policy options reach the policy', () => {
    const [net] = policiesOf({ enableNetworkMonitor: true, networkMonitor: { podCidrs: ['10.244.0.0/16'] } }).filter(
      (m: any) => m.metadata.name === 'network-connection-monitor',
    );
    expect(net.spec.kprobes[0].selectors[0].matchArgs[0].values).toContain('10.244.0.0/16');
  });

  test('every policy with every toggle on validates strictly against the pinned CRD', () => {
    const all = policiesOf({ enableNetworkMonitor: true });
    expect(all).toHaveLength(5);
    for (const m of all) expect(validateAgainstCrd(m)).toStrictEqual([]);
  });

  test('an invalid cluster name is refused with the fix', () => {
    expect(() => policiesOf({ clusterName: 'NL_CL01' })).toThrow('c1: clusterName: got "NL_CL01"; use a DNS label');
  });

  test('every hooked kernel function exists on every bundled kernel, or the hook skips it on purpose', () => {
    const kernels = bundledKernels().map(loadKernel);
    expect(kernels.map((k) => k.name)).toStrictEqual(['debian-11-5.10', 'debian-12-6.1', 'debian-13-6.12', 'debian-sid-7.2']);
    const missing: string[] = [];
    for (const policy of policiesOf({ enableNetworkMonitor: true })) {
      for (const hook of policy.spec.kprobes) {
        const symbol = hook.syscall ? `__x64_${hook.call}` : hook.call;
        for (const kernel of kernels) {
          if (!kernel.lookup(symbol))
            missing.push(`${policy.metadata.name} ${symbol} ${kernel.name}${hook.ignore?.callNotFound ? ' (ignored)' : ''}`);
        }
      }
    }
    // security_file_truncate arrived in 6.2; the hook sets ignore.callNotFound and security_path_truncate covers older kernels.
    expect(missing).toStrictEqual([
      'sensitive-file-access-monitor security_file_truncate debian-11-5.10 (ignored)',
      'sensitive-file-access-monitor security_file_truncate debian-12-6.1 (ignored)',
    ]);
  });
});

describe('TetragonCluster units', () => {
  function cluster(props: Partial<ConstructorParameters<typeof TetragonCluster>[2]> = {}) {
    const app = new App({ outdir: '/nonexistent' });
    return new TetragonCluster(app, 'c1', { clusterName: 'c1', ...props });
  }

  test('install, policies, observability and flux units, the flux unit applying the others in order', () => {
    const c = cluster();
    const app = c.node.scope as App;
    expect(app.charts.map((ch) => ch.node.id)).toStrictEqual(['install', 'policies', 'observability', 'flux']);
    const release = c.installChart.toJson().find((m: any) => m.kind === 'HelmRelease');
    expect(release.spec.chart.spec.version).toBe('1.7.0');
    expect(release.spec.values.tetragon.clusterName).toBe('c1');
    const ks = Object.fromEntries(c.fluxChart.toJson().map((m: any) => [m.metadata.name, m.spec]));
    expect(ks['tetragon-install'].path).toBe('./dist/c1/install');
    expect(ks['tetragon-policies'].dependsOn).toStrictEqual([{ name: 'tetragon-install' }]);
    expect(ks['tetragon-observability'].dependsOn).toStrictEqual([{ name: 'tetragon-install' }]);
    for (const chart of app.charts) {
      for (const m of chart.toJson())
        if (m.apiVersion !== 'v1') expect({ kind: m.kind, errors: validateAgainstCrd(m) }).toStrictEqual({ kind: m.kind, errors: [] });
    }
  });

  test("the version is one prop, and the dashboard namespace and toggles are the module's", () => {
    const c = cluster({ tetragonVersion: '1.7.1', grafanaDashboardNamespace: 'grafana', enableAlertRules: false });
    expect(c.installChart.toJson().find((m: any) => m.kind === 'HelmRelease').spec.chart.spec.version).toBe('1.7.1');
    const obs = c.observabilityChart.toJson();
    const dashboard = obs.find((m: any) => m.metadata.name === 'tetragon-security-dashboard');
    expect(dashboard.metadata.namespace).toBe('grafana');
    expect(dashboard.metadata.labels.grafana_dashboard).toBe('1');
    expect(obs.some((m: any) => m.kind === 'PrometheusRule')).toBe(false);
    expect(
      cluster({ enableGrafanaDashboard: false })
        .observabilityChart.toJson()
        .some((m: any) => m.metadata.name === 'tetragon-security-dashboard'),
    ).toBe(false);
  });

  test('renamed policies keep dashboards and alerts pointing at them', () => {
    const c = cluster({ shellAccessMonitor: { name: 'shells' } });
    const rules = c.observabilityChart.toJson().find((m: any) => m.kind === 'PrometheusRule');
    expect(JSON.stringify(rules)).toContain('policy=\\"shells\\"');
  });
});

describe('TetragonCluster detections', () => {
  const { DetectionBundle, DetectionName } = require('../lib');
  function cluster(props: Partial<ConstructorParameters<typeof TetragonCluster>[2]> = {}) {
    return new TetragonCluster(new App({ outdir: '/nonexistent' }), 'c1', { clusterName: 'c1', ...props });
  }

  test("bundles add their policies next to the module's five toggles, and their Loki alerts join the Loki rules", () => {
    const c = cluster({ detections: { bundles: [DetectionBundle.CRYPTO_MINING] } });
    const names = c.policies.toJson().map((m: any) => m.metadata.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'process-exec-monitor',
        'sensitive-file-access-monitor',
        'privilege-escalation-monitor',
        'shell-access-monitor',
      ]),
    );
    expect(names.length).toBeGreaterThan(4);
    const loki = c.observabilityChart.toJson().find((m: any) => m.metadata.name === 'tetragon-loki-rules');
    const groups = require('yaml')
      .parse(loki.data['tetragon-rules.yaml'])
      .groups.map((g: any) => g.name);
    expect(groups).toContain('tetragon.loki.library');
    expect(c.detections!.lokiRules.length).toBeGreaterThan(0);
    for (const m of c.policies.toJson())
      expect({ name: m.metadata.name, errors: validateAgainstCrd(m) }).toStrictEqual({ name: m.metadata.name, errors: [] });
  });

  test('an install that turns off what a detection needs is refused', () => {
    expect(() => cluster({ detections: { include: [DetectionName.FILELESS_EXEC] }, install: { processCredentials: false } })).toThrow(
      'c1: install.processCredentials: is false, but selected detections read binary_properties and credentials',
    );
  });

  test("without detections the output holds the module's policies only", () => {
    expect(cluster().detections).toBeUndefined();
    expect(cluster().policies.toJson()).toHaveLength(4);
  });
});

describe('TetragonCluster detection requirements', () => {
  const { DetectionName, ExportFilter } = require('../lib');
  test('node-level detections refuse an install that drops every host event', () => {
    const make = () =>
      new TetragonCluster(new App({ outdir: '/nonexistent' }), 'c1', {
        clusterName: 'c1',
        detections: { include: [DetectionName.SUDO] },
        install: { export: { denyList: [ExportFilter.namespaces('')] } },
      });
    expect(make).toThrow('install.export.denyList: drops every host-process event');
  });
});

describe('TetragonCluster export sidecar', () => {
  const { ExportSidecarMode } = require('../lib');
  const release = (props: object) =>
    new TetragonCluster(new App({ outdir: '/nonexistent' }), 'c1', { clusterName: 'c1', ...props }).installChart
      .toJson()
      .find((m: any) => m.kind === 'HelmRelease');

  test('log shipping tails the export file, so the export-stdout sidecar is left out (no second copy through pod logs)', () => {
    expect(release({}).spec.values.export.mode).toBe('');
  });

  test('without log shipping the sidecar stays, and an explicit choice wins', () => {
    expect(release({ enableLogShipping: false }).spec.values.export.mode).toBe('stdout');
    expect(release({ install: { export: { sidecar: ExportSidecarMode.STDOUT } } }).spec.values.export.mode).toBe('stdout');
  });
});

describe('TetragonCluster policy status', () => {
  const { Duration } = require('cdk8s');
  const { DetectionBundle } = require('../lib');
  function statusGroup(props: Partial<ConstructorParameters<typeof TetragonCluster>[2]> = {}) {
    const c = new TetragonCluster(new App({ outdir: '/nonexistent' }), 'c1', { clusterName: 'c1', ...props });
    const rule = c.observabilityChart.toJson().find((m: any) => m.kind === 'PrometheusRule');
    return { c, group: rule?.spec.groups.find((g: any) => g.name === 'tetragon.policy-status') };
  }
  const expectedPolicies = (group: any) => [...group.rules[0].expr.matchAll(/"policy", "([^"]+)"/g)].map((m: any) => m[1]).sort();

  test('by default the rules expect exactly the policies the policies unit deploys, with no silence alert', () => {
    const { c, group } = statusGroup();
    expect(expectedPolicies(group)).toStrictEqual(
      c.policies
        .toJson()
        .map((m: any) => m.metadata.name)
        .sort(),
    );
    expect(group.rules.filter((r: any) => r.alert).map((r: any) => r.alert)).toStrictEqual([
      'TetragonPolicyNotLive',
      'TetragonPolicyLoadError',
      'TetragonPolicyEventRateJump',
    ]);
  });

  test('detections and toggles change the expected set; silentAfter adds the silence alert for the named policy', () => {
    const { c, group } = statusGroup({
      enableNetworkMonitor: true,
      detections: { bundles: [DetectionBundle.CRYPTO_MINING] },
      policyStatus: { silentAfter: { 'network-connection-monitor': Duration.hours(2) } },
    });
    expect(expectedPolicies(group)).toStrictEqual(
      c.policies
        .toJson()
        .map((m: any) => m.metadata.name)
        .sort(),
    );
    expect(expectedPolicies(group).length).toBeGreaterThan(5);
    expect(group.rules.find((r: any) => r.alert === 'TetragonPolicySilent').expr).toContain(
      'tetragon:policy_live:bool{policy="network-connection-monitor"}[2h]',
    );
  });

  test('a silence window for a policy the cluster does not deploy, or with policy status off, is refused with the fix', () => {
    // Checked on the finished tree (synth), since policies may join the policies unit after construction.
    expect(() => statusGroup({ policyStatus: { silentAfter: { 'network-connection-monitor': Duration.hours(1) } } })).toThrow(
      "c1: policyStatus.silentAfter: 'network-connection-monitor' is not deployed by this cluster; use one of privilege-escalation-monitor, process-exec-monitor, sensitive-file-access-monitor, shell-access-monitor",
    );
    expect(() =>
      statusGroup({ enableAlertRules: false, policyStatus: { silentAfter: { 'process-exec-monitor': Duration.hours(1) } } }),
    ).toThrow(/policyStatus\.silentAfter: set while policy status is off/);
    expect(statusGroup({ policyStatus: { enabled: false } }).group).toBeUndefined();
  });

  test('a policy added to the policies unit after construction is expected too, and may have a silence window', () => {
    const { ShellAccessMonitor } = require('../lib');
    const c = new TetragonCluster(new App({ outdir: '/nonexistent' }), 'c1', {
      clusterName: 'c1',
      policyStatus: { silentAfter: { 'extra-shells': Duration.hours(1) } },
    });
    new ShellAccessMonitor(c.policies, 'ExtraShells', { name: 'extra-shells', shells: ['fish'] });
    expect(c.node.validate()).toStrictEqual([]);
    const group = c.observabilityChart
      .toJson()
      .find((m: any) => m.kind === 'PrometheusRule')
      .spec.groups.find((g: any) => g.name === 'tetragon.policy-status');
    expect(expectedPolicies(group)).toContain('extra-shells');
    expect(group.rules.find((r: any) => r.alert === 'TetragonPolicySilent').expr).toContain('{policy="extra-shells"}[1h]');
  });
});

describe('TetragonCluster: misconfiguration fails at synth', () => {
  const cluster = (props: object, app = new App()) => new TetragonCluster(app, 'c1', { clusterName: 'c1', ...props } as any);

  test('a misspelt prop is refused at run time (the synth path runs no type-checker), with the nearest known name', () => {
    expect(() => cluster({ enableNetworkMonitr: true })).toThrow(
      "c1: enableNetworkMonitr: unknown prop, so it would be ignored; did you mean 'enableNetworkMonitor'?",
    );
    expect(() => cluster({ enableNetworkMonitor: true, networkMonitor: { podCidr: ['10.244.0.0/16'] } })).toThrow(
      "c1: networkMonitor.podCidr: unknown prop, so it would be ignored; did you mean 'podCidrs'?",
    );
    expect(() => cluster({ observability: { lokiRule: {} } })).toThrow(
      "c1: observability.lokiRule: unknown prop, so it would be ignored; did you mean 'lokiRules'?",
    );
    expect(() => cluster({ colour: 'blue' })).toThrow(
      /^c1: colour: unknown prop, so it would be ignored; known: clusterName, tetragonVersion, /,
    );
  });

  test('a TracingPolicy refuses a misspelt prop too (a policy meant for one namespace would otherwise cover the cluster)', () => {
    const { Chart } = require('cdk8s');
    const { TracingPolicy } = require('../lib');
    expect(() => new TracingPolicy(new Chart(new App(), 'p'), 'P', { name: 'x', namespce: 'payments' })).toThrow(
      "p/P: namespce: unknown prop, so it would be ignored; did you mean 'namespace'?",
    );
  });

  test('the options of a part that is off are still checked, and still leave the part out', () => {
    expect(() => cluster({ networkMonitor: { podCidrs: ['10.0.0.0/33'] } })).toThrow(
      /^c1\/policies\/NetworkConnectionMonitor\/Policy: invalid TracingPolicy\n[\s\S]*"10\.0\.0\.0\/33"; prefix length must be 0-32 for IPv4 \(networkMonitor is checked although enableNetworkMonitor is false\)$/,
    );
    expect(() => cluster({ enableShellAccessMonitor: false, shellAccessMonitor: { name: 'Not A Name' } })).toThrow(
      /shellAccessMonitor is checked although enableShellAccessMonitor is false/,
    );
    const ok = cluster({ networkMonitor: { podCidrs: ['10.244.0.0/16'] } });
    expect(ok.policies.toJson().map((m: any) => m.metadata.name)).not.toContain('network-connection-monitor');
    expect(() => cluster({ enableLokiRules: false, observability: { lokiRules: { runbookBaseUrl: 'docs#x' } } })).toThrow(
      /c1\/observability\/Observability\/LokiRules: runbookBaseUrl: got "docs#x"[\s\S]*\(observability options are checked although enableLokiRules is false\)$/,
    );
    const off = cluster({
      enableLokiRules: false,
      observability: { lokiRules: { runbookBaseUrl: 'https://docs.example.org/observability' } },
    });
    expect(off.observability.lokiRules).toBeUndefined();
  });

  test("with detections on, each event pages once: the detections' alerts replace the built-in ones they duplicate", () => {
    const { DetectionBundle } = require('../lib');
    const c = cluster({ detections: { bundles: [DetectionBundle.CRYPTO_MINING] } }); // tmp-exec and stratum-protocol among them
    const rules = c.observability.lokiRules!.groups.flatMap((g) => g.rules);
    const names = rules.map((r) => r.alert);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toStrictEqual([]);
    // One alert per signal: Stratum URLs in arguments, execs from scratch directories, miner binaries.
    expect(rules.filter((r) => r.expr.includes('stratum')).map((r) => r.alert)).toStrictEqual(['TetragonStratumArguments']);
    expect(rules.filter((r) => /tmp/.test(r.expr) && r.expr.includes('event_type="process_exec"')).map((r) => r.alert)).toStrictEqual([
      'TetragonExecFromScratchDirectory',
    ]);
    expect(rules.filter((r) => r.expr.includes('xmrig')).map((r) => r.alert)).toStrictEqual(['TetragonCryptoMinerExecuted']);
    // The surviving alert is the detection's (its options apply), in the library group.
    expect(c.observability.lokiRules!.groups.find((g) => g.rules.some((r) => r.alert === 'TetragonStratumArguments'))!.name).toBe(
      'tetragon.loki.library',
    );
  });

  test('the kernels context key set on the app narrows the synth-time kernel checks', () => {
    const { Arg, KprobeHook, TracingPolicy, KERNELS_CONTEXT } = require('../lib');
    const build = (kernels?: string[]) => {
      const app = new App();
      if (kernels) app.node.setContext(KERNELS_CONTEXT, kernels);
      const c = cluster({}, app);
      // security_file_truncate exists from 6.2: fine on Debian 13, missing on 11 and 12.
      new TracingPolicy(c.policies, 'Truncate', {
        name: 'truncate',
        hooks: [
          KprobeHook.function('security_file_truncate', {
            message: 'Truncated',
            tags: ['observability.filesystem'],
            args: [Arg.file(0)],
          }),
        ],
      });
      return app.node.findAll().flatMap((x) => x.node.validate());
    };
    expect(build().join('\n')).toMatch(/c1\/policies\/Truncate: \[kernel-missing-function\] .*debian-11-5\.10/);
    expect(build(['debian-13-6.12'])).toStrictEqual([]);
  });
});
