import { search } from 'jmespath';
import { attrOf, Block, findBlocks, Ref, Statement, Value } from './alloy-parser';

/**
 * A small interpreter for the Alloy components the library emits, written from their reference pages: it runs an
 * event through `loki.source.file` → `loki.process` stages (json, replace, labels, static_labels, timestamp,
 * label_drop, regex, match) → `otelcol.receiver.loki` → `otelcol.processor.attributes` → an exporter, the way
 * Alloy v1.18.1 does for these stages, so tests can assert what each sink receives.
 */

/** A Loki entry inside the pipeline. */
export interface Entry {
  labels: Record<string, string>;
  line: string;
  timestamp?: string;
}

/** What an exporter receives: an OTel log record. */
export interface Delivered {
  exporter: string;
  body: string;
  timestamp?: string;
  attributes: Record<string, string | number>;
}

/** Matchers of a LogQL stream selector `{a="x", b!~"y"}`. */
export function parseSelector(selector: string): Array<{ label: string; op: string; value: string }> {
  const m = /^\{(.*)\}$/s.exec(selector.trim());
  if (!m) throw new Error(`not a stream selector: ${selector}`);
  const out: Array<{ label: string; op: string; value: string }> = [];
  const re = /\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*")\s*(,|$)/gy;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = re.exec(m[1])) !== null) {
    out.push({ label: match[1], op: match[2], value: JSON.parse(match[3]) as string });
    consumed = re.lastIndex;
    if (consumed >= m[1].length) break;
  }
  if (consumed !== m[1].length) throw new Error(`cannot read selector ${selector}`);
  return out;
}

