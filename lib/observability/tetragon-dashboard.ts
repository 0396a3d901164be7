import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { invalid } from '../private/problems';
import { DEFAULT_JOB, HOST_NAMESPACE } from './log-schema';
import { POLICY_STATUS_RECORDS } from './policy-status';
import { common, dashboard, DashboardNs, logs, loki, prometheus, stat, table, timeseries } from './private/grafana-sdk';
import { checkLabels, checkNamespace, checkObjectName, checkSelectorValue, sorted } from './private/validate';
import { DetectionPolicyNames, Matcher, q, resolvePolicyNames, SHELL_BINARY_REGEX, streamSelector } from './queries';

/** The label a Grafana dashboard sidecar watches. */
export interface SidecarLabel {
  /** Label name. */
  readonly name: string;
  /** Label value. */
  readonly value: string;
}

/** Props of {@link TetragonDashboard}. */
export interface TetragonDashboardProps {
  /**
   * Namespace of the dashboard ConfigMap (where Grafana's sidecar looks).
   * @default 'monitoring'
   */
  readonly namespace?: string;

  /**
   * Extra labels on the ConfigMap. The sidecar label is always added on top of them.
   * @default - none
   */
  readonly labels?: Record<string, string>;

  /**
   * The label Grafana's dashboard sidecar selects (kube-prometheus-stack: `grafana.sidecar.dashboards.label`/`labelValue`).
   * @default { name: 'grafana_dashboard', value: '1' }
   */
  readonly sidecarLabel?: SidecarLabel;

  /**
   * Grafana folder, set through the sidecar's folder annotation `grafana_folder`.
   * @default - the sidecar's default folder
   */
  readonly folder?: string;

  /**
   * Dashboard uid; keep it stable, links and alerts point at it.
   * @default 'tetragon-security-observability'
   */
  readonly uid?: string;

  /**
   * Dashboard title.
   * @default 'Tetragon Security Observability'
   */
  readonly title?: string;

  /**
   * Value of the `job` stream label of Tetragon events in Loki.
   * @default 'tetragon'
   */
  readonly job?: string;

  /**
   * Namespace the Tetragon agent runs in (for its CPU and memory panels).
   * @default 'kube-system'
   */
  readonly tetragonNamespace?: string;

  /**
   * Names of the detection policies whose hits the security panels show.
   * @default DEFAULT_POLICY_NAMES
   */
  readonly policyNames?: DetectionPolicyNames;

  /**
   * Name of the ConfigMap.
   * @default 'tetragon-security-dashboard'
   */
  readonly configMapName?: string;

  /**
   * Label naming the node on the agents' metrics, as in the policy status rules (the "Policy status" row reads
   * their recorded series).
   * @default 'node'
   */
  readonly nodeLabel?: string;
}

/** Default sidecar label of the Grafana Helm chart and kube-prometheus-stack. */
export const DEFAULT_SIDECAR_LABEL: SidecarLabel = { name: 'grafana_dashboard', value: '1' };

const LOKI_DS = 'loki_datasource';
const PROM_DS = 'prometheus_datasource';
const LOKI: { type: string; uid: string } = { type: 'loki', uid: `\${${LOKI_DS}}` };
const PROM: { type: string; uid: string } = { type: 'prometheus', uid: `\${${PROM_DS}}` };

/**
 * The "Tetragon Security Observability" Grafana dashboard, built with the Grafana Foundation SDK and
 * shipped as a ConfigMap (`monitoring/tetragon-security-dashboard`) that Grafana's sidecar imports.
 *
 * Sections: overview stats, event timeline by type, security detections (sensitive files, shells in
 * containers, privilege escalation, network destinations, policy hits), the security event log, the
 * agent's health (CPU, memory, event loss), and policy status: a policy × node grid of where each policy is
 * live, from the recording rules of {@link TetragonAlertRules} `policyStatus`. Loki and Prometheus data sources are dashboard variables,
 * with cluster and namespace filters.
 *
 * @see https://grafana.com/docs/grafana/latest/observability-as-code/foundation-sdk/
 */
export class TetragonDashboard extends Construct {
  /** The generated ConfigMap. */
  public readonly configMap: k8s.KubeConfigMap;
  /**
   * The dashboard model (what the ConfigMap's JSON holds). Typed loosely on purpose: the SDK's types are
   * reachable only through its `exports` map, which consumers on older module resolution cannot see.
   */
  public readonly dashboard: Record<string, unknown>;
  /** Namespace of the ConfigMap. */
  public readonly namespace: string;
  /** Dashboard uid. */
  public readonly uid: string;

