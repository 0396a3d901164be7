import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Chart, Duration, Testing } from 'cdk8s';
import { ExpectedPolicy, POLICY_STATUS_RECORDS, PolicyStatusProps } from '../../lib/observability/policy-status';
import { TetragonAlertRules, TetragonAlertRulesProps } from '../../lib/observability/tetragon-alert-rules';
import { validateAgainstCrd } from '../../lib/private/crd-schema';
import { TetragonCluster } from '../../lib/tetragon-cluster';
import { agentMetricsText } from '../support/agent-events';
import { agentMetricsPage, AgentPolicy, LOADED } from './fixtures/agent-metrics';
import { promqlErrors } from './support/grammars';
import { agentTarget, InputSeries, pageToInputSeries, parseMetricsPage, Sample, scrapedLabels } from './support/metrics-page';
import { requirePromtool, runPromtool } from './support/promtool';

const POLICIES: ExpectedPolicy[] = [
  { name: 'process-exec-monitor', silentAfter: Duration.hours(1) },
  { name: 'privilege-escalation-monitor' },
  { name: 'payments-secret-access', namespace: 'payments' },
];
const NODES = ['node-a', 'node-b', 'node-c'];

function rules(props: Partial<PolicyStatusProps> = {}, extra: TetragonAlertRulesProps = {}) {
  const chart = new Chart(Testing.app(), 'observability');
  new TetragonAlertRules(chart, 'Alerts', { ...extra, policyStatus: { policies: POLICIES, ...props } });
  return Testing.synth(chart)[0];
}
const statusGroup = (manifest: any) => manifest.spec.groups.find((g: any) => g.name === 'tetragon.policy-status');

/** Every policy, loaded, as each agent holds it. */
const allLoaded = (): AgentPolicy[] => POLICIES.map((p) => ({ name: p.name, namespace: p.namespace, kernelMemoryBytes: LOADED }));

/** Scrapes of the three agents: one page per node (hand-made here; a captured page fits the same slot). */
function scrapes(
  pages: Record<string, string | undefined>,
  steps: number,
  opts: {
    values?: (node: string, s: Sample) => string | undefined;
    up?: Record<string, string>;
  } = {},
): InputSeries[] {
  return NODES.flatMap((node, i) => {
    const page = pages[node];
    const target = agentTarget(node, i);
    if (page === undefined)
      return [
        {
          series: `up{${Object.entries(target)
            .sort()
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(', ')}}`,
          values: opts.up?.[node] ?? `0x${steps}`,
        },
      ];
    return pageToInputSeries(page, target, { steps, values: (s) => opts.values?.(node, s), up: opts.up?.[node] });
  });
}

const fires = (at: string, alertname: string, ...labels: Array<Record<string, string>>) => ({
  eval_time: at,
  alertname,
  exp_alerts: labels.map((l) => ({ exp_labels: l })),
});
const hits = (policy: string, hook: string, binary: string, namespace: string, workload: string) => ({
  policy,
  hook,
  binary,
  namespace,
  workload,
  count: 0,
});

