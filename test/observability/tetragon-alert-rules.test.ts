import { Chart, Testing } from 'cdk8s';
import { TetragonAlertRules, TetragonAlertRulesProps } from '../../lib/observability/tetragon-alert-rules';
import { validateAgainstCrd } from '../../lib/private/crd-schema';
import { agentMetricsText } from '../support/agent-events';
import { promqlErrors } from './support/grammars';
import { agentTarget, pageToInputSeries, parseMetricsPage } from './support/metrics-page';
import { requirePromtool, runPromtool } from './support/promtool';

function synth(props?: TetragonAlertRulesProps) {
  const chart = new Chart(Testing.app(), 'observability');
  new TetragonAlertRules(chart, 'Alerts', props);
  const [rule, ...rest] = Testing.synth(chart);
  expect(rest).toHaveLength(0);
  return rule;
}

const rulesOf = (manifest: any) => manifest.spec.groups.flatMap((g: any) => g.rules);
const ALERTS = [
  'TetragonMetricsAbsent',
  'TetragonAgentDown',
  'TetragonAgentNotOnAllNodes',
  'TetragonPolicyLoadFailed',
  'TetragonEnforcementNotificationsMissed',
  'TetragonKernelEventsLost',
  'TetragonRingBufferEventsLost',
  'TetragonEventQueueOverflow',
  'TetragonExportRateLimited',
  'TetragonExportStalled',
  'TetragonSensitiveFileAccess',
  'TetragonPrivilegeEscalation',
  'TetragonShellInContainer',
];

const job = { job: 'tetragon' };
const s = (series: string, values: string) => ({ series, values });
const fires = (at: string, alertname: string, ...labels: Array<Record<string, string>>) => ({
  eval_time: at,
  alertname,
  exp_alerts: labels.map((l) => ({ exp_labels: l })),
});
const pod = { namespace: 'shop', workload: 'web', pod: 'web-1', node: 'node-a' };