  public constructor(scope: Construct, id: string, props: TetragonDashboardProps = {}) {
    super(scope, id);
    this.namespace = checkNamespace(this, 'namespace', props.namespace ?? 'monitoring');
    const sidecar = props.sidecarLabel ?? DEFAULT_SIDECAR_LABEL;
    checkLabels(this, 'sidecarLabel', { [sidecar.name]: sidecar.value });
    const userLabels = checkLabels(this, 'labels', { ...(props.labels ?? {}) });
    if (sidecar.name in userLabels && userLabels[sidecar.name] !== sidecar.value) {
      invalid(
        this,
        `labels.${sidecar.name}`,
        userLabels[sidecar.name],
        `'${sidecar.value}' or no such label (it is the Grafana sidecar label)`,
        `Remove '${sidecar.name}' from labels, or set sidecarLabel to { name: '${sidecar.name}', value: '${userLabels[sidecar.name]}' } if your sidecar selects that value.`,
      );
    }
    this.uid = props.uid ?? 'tetragon-security-observability';
    if (!/^[A-Za-z0-9_-]{1,40}$/.test(this.uid)) {
      invalid(this, 'uid', this.uid, 'at most 40 letters, digits, "-" or "_"', 'Pick a short stable uid; Grafana rejects longer ones.');
    }
    const title = props.title ?? 'Tetragon Security Observability';
    if (title.trim() === '') invalid(this, 'title', title, 'a non-empty title', 'Set a title or leave the default.');
    const folder = props.folder;
    if (folder !== undefined && folder.trim() === '')
      invalid(this, 'folder', folder, 'a folder name', 'Leave folder unset for the sidecar default.');
    const configMapName = checkObjectName(this, 'configMapName', props.configMapName ?? 'tetragon-security-dashboard');

    const nodeLabel = props.nodeLabel ?? 'node';
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(nodeLabel) || nodeLabel.startsWith('__')) {
      invalid(
        this,
        'nodeLabel',
        nodeLabel,
        'a Prometheus label name',
        "Use the label the agents' metrics carry the node name in, e.g. node.",
      );
    }
    this.dashboard = buildDashboard({
      nodeLabel,
      uid: this.uid,
      title,
      job: checkSelectorValue(this, 'job', props.job ?? DEFAULT_JOB),
      tetragonNamespace: checkNamespace(this, 'tetragonNamespace', props.tetragonNamespace ?? 'kube-system'),
      policies: resolvePolicyNames(props.policyNames, this),
    });

    this.configMap = new k8s.KubeConfigMap(this, 'Resource', {
      metadata: {
        name: configMapName,
        namespace: this.namespace,
        // The sidecar label is applied last so that a caller's labels can never drop it.
        labels: sorted({ ...userLabels, 'app.kubernetes.io/part-of': 'cdk8s-tetragon', [sidecar.name]: sidecar.value }),
        annotations: folder === undefined ? undefined : { grafana_folder: folder },
      },
      data: { [`${configMapName}.json`]: stableJson(this.dashboard) },
    });
  }
}

