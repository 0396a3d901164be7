import { show } from '../../private/problems';
import { checkLogqlAlert } from './logql';
import { AlertDefinition } from './rule-model';

/** A problem of one field of an alert. */
export interface LokiAlertProblem {
  readonly field: string;
  readonly problem: string;
  readonly fix: string;
}

const ALERT_NAME = /^[A-Z][A-Za-z0-9]+$/;
const SEVERITIES = ['critical', 'warning', 'info'];

/**
 * What the Loki ruler or a responder would trip over in one alert: its name (PascalCase, unique in a file), its
 * LogQL (a valid metric query), its severity label, and its annotations (a one-line summary whose `$labels.x`
 * are labels the query keeps, a runbook). Built-in alerts and users' alerts go through the same check.
 *
 * @returns the problems, one per field
 */
export function lokiAlertProblems(def: AlertDefinition): LokiAlertProblem[] {
  const problems: LokiAlertProblem[] = [];
  const add = (field: string, problem: string, fix: string) => problems.push({ field, problem, fix });
  if (typeof def.alert !== 'string' || !ALERT_NAME.test(def.alert)) {
    add(
      'alert',
      `${show(def.alert)} is not a PascalCase alert name`,
      'Name it like TetragonSomethingHappened (letters and digits, starting upper-case).',
    );
  }
  const checked = checkLogqlAlert(def.expr);
  if ('problem' in checked) {
    add(
      'expr',
      `is not a LogQL metric query the Loki ruler accepts (${checked.problem})`,
      'Write e.g. sum by (namespace, pod) (count_over_time({job="tetragon"} |= "x" [5m])) > 0.',
    );
  }
  if (!SEVERITIES.includes(def.severity)) {
    add('severity', `${show(def.severity)} is not a severity`, `Use one of ${SEVERITIES.join(', ')}.`);
  }
  const kept = 'query' in checked ? checked.query.groupedBy : undefined;
  for (const [field, text] of [
    ['summary', def.summary],
    ['description', def.description],
  ] as const) {
    if (typeof text !== 'string' || text.trim() === '') {
      add(field, 'is empty', 'Say in one line what happened and where, e.g. with {{ $labels.namespace }}.');
      continue;
    }
    if (/[\r\n]/.test(text)) add(field, 'spans several lines', 'Keep it to one line; put steps in the runbook.');
    const opens = text.split('{{').length - 1;
    if (opens !== text.split('}}').length - 1) add(field, 'has unbalanced {{ }} template braces', 'Close every {{ with }}.');
    const missing = [...text.matchAll(/\$labels\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]).filter((l) => kept && !kept.includes(l));
    if (missing.length) {
      add(
        field,
        `uses $labels.${missing.join(', $labels.')}, which the query's by (${kept!.join(', ')}) drops, so it renders empty`,
        'Add the label to the by (...) grouping or leave it out of the text.',
      );
    }
  }
  if (
    !Array.isArray(def.runbook) ||
    def.runbook.length === 0 ||
    def.runbook.some((step) => typeof step !== 'string' || step.trim() === '')
  ) {
    add('runbook', 'is empty', 'Say what the responder should check and do.');
  }
  return problems;
}
