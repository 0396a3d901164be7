import { ALL_EVENT_TYPES, EventType } from './export-filter';

/** Whether a field filter keeps or removes the fields it names. */
export enum FieldFilterAction {
  /** Keep only these fields. One INCLUDE filter switches the export to default-exclude. */
  INCLUDE = 'INCLUDE',
  /** Remove these fields. */
  EXCLUDE = 'EXCLUDE',
}

/** Options of a field filter besides its fields. */
export interface FieldFilterOptions {
  /** Event types the filter applies to. @default - every event type */
  readonly eventTypes?: EventType[];
  /** Apply to every event type except `eventTypes`. @default false */
  readonly invertEventTypes?: boolean;
}

const FIELD_PATH = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;

/**
 * One line of Tetragon's `fieldFilters`: include or exclude event fields by dotted path
 * (`process.pod.pod_labels`, `parent`). Paths use the JSON (snake_case) field names.
 *
 * @see https://tetragon.io/docs/concepts/events/#field-filtering
 */
export class FieldFilter {
  /** Removes the given fields from matching events. */
  public static exclude(fields: string[], options: FieldFilterOptions = {}): FieldFilter {
    return new FieldFilter(FieldFilterAction.EXCLUDE, fields, options);
  }

  /** Keeps only the given fields of matching events (and switches the export to default-exclude). */
  public static include(fields: string[], options: FieldFilterOptions = {}): FieldFilter {
    return new FieldFilter(FieldFilterAction.INCLUDE, fields, options);
  }

  private constructor(
    /** Include or exclude. */
    public readonly action: FieldFilterAction,
    /** Dotted field paths. */
    public readonly fields: readonly string[],
    /** Event-type scope. */
    public readonly options: FieldFilterOptions,
  ) {
    const problems: string[] = [];
    if (fields.length === 0) problems.push('fields is empty');
    for (const f of fields) {
      if (!FIELD_PATH.test(f)) problems.push(`field ${JSON.stringify(f)} is not a dotted snake_case path such as process.pod.pod_labels`);
    }
    for (const t of options.eventTypes ?? []) {
      if (!ALL_EVENT_TYPES.includes(t)) problems.push(`event type ${JSON.stringify(t)} is not one of ${ALL_EVENT_TYPES.join(', ')}`);
    }
    if (options.invertEventTypes && !options.eventTypes?.length) {
      problems.push('invertEventTypes needs eventTypes');
    }
    if (problems.length > 0) throw new Error(`invalid field filter (${action} ${JSON.stringify(fields)}): ${problems.join('; ')}`);
  }

  /** The filter as Tetragon reads it. */
  public toJson(): Record<string, unknown> {
    const out: Record<string, unknown> = { action: this.action };
    if (this.options.eventTypes?.length) out.event_set = [...this.options.eventTypes];
    out.fields = this.fields.join(',');
    if (this.options.invertEventTypes) out.invert_event_set = true;
    return out;
  }
}