/** JSON with object keys sorted at every level and undefined values left out, two-space indented. */
export function stableJson(value: unknown): string {
  const order = (v: any): any => {
    if (Array.isArray(v)) return v.map(order);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .filter((k) => v[k] !== undefined)
          .map((k) => [k, order(v[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(order(value), null, 2) + '\n';
}

interface DashboardInputs {
  readonly nodeLabel: string;
  readonly uid: string;
  readonly title: string;
  readonly job: string;
  readonly tetragonNamespace: string;
  readonly policies: Required<DetectionPolicyNames>;
}

function buildDashboard(i: DashboardInputs): Record<string, unknown> & DashboardNs.Dashboard {
  const cluster: Matcher = ['cluster', '=~', '$cluster'];
  const ns: Matcher = ['namespace', '=~', '$namespace'];
  const events = (...extra: Matcher[]) => streamSelector(i.job, [cluster, ns, ...extra]);
  const policy = (name: string) => events(['policy_name', '=', name]);
  const prom = (metric: string, extra = '') => `${metric}{cluster=~"$cluster"${extra}}`;

  const lokiQ = (expr: string, legend?: string) => {
    const b = new loki.DataqueryBuilder().expr(expr).datasource(LOKI).editorMode(loki.QueryEditorMode.Code);
    return legend ? b.legendFormat(legend) : b;
  };
  const promQ = (expr: string, legend?: string) => {
    const b = new prometheus.DataqueryBuilder().expr(expr).datasource(PROM).editorMode(prometheus.QueryEditorMode.Code);
    return legend ? b.legendFormat(legend) : b;
  };
  const redAbove = (limit: number) =>
    new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([
      { value: null, color: 'green' },
      { value: limit, color: 'red' },
    ]);
  const statPanel = (title: string, description: string, ds: typeof LOKI, span: number, target: { build(): any }, thresholds?: number) => {
    const b = new stat.PanelBuilder()
      .title(title)
      .description(description)
      .datasource(ds)
      .withTarget(target as any)
      .height(4)
      .span(span)
      .graphMode(common.BigValueGraphMode.Area)
      .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
    return thresholds === undefined ? b : b.thresholds(redAbove(thresholds)).colorMode(common.BigValueColorMode.Background);
  };
  const series = (title: string, description: string, unit: string, ds: typeof LOKI, ...targets: { build(): any }[]) => {
    let b = new timeseries.PanelBuilder()
      .title(title)
      .description(description)
      .datasource(ds)
      .unit(unit)
      .height(8)
      .span(12)
      .drawStyle(common.GraphDrawStyle.Bars)
      .fillOpacity(60)
      .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
    for (const t of targets) b = b.withTarget(t as any);
    return b;
  };
  const topTable = (title: string, description: string, expr: string) =>
    new table.PanelBuilder()
      .title(title)
      .description(description)
      .datasource(LOKI)
      .height(8)
      .span(12)
      .withTarget(lokiQ(expr).queryType('instant'))
      .withTransformation({ id: 'reduce', options: { reducers: ['lastNotNull'], mode: 'seriesToRows' } } as any);

  const b = new dashboard.DashboardBuilder(i.title)
    .uid(i.uid)
    .description('Tetragon runtime-security events from Loki and agent metrics from Prometheus. Generated by cdk8s-tetragon.')
    .tags(['tetragon', 'security', 'ebpf'])
    .editable()
    .refresh('1m')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .withVariable(new dashboard.DatasourceVariableBuilder(LOKI_DS).label('Loki').type('loki'))
    .withVariable(new dashboard.DatasourceVariableBuilder(PROM_DS).label('Prometheus').type('prometheus'))
    .withVariable(
      new dashboard.QueryVariableBuilder('cluster')
        .label('Cluster')
        .datasource(PROM)
        .query('label_values(tetragon_build_info, cluster)')
        .definition('label_values(tetragon_build_info, cluster)')
        .includeAll(true)
        .allValue('.*')
        .multi(true)
        .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
        .sort(dashboard.VariableSort.AlphabeticalAsc)
        .current({ selected: true, text: 'All', value: '$__all' }),
    )
    .withVariable(
      new dashboard.QueryVariableBuilder('namespace')
        .label('Namespace')
        .datasource(LOKI)
        .query(`label_values(${streamSelector(i.job, [cluster])}, namespace)`)
        .definition(`label_values(${streamSelector(i.job, [cluster])}, namespace)`)
        .description(`Pod namespace; "${HOST_NAMESPACE}" selects processes outside pods (Loki panels only).`)
        .includeAll(true)
        .allValue('.*')
        .multi(true)
        .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
        .sort(dashboard.VariableSort.AlphabeticalAsc)
        .current({ selected: true, text: 'All', value: '$__all' }),
    )

    .withRow(new dashboard.RowBuilder('Overview'))
    .withPanel(
      statPanel(
        'Total events',
        'Tetragon events in Loki over the selected time range.',
        LOKI,
        5,
        lokiQ(`sum(count_over_time(${events()} [$__range]))`).queryType('instant'),
      ),
    )
    .withPanel(
      statPanel(
        'Process executions',
        'process_exec events over the selected time range.',
        LOKI,
        5,
        lokiQ(`sum(count_over_time(${events(['event_type', '=', 'process_exec'])} [$__range]))`).queryType('instant'),
      ),
    )
    .withPanel(
      statPanel(
        'Kprobe events',
        'process_kprobe events (policy hits that reached Loki) over the selected time range.',
        LOKI,
        5,
        lokiQ(`sum(count_over_time(${events(['event_type', '=', 'process_kprobe'])} [$__range]))`).queryType('instant'),
      ),
    )
    .withPanel(
      statPanel(
        'Policies failing to load',
        'TracingPolicies in state load_error or error, summed over agents. Anything above 0 is a silent detection gap.',
        PROM,
        5,
        promQ(`sum(${prom('tetragon_tracingpolicy_loaded', ', state=~"load_error|error"')}) or vector(0)`).instant(),
        1,
      ),
    )
    .withPanel(
      statPanel(
        'Events lost',
        'Events the kernel or the agent dropped over the selected time range (kernel, ring buffer, user-space queue).',
        PROM,
        4,
        promQ(
          [
            'tetragon_bpf_missed_events_total',
            'tetragon_observer_ringbuf_events_lost_total',
            'tetragon_observer_ringbuf_queue_events_lost_total',
          ]
            .map((m) => `(sum(increase(${prom(m)}[$__range])) or vector(0))`)
            .join(' + '),
        ).instant(),
        1,
      ),
    )

    .withRow(new dashboard.RowBuilder('Event timeline'))
    .withPanel(
      series(
        'Events by type',
        'Tetragon events per interval, stacked by event type.',
        'short',
        LOKI,
        lokiQ(`sum by (event_type) (count_over_time(${events()} [$__auto]))`, '{{event_type}}'),
      ).span(24),
    )

    .withRow(new dashboard.RowBuilder('Security detections'))
    .withPanel(
      topTable(
        'Sensitive file access by namespace and binary',
        `Hits of ${i.policies.sensitiveFileAccess} with the file from the first argument, over the time range.`,
        `topk(50, sum by (namespace, binary, file) (count_over_time(${policy(i.policies.sensitiveFileAccess)} | json file="process_kprobe.args[0].file_arg.path" [$__range])))`,
      ),
    )
    .withPanel(
      series(
        'Shells started in containers by pod',
        'Exec events of a shell binary in pods; a spike outside deploys is worth a look.',
        'short',
        LOKI,
        lokiQ(
          `sum by (namespace, pod) (count_over_time(${events(['event_type', '=', 'process_exec'], ['namespace', '!=', HOST_NAMESPACE])} | binary=~${q(SHELL_BINARY_REGEX)} [$__auto]))`,
          '{{namespace}}/{{pod}}',
        ),
      ),
    )
    .withPanel(
      series(
        'Privilege escalation events',
        `Hits of ${i.policies.privilegeEscalation} (setuid, setgid, capset, user namespaces) by pod and kernel function.`,
        'short',
        LOKI,
        lokiQ(
          `sum by (namespace, pod, function_name) (count_over_time(${policy(i.policies.privilegeEscalation)} [$__auto]))`,
          '{{namespace}}/{{pod}} {{function_name}}',
        ),
      ),
    )
    .withPanel(
      topTable(
        'Network connections by destination',
        `tcp_connect hits of ${i.policies.networkConnection} by destination address and port, over the time range.`,
        `topk(50, sum by (daddr, dport) (count_over_time(${policy(i.policies.networkConnection)} | json daddr="process_kprobe.args[0].sock_arg.daddr", dport="process_kprobe.args[0].sock_arg.dport" [$__range])))`,
      ),
    )
    .withPanel(
      series(
        'Policy hits by policy',
        'tetragon_policy_events_total: policy hits counted in the agent before export filters, so it includes events that never reach Loki.',
        'ops',
        PROM,
        promQ(
          `sum by (policy) (rate(${prom('tetragon_policy_events_total', ', namespace=~"$namespace"')}[$__rate_interval]))`,
          '{{policy}}',
        ),
      ).span(24),
    )

    .withRow(new dashboard.RowBuilder('Security event log'))
    .withPanel(
      new logs.PanelBuilder()
        .title('Security events')
        .description('Policy events (kprobe, tracepoint, LSM, uprobe) with their JSON fields parsed; expand a line for details.')
        .datasource(LOKI)
        .height(12)
        .span(24)
        .withTarget(
          lokiQ(`${events(['event_type', '=~', 'process_kprobe|process_tracepoint|process_lsm|process_uprobe'])} | json`).maxLines(1000),
        )
        .showTime(true)
        .wrapLogMessage(true)
        .prettifyLogMessage(false)
        .enableLogDetails(true)
        .sortOrder(common.LogsSortOrder.Descending),
    )

    .withRow(new dashboard.RowBuilder('Agent'))
    .withPanel(
      new timeseries.PanelBuilder()
        .title('Agent CPU')
        .description('CPU used by the tetragon container on each node.')
        .datasource(PROM)
        .unit('percentunit')
        .height(8)
        .span(8)
        .withTarget(
          promQ(
            `sum by (pod) (rate(${prom('container_cpu_usage_seconds_total', `, namespace="${i.tetragonNamespace}", container="tetragon"`)}[$__rate_interval]))`,
            '{{pod}}',
          ),
        ),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title('Agent memory')
        .description('Working-set memory of the tetragon container on each node.')
        .datasource(PROM)
        .unit('bytes')
        .height(8)
        .span(8)
        .withTarget(
          promQ(
            `sum by (pod) (${prom('container_memory_working_set_bytes', `, namespace="${i.tetragonNamespace}", container="tetragon"`)})`,
            '{{pod}}',
          ),
        ),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title('Event loss')
        .description(
          'Events lost in the kernel (per operation and error), in the ring buffer, in the user-space queue, or dropped by the export rate limit.',
        )
        .datasource(PROM)
        .unit('ops')
        .height(8)
        .span(8)
        .withTarget(
          promQ(
            `sum by (msg_op, error) (rate(${prom('tetragon_bpf_missed_events_total')}[$__rate_interval]))`,
            'kernel op {{msg_op}} {{error}}',
          ),
        )
        .withTarget(promQ(`sum(rate(${prom('tetragon_observer_ringbuf_events_lost_total')}[$__rate_interval]))`, 'ring buffer'))
        .withTarget(promQ(`sum(rate(${prom('tetragon_observer_ringbuf_queue_events_lost_total')}[$__rate_interval]))`, 'user-space queue'))
        .withTarget(promQ(`sum(rate(${prom('tetragon_export_ratelimit_events_dropped_total')}[$__rate_interval]))`, 'export rate limit')),
    )

    // Appended last so that the panel ids of the rows above stay as they were.
    .withRow(new dashboard.RowBuilder('Policy status'))
    .withPanel(
      new table.PanelBuilder()
        .title('Policy × node')
        .description(
          `Where each TracingPolicy the cluster deploys is live: ${POLICY_STATUS_RECORDS.live} from the policy status recording rules (kernel memory held on the node's agent). "not live" on a node means its detections are absent there; see docs/policy-status.md.`,
        )
        .datasource(PROM)
        .height(10)
        .span(18)
        .withTarget(promQ(`${POLICY_STATUS_RECORDS.live}{cluster=~"$cluster"}`).instant().format(prometheus.PromQueryFormat.Table))
        .withTransformation({
          id: 'groupingToMatrix',
          options: { columnField: i.nodeLabel, rowField: 'policy', valueField: 'Value', emptyValue: 'null' },
        } as any)
        .mappings([
          {
            type: dashboard.MappingType.ValueToText,
            options: { 0: { text: 'not live', color: 'red', index: 0 }, 1: { text: 'live', color: 'green', index: 1 } },
          },
        ])
        .cellOptions({ type: common.TableCellDisplayMode.ColorBackground }),
    )
    .withPanel(
      statPanel(
        'Policies not live',
        'Policy × node pairs where an expected policy is not live on an agent that is up.',
        PROM,
        6,
        promQ(`count(${POLICY_STATUS_RECORDS.live}{cluster=~"$cluster"} == 0) or vector(0)`).instant(),
        1,
      ).height(10),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title('Policy kernel memory by node')
        .description(
          "tetragon_tracingpolicy_kernel_memory_bytes: memlock of each policy's BPF maps on each node; 0 or missing means the policy is not loaded there.",
        )
        .datasource(PROM)
        .unit('bytes')
        .height(8)
        .span(12)
        .withTarget(
          promQ(
            `max by (policy, ${i.nodeLabel}) (${prom('tetragon_tracingpolicy_kernel_memory_bytes')})`,
            `{{policy}} on {{${i.nodeLabel}}}`,
          ),
        ),
    )
    .withPanel(
      new timeseries.PanelBuilder()
        .title('Policy event rate by node')
        .description(
          `${POLICY_STATUS_RECORDS.rate5m}: events per second of each policy on each node (top 10). A jump is a noisy policy that puts the ring buffer at risk.`,
        )
        .datasource(PROM)
        .unit('ops')
        .height(8)
        .span(12)
        .withTarget(promQ(`topk(10, ${POLICY_STATUS_RECORDS.rate5m}{cluster=~"$cluster"})`, `{{policy}} on {{${i.nodeLabel}}}`)),
    );

  const model = b.build() as Record<string, unknown> & DashboardNs.Dashboard;
  // Stable panel ids and query refIds keep deep links (viewPanel=N) and alert references valid across renders.
  let id = 0;
  for (const panel of model.panels ?? []) {
    (panel as { id?: number }).id = ++id;
    const targets = (panel as { targets?: Array<{ refId?: string }> }).targets ?? [];
    targets.forEach((t, n) => {
      t.refId = String.fromCharCode(65 + n);
    });
  }
  return model;
}
