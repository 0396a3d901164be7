import { parser as logqlParser } from '@grafana/lezer-logql';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';

/** Grafana's own macro values, substituted as Grafana does before it sends a query. */
const MACROS: Record<string, string> = {
  __range: '6h',
  __interval: '1m',
  __rate_interval: '4m',
  __auto: '1m',
  __range_s: '21600',
  __interval_ms: '60000',
};

/** Dashboard variables as Grafana sends them with "All" selected (allValue `.*`). */
const VARIABLES: Record<string, string> = { cluster: '.*', namespace: '.*' };

/**
 * Interpolates `$var` / `${var}` like Grafana: known macros and the dashboard's variables.
 * Any other variable is an error, so a typo in a query cannot pass as "parsed".
 */
export function interpolate(expr: string): string {
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (_m, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare)!;
    const value = MACROS[name] ?? VARIABLES[name];
    if (value === undefined) throw new Error(`unknown Grafana variable $${name} in ${expr}`);
    return value;
  });
}

function errors(
  parse: (s: string) => { iterate(spec: { enter(n: { type: { isError: boolean; name: string }; from: number; to: number }): void }): void },
  expr: string,
): string[] {
  const out: string[] = [];
  parse(expr).iterate({
    enter(n) {
      if (n.type.isError) out.push(`error at ${n.from}: …${expr.slice(Math.max(0, n.from - 15), n.from + 15)}…`);
    },
  });
  return out;
}

/** Syntax errors Grafana's LogQL grammar finds (empty when the query parses). */
export function logqlErrors(expr: string): string[] {
  return errors((s) => logqlParser.parse(s), expr);
}

/** Syntax errors Prometheus' PromQL grammar finds (empty when the query parses). */
export function promqlErrors(expr: string): string[] {
  return errors((s) => promqlParser.parse(s), expr);
}
