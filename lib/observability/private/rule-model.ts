import { AlertRule, AlertSeverity } from '../rule-group';

/** The definition of an alert before labels and annotations are assembled. */
export interface AlertDefinition {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly severity: AlertSeverity;
  readonly summary: string;
  readonly description: string;
  /** Steps for the responder, one per line. */
  readonly runbook: readonly string[];
}

/** Options shared by the rule builders. */
export interface RuleAssembly {
  readonly extraLabels: Record<string, string>;
  readonly runbookBaseUrl?: string;
}

/** Anchor of an alert's runbook section in docs/observability.md. */
export function runbookAnchor(alert: string): string {
  return alert.toLowerCase();
}

/** Turns definitions into rules with `severity`, extra labels, summary, description and runbook annotations. */
export function assemble(defs: readonly AlertDefinition[], opts: RuleAssembly): AlertRule[] {
  return defs.map((d) => {
    const annotations: Record<string, string> = {
      summary: d.summary,
      description: d.description,
      runbook: d.runbook.map((step, n) => `${n + 1}. ${step}`).join('\n'),
    };
    if (opts.runbookBaseUrl !== undefined) annotations.runbook_url = `${opts.runbookBaseUrl}#${runbookAnchor(d.alert)}`;
    const rule: AlertRule = {
      alert: d.alert,
      expr: d.expr,
      ...(d.for !== undefined ? { for: d.for } : {}),
      labels: { ...opts.extraLabels, severity: d.severity },
      annotations,
    };
    return rule;
  });
}