/** The promtool cases: series shaped like the agents' pages, alerts that must fire or stay silent. */
function unitTests() {
  const execHits = hits('process-exec-monitor', 'kprobe:__x64_sys_execve', '/usr/bin/env', 'shop', 'web');
  const setuidHits = hits('privilege-escalation-monitor', 'kprobe:__x64_sys_setuid', '/usr/bin/su', 'payments', 'api');
  return [
    {
      name: 'a policy missing on one node of three fires naming that node and policy',
      interval: '1m',
      input_series: scrapes(
        {
          'node-a': agentMetricsPage(allLoaded()),
          'node-b': agentMetricsPage(allLoaded().filter((p) => p.name !== 'privilege-escalation-monitor')),
          'node-c': agentMetricsPage(allLoaded()),
        },
        15,
        { up: { 'node-a': '1x15', 'node-b': '1x15', 'node-c': '1x15' } },
      ),
      alert_rule_test: [
        fires('4m', 'TetragonPolicyNotLive'),
        fires('10m', 'TetragonPolicyNotLive', { node: 'node-b', policy: 'privilege-escalation-monitor', severity: 'warning' }),
        fires('10m', 'TetragonPolicyLoadError'),
      ],
      promql_expr_test: [
        {
          expr: POLICY_STATUS_RECORDS.live,
          eval_time: '10m',
          exp_samples: NODES.flatMap((node) =>
            POLICIES.map((p) => ({
              labels: `${POLICY_STATUS_RECORDS.live}{node="${node}", policy="${p.name}"${p.namespace ? `, policy_namespace="${p.namespace}"` : ''}}`,
              value: node === 'node-b' && p.name === 'privilege-escalation-monitor' ? 0 : 1,
            })),
          ),
        },
      ],
    },
    {
      name: 'every policy live on every node stays silent',
      interval: '1m',
      input_series: scrapes(
        { 'node-a': agentMetricsPage(allLoaded()), 'node-b': agentMetricsPage(allLoaded()), 'node-c': agentMetricsPage(allLoaded()) },
        30,
        { up: { 'node-a': '1x30', 'node-b': '1x30', 'node-c': '1x30' } },
      ),
      alert_rule_test: [
        fires('10m', 'TetragonPolicyNotLive'),
        fires('30m', 'TetragonPolicyNotLive'),
        fires('10m', 'TetragonPolicyLoadError'),
        fires('30m', 'TetragonPolicyLoadError'),
        fires('30m', 'TetragonPolicyEventRateJump'),
      ],
    },
    {
      name: 'a load error on one node fires naming the node and the policy without kernel memory',
      interval: '1m',
      input_series: scrapes(
        {
          'node-a': agentMetricsPage(allLoaded()),
          'node-b': agentMetricsPage(allLoaded()),
          // A policy that failed to load stays in the agent's list, in state load_error, with no kernel memory.
          'node-c': agentMetricsPage(
            allLoaded().map((p) =>
              p.name === 'payments-secret-access' ? { ...p, kernelMemoryBytes: 0, state: 'load_error' as const } : p,
            ),
          ),
        },
        15,
        { up: { 'node-a': '1x15', 'node-b': '1x15', 'node-c': '1x15' } },
      ),
      alert_rule_test: [
        fires('1m', 'TetragonPolicyLoadError'),
        fires('5m', 'TetragonPolicyLoadError', {
          node: 'node-c',
          policy: 'payments-secret-access',
          policy_namespace: 'payments',
          severity: 'critical',
        }),
        fires('10m', 'TetragonPolicyNotLive'),
        // The state gauge alone (no policy label) still fires too, from the same scrape.
        fires('5m', 'TetragonPolicyLoadFailed', { ...agentTarget('node-c', 2), state: 'load_error', severity: 'critical' }),
      ],
    },
    {
      name: 'an agent that is down expects no policy (TetragonAgentDown covers it)',
      interval: '1m',
      input_series: scrapes({ 'node-a': agentMetricsPage(allLoaded()), 'node-b': agentMetricsPage(allLoaded()), 'node-c': undefined }, 15, {
        up: { 'node-a': '1x15', 'node-b': '1x15', 'node-c': '0x15' },
      }),
      alert_rule_test: [
        fires('10m', 'TetragonPolicyNotLive'),
        fires('10m', 'TetragonAgentDown', { ...agentTarget('node-c', 2), severity: 'critical' }),
      ],
    },
    {
      name: 'a live policy silent longer than its silentAfter fires; one that posts, or has no silentAfter, does not',
      interval: '1m',
      input_series: scrapes(
        {
          'node-a': agentMetricsPage(allLoaded(), [
            { ...execHits, count: 4810 },
            { ...setuidHits, count: 2 },
          ]),
          'node-b': agentMetricsPage(allLoaded(), [{ ...execHits, count: 100 }]),
          'node-c': agentMetricsPage(allLoaded(), [{ ...execHits, count: 100 }]),
        },
        80,
        {
          up: { 'node-a': '1x80', 'node-b': '1x80', 'node-c': '1x80' },
          // node-a's exec counter and setuid counter never move; the other nodes execute something every minute.
          values: (node, s) => (s.name === 'tetragon_policy_events_total' && node !== 'node-a' ? '100+30x80' : undefined),
        },
      ),
      alert_rule_test: [
        fires('50m', 'TetragonPolicySilent'),
        fires('70m', 'TetragonPolicySilent', { node: 'node-a', policy: 'process-exec-monitor', severity: 'warning' }),
      ],
    },
    {
      name: 'a policy whose event rate jumps on one node fires for that node and policy',
      interval: '1m',
      input_series: scrapes(
        {
          'node-a': agentMetricsPage(allLoaded(), [setuidHits]),
          'node-b': agentMetricsPage(allLoaded(), [setuidHits]),
          'node-c': agentMetricsPage(allLoaded(), [setuidHits]),
        },
        110,
        {
          up: { 'node-a': '1x110', 'node-b': '1x110', 'node-c': '1x110' },
          // One event per second everywhere; from minute 90 two hundred per second on node-a.
          values: (node, s) =>
            s.name !== 'tetragon_policy_events_total' ? undefined : node === 'node-a' ? '0+60x89 5400+12000x20' : '0+60x110',
        },
      ),
      alert_rule_test: [
        fires('85m', 'TetragonPolicyEventRateJump'),
        fires('93m', 'TetragonPolicyEventRateJump'),
        fires('100m', 'TetragonPolicyEventRateJump', { node: 'node-a', policy: 'privilege-escalation-monitor', severity: 'warning' }),
      ],
    },
  ];
}

