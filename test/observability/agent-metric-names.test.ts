import { Chart, Testing } from 'cdk8s';
import { documentedQueries, QueryLanguage } from '../../lib/observability/queries';
import { TetragonAlertRules } from '../../lib/observability/tetragon-alert-rules';
import { TetragonDashboard } from '../../lib/observability/tetragon-dashboard';
import { agentMetricsText } from '../support/agent-events';
import { interpolate, promqlErrors } from './support/grammars';
import { agentTarget, parseMetricsPage } from './support/metrics-page';

/**
 * Series the library queries that the Tetragon agent's page does not carry, each with where it comes from. Every
 * other series a rule, recording rule, dashboard panel or documented query reads must be on the real agent's page
 * (test/fixtures/agent/metrics.txt), with the labels the query uses.
 */
const PRODUCED_ELSEWHERE: Record<string, string> = {
  up: 'Prometheus, one per scrape target',
  kube_daemonset_status_desired_number_scheduled: 'kube-state-metrics',
  kube_daemonset_status_number_available: 'kube-state-metrics',
  container_cpu_usage_seconds_total: 'cAdvisor (kubelet)',
  container_memory_working_set_bytes: 'cAdvisor (kubelet)',
  // Tetragon v1.7.0 pkg/metrics/eventmetrics/bpfcollector.go emits one series per (msg_op, error) with a count > 0 only:
  // a healthy agent, like the captured one, has none.
  tetragon_bpf_missed_events_total: 'the agent, only once the kernel failed to send an event (labels msg_op, error)',
  // Tetragon v1.7.0 pkg/sensors/tracing/enforcer metrics: a collector over the policies that have an enforcer; the
  // module's policies (and so the captured run) have none.
  tetragon_enforcer_missed_notifications_total: 'the agent, only for policies with spec.enforcers (labels policy, reason, info)',
};

/** Labels a scrape of the agent adds (ServiceMonitor target and relabelings) or the cluster's external labels. */
const SCRAPE_LABELS = new Set([...Object.keys(agentTarget('node-a', 0)), 'cluster']);

/** Every PromQL expression the library emits or documents. */
function promqlExpressions(): string[] {
  const chart = new Chart(Testing.app(), 'o');
  new TetragonAlertRules(chart, 'Alerts', { policyStatus: { policies: [{ name: 'process-exec-monitor' }] } });
  new TetragonDashboard(chart, 'Dashboard');
  const exprs: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) {
        if ((k === 'expr' || k === 'query') && typeof x === 'string') exprs.push(x);
        else walk(x);
      }
  };
  for (const m of Testing.synth(chart))
    walk(
      m.kind === 'ConfigMap'
        ? Object.values(m.data).map((d: any) => {
            try {
              return JSON.parse(d);
            } catch {
              return undefined;
            }
          })
        : m,
    );
  exprs.push(
    ...documentedQueries()
      .filter((q) => q.language === QueryLanguage.PROMQL)
      .map((q) => q.expr),
  );
  // LogQL queries of the dashboard do not parse as PromQL; recording rules' own names are produced by the rules.
  return exprs.map((e) => e.replace(/label_values\((\w+), *\w+\)/, '$1')).filter((e) => promqlErrors(interpolate(e)).length === 0);
}

/** The series a PromQL expression selects, with the label names its matchers use. */
function selectors(expr: string): Array<{ name: string; labels: string[] }> {
  const out: Array<{ name: string; labels: string[] }> = [];
  const stripped = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  for (const m of stripped.matchAll(/\b([a-zA-Z_][\w]*(?::[\w:]+)?)\b(\s*\{([^}]*)\})?/g)) {
    const name = m[1];
    if (!/^(tetragon_|kube_|container_|up$)/.test(name)) continue;
    out.push({ name, labels: [...(m[3] ?? '').matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)].map((l) => l[1]) });
  }
  return out;
}

describe('metric names the library queries', () => {
  const samples = parseMetricsPage(agentMetricsText());
  const pageLabels = new Map<string, Set<string>>();
  for (const s of samples) pageLabels.set(s.name, new Set([...(pageLabels.get(s.name) ?? []), ...Object.keys(s.labels)]));

  test("every series a rule, dashboard panel or documented query reads is on the real agent's page with those labels, or produced elsewhere for a stated reason", () => {
    const exprs = promqlExpressions();
    expect(exprs.length).toBeGreaterThanOrEqual(30);
    const used = new Map<string, Set<string>>();
    for (const e of exprs) for (const s of selectors(e)) used.set(s.name, new Set([...(used.get(s.name) ?? []), ...s.labels]));
    expect(used.size).toBeGreaterThanOrEqual(12);
    const problems: string[] = [];
    for (const [name, labels] of used) {
      if (PRODUCED_ELSEWHERE[name]) continue;
      const have = pageLabels.get(name);
      if (!have) {
        problems.push(`${name}: not on the agent's page`);
        continue;
      }
      for (const l of labels)
        if (!have.has(l) && !SCRAPE_LABELS.has(l)) problems.push(`${name}: label ${l} is neither on the page nor a scrape label`);
    }
    expect(problems).toStrictEqual([]);
    // The exceptions are exceptions: none of them is on the agent's page (else it should be checked there).
    for (const name of Object.keys(PRODUCED_ELSEWHERE))
      expect({ name, onPage: pageLabels.has(name) }).toStrictEqual({ name, onPage: false });
    expect([...used.keys()].filter((n) => n.startsWith('tetragon_') && !PRODUCED_ELSEWHERE[n]).sort()).toEqual(
      expect.arrayContaining([
        'tetragon_build_info',
        'tetragon_events_last_exported_timestamp',
        'tetragon_export_ratelimit_events_dropped_total',
        'tetragon_observer_ringbuf_events_lost_total',
        'tetragon_observer_ringbuf_queue_events_lost_total',
        'tetragon_policy_events_total',
        'tetragon_tracingpolicy_kernel_memory_bytes',
        'tetragon_tracingpolicy_loaded',
      ]),
    );
  });

  test('a query of a series the agent does not emit is caught', () => {
    expect(selectors('sum by (policy) (rate(tetragon_policy_hits_total{job="tetragon", policy=~"a|b"}[5m])) > 0')).toStrictEqual([
      { name: 'tetragon_policy_hits_total', labels: ['job', 'policy'] },
    ]);
    expect(pageLabels.has('tetragon_policy_hits_total')).toBe(false);
    expect(pageLabels.get('tetragon_policy_events_total')).toStrictEqual(
      new Set(['binary', 'hook', 'namespace', 'node_name', 'pod', 'policy', 'workload']),
    );
  });
});
