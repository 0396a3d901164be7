/**
 * A small writer for the Grafana Alloy configuration syntax (the subset this library emits):
 * blocks with optional labels, attributes, strings, numbers, booleans, lists, objects and
 * component references. Output is deterministic: object keys are sorted, indentation is fixed.
 *
 * @see https://grafana.com/docs/alloy/latest/get-started/configuration-syntax/syntax/
 */

/**
 * A reference to another component's export, e.g. `loki.write.default.receiver`, optionally indexed by a
 * string key (`remote.kubernetes.secret.creds.data["token"]`).
 */
export class AlloyRef {
  /**
   * @param path dotted identifier path
   * @param key map key looked up in the referenced export
   */
  public constructor(
    public readonly path: string,
    public readonly key?: string,
  ) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(path)) {
      throw new Error(`'${path}' is not an Alloy component reference (expected dotted identifiers such as loki.write.default.receiver)`);
    }
    if (key !== undefined && (key.length === 0 || /[\r\n]/.test(key))) throw new Error(`'${key}' is not a map key Alloy can index by`);
  }
}

/** A value in Alloy syntax. */
export type AlloyValue = string | number | boolean | AlloyRef | readonly AlloyValue[] | { readonly [key: string]: AlloyValue };

/** An attribute `name = value`. */
export interface AlloyAttribute {
  readonly kind: 'attr';
  readonly name: string;
  readonly value: AlloyValue;
}

/** A block `name "label" { ... }`. */
export interface AlloyBlock {
  readonly kind: 'block';
  readonly name: string;
  readonly label?: string;
  readonly body: readonly AlloyStatement[];
}

/** A statement in a block body or at file level. */
export type AlloyStatement = AlloyAttribute | AlloyBlock;

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const BLOCK_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** `name = value`. */
export function attr(name: string, value: AlloyValue): AlloyAttribute {
  if (!IDENT.test(name)) throw new Error(`'${name}' is not a valid Alloy attribute name`);
  return { kind: 'attr', name, value };
}

/** `name "label" { body }` (label omitted when undefined). */
export function block(name: string, label: string | undefined, body: readonly AlloyStatement[]): AlloyBlock {
  if (!BLOCK_NAME.test(name)) throw new Error(`'${name}' is not a valid Alloy block name`);
  if (label !== undefined && !IDENT.test(label)) {
    throw new Error(`'${label}' is not a valid Alloy component label (letters, digits and underscores, not starting with a digit)`);
  }
  return { kind: 'block', name, label, body };
}

/** Quotes a string the way Alloy (and Go) read double-quoted strings. */
export function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    switch (ch) {
      case '"':
        out += '\\"';
        break;
      case '\\':
        out += '\\\\';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      default:
        out += ch < ' ' ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : ch;
    }
  }
  return out + '"';
}

function renderValue(value: AlloyValue, indent: string): string {
  if (value instanceof AlloyRef) return value.key === undefined ? value.path : `${value.path}[${quote(value.key)}]`;
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`Alloy numbers must be finite, got ${value}`);
    return String(value);
  }
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    const list = value as readonly AlloyValue[];
    if (list.length === 0) return '[]';
    const scalar = list.every((v) => typeof v !== 'object' || v instanceof AlloyRef);
    if (scalar) return `[${list.map((v) => renderValue(v, indent)).join(', ')}]`;
    return `[\n${list.map((v) => `${inner}${renderValue(v, inner)},\n`).join('')}${indent}]`;
  }
  const entries = Object.entries(value as Record<string, AlloyValue>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return '{}';
  const width = Math.max(...entries.map(([k]) => renderKey(k).length));
  const lines = entries.map(([k, v]) => `${inner}${renderKey(k).padEnd(width)} = ${renderValue(v, inner)},\n`);
  return `{\n${lines.join('')}${indent}}`;
}

function renderKey(key: string): string {
  return IDENT.test(key) ? key : quote(key);
}

function renderStatements(statements: readonly AlloyStatement[], indent: string): string {
  const attrs = statements.filter((s): s is AlloyAttribute => s.kind === 'attr');
  const width = attrs.length ? Math.max(...attrs.map((a) => a.name.length)) : 0;
  const parts: string[] = [];
  let previous: AlloyStatement['kind'] | undefined;
  for (const s of statements) {
    // A blank line before each block keeps pipelines readable, as in Alloy's own examples.
    if (s.kind === 'block' && previous !== undefined) parts.push('\n');
    if (s.kind === 'attr') {
      parts.push(`${indent}${s.name.padEnd(width)} = ${renderValue(s.value, indent)}\n`);
    } else {
      const head = s.label === undefined ? s.name : `${s.name} ${quote(s.label)}`;
      parts.push(
        s.body.length === 0 ? `${indent}${head} {}\n` : `${indent}${head} {\n${renderStatements(s.body, indent + '  ')}${indent}}\n`,
      );
    }
    previous = s.kind;
  }
  return parts.join('');
}

/** Renders a configuration file; `header` lines become `//` comments. */
export function renderAlloy(statements: readonly AlloyStatement[], header: readonly string[] = []): string {
  const comments = header.map((h) => `// ${h}\n`).join('');
  return comments + (comments ? '\n' : '') + renderStatements(statements, '');
}

/** Names of the components (top-level blocks) of a configuration. */
export function componentNames(statements: readonly AlloyStatement[]): Set<string> {
  return new Set(statements.filter((s): s is AlloyBlock => s.kind === 'block').map((b) => b.name));
}
