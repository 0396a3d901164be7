/**
 * A checker for the LogQL of Loki alerting rules: the grammar of metric queries (range and vector aggregations over
 * stream selectors and pipelines, binary operators, comparisons), plus what the ruler itself refuses (a log query
 * where a metric query is needed, a selector without a non-empty matcher, an invalid RE2 regex, a zero range).
 * It follows Loki's documented grammar; the tests check that it agrees with Grafana's LogQL parser.
 *
 * @see https://grafana.com/docs/loki/latest/query/
 */
import { re2Problem, toJsRegExp } from '../../install/private/re2';
import { show } from '../../private/problems';

type TokenKind = 'string' | 'number' | 'duration' | 'bytes' | 'ident' | 'op' | 'end';

interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** The string's value (unquoted), for strings. */
  readonly value?: string;
  readonly at: number;
}

/** What a checked expression keeps: the labels of its outermost `by (...)` grouping, when it has one. */
export interface LogqlMetricQuery {
  /** Labels the result series keep (`sum by (namespace, pod)`); undefined when not fixed by a `by` grouping. */
  readonly groupedBy?: readonly string[];
}

const OPERATORS = [
  '|=',
  '!=',
  '|~',
  '!~',
  '|>',
  '!>',
  '=~',
  '==',
  '>=',
  '<=',
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  ',',
  '|',
  '=',
  '>',
  '<',
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
];
const VECTOR_AGGREGATIONS = [
  'sum',
  'avg',
  'min',
  'max',
  'stddev',
  'stdvar',
  'count',
  'topk',
  'bottomk',
  'sort',
  'sort_desc',
  'approx_topk',
];
const RANGE_AGGREGATIONS = [
  'count_over_time',
  'rate',
  'rate_counter',
  'bytes_over_time',
  'bytes_rate',
  'absent_over_time',
  'sum_over_time',
  'avg_over_time',
  'max_over_time',
  'min_over_time',
  'first_over_time',
  'last_over_time',
  'stdvar_over_time',
  'stddev_over_time',
  'quantile_over_time',
];
/** Range aggregations over log lines only, and those over unwrapped values only (`| unwrap label`); others take either. */
const LINE_AGGREGATIONS = ['count_over_time', 'bytes_over_time', 'bytes_rate'];
const UNWRAP_AGGREGATIONS = [
  'rate_counter',
  'sum_over_time',
  'avg_over_time',
  'max_over_time',
  'min_over_time',
  'first_over_time',
  'last_over_time',
  'stdvar_over_time',
  'stddev_over_time',
  'quantile_over_time',
];
const BINARY_PRECEDENCE: Record<string, number> = {
  or: 1,
  and: 2,
  unless: 2,
  '==': 3,
  '!=': 3,
  '>': 3,
  '>=': 3,
  '<': 3,
  '<=': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  '^': 6,
};
const PARSERS = ['json', 'logfmt', 'regexp', 'pattern', 'unpack'];
const LINE_FILTERS = ['|=', '!=', '|~', '!~', '|>', '!>'];
const MATCH_OPS = ['=', '!=', '=~', '!~'];
const COMPARE_OPS = ['=', '!=', '=~', '!~', '==', '>', '>=', '<', '<='];