/** Input series and expectations: each alert fires when it should and stays quiet when it should not. */
const UNIT_TESTS = {
  evaluation_interval: '1m',
  tests: [
    {
      name: 'agent health, policy load, event loss and export',
      interval: '1m',
      input_series: [
        s('up{job="tetragon", instance="n1"}', '1 1 0x20'),
        s('up{job="tetragon", instance="n2"}', '1x22'),
        s('tetragon_tracingpolicy_loaded{job="tetragon", instance="n1", state="load_error"}', '0 0 0 1x20'),
        s('tetragon_tracingpolicy_loaded{job="tetragon", instance="n1", state="enabled"}', '4x22'),
        s('tetragon_tracingpolicy_loaded{job="tetragon", instance="n2", state="load_error"}', '0x22'),
        s('kube_daemonset_status_desired_number_scheduled{namespace="kube-system", daemonset="tetragon"}', '3x30'),
        s('kube_daemonset_status_number_available{namespace="kube-system", daemonset="tetragon"}', '3 3 2x28'),
        s('kube_daemonset_status_desired_number_scheduled{namespace="kube-system", daemonset="other"}', '3x30'),
        s('kube_daemonset_status_number_available{namespace="kube-system", daemonset="other"}', '1x30'),
        s('tetragon_bpf_missed_events_total{job="tetragon", instance="n1", msg_op="13", error="ENOSPC"}', '0 0 0 0 5 10 15 15x20'),
        s('tetragon_bpf_missed_events_total{job="tetragon", instance="n2", msg_op="13", error="ENOSPC"}', '7x30'),
        s('tetragon_observer_ringbuf_events_lost_total{job="tetragon", instance="n1"}', '0x6 3x20'),
        s('tetragon_observer_ringbuf_queue_events_lost_total{job="tetragon", instance="n1"}', '0x30'),
        s('tetragon_export_ratelimit_events_dropped_total{job="tetragon", instance="n1"}', '0 100 200 300x20'),
        s('tetragon_events_last_exported_timestamp{job="tetragon", instance="n1"}', '0x30'),
        s('tetragon_events_last_exported_timestamp{job="tetragon", instance="n2"}', '0+60x30'),
        s('tetragon_enforcer_missed_notifications_total{job="tetragon", instance="n1", policy="p", reason="overflow", info=""}', '0x30'),
      ],
      alert_rule_test: [
        fires('1m', 'TetragonAgentDown'),
        fires('5m', 'TetragonAgentDown'),
        fires('8m', 'TetragonAgentDown', { ...job, instance: 'n1', severity: 'critical' }),
        fires('8m', 'TetragonMetricsAbsent'),
        fires('4m', 'TetragonPolicyLoadFailed'),
        fires('6m', 'TetragonPolicyLoadFailed', { ...job, instance: 'n1', state: 'load_error', severity: 'critical' }),
        fires('10m', 'TetragonAgentNotOnAllNodes'),
        fires('18m', 'TetragonAgentNotOnAllNodes', { namespace: 'kube-system', daemonset: 'tetragon', severity: 'critical' }),
        fires('3m', 'TetragonKernelEventsLost'),
        fires('8m', 'TetragonKernelEventsLost', { ...job, instance: 'n1', severity: 'warning' }),
        fires('25m', 'TetragonKernelEventsLost'),
        fires('5m', 'TetragonRingBufferEventsLost'),
        fires('7m', 'TetragonRingBufferEventsLost', { ...job, instance: 'n1', severity: 'warning' }),
        fires('20m', 'TetragonEventQueueOverflow'),
        fires('3m', 'TetragonExportRateLimited', { ...job, instance: 'n1', severity: 'warning' }),
        fires('15m', 'TetragonExportRateLimited'),
        fires('12m', 'TetragonExportStalled'),
        fires('19m', 'TetragonExportStalled'),
        fires('22m', 'TetragonExportStalled', { ...job, instance: 'n1', severity: 'warning' }),
        fires('20m', 'TetragonEnforcementNotificationsMissed'),
      ],
    },
    {
      name: 'no Tetragon target at all',
      interval: '1m',
      input_series: [s('up{job="node-exporter", instance="n1"}', '1x20')],
      alert_rule_test: [fires('10m', 'TetragonMetricsAbsent'), fires('16m', 'TetragonMetricsAbsent', { ...job, severity: 'warning' })],
    },
    {
      name: 'detections from tetragon_policy_events_total',
      interval: '1m',
      input_series: [
        // First hit ever for this label set: the series appears at 5m with value 1 (increase() alone would miss it).
        s(
          'tetragon_policy_events_total{policy="sensitive-file-access-monitor", namespace="shop", workload="web", pod="web-1", binary="/usr/bin/cat", node_name="", node="node-a"}',
          '_x5 1x15',
        ),
        s(
          'tetragon_policy_events_total{policy="privilege-escalation-monitor", namespace="shop", workload="web", pod="web-1", binary="/usr/bin/su", node_name="", node="node-a"}',
          '3 3 3 3 3 3 3 5 5x15',
        ),
        s(
          'tetragon_policy_events_total{policy="shell-access-monitor", namespace="shop", workload="web", pod="web-1", binary="/bin/sh", node_name="", node="node-a"}',
          '0 0 0 0 0 0 0 1 1x15',
        ),
        // A shell on the host (no namespace label) is not a shell in a container.
        s('tetragon_policy_events_total{policy="shell-access-monitor", binary="/bin/bash", node_name="", node="node-b"}', '0+1x22'),
        // Hits of other policies never raise detection alerts.
        s(
          'tetragon_policy_events_total{policy="process-exec-monitor", namespace="shop", workload="web", pod="web-1", binary="/usr/bin/env", node_name="", node="node-a"}',
          '0+10x22',
        ),
      ],
      alert_rule_test: [
        fires('6m', 'TetragonSensitiveFileAccess', { ...pod, binary: '/usr/bin/cat', severity: 'warning' }),
        fires('14m', 'TetragonSensitiveFileAccess'),
        fires('6m', 'TetragonPrivilegeEscalation'),
        fires('8m', 'TetragonPrivilegeEscalation', { ...pod, binary: '/usr/bin/su', severity: 'critical' }),
        fires('15m', 'TetragonPrivilegeEscalation'),
        fires('6m', 'TetragonShellInContainer'),
        fires('9m', 'TetragonShellInContainer', { ...pod, binary: '/bin/sh', severity: 'warning' }),
        fires('16m', 'TetragonShellInContainer'),
      ],
    },
  ],
};

