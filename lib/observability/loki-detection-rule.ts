import { AlertSeverity } from './rule-group';

/**
 * A LogQL alert for the Loki ruler: what detections ship when their signal lives in events rather than in a
 * policy's metric, and what {@link TetragonLokiRules} takes as `detectionRules`.
 */
export interface LokiDetectionRule {
  /** Alert name, PascalCase. */
  readonly alert: string;
  /** LogQL expression (a metric query, e.g. `sum by (namespace) (count_over_time({job="tetragon"} ... [5m])) > 0`). */
  readonly expr: string;
  /** Severity label: `info`, `warning` or `critical`. */
  readonly severity: AlertSeverity;
  /** One-line summary annotation. */
  readonly summary: string;
  /** What to check and do, for the runbook annotation. */
  readonly runbook: string;
}
