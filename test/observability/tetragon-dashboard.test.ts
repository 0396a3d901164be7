import { Chart, Testing } from 'cdk8s';
import { TetragonDashboard, TetragonDashboardProps } from '../../lib/observability/tetragon-dashboard';
import { interpolate, logqlErrors, promqlErrors } from './support/grammars';

function synth(props?: TetragonDashboardProps) {
  const chart = new Chart(Testing.app(), 'observability');
  new TetragonDashboard(chart, 'Dashboard', props);
  const [cm, ...rest] = Testing.synth(chart);
  expect(rest).toHaveLength(0);
  const key = Object.keys(cm.data);
  expect(key).toStrictEqual(['tetragon-security-dashboard.json']);
  return { cm, json: cm.data[key[0]] as string, dash: JSON.parse(cm.data[key[0]]) };
}

const panels = (dash: any) => dash.panels.filter((p: any) => p.type !== 'row');
const byTitle = (dash: any, title: string) => {
  const found = dash.panels.filter((p: any) => p.title === title);
  expect(found).toHaveLength(1);
  return found[0];
};

describe('TetragonDashboard', () => {
  test('given defaults, when synthesized, then the ConfigMap monitoring/tetragon-security-dashboard carries the sidecar label and a stable uid', () => {
    const { cm, dash } = synth();
    expect(cm.kind).toBe('ConfigMap');
    expect(cm.metadata.name).toBe('tetragon-security-dashboard');
    expect(cm.metadata.namespace).toBe('monitoring');
    expect(cm.metadata.labels.grafana_dashboard).toBe('1');
    expect(dash.title).toBe('Tetragon Security Observability');
    expect(dash.uid).toBe('tetragon-security-observability');
  });

  test("given the module's four sections plus security panels, then every expected row and panel title is present", () => {
    const { dash } = synth();
    expect(dash.panels.filter((p: any) => p.type === 'row').map((p: any) => p.title)).toStrictEqual([
      'Overview',
      'Event timeline',
      'Security detections',
      'Security event log',
      'Agent',
      'Policy status',
    ]);
    expect(panels(dash).map((p: any) => p.title)).toStrictEqual([
      'Total events',
      'Process executions',
      'Kprobe events',
      'Policies failing to load',
      'Events lost',
      'Events by type',
      'Sensitive file access by namespace and binary',
      'Shells started in containers by pod',
      'Privilege escalation events',
      'Network connections by destination',
      'Policy hits by policy',
      'Security events',
      'Agent CPU',
      'Agent memory',
      'Event loss',
      'Policy × node',
      'Policies not live',
      'Policy kernel memory by node',
      'Policy event rate by node',
    ]);
  });

  test('given every panel target, when parsed with the real grammars after Grafana interpolation, then none has a syntax error', () => {
    const { dash } = synth();
    let logql = 0;
    let promql = 0;
    for (const panel of panels(dash)) {
      expect(panel.targets.length).toBeGreaterThan(0);
      for (const t of panel.targets) {
        expect(['loki', 'prometheus']).toContain(t.datasource.type);
        const errors = t.datasource.type === 'loki' ? logqlErrors(interpolate(t.expr)) : promqlErrors(interpolate(t.expr));
        expect({ panel: panel.title, expr: t.expr, errors }).toStrictEqual({ panel: panel.title, expr: t.expr, errors: [] });
        if (t.datasource.type === 'loki') logql++;
        else promql++;
      }
    }
    expect(logql).toBe(9);
    expect(promql).toBe(13);
  });

  test('given the grammar check, when a broken query is interpolated and parsed, then errors are reported (the check can fail)', () => {
    expect(logqlErrors(interpolate('sum(count_over_time({job="tetragon"} |= "bash" or |= "/bin/sh" [$__range]))'))).not.toHaveLength(0);
    expect(promqlErrors(interpolate('sum by (policy) (rate(tetragon_policy_events_total[$__rate_interval])'))).not.toHaveLength(0);
    expect(() => interpolate('{job="tetragon", namespace=~"$namspace"}')).toThrow(/unknown Grafana variable \$namspace/);
  });

  test('given the security panels, then their queries select the right policies, event fields and metrics', () => {
    const { dash } = synth();
    const expr = (title: string) =>
      byTitle(dash, title)
        .targets.map((t: any) => t.expr)
        .join('\n');
    expect(expr('Sensitive file access by namespace and binary')).toContain(
      'policy_name="sensitive-file-access-monitor"} | json file="process_kprobe.args[0].file_arg.path"',
    );
    expect(expr('Shells started in containers by pod')).toMatch(
      /event_type="process_exec", namespace!="host"\} \| binary=~"\(\.\*\/\)\?\(ba\|z\|/,
    );
    expect(expr('Privilege escalation events')).toContain('policy_name="privilege-escalation-monitor"');
    expect(expr('Network connections by destination')).toContain(
      'daddr="process_kprobe.args[0].sock_arg.daddr", dport="process_kprobe.args[0].sock_arg.dport"',
    );
    expect(expr('Policy hits by policy')).toBe(
      'sum by (policy) (rate(tetragon_policy_events_total{cluster=~"$cluster", namespace=~"$namespace"}[$__rate_interval]))',
    );
    expect(expr('Policies failing to load')).toContain('tetragon_tracingpolicy_loaded{cluster=~"$cluster", state=~"load_error|error"}');
    expect(expr('Event loss')).toContain('tetragon_bpf_missed_events_total');
    expect(expr('Event loss')).toContain('tetragon_export_ratelimit_events_dropped_total');
    expect(expr('Security events')).toMatch(/\| json$/);
    expect(expr('Agent CPU')).toContain('namespace="kube-system", container="tetragon"');
  });

  test('given the variables, then Loki and Prometheus are datasource variables and every panel uses them, with cluster and namespace filters', () => {
    const { dash } = synth();
    const vars = Object.fromEntries(dash.templating.list.map((v: any) => [v.name, v]));
    expect(Object.keys(vars)).toStrictEqual(['loki_datasource', 'prometheus_datasource', 'cluster', 'namespace']);
    expect(vars.loki_datasource).toMatchObject({ type: 'datasource', query: 'loki' });
    expect(vars.prometheus_datasource).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(vars.cluster).toMatchObject({
      type: 'query',
      includeAll: true,
      allValue: '.*',
      datasource: { type: 'prometheus', uid: '${prometheus_datasource}' },
    });
    expect(vars.namespace).toMatchObject({
      type: 'query',
      includeAll: true,
      allValue: '.*',
      datasource: { type: 'loki', uid: '${loki_datasource}' },
    });
    const stream = /^label_values\((\{.*\}), namespace\)$/.exec(vars.namespace.query)![1];
    expect(logqlErrors(interpolate(stream))).toStrictEqual([]);
    for (const panel of panels(dash)) {
      expect(panel.datasource.uid).toBe(panel.datasource.type === 'loki' ? '${loki_datasource}' : '${prometheus_datasource}');
      for (const t of panel.targets) {
        expect(t.datasource).toStrictEqual(panel.datasource);
        expect(t.expr).toContain('cluster=~"$cluster"');
      }
    }
    for (const p of panels(dash).filter((x: any) => x.datasource.type === 'loki')) {
      for (const t of p.targets) expect(t.expr).toContain('namespace=~"$namespace"');
    }
  });

  test('given user labels, when synthesized, then the sidecar label survives beside them', () => {
    const { cm } = synth({ labels: { team: 'security', 'app.kubernetes.io/name': 'tetragon' } });
    expect(cm.metadata.labels).toMatchObject({ team: 'security', 'app.kubernetes.io/name': 'tetragon', grafana_dashboard: '1' });
  });

  test('given a user label that would change the sidecar label, when constructed, then it throws naming the fix', () => {
    expect(() => synth({ labels: { grafana_dashboard: '0' } })).toThrow(
      /observability\/Dashboard: labels.grafana_dashboard: got "0"; expected '1' or no such label .*set sidecarLabel/,
    );
  });

  test('given a custom sidecar label, folder and namespace, when synthesized, then the ConfigMap uses them', () => {
    const { cm } = synth({ sidecarLabel: { name: 'grafana_dashboard', value: 'security' }, folder: 'Security', namespace: 'grafana' });
    expect(cm.metadata.namespace).toBe('grafana');
    expect(cm.metadata.labels.grafana_dashboard).toBe('security');
    expect(cm.metadata.annotations).toStrictEqual({ grafana_folder: 'Security' });
  });

  test('given custom policy names and job, when synthesized, then the panels query them', () => {
    const { dash } = synth({ job: 'tetragon-events', policyNames: { sensitiveFileAccess: 'secrets-watch' } });
    const all = panels(dash)
      .flatMap((p: any) => p.targets.map((t: any) => t.expr))
      .join('\n');
    expect(all).toContain('policy_name="secrets-watch"');
    expect(all).not.toContain('job="tetragon"');
    expect(all).toContain('job="tetragon-events"');
  });

  test('given the Policy status row, then its grid pivots the recorded live state to policy rows and node columns, with live/not live colours', () => {
    const { dash } = synth();
    const grid = byTitle(dash, 'Policy × node');
    expect(grid.type).toBe('table');
    expect(grid.targets).toHaveLength(1);
    expect(grid.targets[0]).toMatchObject({ expr: 'tetragon:policy_live:bool{cluster=~"$cluster"}', format: 'table', instant: true });
    expect(grid.transformations).toStrictEqual([
      { id: 'groupingToMatrix', options: { columnField: 'node', rowField: 'policy', valueField: 'Value', emptyValue: 'null' } },
    ]);
    expect(grid.fieldConfig.defaults.mappings).toStrictEqual([
      { type: 'value', options: { 0: { text: 'not live', color: 'red', index: 0 }, 1: { text: 'live', color: 'green', index: 1 } } },
    ]);
    expect(grid.fieldConfig.defaults.custom.cellOptions).toStrictEqual({ type: 'color-background' });
    expect(byTitle(dash, 'Policies not live').targets[0].expr).toBe(
      'count(tetragon:policy_live:bool{cluster=~"$cluster"} == 0) or vector(0)',
    );
    expect(byTitle(dash, 'Policy event rate by node').targets[0].expr).toBe('topk(10, tetragon:policy_events:rate5m{cluster=~"$cluster"})');
    // The rows above keep their panel ids (deep links), the new row comes last.
    expect(byTitle(dash, 'Event loss').id).toBe(20);
    const custom = synth({ nodeLabel: 'kubernetes_node' }).dash;
    expect(byTitle(custom, 'Policy × node').transformations[0].options.columnField).toBe('kubernetes_node');
    expect(byTitle(custom, 'Policy kernel memory by node').targets[0].expr).toBe(
      'max by (policy, kubernetes_node) (tetragon_tracingpolicy_kernel_memory_bytes{cluster=~"$cluster"})',
    );
  });

  test('given two syntheses, then the JSON is byte-identical, panel ids are sequential and object keys are sorted', () => {
    const a = synth().json;
    expect(synth().json).toBe(a);
    const dash = JSON.parse(a);
    expect(dash.panels.map((p: any) => p.id)).toStrictEqual(dash.panels.map((_: unknown, n: number) => n + 1));
    expect(Object.keys(dash)).toStrictEqual([...Object.keys(dash)].sort());
    expect(a).not.toMatch(/"(id|uid)": "[0-9a-f]{8}-/);
  });

  test.each([
    [{ uid: 'x'.repeat(41) }, /uid: got "x{41}"; expected at most 40 letters/],
    [{ namespace: 'Monitoring' }, /namespace: got "Monitoring"/],
    [
      { policyNames: { shellAccess: 'Shell Access' } },
      /Dashboard: policyNames\.shellAccess: got "Shell Access"; expected a TracingPolicy name/,
    ],
    [{ nodeLabel: 'node-name' }, /nodeLabel: got "node-name"; expected a Prometheus label name/],
  ] as Array<[TetragonDashboardProps, RegExp]>)('given invalid %j, when constructed, then it throws', (props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});
