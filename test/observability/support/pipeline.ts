import { search } from 'jmespath';

/** What a json → labels → structured_metadata → timestamp pipeline makes of one event. */
export interface Shipped {
  labels: Record<string, string>;
  metadata: Record<string, string>;
  timestamp: string | undefined;
}

/**
 * Runs the extraction the way Alloy's stage.json and Promtail's json stage do: each JMESPath
 * expression on the parsed line; null results are not extracted; non-strings are JSON-encoded.
 */
export function extract(expressions: Record<string, string>, event: unknown): Record<string, string> {
  const line = JSON.stringify(event);
  const parsed = JSON.parse(line);
  const out: Record<string, string> = {};
  for (const [name, expr] of Object.entries(expressions)) {
    const v = search(parsed, expr);
    if (v === null || v === undefined) continue;
    out[name] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

/** Applies label and metadata stages (value '' = same extracted name) to extracted values. */
export function ship(
  expressions: Record<string, string>,
  labelStage: Record<string, string>,
  metadataStage: Record<string, string>,
  timestampSource: string,
  staticLabels: Record<string, string>,
  event: unknown,
): Shipped {
  const x = extract(expressions, event);
  const pick = (stage: Record<string, string>) =>
    Object.fromEntries(
      Object.entries(stage)
        .map(([name, source]) => [name, x[source === '' ? name : source]] as const)
        .filter(([, v]) => v !== undefined && v !== ''),
    ) as Record<string, string>;
  return { labels: { ...staticLabels, ...pick(labelStage) }, metadata: pick(metadataStage), timestamp: x[timestampSource] };
}
