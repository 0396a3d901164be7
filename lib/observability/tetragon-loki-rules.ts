import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { fail, invalid } from '../private/problems';
import { lokiAlertDefinitions } from './alert-definitions';
import { DEFAULT_JOB } from './log-schema';
import { LokiDetectionRule } from './loki-detection-rule';
import { lokiAlertProblems } from './private/loki-rule-check';
import { AlertDefinition, assemble } from './private/rule-model';
import { checkLabels, checkNamespace, checkObjectName, checkPromLabels, checkSelectorValue, sorted } from './private/validate';
import { RuleGroup } from './rule-group';
import { SidecarLabel } from './tetragon-dashboard';

/** Props of {@link TetragonLokiRules}. */
export interface TetragonLokiRulesProps {
  /**
   * Alerts of the detection library (`Detections.lokiRules`) and your own, added as the group `tetragon.loki.library`.
   * A detection alert replaces the built-in alert of the same name; the same name twice among them is an error.
   * Each is checked like the built-in alerts: a PascalCase name, a LogQL metric query the ruler accepts, a severity,
   * a one-line summary whose `$labels.x` the query keeps, and a runbook.
   * @default []
   */
  readonly detectionRules?: readonly LokiDetectionRule[];
  /**
   * Namespace of the ConfigMap (where the Loki ruler's sidecar looks).
   * @default 'logging'
   */
  readonly namespace?: string;

  /**
   * Name of the ConfigMap.
   * @default 'tetragon-loki-rules'
   */
  readonly configMapName?: string;

  /**
   * The label the Loki chart's rules sidecar selects (`sidecar.rules.label` / `labelValue`).
   * @default { name: 'loki_rule', value: '1' }
   */
  readonly sidecarLabel?: SidecarLabel;

  /**
   * Extra labels on the ConfigMap; the sidecar label is always added on top.
   * @default - none
   */
  readonly labels?: Record<string, string>;

  /**
   * Labels added to every alert (e.g. `team`), next to `severity`.
   * @default - none
   */
  readonly ruleLabels?: Record<string, string>;

  /**
   * `job` stream label of Tetragon events.
   * @default 'tetragon'
   */
  readonly job?: string;

  /**
   * Base URL of the runbooks; adds `runbook_url` = base + `#alertname`.
   * @default - no runbook_url
   */
  readonly runbookBaseUrl?: string;
}

/**
 * LogQL alerting rules for the Loki ruler, for detections that need event fields metrics do not carry:
 * interactive shells (`in_init_tree=false`), SUID/file-capability execs (`binary_properties`), crypto
 * miners by name or Stratum arguments, and execs from scratch directories. Shipped as a ConfigMap
 * (`logging/tetragon-loki-rules`, label `loki_rule: "1"`) that the Loki chart's rules sidecar loads.
 *
 * @see https://grafana.com/docs/loki/latest/alert/
 */
export class TetragonLokiRules extends Construct {
  /** The generated ConfigMap. */
  public readonly configMap: k8s.KubeConfigMap;
  /** The rule groups. */
  public readonly groups: readonly RuleGroup[];
  /** Namespace of the ConfigMap. */
  public readonly namespace: string;

  public constructor(scope: Construct, id: string, props: TetragonLokiRulesProps = {}) {
    super(scope, id);
    this.namespace = checkNamespace(this, 'namespace', props.namespace ?? 'logging');
    const name = checkObjectName(this, 'configMapName', props.configMapName ?? 'tetragon-loki-rules');
    const sidecar = props.sidecarLabel ?? { name: 'loki_rule', value: '1' };
    checkLabels(this, 'sidecarLabel', { [sidecar.name]: sidecar.value });
    const userLabels = checkLabels(this, 'labels', { ...(props.labels ?? {}) });
    if (sidecar.name in userLabels && userLabels[sidecar.name] !== sidecar.value) {
      invalid(
        this,
        `labels.${sidecar.name}`,
        userLabels[sidecar.name],
        `'${sidecar.value}' or no such label (it is the ruler sidecar label)`,
        `Remove '${sidecar.name}' from labels, or set sidecarLabel to the value your sidecar selects.`,
      );
    }
    const ruleLabels = checkPromLabels(this, 'ruleLabels', { ...(props.ruleLabels ?? {}) });
    if ('severity' in ruleLabels) {
      invalid(
        this,
        'ruleLabels.severity',
        ruleLabels.severity,
        'no severity (each alert sets its own)',
        'Remove severity from ruleLabels.',
      );
    }
    if (props.runbookBaseUrl !== undefined && !/^https?:\/\/[^\s#]+$/.test(props.runbookBaseUrl)) {
      invalid(
        this,
        'runbookBaseUrl',
        props.runbookBaseUrl,
        'an http:// or https:// URL without a fragment',
        'Point it at the rendered docs/observability.md.',
      );
    }
    const defs = lokiAlertDefinitions({ job: checkSelectorValue(this, 'job', props.job ?? DEFAULT_JOB) });
    const library: AlertDefinition[] = (props.detectionRules ?? []).map((r) => ({
      alert: r.alert,
      expr: r.expr,
      severity: r.severity,
      summary: r.summary,
      description: r.summary,
      runbook: [r.runbook],
    }));
    // Users' alerts get the same checks as the built-in ones: name, LogQL, severity, annotations.
    library.forEach((d, i) => {
      const [problem] = lokiAlertProblems(d);
      if (problem) fail(this, `detectionRules[${i}] (${d.alert}).${problem.field}`, `${problem.problem}. ${problem.fix}`);
    });
    for (const d of Object.values(defs).flat()) {
      const [problem] = lokiAlertProblems(d);
      if (problem) fail(this, `built-in alert ${d.alert}.${problem.field}`, `${problem.problem}. ${problem.fix}`);
    }
    const seen = new Set<string>();
    for (const d of library) {
      if (seen.has(d.alert)) {
        invalid(this, 'detectionRules', d.alert, 'alert names used once', 'Leave the duplicate detection out.');
      }
      seen.add(d.alert);
    }
    // A selected detection's alert supersedes the built-in alert of the same name (it carries the detection's options).
    const builtIn = Object.fromEntries(Object.entries(defs).map(([g, list]) => [g, list.filter((d) => !seen.has(d.alert))]));
    const all: Record<string, AlertDefinition[]> = library.length ? { ...builtIn, 'tetragon.loki.library': library } : defs;
    this.groups = Object.entries(all).map(([group, list]) => ({
      name: group,
      rules: assemble(list, { extraLabels: ruleLabels, runbookBaseUrl: props.runbookBaseUrl }),
    }));

    this.configMap = new k8s.KubeConfigMap(this, 'Resource', {
      metadata: {
        name,
        namespace: this.namespace,
        labels: sorted({ ...userLabels, 'app.kubernetes.io/part-of': 'cdk8s-tetragon', [sidecar.name]: sidecar.value }),
      },
      data: { 'tetragon-rules.yaml': stringify({ groups: this.groups }, { sortMapEntries: true, lineWidth: 0 }) },
    });
  }
}
