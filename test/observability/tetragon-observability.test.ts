import { Chart, Testing } from 'cdk8s';
import { LogShipper, TetragonObservability, TetragonObservabilityProps } from '../../lib/observability/tetragon-observability';

function synth(props?: TetragonObservabilityProps) {
  const chart = new Chart(Testing.app(), 'observability');
  const obs = new TetragonObservability(chart, 'Tetragon', props);
  return { obs, manifests: Testing.synth(chart) };
}
const ids = (manifests: any[]) => manifests.map((m) => `${m.kind} ${m.metadata.namespace}/${m.metadata.name}`).sort();

describe('TetragonObservability', () => {
  test('given defaults, when synthesized, then dashboard, alerts, Loki rules and Alloy config are emitted in their namespaces', () => {
    expect(ids(synth().manifests)).toStrictEqual([
      'ConfigMap logging/tetragon-alloy',
      'ConfigMap logging/tetragon-loki-rules',
      'ConfigMap monitoring/tetragon-security-dashboard',
      'PrometheusRule monitoring/tetragon-alerts',
    ]);
  });

  test('given every toggle off, when synthesized, then nothing is emitted', () => {
    const { obs, manifests } = synth({
      enableGrafanaDashboard: false,
      enableAlertRules: false,
      enableLokiRules: false,
      enableLogShipping: false,
    });
    expect(manifests).toHaveLength(0);
    expect(obs.dashboard).toBeUndefined();
  });

  test('given namespaces, Promtail and a shared job, when synthesized, then each part uses them', () => {
    const { obs, manifests } = synth({
      grafanaDashboardNamespace: 'grafana',
      alertRulesNamespace: 'prometheus',
      lokiRulesNamespace: 'loki',
      logShippingNamespace: 'promtail',
      logShipper: LogShipper.PROMTAIL,
      job: 'tetragon-events',
      promtail: { cluster: 'nlcl01k8s' },
    });
    expect(ids(manifests)).toStrictEqual([
      'ConfigMap grafana/tetragon-security-dashboard',
      'ConfigMap loki/tetragon-loki-rules',
      'ConfigMap promtail/tetragon-promtail',
      'PrometheusRule prometheus/tetragon-alerts',
    ]);
    expect(obs.promtail!.scrapeConfigs[0]).toMatchObject({
      static_configs: [{ labels: { job: 'tetragon-events', cluster: 'nlcl01k8s' } }],
    });
    expect(obs.dashboard!.configMap.toJson().data['tetragon-security-dashboard.json']).toContain('job=\\"tetragon-events\\"');
    expect(JSON.stringify(obs.lokiRules!.groups)).toContain('job=\\"tetragon-events\\"');
  });

  test('given policy status, when synthesized, then the PrometheusRule holds its group and the dashboard reads its node label; without alert rules it is refused', () => {
    const { obs } = synth({ policyStatus: { policies: [{ name: 'shells' }], nodeLabel: 'kubernetes_node' } });
    expect(obs.alertRules!.groups.map((g) => g.name)).toContain('tetragon.policy-status');
    expect(obs.dashboard!.configMap.toJson().data['tetragon-security-dashboard.json']).toContain('"columnField": "kubernetes_node"');
    expect(() => synth({ enableAlertRules: false, policyStatus: { policies: [{ name: 'shells' }] } })).toThrow(
      /observability\/Tetragon: policyStatus: got "<set>"; expected no policy status while enableAlertRules is false/,
    );
  });

  test('given settings for the shipper that is not selected, when constructed, then it throws with the fix', () => {
    expect(() => synth({ promtail: { cluster: 'x' } })).toThrow(
      /observability\/Tetragon: promtail: .*expected no promtail settings while logShipper is alloy\. Set logShipper: LogShipper.PROMTAIL/,
    );
    expect(() => synth({ logShipper: 'fluentbit' as LogShipper })).toThrow(/logShipper: got "fluentbit"; expected one of alloy, promtail/);
  });
});
