import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lokiAlertDefinitions, prometheusAlertDefinitions } from '../../lib/observability/alert-definitions';
import { DEFAULT_POLICY_NAMES, documentedQueries, QueryLanguage, resolvePolicyNames } from '../../lib/observability/queries';
import { logqlErrors, promqlErrors } from './support/grammars';

const DOC = readFileSync(join(__dirname, '..', '..', 'docs', 'observability.md'), 'utf8');

/** Fenced code blocks of a language in the doc. */
function blocks(language: string): string[] {
  return [...DOC.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)\\n```', 'g'))].map((m) => m[1]);
}

const parseErrors = (language: QueryLanguage, expr: string) => (language === QueryLanguage.LOGQL ? logqlErrors(expr) : promqlErrors(expr));

describe('documented queries', () => {
  test('given every documented query, when parsed with the LogQL or PromQL grammar, then none has a syntax error', () => {
    const queries = documentedQueries();
    expect(queries.filter((q) => q.language === QueryLanguage.LOGQL).length).toBe(15);
    expect(queries.filter((q) => q.language === QueryLanguage.PROMQL).length).toBe(4);
    for (const q of queries) expect({ id: q.id, errors: parseErrors(q.language, q.expr) }).toStrictEqual({ id: q.id, errors: [] });
    expect(new Set(queries.map((q) => q.id)).size).toBe(queries.length);
  });

  test("given the module's example queries, then the valid ones are kept and the invalid shell query is replaced by one that parses", () => {
    const exprs = documentedQueries().map((q) => q.expr);
    for (const kept of [
      '{job="tetragon"}',
      '{job="tetragon", event_type="process_exec"}',
      '{job="tetragon", namespace="default"}',
      '{job="tetragon"} |= "/etc/shadow"',
    ]) {
      expect(exprs).toContain(kept);
    }
    const moduleShellQuery = '{job="tetragon"} |= "bash" or |= "/bin/sh"';
    expect(logqlErrors(moduleShellQuery)).not.toHaveLength(0);
    expect(exprs).not.toContain(moduleShellQuery);
    expect(exprs).toContain('{job="tetragon"} |~ "bash|/bin/sh"');
  });

  test('given the docs, then they show every documented query in a fenced block of its language', () => {
    for (const q of documentedQueries()) expect(blocks(q.language)).toContain(q.expr);
  });

  test('given the docs, when every logql and promql block is parsed, then all parse and they cover every alert expression', () => {
    const logql = blocks('logql');
    const promql = blocks('promql');
    for (const b of logql) expect({ b, errors: logqlErrors(b) }).toStrictEqual({ b, errors: [] });
    for (const b of promql) expect({ b, errors: promqlErrors(b) }).toStrictEqual({ b, errors: [] });
    const prom = prometheusAlertDefinitions({
      metricsJob: 'tetragon',
      tetragonNamespace: 'kube-system',
      daemonSetName: 'tetragon',
      exportStallSeconds: 900,
      policies: DEFAULT_POLICY_NAMES,
      lokiJob: 'tetragon',
      nodeLabel: 'node',
    });
    for (const d of Object.values(prom).flat()) {
      expect(promql).toContain(d.expr);
      expect(DOC).toContain(`#### ${d.alert}\n`);
    }
    for (const d of Object.values(lokiAlertDefinitions({ job: 'tetragon' })).flat()) {
      expect(logql).toContain(d.expr);
      expect(DOC).toContain(`#### ${d.alert}\n`);
    }
  });

  test('given custom policy names and job, then the queries use them', () => {
    const exprs = documentedQueries({ job: 'sec', policyNames: { networkConnection: 'egress' } })
      .map((q) => q.expr)
      .join('\n');
    expect(exprs).toContain('{job="sec", policy_name="egress"}');
    expect(exprs).not.toContain('job="tetragon"');
  });

  test('given an invalid policy name, then resolving names throws with the field and an example', () => {
    expect(() => resolvePolicyNames({ shellAccess: 'Shells!' }, 'x')).toThrow(
      'x: policyNames.shellAccess: got "Shells!"; expected a TracingPolicy name: lower-case letters, digits, \'-\' and \'.\'. For example "shell-access-monitor"',
    );
  });
});