/**
 * The rule file promtool tests: every group, annotations left out (promtool compares them exactly; `check rules` validates
 * their templates).
 */
function ruleFile(manifest: any, mutate: (r: any) => any = (r) => r) {
  return { groups: manifest.spec.groups.map((g: any) => ({ ...g, rules: g.rules.map(({ annotations: _a, ...r }: any) => mutate(r)) })) };
}

describe('policy live status', () => {
  beforeAll(() => requirePromtool());

  test("given the cluster's policies, when synthesized, then one group records the policy × node grid before its four alerts, and the PrometheusRule validates", () => {
    const manifest = rules();
    expect(validateAgainstCrd(manifest)).toStrictEqual([]);
    const group = statusGroup(manifest);
    expect(group.rules.map((r: any) => r.record ?? r.alert)).toStrictEqual([
      'tetragon:policy_expected:up',
      'tetragon:policy_live:bool',
      'tetragon:policy_events:rate5m',
      'tetragon:policy_events:rate1h',
      'TetragonPolicyNotLive',
      'TetragonPolicyLoadError',
      'TetragonPolicySilent',
      'TetragonPolicyEventRateJump',
    ]);
    for (const r of group.rules)
      expect({ r: r.record ?? r.alert, errors: promqlErrors(r.expr) }).toStrictEqual({ r: r.record ?? r.alert, errors: [] });
    const expected = group.rules[0].expr;
    // One term per deployed policy; the namespaced one carries its namespace.
    expect(expected.match(/label_replace\(up\{job="tetragon"\} == 1, "policy", "[^"]+", "", ""\)/g)).toHaveLength(3);
    expect(expected).toContain('"policy_namespace", "payments", "", ""');
    expect(group.rules[1].expr).toBe(
      '(max by (cluster, node, policy, policy_namespace) (tetragon_tracingpolicy_kernel_memory_bytes{job="tetragon"}) > bool 0) and on (cluster, node, policy, policy_namespace) tetragon:policy_expected:up\nor tetragon:policy_expected:up * 0',
    );
    const byName = Object.fromEntries(group.rules.filter((r: any) => r.alert).map((r: any) => [r.alert, r]));
    expect(byName.TetragonPolicyNotLive.for).toBe('5m');
    expect(byName.TetragonPolicyNotLive.annotations.summary).toBe(
      'TracingPolicy {{ $labels.policy }} is not live on node {{ $labels.node }}',
    );
    expect(byName.TetragonPolicyLoadError.labels.severity).toBe('critical');
    expect(byName.TetragonPolicySilent.expr).toContain('tetragon:policy_live:bool{policy="process-exec-monitor"}[1h]');
    expect(byName.TetragonPolicySilent.expr).not.toContain('privilege-escalation-monitor');
  });

  test('given the rule file, when promtool checks it, then every rule is valid', () => {
    const r = runPromtool(['check', 'rules', 'rules.yaml'], { 'rules.yaml': { groups: rules().spec.groups } });
    expect(r.output).toContain('SUCCESS: 21 rules found');
    expect(r.status).toBe(0);
  });

  test("given series shaped like the agents' /metrics, when promtool runs the cases, then missing, load-error, silent and noisy policies fire naming node and policy, and a healthy cluster stays silent", () => {
    const tests = unitTests();
    expect(tests.map((t) => t.name)).toHaveLength(6);
    const r = runPromtool(['test', 'rules', 'tests.yaml'], {
      'rules.yaml': ruleFile(rules()),
      'tests.yaml': { rule_files: ['rules.yaml'], evaluation_interval: '1m', tests },
    });
    expect(r.output).toContain('SUCCESS');
    expect(r.status).toBe(0);
  }, 60_000);

  test('given a NotLive alert without its wait, when promtool runs the cases, then they fail (the cases can fail)', () => {
    const r = runPromtool(['test', 'rules', 'tests.yaml'], {
      'rules.yaml': ruleFile(rules(), (rule) => (rule.alert === 'TetragonPolicyNotLive' ? { ...rule, for: '0m' } : rule)),
      'tests.yaml': { rule_files: ['rules.yaml'], evaluation_interval: '1m', tests: unitTests().slice(0, 1) },
    });
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('alertname: TetragonPolicyNotLive, time: 4m');
  }, 60_000);

  test("given the real agent's page, when converted to input series, then samples get the scrape target's labels, and the page's labels, even empty, win", () => {
    const page = agentMetricsText();
    const samples = parseMetricsPage(page);
    const memory = samples.filter((x) => x.name === 'tetragon_tracingpolicy_kernel_memory_bytes');
    expect(memory.length).toBeGreaterThanOrEqual(5);
    for (const m of memory) {
      expect(Object.keys(m.labels).sort()).toStrictEqual(['policy', 'policy_namespace']);
      expect(m.value).toBeGreaterThan(0);
    }
    // The verifier's file trigger opening a watched file: a binary every run has.
    const hit = samples.find(
      (x) =>
        x.name === 'tetragon_policy_events_total' &&
        x.labels.policy === 'sensitive-file-access-monitor' &&
        x.labels.binary === '/usr/local/bin/vt-file' &&
        x.labels.hook === 'kprobe:security_file_open',
    )!;
    expect(hit.labels).toStrictEqual({
      binary: '/usr/local/bin/vt-file',
      hook: 'kprobe:security_file_open',
      namespace: '',
      node_name: '',
      pod: '',
      policy: 'sensitive-file-access-monitor',
      workload: '',
    });
    const target = agentTarget('node-a', 0);
    // The agent ran outside a pod: namespace="" and pod="" hide the target's namespace and pod instead of taking them.
    const { namespace: _n, pod: _p, ...rest } = target;
    expect(scrapedLabels(hit, target)).toStrictEqual({
      ...rest,
      binary: '/usr/local/bin/vt-file',
      hook: 'kprobe:security_file_open',
      policy: 'sensitive-file-access-monitor',
    });
    const series = pageToInputSeries(page, target, { steps: 10 });
    expect(series).toHaveLength(samples.length + 1);
    expect(series[0]).toStrictEqual({
      series:
        'up{container="tetragon", endpoint="metrics", instance="10.0.0.17:2112", job="tetragon", namespace="kube-system", node="node-a", pod="tetragon-7kq2x", service="tetragon", tetragon_pod="tetragon-7kq2x"}',
      values: '1x10',
    });
    expect(
      series.find((x) => x.series.startsWith('tetragon_tracingpolicy_kernel_memory_bytes{') && x.series.includes('"shell-access-monitor"'))!
        .series,
    ).toBe(
      'tetragon_tracingpolicy_kernel_memory_bytes{container="tetragon", endpoint="metrics", instance="10.0.0.17:2112", job="tetragon", namespace="kube-system", node="node-a", pod="tetragon-7kq2x", policy="shell-access-monitor", service="tetragon", tetragon_pod="tetragon-7kq2x"}',
    );
    // Escapes in label values, which the captured page happens not to need.
    expect(parseMetricsPage('tetragon_policy_events_total{policy="p",workload="api \\"v2\\"",binary="C:\\\\x"} 7')[0].labels).toStrictEqual(
      { policy: 'p', workload: 'api "v2"', binary: 'C:\\x' },
    );
    expect(() => parseMetricsPage('tetragon_x{a="b" 1')).toThrow(/line 1: cannot read/);
  });

  test("given the scenario pages, then their series have the names and label sets of the real agent's page", () => {
    const labelSets = (page: string) => {
      const out = new Map<string, Set<string>>();
      for (const x of parseMetricsPage(page)) {
        if (
          !['tetragon_tracingpolicy_loaded', 'tetragon_tracingpolicy_kernel_memory_bytes', 'tetragon_policy_events_total'].includes(x.name)
        )
          continue;
        out.set(x.name, (out.get(x.name) ?? new Set()).add(Object.keys(x.labels).sort().join(',')));
      }
      return out;
    };
    const real = labelSets(agentMetricsText());
    const made = labelSets(
      agentMetricsPage(allLoaded(), [hits('process-exec-monitor', 'kprobe:__x64_sys_execve', '/usr/bin/env', 'shop', 'web')]),
    );
    expect(made).toStrictEqual(real);
    const states = (page: string) =>
      parseMetricsPage(page)
        .filter((x) => x.name === 'tetragon_tracingpolicy_loaded')
        .map((x) => x.labels.state)
        .sort();
    expect(states(agentMetricsPage(allLoaded()))).toStrictEqual(states(agentMetricsText()));
  });

  test("given the real agent's page as one node, when promtool evaluates the live grid, then every policy it loaded is live and one it lacks is not", () => {
    const page = agentMetricsText();
    const loaded = parseMetricsPage(page)
      .filter((x) => x.name === 'tetragon_tracingpolicy_kernel_memory_bytes')
      .map((x) => x.labels.policy)
      .sort();
    expect(loaded).toEqual(
      expect.arrayContaining([
        'network-connection-monitor',
        'privilege-escalation-monitor',
        'process-exec-monitor',
        'sensitive-file-access-monitor',
        'shell-access-monitor',
      ]),
    );
    const policies: ExpectedPolicy[] = [...loaded.map((name) => ({ name })), { name: 'payments-secret-access', namespace: 'payments' }];
    const chart = new Chart(Testing.app(), 'observability');
    new TetragonAlertRules(chart, 'Alerts', { policyStatus: { policies } });
    const r = runPromtool(['test', 'rules', 'tests.yaml'], {
      'rules.yaml': ruleFile(Testing.synth(chart)[0]),
      'tests.yaml': {
        rule_files: ['rules.yaml'],
        evaluation_interval: '1m',
        tests: [
          {
            interval: '1m',
            input_series: pageToInputSeries(page, agentTarget('node-a', 0), { steps: 10 }),
            promql_expr_test: [
              {
                expr: `${POLICY_STATUS_RECORDS.live} == 1`,
                eval_time: '5m',
                exp_samples: loaded.map((policy) => ({
                  labels: `${POLICY_STATUS_RECORDS.live}{node="node-a", policy="${policy}"}`,
                  value: 1,
                })),
              },
            ],
            alert_rule_test: [
              fires('10m', 'TetragonPolicyNotLive', {
                node: 'node-a',
                policy: 'payments-secret-access',
                policy_namespace: 'payments',
                severity: 'warning',
              }),
              fires('10m', 'TetragonPolicyLoadError'),
              fires('10m', 'TetragonPolicyLoadFailed'),
            ],
          },
        ],
      },
    });
    expect(r.output).toContain('SUCCESS');
    expect(r.status).toBe(0);
  }, 60_000);

  test('given a node label, wait, factor and minimum, then the rules use them', () => {
    const group = statusGroup(
      rules(
        { nodeLabel: 'kubernetes_node', notLiveFor: Duration.minutes(15), rateJumpFactor: 20, rateJumpMinPerSecond: 50 },
        { metricsJob: 'kube-system/tetragon' },
      ),
    );
    const byName = Object.fromEntries(group.rules.map((r: any) => [r.record ?? r.alert, r]));
    expect(byName['tetragon:policy_live:bool'].expr).toContain(
      'max by (cluster, kubernetes_node, policy, policy_namespace) (tetragon_tracingpolicy_kernel_memory_bytes{job="kube-system/tetragon"})',
    );
    expect(byName.TetragonPolicyNotLive.for).toBe('15m');
    expect(byName.TetragonPolicyNotLive.annotations.summary).toContain('{{ $labels.kubernetes_node }}');
    expect(byName.TetragonPolicyEventRateJump.expr).toBe(
      'tetragon:policy_events:rate5m > 50\nand tetragon:policy_events:rate5m > 20 * (tetragon:policy_events:rate1h offset 15m or tetragon:policy_events:rate5m * 0)',
    );
    const noSilence = statusGroup(rules({ policies: [{ name: 'a' }, { name: 'b', namespace: 'x' }] }));
    expect(noSilence.rules.map((r: any) => r.alert).filter(Boolean)).toStrictEqual([
      'TetragonPolicyNotLive',
      'TetragonPolicyLoadError',
      'TetragonPolicyEventRateJump',
    ]);
    const twoWindows = statusGroup(
      rules({
        policies: [
          { name: 'a', silentAfter: Duration.hours(1) },
          { name: 'b', silentAfter: Duration.minutes(30) },
          { name: 'c.d', silentAfter: Duration.minutes(30) },
        ],
      }),
    );
    const silent = twoWindows.rules.find((r: any) => r.alert === 'TetragonPolicySilent').expr;
    expect(silent).toContain('tetragon:policy_live:bool{policy=~"b|c\\\\.d"}[30m]');
    expect(silent).toContain('tetragon:policy_live:bool{policy="a"}[1h]');
    expect(promqlErrors(silent)).toStrictEqual([]);
  });

  test("given docs/policy-status.md, then it shows the default cluster's records and every alert with its expression", () => {
    const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'policy-status.md'), 'utf8');
    const promql = [...doc.matchAll(/```promql\n([\s\S]*?)\n```/g)].map((m) => m[1]);
    for (const b of promql) expect({ b, errors: promqlErrors(b) }).toStrictEqual({ b, errors: [] });
    const c = new TetragonCluster(new App({ outdir: '/nonexistent' }), 'nlcl01k8s', { clusterName: 'nlcl01k8s' });
    const group = c.observabilityChart
      .toJson()
      .find((m: any) => m.kind === 'PrometheusRule')
      .spec.groups.find((g: any) => g.name === 'tetragon.policy-status');
    const silent = statusGroup(rules({ policies: [{ name: 'exec-audit', silentAfter: Duration.hours(1) }] })).rules.find(
      (r: any) => r.alert === 'TetragonPolicySilent',
    );
    for (const r of [...group.rules, silent]) {
      expect(promql).toContain(r.expr);
      if (r.alert) expect(doc).toContain(`#### ${r.alert}\n`);
    }
    expect(group.rules.filter((r: any) => r.alert).length).toBe(3);
  });

  test.each([
    [{ policies: [] }, /policyStatus\.policies: got \[\]; expected at least one policy/],
    [{ policies: [{ name: 'Bad Name' }] }, /policyStatus\.policies\[0\]\.name: got "Bad Name"; expected a TracingPolicy name/],
    [{ policies: [{ name: 'a' }, { name: 'a' }] }, /policyStatus\.policies\[1\]\.name: got "a"; expected each policy once/],
    [
      { policies: [{ name: 'a', silentAfter: Duration.minutes(1) }] },
      /policies\[0\]\.silentAfter: got "60 s"; expected a Duration from 10 minutes to 7 days/,
    ],
    [{ policies: [{ name: 'a' }], nodeLabel: '__node' }, /policyStatus\.nodeLabel: got "__node"; expected a Prometheus label name/],
    [{ policies: [{ name: 'a' }], rateJumpFactor: 1 }, /policyStatus\.rateJumpFactor: got 1; expected a number from 2 to 1000/],
  ] as Array<[PolicyStatusProps, RegExp]>)(
    'given invalid policy status settings %#, when constructed, then it throws naming the field and fix',
    (props, message) => {
      const chart = new Chart(Testing.app(), 'observability');
      expect(() => new TetragonAlertRules(chart, 'Alerts', { policyStatus: props })).toThrow(message);
    },
  );
});