describe('TetragonAlertRules', () => {
  beforeAll(() => requirePromtool());

  test('given defaults, when synthesized, then one PrometheusRule monitoring/tetragon-alerts validates against the CRD', () => {
    const rule = synth();
    expect(rule.kind).toBe('PrometheusRule');
    expect(rule.metadata).toMatchObject({ name: 'tetragon-alerts', namespace: 'monitoring' });
    expect(validateAgainstCrd(rule)).toStrictEqual([]);
    expect(rule.spec.groups.map((g: any) => g.name)).toStrictEqual(['tetragon.agent', 'tetragon.events', 'tetragon.detections']);
    expect(rulesOf(rule).map((r: any) => r.alert)).toStrictEqual(ALERTS);
  });

  test('given every rule, then it has a severity label, summary, description and runbook, and its expression parses as PromQL', () => {
    for (const r of rulesOf(synth())) {
      expect(['critical', 'warning']).toContain(r.labels.severity);
      expect(Object.keys(r.annotations).sort()).toStrictEqual(['description', 'runbook', 'summary']);
      expect(r.annotations.runbook).toMatch(/^1\. /);
      expect({ alert: r.alert, errors: promqlErrors(r.expr) }).toStrictEqual({ alert: r.alert, errors: [] });
    }
  });

  test("given the spec's policy-load expression, then the alert uses it exactly", () => {
    const load = rulesOf(synth()).find((r: any) => r.alert === 'TetragonPolicyLoadFailed');
    expect(load.expr).toBe('tetragon_tracingpolicy_loaded{state=~"load_error|error"} > 0');
  });

  test('given the rule file, when promtool checks it, then it reports the 13 rules valid', () => {
    const r = runPromtool(['check', 'rules', 'rules.yaml'], { 'rules.yaml': { groups: synth().spec.groups } });
    expect(r.output).toContain('SUCCESS: 13 rules found');
    expect(r.status).toBe(0);
  });

  test('given input series, when promtool runs the unit tests, then each alert fires when it should and stays quiet otherwise', () => {
    // promtool compares annotations exactly; their templates are checked by `check rules` above, so the firing test drops them.
    const groups = synth().spec.groups.map((g: any) => ({ ...g, rules: g.rules.map(({ annotations: _a, ...r }: any) => r) }));
    const r = runPromtool(['test', 'rules', 'tests.yaml'], {
      'rules.yaml': { groups },
      'tests.yaml': { rule_files: ['rules.yaml'], ...UNIT_TESTS },
    });
    expect(r.output).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  test("given the real agent's /metrics page scraped for 20 minutes, then the detection alerts fire for its policy hits (by binary), host hits raise no container-shell alert, and no health alert fires", () => {
    const page = agentMetricsText();
    const hitsOf = (policy: string) =>
      [
        ...new Set(
          parseMetricsPage(page)
            .filter((x) => x.name === 'tetragon_policy_events_total' && x.labels.policy === policy && x.value > 0)
            .map((x) => x.labels.binary),
        ),
      ].sort();
    // The agent ran outside a pod: every hit is a host process's, with namespace="" (so no namespace label once scraped).
    expect(
      parseMetricsPage(page)
        .filter((x) => x.name === 'tetragon_policy_events_total')
        .every((x) => x.labels.namespace === ''),
    ).toBe(true);
    expect(hitsOf('sensitive-file-access-monitor')).toContain('/usr/local/bin/vt-file');
    expect(hitsOf('shell-access-monitor').length).toBeGreaterThan(0);
    const groups = synth().spec.groups.map((g: any) => ({ ...g, rules: g.rules.map(({ annotations: _a, ...r }: any) => r) }));
    // The scrape adds node="node-a"; the page's own node_name is empty (the agent's default metrics label filter).
    const fired = (alert: string, policy: string, severity: string) =>
      fires('2m', alert, ...hitsOf(policy).map((binary) => ({ binary, node: 'node-a', severity })));
    const r = runPromtool(['test', 'rules', 'tests.yaml'], {
      'rules.yaml': { groups },
      'tests.yaml': {
        rule_files: ['rules.yaml'],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: pageToInputSeries(page, agentTarget('node-a', 0), { steps: 20 }),
            alert_rule_test: [
              fired('TetragonSensitiveFileAccess', 'sensitive-file-access-monitor', 'warning'),
              fired('TetragonPrivilegeEscalation', 'privilege-escalation-monitor', 'critical'),
              // The first hits are 2m old at 7m: increase() over 5m sees no change, the series existed 5m ago.
              fires('7m', 'TetragonSensitiveFileAccess'),
              fires('2m', 'TetragonShellInContainer'),
              ...[
                'TetragonMetricsAbsent',
                'TetragonAgentDown',
                'TetragonPolicyLoadFailed',
                'TetragonKernelEventsLost',
                'TetragonRingBufferEventsLost',
                'TetragonEventQueueOverflow',
                'TetragonExportRateLimited',
                'TetragonEnforcementNotificationsMissed',
              ].map((alert) => fires('15m', alert)),
            ],
          },
        ],
      },
    });
    expect(r.output).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  test('given a rule that would fire too early, when promtool runs the unit tests, then they fail (the suite can fail)', () => {
    const groups = synth().spec.groups.map((g: any) => ({
      ...g,
      rules: g.rules.map(({ annotations: _a, ...r }: any) => (r.alert === 'TetragonAgentDown' ? { ...r, for: '0m' } : r)),
    }));
    const r = runPromtool(['test', 'rules', 'tests.yaml'], {
      'rules.yaml': { groups },
      'tests.yaml': { rule_files: ['rules.yaml'], ...UNIT_TESTS },
    });
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('alertname: TetragonAgentDown, time: 5m');
  });

  test('given custom props, when synthesized, then job, namespace, policy names, rule labels and runbook URLs are applied', () => {
    const rule = synth({
      metricsJob: 'kube-system/tetragon',
      tetragonNamespace: 'tetragon',
      daemonSetName: 'tetragon-agent',
      exportStallMinutes: 30,
      policyNames: { privilegeEscalation: 'privesc' },
      ruleLabels: { team: 'security' },
      labels: { release: 'kube-prometheus-stack' },
      runbookBaseUrl: 'https://git.example.org/platform/docs/observability.md',
    });
    expect(validateAgainstCrd(rule)).toStrictEqual([]);
    expect(rule.metadata.labels.release).toBe('kube-prometheus-stack');
    const byName = Object.fromEntries(rulesOf(rule).map((r: any) => [r.alert, r]));
    expect(byName.TetragonAgentDown.expr).toBe('up{job="kube-system/tetragon"} == 0');
    expect(byName.TetragonAgentNotOnAllNodes.expr).toContain('namespace="tetragon", daemonset="tetragon-agent"');
    expect(byName.TetragonExportStalled.expr).toBe('time() - tetragon_events_last_exported_timestamp > 1800');
    expect(byName.TetragonPrivilegeEscalation.expr).toContain('policy="privesc"');
    expect(byName.TetragonShellInContainer.labels).toStrictEqual({ severity: 'warning', team: 'security' });
    expect(byName.TetragonAgentDown.annotations.runbook_url).toBe(
      'https://git.example.org/platform/docs/observability.md#tetragonagentdown',
    );
  });

  test.each([
    [{ exportStallMinutes: 0 }, /Alerts: exportStallMinutes: got 0; expected a whole number of minutes from 1 to 1440/],
    [{ ruleLabels: { severity: 'page' } }, /ruleLabels.severity: got "page"; expected no severity/],
    [{ ruleLabels: { 'team-name': 'x' } }, /ruleLabels key: got "team-name"; expected a Prometheus label name/],
    [{ runbookBaseUrl: 'https://x/docs.md#top' }, /runbookBaseUrl: .*expected a URL without a fragment/],
    [{ labels: { release: 'a b' } }, /labels.release: got "a b"; expected a Kubernetes label value/],
  ] as Array<[TetragonAlertRulesProps, RegExp]>)('given invalid %j, when constructed, then it throws', (props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});
