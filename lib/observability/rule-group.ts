/**
 * The rule groups the alert-rule constructs render: Prometheus rule-file shapes, which the Loki ruler reads too.
 */

/** Severity of an alert, set as its `severity` label (the Alertmanager routing convention). */
export type AlertSeverity = 'critical' | 'warning' | 'info';

/** One alerting rule in the Prometheus rule-file shape (also used by the Loki ruler). */
export interface AlertRule {
  /** Alert name. */
  readonly alert: string;
  /** PromQL or LogQL expression. */
  readonly expr: string;
  /** How long the expression must hold before the alert fires. @default - at once */
  readonly for?: string;
  /** Labels, `severity` among them. */
  readonly labels: Record<string, string>;
  /** Annotations: summary, description, runbook. */
  readonly annotations: Record<string, string>;
}

/** A rule group. */
export interface RuleGroup {
  /** Group name. */
  readonly name: string;
  /** Its alerts. */
  readonly rules: readonly AlertRule[];
}

/** A recording rule: `expr` evaluated and stored as the series `record`. */
export interface RecordingRule {
  /** Name of the series the result is stored as. */
  readonly record: string;
  /** PromQL expression. */
  readonly expr: string;
}

/** A Prometheus rule group, which may hold recording rules before the alerts that read them. */
export interface PrometheusRuleGroup {
  /** Group name. */
  readonly name: string;
  /** Its recording rules and alerts. */
  readonly rules: ReadonlyArray<AlertRule | RecordingRule>;
}
