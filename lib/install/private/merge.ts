/** Plain-object test for values trees. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Structural equality for JSON-like values. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Copy with object keys sorted at every level, so YAML and JSON output do not depend on insertion order. */
export function sortKeys<T>(v: T): T {
  if (Array.isArray(v)) return v.map(sortKeys) as unknown as T;
  if (isPlainObject(v)) {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys(v[k])]),
    ) as T;
  }
  return v;
}

/** A place where the escape hatch contradicts a typed value. */
export interface MergeConflict {
  /** Dotted values path. */
  readonly path: string;
  /** The typed value at that path. */
  readonly typed: unknown;
  /** The escape-hatch value at that path. */
  readonly extra: unknown;
}

/**
 * Deep-merges `extra` into `typed` (a new object; inputs are untouched). Objects merge key by key;
 * anything else in `extra` fills a gap in `typed`. Where both hold a different non-object value (or
 * one holds an object and the other not), the merge records a conflict instead of choosing.
 */
export function mergeValues(
  typed: Record<string, unknown>,
  extra: Record<string, unknown>,
  conflicts: MergeConflict[],
  prefix = '',
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...typed };
  for (const [key, value] of Object.entries(extra)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value === undefined) continue;
    if (!(key in typed) || typed[key] === undefined) {
      out[key] = structuredClone(value);
    } else if (isPlainObject(typed[key]) && isPlainObject(value)) {
      out[key] = mergeValues(typed[key] as Record<string, unknown>, value, conflicts, path);
    } else if (!deepEqual(typed[key], value)) {
      conflicts.push({ path, typed: typed[key], extra: value });
    }
  }
  return out;
}
