import { Construct } from 'constructs';
import * as monitoring from '../../imports/monitoring.coreos.com';
import { prometheusAlertDefinitions } from './alert-definitions';
import { DEFAULT_JOB } from './log-schema';
import { assemble, RuleGroup } from './private/rule-model';
import { checkLabels, checkNamespace, checkObjectName, checkPromLabels, checkSelectorValue, invalid, sorted } from './private/validate';
import { DetectionPolicyNames, resolvePolicyNames } from './queries';

/** Props of {@link TetragonAlertRules}. */
export interface TetragonAlertRulesProps {
  /**
   * Namespace of the PrometheusRule.
   * @default 'monitoring'
   */
  readonly namespace?: string;

  /**
   * Name of the PrometheusRule.
   * @default 'tetragon-alerts'
   */
  readonly name?: string;

  /**
   * Labels on the PrometheusRule object, e.g. the `release` label your Prometheus' `ruleSelector` needs.
   * @default - none
   */
  readonly labels?: Record<string, string>;

  /**
   * Labels added to every alert (e.g. `team`), next to `severity`.
   * @default - none
   */
  readonly ruleLabels?: Record<string, string>;

  /**
   * `job` label of the Tetragon agents' scrape target (the Service name when the chart's ServiceMonitor is used).
   * @default 'tetragon'
   */
  readonly metricsJob?: string;

  /**
   * Namespace of the Tetragon DaemonSet.
   * @default 'kube-system'
   */
  readonly tetragonNamespace?: string;

  /**
   * Name of the Tetragon DaemonSet (for kube-state-metrics availability).
   * @default 'tetragon'
   */
  readonly daemonSetName?: string;

  /**
   * Minutes without an exported event before `TetragonExportStalled` fires. Quiet nodes with strict export
   * filters may need more.
   * @default 15
   */
  readonly exportStallMinutes?: number;

  /**
   * Detection policy names.
   * @default DEFAULT_POLICY_NAMES
   */
  readonly policyNames?: DetectionPolicyNames;

  /**
   * `job` stream label of Tetragon events in Loki, used in the runbooks' queries.
   * @default 'tetragon'
   */
  readonly lokiJob?: string;

  /**
   * Base URL of the runbooks (for example the rendered docs/observability.md); adds `runbook_url` = base + `#alertname`.
   * @default - no runbook_url; the `runbook` annotation carries the steps
   */
  readonly runbookBaseUrl?: string;
}

/**
 * Prometheus alert rules for Tetragon as a `PrometheusRule`: agent not running or not scraped, policies
 * that failed to load, events lost in the kernel, ring buffer or queue, export stalled or rate-limited,
 * and detections from `tetragon_policy_events_total` (sensitive files, privilege escalation, shells in
 * containers). Each alert has a `severity` label and `summary`, `description` and `runbook` annotations.
 *
 * @see https://tetragon.io/docs/reference/metrics/
 */
export class TetragonAlertRules extends Construct {
  /** The generated PrometheusRule. */
  public readonly resource: monitoring.PrometheusRule;
  /** The rule groups, in Prometheus rule-file shape. */
  public readonly groups: readonly RuleGroup[];
  /** Namespace of the PrometheusRule. */
  public readonly namespace: string;

  public constructor(scope: Construct, id: string, props: TetragonAlertRulesProps = {}) {
    super(scope, id);
    this.namespace = checkNamespace(this, 'namespace', props.namespace ?? 'monitoring');
    const name = checkObjectName(this, 'name', props.name ?? 'tetragon-alerts');
    const stall = props.exportStallMinutes ?? 15;
    if (!Number.isInteger(stall) || stall < 1 || stall > 1440) {
      invalid(this, 'exportStallMinutes', stall, 'a whole number of minutes from 1 to 1440', 'Pick how long a node may go without exporting an event, e.g. 15.');
    }
    if (props.runbookBaseUrl !== undefined && !/^https?:\/\/\S+$/.test(props.runbookBaseUrl)) {
      invalid(this, 'runbookBaseUrl', props.runbookBaseUrl, 'an http:// or https:// URL without a fragment', 'Point it at the rendered docs/observability.md.');
    }
    if (props.runbookBaseUrl?.includes('#')) {
      invalid(this, 'runbookBaseUrl', props.runbookBaseUrl, 'a URL without a fragment', 'Drop the #... part; each alert adds its own anchor.');
    }
    const ruleLabels = checkPromLabels(this, 'ruleLabels', { ...(props.ruleLabels ?? {}) });
    if ('severity' in ruleLabels) {
      invalid(this, 'ruleLabels.severity', ruleLabels.severity, 'no severity (each alert sets its own)', 'Remove severity from ruleLabels; route on it in Alertmanager instead.');
    }
    const defs = prometheusAlertDefinitions({
      metricsJob: checkSelectorValue(this, 'metricsJob', props.metricsJob ?? 'tetragon'),
      tetragonNamespace: checkNamespace(this, 'tetragonNamespace', props.tetragonNamespace ?? 'kube-system'),
      daemonSetName: checkObjectName(this, 'daemonSetName', props.daemonSetName ?? 'tetragon'),
      exportStallSeconds: stall * 60,
      policies: resolvePolicyNames(props.policyNames, `${this.node.path}: policyNames`),
      lokiJob: checkSelectorValue(this, 'lokiJob', props.lokiJob ?? DEFAULT_JOB),
    });
    this.groups = Object.entries(defs).map(([group, list]) => ({
      name: group,
      rules: assemble(list, { extraLabels: ruleLabels, runbookBaseUrl: props.runbookBaseUrl }),
    }));

    this.resource = new monitoring.PrometheusRule(this, 'Resource', {
      metadata: {
        name,
        namespace: this.namespace,
        labels: sorted({ ...checkLabels(this, 'labels', { ...(props.labels ?? {}) }), 'app.kubernetes.io/part-of': 'cdk8s-tetragon' }),
      },
      spec: {
        groups: this.groups.map((g) => ({
          name: g.name,
          rules: g.rules.map((r) => ({
            alert: r.alert,
            expr: monitoring.PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr),
            for: r.for,
            labels: sorted(r.labels),
            annotations: sorted(r.annotations),
          })),
        })),
      },
    });
  }
}
