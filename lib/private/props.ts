/**
 * Every key of a props interface, as a value: `Record<keyof T, true>` makes the compiler reject a missing or an
 * extra key, so the list cannot drift from the interface.
 */
export type PropKeys<T> = Record<keyof Required<T>, true>;

/**
 * Refuses keys a props interface does not declare. TypeScript catches them at compile time, but the synth path
 * runs no type-checker and JavaScript callers have none, and a misspelt toggle would otherwise do nothing.
 *
 * @param where construct path, for the message
 * @param field the props object's name (`networkMonitor`), or '' for the construct's own props
 */
export function refuseUnknownProps<T>(where: string, field: string, props: T | undefined, keys: PropKeys<T>): void {
  if (props === undefined || props === null || typeof props !== 'object') return;
  const known = Object.keys(keys);
  for (const key of Object.keys(props)) {
    if (known.includes(key)) continue;
    const near = closest(key, known);
    throw new Error(
      `${where}: ${field ? `${field}.` : ''}${key}: unknown prop, so it would be ignored; ` +
        (near ? `did you mean '${near}'?` : `known: ${known.join(', ')}`),
    );
  }
}

/** The known key within edit distance 2 (or 3 for long keys) of `key`, if any. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    const d = distance(key.toLowerCase(), name.toLowerCase());
    if (d <= (key.length > 12 ? 3 : 2) && (!best || d < best.d)) best = { name, d };
  }
  return best?.name;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}
