import { App, Chart } from 'cdk8s';
import { DetectionName, Detections } from '../../lib/detections/bundles';
import { checkLogqlAlert } from '../../lib/observability/private/logql';
import { TetragonLokiRules } from '../../lib/observability/tetragon-loki-rules';
import { logqlErrors } from './support/grammars';

/** Every Loki alert the library can emit: the built-in ones and every detection's. */
function libraryExprs(): string[] {
  const chart = new Chart(new App(), 'x');
  const all = Object.values(DetectionName) as DetectionName[];
  const d = new Detections(chart, 'D', {
    include: all,
    options: { [DetectionName.KUBERNETES_API_CONTACT]: { apiServerAddresses: ['10.96.0.1'] } },
  });
  const builtIn = new TetragonLokiRules(chart, 'B').groups.flatMap((g) => g.rules.map((r) => r.expr));
  return [...builtIn, ...d.lokiRules.map((r) => r.expr)];
}

const VALID = [
  'sum(rate({job="x"} | json | unwrap bytes [5m]))',
  'sum_over_time({job="x"} | logfmt | unwrap latency [1m]) > 3',
  'quantile_over_time(0.99, {job="x"} | json | unwrap duration(latency) [5m]) by (pod)',
  'topk(3, sum by (pod) (rate({job="x"}[1m])))',
  'sum by (a) (count_over_time({job="x"} |= "a" or "b" | logfmt --strict | level=~"err.*" and size > 10KB [5m])) / 2 > bool 1',
  'count_over_time({job="x"} | pattern "<ip> <_>" | line_format "{{.ip}}" | label_format a=b, c="x" | drop d, e [5m])',
  'count_over_time({job="x"} | regexp "(?P<x>a+)" [5m])',
  'absent_over_time({job="x"}[10m])',
  '(count_over_time({job="x"}[5m]))',
  'count_over_time(({job="x"} | json)[5m])',
  'sum(count_over_time({job="x"}[5m])) by (pod)',
  'count_over_time({job="x"}[5m] offset 1h)',
  'count_over_time({job="x"} | status >= 400 or (status == 200, path="/") [5m])',
  'sum by (pod) (count_over_time({job="x"} != "health" !~ "debug|trace" [5m])) > 10',
];

/** Refused by Grafana's grammar too (syntax); the ruler refuses the rest (semantics the grammar does not check). */
const SYNTAX_ERRORS = [
  '{job="tetragon"} |= "bash" or |= "/bin/sh"',
  'sum(count_over_time({job="x"} [5m])',
  'count_over_time({job="x"})',
  'sum by (pod (count_over_time({job="x"}[5m]))',
  'count_over_time({job="x"} | foo [5m])',
  'count_over_time({job="x"} | json x=y [5m])',
  'count_over_time({job="x"}[5m]) >',
  'count_over_time({job="x"} | x > "a" [5m])',
  'count_over_time({job=x}[5m])',
  '-sum(count_over_time({job="x"}[5m]))',
];
const RULER_ERRORS = [
  '{job="tetragon"} |= "bash"',
  'count_over_time({job=~".*"}[5m])',
  'count_over_time({job="x"} |~ "(" [5m])',
  'count_over_time({job="x"}[0m])',
  'sum_over_time({job="x"}[5m])',
  'count_over_time({job="x"} | json | unwrap b [5m])',
];

describe('LogQL alert checker', () => {
  test("accepts every alert the library emits, as Grafana's LogQL grammar does", () => {
    const exprs = libraryExprs();
    expect(exprs.length).toBeGreaterThanOrEqual(20);
    for (const e of exprs)
      expect({ e, ours: 'query' in checkLogqlAlert(e), grammar: logqlErrors(e) }).toStrictEqual({ e, ours: true, grammar: [] });
  });

  test("accepts the metric-query forms Loki documents, as Grafana's grammar does", () => {
    for (const e of VALID)
      expect({ e, ours: checkLogqlAlert(e), grammar: logqlErrors(e) }).toStrictEqual({
        e,
        ours: { query: expect.anything() },
        grammar: [],
      });
  });

  test("refuses what Grafana's grammar refuses", () => {
    for (const e of SYNTAX_ERRORS) {
      expect(logqlErrors(e).length).toBeGreaterThan(0);
      expect({ e, ours: checkLogqlAlert(e) }).toStrictEqual({ e, ours: { problem: expect.any(String) } });
    }
  });

  test('refuses what parses but the ruler rejects or cannot alert on, saying why', () => {
    const problems = RULER_ERRORS.map((e) => (checkLogqlAlert(e) as { problem: string }).problem);
    expect(problems).toStrictEqual([
      expect.stringMatching(/^a log query cannot be an alert/),
      expect.stringMatching(/^a stream selector needs at least one matcher that cannot match an empty value/),
      expect.stringMatching(/^the line filter \|~: "\(" is not a valid regular expression/),
      'the range [0m] is empty; use e.g. [5m]',
      'sum_over_time needs an unwrap stage (| unwrap <label>) before the range',
      'count_over_time counts log lines and takes no unwrap stage',
    ]);
  });

  test('reports the labels the outer aggregation keeps', () => {
    expect(checkLogqlAlert('sum by (namespace, pod) (count_over_time({job="x"}[5m])) > 0')).toStrictEqual({
      query: { groupedBy: ['namespace', 'pod'] },
    });
    expect(checkLogqlAlert('count_over_time({job="x"}[5m]) > 0')).toStrictEqual({ query: {} });
  });
});
