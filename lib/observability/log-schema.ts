/**
 * How a Tetragon JSON event becomes a Loki log line: which fields are stream labels, which are
 * structured metadata, and the JMESPath expressions (the language of Alloy's `stage.json` and
 * Promtail's `json` stage) that extract them. Alloy and Promtail configurations are both rendered
 * from these tables, so the two shippers label streams identically.
 *
 * @see https://tetragon.io/docs/concepts/events/
 * @see https://grafana.com/docs/loki/latest/get-started/labels/structured-metadata/
 */

/** The value of the `namespace` label for processes that do not run in a pod (host processes). */
export const HOST_NAMESPACE = 'host';

/** Default value of the `job` stream label; the module's queries all start with `{job="tetragon"}`. */
export const DEFAULT_JOB = 'tetragon';

/** Default path of Tetragon's JSON export file on each node (chart values `exportDirectory` + `tetragon.exportFilename`). */
export const DEFAULT_EXPORT_FILE = '/var/run/cilium/tetragon/tetragon.log';

/** One field extracted from an event. */
export interface ExtractedField {
  /** Name of the label or structured-metadata key in Loki. */
  readonly name: string;
  /** JMESPath expression evaluated on the parsed event. */
  readonly expression: string;
  /** What the field holds. */
  readonly description: string;
}

/**
 * JMESPath of the top-level event key (`process_exec`, `process_kprobe`, ...). Each event has exactly one key
 * of that kind beside `node_name`, `time`, `cluster_name` and `node_labels`.
 */
export const EVENT_TYPE_EXPRESSION = "keys(@)[?starts_with(@, 'process_') || @ == 'rate_limit_info'] | [0]";

/**
 * JMESPath of a field of the event's `process` (or the event itself), whatever the event type: `*` projects over
 * the top-level values and only the event object has these paths, so the first non-null is the one.
 */
export function eventFieldExpression(path: string): string {
  return `*.${path} | [0]`;
}

/** Stream labels: few values each, used in every stream selector. */
export const LABEL_FIELDS: readonly ExtractedField[] = [
  {
    name: 'event_type',
    expression: EVENT_TYPE_EXPRESSION,
    description: 'event kind: process_exec, process_exit, process_kprobe, process_tracepoint, process_lsm, ...',
  },
  {
    name: 'namespace',
    // Loki drops labels with empty values, so host processes get a visible value instead.
    expression: `*.process.pod.namespace | [0] || '${HOST_NAMESPACE}'`,
    description: `Kubernetes namespace of the process's pod; "${HOST_NAMESPACE}" for processes outside pods`,
  },
  {
    name: 'policy_name',
    expression: eventFieldExpression('policy_name'),
    description: 'TracingPolicy that produced a kprobe, tracepoint, LSM or uprobe event (absent on exec and exit events)',
  },
  { name: 'node', expression: 'node_name', description: 'Kubernetes node that observed the event' },
];

/** Structured metadata: high-cardinality fields kept beside the line, filterable without being labels. */
export const METADATA_FIELDS: readonly ExtractedField[] = [
  { name: 'pod', expression: eventFieldExpression('process.pod.name'), description: 'pod name' },
  { name: 'container', expression: eventFieldExpression('process.pod.container.name'), description: 'container name' },
  {
    name: 'workload',
    expression: eventFieldExpression('process.pod.workload'),
    description: 'owning workload (Deployment, DaemonSet, ...)',
  },
  { name: 'binary', expression: eventFieldExpression('process.binary'), description: 'executable path as given to exec' },
  {
    name: 'function_name',
    expression: eventFieldExpression('function_name'),
    description: 'hooked kernel function (kprobe and LSM events)',
  },
  {
    name: 'exec_id',
    expression: eventFieldExpression('process.exec_id'),
    description: 'process execution id, to correlate events of one process',
  },
];

/** The event time field, RFC 3339 with nanoseconds, used as the log line's timestamp. */
export const TIME_FIELD: ExtractedField = { name: 'time', expression: 'time', description: 'event time' };

/** Every expression the `json` stage extracts, keyed by extracted name, in a stable order. */
export function extractionExpressions(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of [...LABEL_FIELDS, ...METADATA_FIELDS, TIME_FIELD]) out[f.name] = f.expression;
  return out;
}

/** Go's time layout name for the `time` field, as Alloy and Promtail `timestamp` stages accept it. */
export const TIME_FORMAT = 'RFC3339Nano';