/** Go RE2 syntax → JavaScript (named groups). */
function goRegex(re: string, flags = ''): RegExp {
  return new RegExp(re.replace(/\(\?P</g, '(?<'), flags);
}

export function selectorMatches(selector: string, labels: Record<string, string>): boolean {
  return parseSelector(selector).every(({ label, op, value }) => {
    const v = labels[label] ?? '';
    switch (op) {
      case '=':
        return v === value;
      case '!=':
        return v !== value;
      case '=~':
        return goRegex(`^(?:${value})$`).test(v);
      case '!~':
        return !goRegex(`^(?:${value})$`).test(v);
      default:
        throw new Error(op);
    }
  });
}

function stringOf(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

/** Runs the stages of a `loki.process` (or of a `stage.match` body). Returns undefined when the entry is dropped. */
export function runStages(stages: Statement[], entry: Entry, extracted: Record<string, unknown> = {}): Entry | undefined {
  for (const s of stages) {
    if (s.kind !== 'block') continue;
    switch (s.name) {
      case 'stage.json': {
        const data = JSON.parse(entry.line);
        for (const [name, expr] of Object.entries(attrOf(s, 'expressions') as Record<string, string>)) {
          let v: unknown;
          try {
            v = search(data, expr === '' ? name : expr);
          } catch {
            continue;
          }
          extracted[name] = v === null || typeof v !== 'object' ? v : JSON.stringify(v);
        }
        break;
      }
      case 'stage.replace': {
        const source = attrOf(s, 'source') as string;
        const value = stringOf(extracted[source]);
        if (value === undefined) break;
        const re = goRegex(attrOf(s, 'expression') as string, 'g');
        const replacement = (attrOf(s, 'replace') as string | undefined) ?? '';
        // Every capture group of every match is replaced, as Alloy's replace stage does.
        extracted[source] = value.replace(re, (...args) => {
          const whole = args[0] as string;
          const groups = args.slice(1, -2).filter((g) => typeof g === 'string') as string[];
          return groups.reduce((acc, g) => acc.replace(g, replacement), whole);
        });
        break;
      }
      case 'stage.labels':
        for (const [name, src] of Object.entries(attrOf(s, 'values') as Record<string, string>)) {
          const v = stringOf(extracted[src === '' ? name : src]);
          if (v !== undefined) entry.labels[name] = v;
        }
        break;
      case 'stage.static_labels':
        Object.assign(entry.labels, attrOf(s, 'values') as Record<string, string>);
        break;
      case 'stage.structured_metadata':
        break;
      case 'stage.timestamp':
        entry.timestamp = stringOf(extracted[attrOf(s, 'source') as string]) ?? entry.timestamp;
        break;
      case 'stage.label_drop':
        for (const l of attrOf(s, 'values') as string[]) delete entry.labels[l];
        break;
      case 'stage.regex': {
        const m = goRegex(attrOf(s, 'expression') as string).exec(entry.line);
        if (m?.groups) {
          Object.assign(extracted, m.groups);
          if (attrOf(s, 'labels_from_groups') === true) Object.assign(entry.labels, m.groups);
        }
        break;
      }
      case 'stage.match': {
        const matches = selectorMatches(attrOf(s, 'selector') as string, entry.labels);
        if ((attrOf(s, 'action') ?? 'keep') === 'drop') {
          if (matches) return undefined;
        } else if (matches) {
          const out = runStages(s.body, entry, extracted);
          if (out === undefined) return undefined;
        }
        break;
      }
      default:
        throw new Error(`the test runtime does not model ${s.name}`);
    }
  }
  return entry;
}

function component(config: Statement[], path: string): { block: Block; exportName: string } {
  const parts = path.split('.');
  const exportName = parts.pop()!;
  const label = parts.pop()!;
  const found = findBlocks(config, parts.join('.'), label).filter((b) => config.includes(b));
  if (found.length !== 1) throw new Error(`no component for ${path}`);
  return { block: found[0], exportName };
}

const refs = (v: Value | undefined): Ref[] => (Array.isArray(v) ? v : []) as Ref[];

function deliverOtel(config: Statement[], path: string, record: Omit<Delivered, 'exporter'>, out: Delivered[]): void {
  const { block } = component(config, path);
  if (block.name === 'otelcol.processor.attributes') {
    const attrs = { ...record.attributes };
    for (const action of block.body.filter((s): s is Block => s.kind === 'block' && s.name === 'action')) {
      const key = attrOf(action, 'key') as string;
      switch (attrOf(action, 'action')) {
        case 'delete':
          delete attrs[key];
          break;
        case 'convert':
          if (key in attrs && attrOf(action, 'converted_type') === 'int') attrs[key] = parseInt(String(attrs[key]), 10);
          break;
        case 'insert':
          if (key in attrs) break;
          if (attrOf(action, 'from_attribute') !== undefined) {
            const from = attrs[attrOf(action, 'from_attribute') as string];
            if (from !== undefined) attrs[key] = from;
          } else attrs[key] = attrOf(action, 'value') as string;
          break;
        default:
          throw new Error(`action ${String(attrOf(action, 'action'))} not modelled`);
      }
    }
    const output = block.body.find((s): s is Block => s.kind === 'block' && s.name === 'output')!;
    for (const next of refs(attrOf(output, 'logs'))) deliverOtel(config, next.ref, { ...record, attributes: attrs }, out);
    return;
  }
  if (block.name.startsWith('otelcol.exporter.')) {
    out.push({ exporter: `${block.name}.${block.label}`, ...record });
    return;
  }
  throw new Error(`${block.name} not modelled`);
}

function deliverLoki(config: Statement[], path: string, entry: Entry, out: Delivered[]): void {
  const { block } = component(config, path);
  if (block.name === 'loki.process') {
    const result = runStages(block.body, { labels: { ...entry.labels }, line: entry.line, timestamp: entry.timestamp });
    if (result === undefined) return;
    for (const next of refs(attrOf(block, 'forward_to'))) deliverLoki(config, next.ref, result, out);
    return;
  }
  if (block.name === 'otelcol.receiver.loki') {
    // Labels become attributes, and the receiver lists them in loki.attribute.labels.
    const attributes: Record<string, string | number> = { ...entry.labels, 'loki.attribute.labels': Object.keys(entry.labels).join(',') };
    const output = block.body.find((s): s is Block => s.kind === 'block' && s.name === 'output')!;
    for (const next of refs(attrOf(output, 'logs')))
      deliverOtel(config, next.ref, { body: entry.line, timestamp: entry.timestamp, attributes }, out);
    return;
  }
  if (block.name === 'loki.write') {
    out.push({ exporter: `loki.write.${block.label}`, body: entry.line, timestamp: entry.timestamp, attributes: { ...entry.labels } });
    return;
  }
  throw new Error(`${block.name} not modelled`);
}

/** Runs one exported event line through the whole configuration; returns what each exporter (and loki.write) got. */
export function runEvent(config: Statement[], event: unknown): Delivered[] {
  const source = findBlocks(config, 'loki.source.file', 'tetragon')[0];
  const target = (attrOf(findBlocks(config, 'local.file_match', 'tetragon')[0], 'path_targets') as Array<Record<string, string>>)[0];
  const labels = Object.fromEntries(Object.entries(target).filter(([k]) => !k.startsWith('__')));
  labels.filename = target.__path__;
  const out: Delivered[] = [];
  for (const next of refs(attrOf(source, 'forward_to')))
    deliverLoki(config, next.ref, { labels: { ...labels }, line: JSON.stringify(event) }, out);
  return out;
}