class LogqlError extends Error {}

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw new LogqlError(`${what} at character ${i + 1}`);
  };
  while (i < expr.length) {
    const c = expr[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    if (c === '"') {
      let value = '';
      for (i++; expr[i] !== '"'; i++) {
        if (i >= expr.length || expr[i] === '\n') fail('unterminated string');
        if (expr[i] === '\\') {
          const next = expr[++i];
          const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };
          value += escapes[next] ?? fail(`invalid escape \\${next ?? ''} in a string (write \\\\ for a backslash)`);
        } else {
          value += expr[i];
        }
      }
      i++;
      tokens.push({ kind: 'string', text: expr.slice(at, i), value, at });
      continue;
    }
    if (c === '`') {
      const end = expr.indexOf('`', i + 1);
      if (end < 0) fail('unterminated raw string');
      tokens.push({ kind: 'string', text: expr.slice(at, end + 1), value: expr.slice(i + 1, end), at });
      i = end + 1;
      continue;
    }
    const number = /^(0x[0-9a-fA-F]+|\d+(\.\d+)?([eE][-+]?\d+)?)/.exec(expr.slice(i));
    if (number) {
      const unit = /^((\d+(\.\d+)?)(ns|us|µs|ms|s|m|h|d|w|y))+/.exec(expr.slice(i));
      const bytes = /^\d+(\.\d+)?([KMGTPE]i?)?B\b/.exec(expr.slice(i));
      const text = unit?.[0] ?? bytes?.[0] ?? number[0];
      i += text.length;
      if (/^[A-Za-z_]/.test(expr.slice(i))) fail(`invalid number or duration '${text}${/^\w+/.exec(expr.slice(i))![0]}'`);
      tokens.push({ kind: unit ? 'duration' : bytes ? 'bytes' : 'number', text, at });
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(expr.slice(i));
    if (ident) {
      tokens.push({ kind: 'ident', text: ident[0], at });
      i += ident[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => expr.startsWith(o, i));
    if (!op) fail(`unexpected character '${c}'`);
    tokens.push({ kind: 'op', text: op!, at });
    i += op!.length;
  }
  tokens.push({ kind: 'end', text: 'the end of the query', at: expr.length });
  return tokens;
}

/** A recursive-descent parser over the tokens; each method consumes one construct or throws. */
class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private get next(): Token {
    return this.tokens[this.pos];
  }
  private peek(offset = 1): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)];
  }
  private is(text: string, kind: TokenKind = 'op'): boolean {
    return this.next.kind === kind && this.next.text === text;
  }
  private accept(text: string, kind: TokenKind = 'op'): boolean {
    if (!this.is(text, kind)) return false;
    this.pos++;
    return true;
  }
  private fail(expected: string): never {
    const t = this.next;
    throw new LogqlError(`expected ${expected} at character ${t.at + 1}, found ${t.kind === 'end' ? t.text : `'${t.text}'`}`);
  }
  private expect(text: string, kind: TokenKind = 'op'): Token {
    if (!this.is(text, kind)) this.fail(`'${text}'`);
    return this.tokens[this.pos++];
  }
  private take(kind: TokenKind, expected: string): Token {
    if (this.next.kind !== kind) this.fail(expected);
    return this.tokens[this.pos++];
  }

  /** A complete query: must be a metric query (alerting rules evaluate numbers). */
  metricQuery(): LogqlMetricQuery {
    if (this.is('{'))
      throw new LogqlError(
        'a log query cannot be an alert: wrap it in a metric query, e.g. sum by (namespace) (count_over_time({...} [5m])) > 0',
      );
    const result = this.binary(1);
    if (this.next.kind !== 'end') this.fail('an operator or the end of the query');
    return result;
  }

  private binary(minPrecedence: number): LogqlMetricQuery {
    let left = this.unary();
    for (;;) {
      const t = this.next;
      const precedence = t.kind === 'op' || t.kind === 'ident' ? BINARY_PRECEDENCE[t.text] : undefined;
      if (precedence === undefined || precedence < minPrecedence) return left;
      this.pos++;
      this.accept('bool', 'ident');
      if (this.is('on', 'ident') || this.is('ignoring', 'ident')) {
        this.pos++;
        this.labelList();
        if (this.is('group_left', 'ident') || this.is('group_right', 'ident')) {
          this.pos++;
          if (this.is('(')) this.labelList();
        }
      }
      const right = this.binary(t.text === '^' ? precedence : precedence + 1);
      // A comparison with a number keeps the series' labels; arithmetic between series keeps the matching ones.
      left = left.groupedBy ? left : right;
    }
  }

  private unary(): LogqlMetricQuery {
    // A sign applies to numbers only (Loki's grammar has no unary minus on a query).
    if ((this.is('-') || this.is('+')) && this.peek().kind === 'number') this.pos++;
    return this.primary();
  }

  private primary(): LogqlMetricQuery {
    const t = this.next;
    if (t.kind === 'number') {
      this.pos++;
      return {};
    }
    if (this.accept('(')) {
      const inner = this.binary(1);
      this.expect(')');
      return inner;
    }
    if (t.kind === 'ident' && VECTOR_AGGREGATIONS.includes(t.text)) return this.vectorAggregation();
    if (t.kind === 'ident' && RANGE_AGGREGATIONS.includes(t.text)) return this.rangeAggregation();
    if (t.kind === 'ident' && t.text === 'vector') {
      this.pos++;
      this.expect('(');
      this.take('number', 'a number');
      this.expect(')');
      return {};
    }
    if (t.kind === 'ident' && t.text === 'label_replace') {
      this.pos++;
      this.expect('(');
      const inner = this.binary(1);
      for (let i = 0; i < 4; i++) {
        this.expect(',');
        this.take('string', 'a string');
      }
      this.expect(')');
      return inner;
    }
    if (this.is('{'))
      throw new LogqlError(
        `a log query cannot stand where a number is needed (character ${t.at + 1}): wrap it in a range aggregation such as count_over_time({...} [5m])`,
      );
    return this.fail('a number, an aggregation such as sum(...) or a range aggregation such as count_over_time(...)');
  }

  private vectorAggregation(): LogqlMetricQuery {
    const name = this.tokens[this.pos++].text;
    let groupedBy = this.grouping();
    this.expect('(');
    if (['topk', 'bottomk', 'approx_topk'].includes(name)) {
      this.take('number', `the k of ${name}`);
      this.expect(',');
    }
    this.binary(1);
    this.expect(')');
    groupedBy = this.grouping() ?? groupedBy;
    return { groupedBy: groupedBy?.kind === 'by' ? groupedBy.labels : undefined };
  }

  private grouping(): { kind: 'by' | 'without'; labels: string[] } | undefined {
    const kind = this.is('by', 'ident') ? 'by' : this.is('without', 'ident') ? 'without' : undefined;
    if (!kind) return undefined;
    this.pos++;
    return { kind, labels: this.labelList() };
  }

  private labelList(): string[] {
    this.expect('(');
    const labels: string[] = [];
    while (!this.is(')')) {
      labels.push(this.take('ident', 'a label name').text);
      if (!this.accept(',')) break;
    }
    this.expect(')');
    return labels;
  }

  private rangeAggregation(): LogqlMetricQuery {
    const name = this.tokens[this.pos++].text;
    this.expect('(');
    if (name === 'quantile_over_time') {
      this.take('number', 'the quantile (a number from 0 to 1)');
      this.expect(',');
    }
    const unwrapped = this.logRange();
    if (unwrapped && LINE_AGGREGATIONS.includes(name)) throw new LogqlError(`${name} counts log lines and takes no unwrap stage`);
    if (!unwrapped && UNWRAP_AGGREGATIONS.includes(name))
      throw new LogqlError(`${name} needs an unwrap stage (| unwrap <label>) before the range`);
    this.expect(')');
    const grouping = this.grouping();
    return { groupedBy: grouping?.kind === 'by' ? grouping.labels : undefined };
  }

  /** `{...} pipeline [range]`, `({...} pipeline) [range]` or `{...} [range] pipeline`; returns whether it unwraps. */
  private logRange(): boolean {
    let unwrapped = false;
    if (this.accept('(')) {
      this.selector();
      unwrapped = this.pipeline();
      this.expect(')');
      this.range();
    } else {
      this.selector();
      unwrapped = this.pipeline();
      this.range();
      unwrapped = this.pipeline() || unwrapped;
    }
    if (this.accept('offset', 'ident')) this.take('duration', 'a duration after offset');
    return unwrapped;
  }

  private range(): void {
    if (!this.is('[')) this.fail('a range such as [5m]');
    this.pos++;
    const d = this.take('duration', 'a duration such as 5m');
    if (/^(0+(\.0+)?[a-zµ]+)+$/.test(d.text)) throw new LogqlError(`the range [${d.text}] is empty; use e.g. [5m]`);
    this.expect(']');
  }

  private selector(): void {
    this.expect('{');
    let nonEmpty = false;
    do {
      const label = this.take('ident', 'a label name');
      const op = this.next;
      if (op.kind !== 'op' || !MATCH_OPS.includes(op.text)) this.fail(`one of ${MATCH_OPS.join(' ')} after ${label.text}`);
      this.pos++;
      const value = this.take('string', 'a quoted label value').value!;
      if (op.text === '=~' || op.text === '!~') this.regex(value, `the matcher ${label.text}${op.text}`);
      if ((op.text === '=' && value !== '') || (op.text === '=~' && !matchesEmpty(value))) nonEmpty = true;
    } while (this.accept(','));
    this.expect('}');
    if (!nonEmpty)
      throw new LogqlError('a stream selector needs at least one matcher that cannot match an empty value (e.g. job="tetragon")');
  }

  /** Pipeline stages; returns whether one of them is `unwrap`. */
  private pipeline(): boolean {
    let unwrapped = false;
    for (;;) {
      const t = this.next;
      if (t.kind === 'op' && LINE_FILTERS.includes(t.text)) {
        this.pos++;
        this.lineFilterValue(t.text);
        while (this.accept('or', 'ident')) this.lineFilterValue(t.text);
      } else if (this.is('|')) {
        this.pos++;
        unwrapped = this.stage() || unwrapped;
      } else {
        return unwrapped;
      }
    }
  }

  private lineFilterValue(op: string): void {
    if (this.accept('ip', 'ident')) {
      this.expect('(');
      this.take('string', 'an address or range in quotes');
      this.expect(')');
      return;
    }
    const value = this.take('string', `a quoted string after ${op}`).value!;
    if (op === '|~' || op === '!~') this.regex(value, `the line filter ${op}`);
  }

  /** One `| stage`; returns whether it is `unwrap`. */
  private stage(): boolean {
    const t = this.next;
    if (t.kind !== 'ident') this.fail('a parser, a label filter or a formatting stage after |');
    const isFilter = COMPARE_OPS.includes(this.peek().text) && this.peek().kind === 'op';
    if (!isFilter && PARSERS.includes(t.text)) {
      this.pos++;
      if (t.text === 'regexp' || t.text === 'pattern') {
        const value = this.take('string', `the ${t.text} expression in quotes`).value!;
        if (t.text === 'regexp') {
          this.regex(value, 'the regexp stage');
          if (!/\(\?P?<[A-Za-z_]/.test(value)) throw new LogqlError('the regexp stage needs at least one named group (?P<name>...)');
        }
      } else if (t.text === 'json' || t.text === 'logfmt') {
        // Flags such as --strict and --keep-empty.
        while (this.is('-') && this.peek().text === '-') {
          this.pos += 2;
          this.take('ident', 'a flag name');
          while (this.is('-') && this.peek().kind === 'ident') this.pos += 2;
        }
        if (this.next.kind === 'ident' && this.peek().text === '=') {
          do {
            this.take('ident', 'a label name');
            this.expect('=');
            this.take('string', 'a quoted field path');
          } while (this.accept(','));
        }
      }
      return false;
    }
    if (!isFilter && t.text === 'line_format') {
      this.pos++;
      this.take('string', 'a quoted template');
      return false;
    }
    if (!isFilter && t.text === 'label_format') {
      this.pos++;
      do {
        this.take('ident', 'a label name');
        this.expect('=');
        if (this.next.kind === 'string' || this.next.kind === 'ident') this.pos++;
        else this.fail('a quoted template or a label name');
      } while (this.accept(','));
      return false;
    }
    if (!isFilter && (t.text === 'drop' || t.text === 'keep')) {
      this.pos++;
      do {
        this.take('ident', 'a label name');
        if (this.next.kind === 'op' && MATCH_OPS.includes(this.next.text)) {
          this.pos++;
          this.take('string', 'a quoted value');
        }
      } while (this.accept(','));
      return false;
    }
    if (!isFilter && t.text === 'decolorize') {
      this.pos++;
      return false;
    }
    if (!isFilter && t.text === 'unwrap') {
      this.pos++;
      if (this.peek().text === '(') {
        this.pos++;
        this.expect('(');
        this.take('ident', 'a label name');
        this.expect(')');
      } else {
        this.take('ident', 'a label name to unwrap');
      }
      return true;
    }
    this.labelFilter();
    return false;
  }

  /** `a="x" and (b>2 or c=~"y")`, with `,` and spaces meaning and. */
  private labelFilter(): void {
    this.labelFilterTerm();
    for (;;) {
      if (this.accept('and', 'ident') || this.accept('or', 'ident') || this.accept(',')) {
        this.labelFilterTerm();
        continue;
      }
      if (this.next.kind === 'ident' && this.peek().kind === 'op' && COMPARE_OPS.includes(this.peek().text)) {
        this.labelFilterTerm();
        continue;
      }
      if (this.is('(') && this.peek().kind === 'ident') {
        this.labelFilterTerm();
        continue;
      }
      return;
    }
  }

  private labelFilterTerm(): void {
    if (this.accept('(')) {
      this.labelFilter();
      this.expect(')');
      return;
    }
    const label = this.take('ident', 'a label name');
    const op = this.next;
    if (op.kind !== 'op' || !COMPARE_OPS.includes(op.text)) this.fail(`a comparison (${COMPARE_OPS.join(' ')}) after ${label.text}`);
    this.pos++;
    if (op.text === '=' || op.text === '!=') {
      if (this.accept('ip', 'ident')) {
        this.expect('(');
        this.take('string', 'an address or range in quotes');
        this.expect(')');
        return;
      }
    }
    const value = this.next;
    if (op.text === '=~' || op.text === '!~') {
      this.regex(this.take('string', 'a quoted regex').value!, `the label filter ${label.text}${op.text}`);
    } else if (value.kind === 'string' ? ['>', '>=', '<', '<='].includes(op.text) : !['number', 'duration', 'bytes'].includes(value.kind)) {
      this.fail(
        value.kind === 'string'
          ? `a number, duration or size after ${op.text} (strings compare with = and !=)`
          : 'a quoted string, a number, a duration or a size',
      );
    } else {
      this.pos++;
    }
  }

  private regex(pattern: string, where: string): void {
    const problem = re2Problem(pattern);
    if (problem) throw new LogqlError(`${where}: ${show(pattern)} ${problem}`);
  }
}

/** Whether a (valid) RE2 pattern matches the empty string as a whole, as Loki's anchored matchers do. */
function matchesEmpty(pattern: string): boolean {
  const re = toJsRegExp(pattern);
  return new RegExp(`^(?:${re.source})$`, re.flags).test('');
}

/**
 * Checks a LogQL expression meant as an alerting rule. Returns the problem as one sentence, or the query's
 * outer grouping when it is a valid metric query.
 */
export function checkLogqlAlert(expr: string): { problem: string } | { query: LogqlMetricQuery } {
  if (typeof expr !== 'string' || expr.trim() === '') return { problem: 'the expression is empty' };
  try {
    return { query: new Parser(tokenize(expr)).metricQuery() };
  } catch (e) {
    if (e instanceof LogqlError) return { problem: e.message };
    throw e;
  }
}
