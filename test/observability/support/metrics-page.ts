/**
 * Turns a Prometheus text exposition page (an agent's `/metrics`) into `promtool test rules` input series, the way
 * a scrape would store it: the page's samples with the scrape target's labels added (the Tetragon ServiceMonitor
 * scrapes with honor_labels, so a label the page has, even empty, wins over the target's), empty label values dropped.
 * Hand-made pages and pages captured from a real agent go through the same path.
 */

/** One sample line of a page. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** One promtool input series. */
export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

function unescape(v: string): string {
  return v.replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

/** Parses the sample lines of a text exposition page (HELP, TYPE and comments are skipped). */
export function parseMetricsPage(text: string): Sample[] {
  const out: Sample[] = [];
  for (const [n, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/.exec(line);
    if (!m) throw new Error(`metrics page line ${n + 1}: cannot read '${line}'`);
    const labels: Record<string, string> = {};
    const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(?:,|$)/gy;
    const body = m[2] ?? '';
    let consumed = 0;
    let lm: RegExpExecArray | null;
    while (consumed < body.length && (lm = re.exec(body)) !== null) {
      labels[lm[1]] = unescape(lm[2]);
      consumed = re.lastIndex;
    }
    if (consumed !== body.length) throw new Error(`metrics page line ${n + 1}: cannot read labels '${body}'`);
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : Number(m[3]);
    if (Number.isNaN(value) && m[3] !== 'NaN') throw new Error(`metrics page line ${n + 1}: bad value '${m[3]}'`);
    out.push({ name: m[1], labels, value });
  }
  return out;
}

/** A series in promtool's selector notation, labels sorted. */
export function seriesString(name: string, labels: Record<string, string>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `${name}{${parts.join(', ')}}`;
}

/**
 * The labels a sample gets when scraped from `target` with honor_labels, as Prometheus' scrape loop does
 * (mutateSampleLabels): a target label is added only when the page has no label of that name, then empty values are
 * dropped. So a page's empty label hides the target's: Tetragon's `namespace=""` and `pod=""` on a host process's
 * series leave the series without namespace and pod, not with the agent pod's own.
 */
export function scrapedLabels(sample: Sample, target: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(target)) if (!(k in sample.labels)) out[k] = v;
  for (const [k, v] of Object.entries(sample.labels)) if (v !== '') out[k] = v;
  return out;
}

/**
 * The input series of one scraped page: every sample with the target's labels, plus `up` for the target.
 * @param values promtool values notation per sample; by default the page's value held for `steps` intervals
 * @param up values of the target's `up` series
 */
export function pageToInputSeries(
  page: string,
  target: Record<string, string>,
  opts: {
    steps: number;
    values?: (s: Sample) => string | undefined;
    up?: string;
  },
): InputSeries[] {
  const hold = (s: Sample) => `${s.value}x${opts.steps}`;
  const series: InputSeries[] = [{ series: seriesString('up', target), values: opts.up ?? `1x${opts.steps}` }];
  for (const s of parseMetricsPage(page)) {
    series.push({ series: seriesString(s.name, scrapedLabels(s, target)), values: opts.values?.(s) ?? hold(s) });
  }
  return series;
}

/**
 * The labels the Tetragon chart's ServiceMonitor gives an agent's target: job (the Service), instance, the pod's
 * namespace, pod, service, endpoint and container, plus `node` and `tetragon_pod` from its relabelings.
 */
export function agentTarget(node: string, index: number, namespace = 'kube-system'): Record<string, string> {
  const pod = `tetragon-${['7kq2x', 'm4c9d', 'zt8wl', 'p2r6v'][index % 4]}`;
  return {
    job: 'tetragon',
    instance: `10.0.${index}.17:2112`,
    namespace,
    pod,
    service: 'tetragon',
    endpoint: 'metrics',
    container: 'tetragon',
    node,
    tetragon_pod: pod,
  };
}
