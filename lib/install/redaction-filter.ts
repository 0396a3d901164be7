import { captureGroupCount, re2Problem } from './private/re2';

/** Fields of a redaction filter. */
export interface RedactionFilterSpec {
  /**
   * RE2 regexes applied to process arguments (and environment variables when the agent exports them).
   * Every capture group of a match is replaced with `*****`; the rest of the match is kept.
   * Each regex must have at least one capture group, or it would redact nothing.
   */
  readonly redact: string[];
  /** Apply only to processes whose binary matches one of these RE2 regexes. @default - every binary */
  readonly binaryRegex?: string[];
}

/**
 * One line of Tetragon's `redactionFilters`: secrets in process arguments are replaced before the
 * event leaves the agent, so they never reach the export file, Loki or a gRPC consumer.
 *
 * @see https://tetragon.io/docs/concepts/events/#redaction-filters
 */
export class RedactionFilter {
  /** A filter from its fields; throws on an invalid RE2 regex or a regex without a capture group. */
  public static of(spec: RedactionFilterSpec): RedactionFilter {
    return new RedactionFilter(spec);
  }

  private constructor(
    /** The filter's fields as given. */
    public readonly spec: RedactionFilterSpec,
  ) {
    const problems: string[] = [];
    if (spec.redact.length === 0) problems.push('redact is empty (Tetragon refuses a filter without redactions)');
    for (const re of spec.redact) {
      const problem = re2Problem(re);
      if (problem) problems.push(`redact regex ${JSON.stringify(re)} ${problem}`);
      else if (captureGroupCount(re) === 0)
        problems.push(`redact regex ${JSON.stringify(re)} has no capture group, so it would redact nothing; wrap the secret part in (...)`);
    }
    if (spec.binaryRegex && spec.binaryRegex.length === 0)
      problems.push('binaryRegex is an empty list; leave it out to apply to every binary');
    for (const re of spec.binaryRegex ?? []) {
      const problem = re2Problem(re);
      if (problem) problems.push(`binaryRegex ${JSON.stringify(re)} ${problem}`);
    }
    if (problems.length > 0) throw new Error(`invalid redaction filter: ${problems.join('; ')}`);
  }

  /** The filter as Tetragon reads it. */
  public toJson(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (this.spec.binaryRegex) out.binary_regex = [...this.spec.binaryRegex];
    out.redact = [...this.spec.redact];
    return out;
  }
}
