/**
 * The normalized fields every SIEM sink receives beside Tetragon's event. The event itself travels intact (the
 * JSON line as Tetragon exported it, as the log record's body, or the syslog message); these fields are log
 * record attributes, named the same for every sink, with their Elastic Common Schema (ECS 9.4.0) and OCSF (1.8.0)
 * counterparts so that a SIEM's ingest pipeline can map them.
 *
 * @see https://www.elastic.co/docs/reference/ecs
 * @see https://schema.ocsf.io/1.8.0/
 */
import { EVENT_TYPE_EXPRESSION, eventFieldExpression } from './log-schema';

/** Severity of an event, as the normalized `severity` field carries it. Tetragon's events have none: it is assigned per policy. */
export enum EventSeverity {
  /** OCSF severity_id 1, "Informational". */
  INFO = 'info',
  /** OCSF severity_id 2. */
  LOW = 'low',
  /** OCSF severity_id 3. */
  MEDIUM = 'medium',
  /** OCSF severity_id 4. */
  HIGH = 'high',
  /** OCSF severity_id 5. */
  CRITICAL = 'critical',
}

/** Severities from lowest to highest; the position + 1 is the OCSF `severity_id`. */
export const SEVERITY_ORDER: readonly EventSeverity[] = [
  EventSeverity.INFO,
  EventSeverity.LOW,
  EventSeverity.MEDIUM,
  EventSeverity.HIGH,
  EventSeverity.CRITICAL,
];

/** The OCSF `severity_id` of a severity (1 informational ... 5 critical). */
export function severityId(severity: EventSeverity): number {
  return SEVERITY_ORDER.indexOf(severity) + 1;
}

/** One normalized field. */
export interface SiemField {
  /** Attribute name on the log record (a valid Loki label name, since the pipeline carries it as one). */
  readonly name: string;
  /** What it holds and where it comes from. */
  readonly description: string;
  /** JMESPath on the event, or undefined for fields the pipeline computes (severity) or sets natively (timestamp). */
  readonly expression?: string;
  /** The Elastic Common Schema field to map it to, with any caveat. */
  readonly ecs: string;
  /** The OCSF attribute to map it to, with any caveat. */
  readonly ocsf: string;
}

/** Prefix of MITRE ATT&CK technique tags on hooks (`mitre.T1611`, `mitre.T1552.005`). */
export const MITRE_TAG_PREFIX = 'mitre.';

/** The tags of the hook that produced the event, when any: `*.tags` holds them on policy events. */
const TAGS = '*.tags | [0] || `[]`';

/**
 * The normalized fields, in the order the docs list them. `timestamp` is the log record's own time (set from the
 * event's `time`), not an attribute.
 */
export const SIEM_FIELDS: readonly SiemField[] = [
  {
    name: 'timestamp',
    description: "event time (`time`, RFC 3339 with nanoseconds), set as the log record's timestamp",
    ecs: '`@timestamp`',
    ocsf: '`time` (epoch milliseconds)',
  },
  {
    name: 'event_type',
    expression: EVENT_TYPE_EXPRESSION,
    description:
      "the event's kind: `process_exec`, `process_exit`, `process_kprobe`, `process_tracepoint`, `process_lsm`, `process_uprobe`, ...",
    ecs: '`event.action`',
    ocsf: '`metadata.event_code`',
  },
  {
    name: 'cluster',
    expression: 'cluster_name',
    description: "Kubernetes cluster (`cluster_name`, else the construct's `cluster`)",
    ecs: '`orchestrator.cluster.name`',
    ocsf: 'no core attribute: `unmapped.cluster`',
  },
  {
    name: 'node',
    expression: 'node_name',
    description: 'node that observed the event (`node_name`)',
    ecs: '`host.name`',
    ocsf: '`device.hostname`',
  },
  {
    name: 'namespace',
    expression: eventFieldExpression('process.pod.namespace'),
    description: "namespace of the process's pod; absent for processes outside pods",
    ecs: '`orchestrator.namespace`',
    ocsf: 'no core attribute: `unmapped.namespace`',
  },
  {
    name: 'pod',
    expression: eventFieldExpression('process.pod.name'),
    description: 'pod name',
    ecs: '`orchestrator.resource.name` (with `orchestrator.resource.type: pod`)',
    ocsf: 'no core attribute: `unmapped.pod`',
  },
  {
    name: 'container',
    expression: eventFieldExpression('process.pod.container.name'),
    description: 'container name',
    ecs: '`container.name`',
    ocsf: '`container.name`',
  },
  {
    name: 'workload',
    expression: eventFieldExpression('process.pod.workload'),
    description: 'owning workload (Deployment, DaemonSet, ...)',
    ecs: 'no ECS field: `labels.workload`',
    ocsf: 'no core attribute: `unmapped.workload`',
  },
  {
    name: 'binary',
    expression: eventFieldExpression('process.binary'),
    description: 'executable path of the process',
    ecs: '`process.executable`',
    ocsf: '`process.file.path`',
  },
  {
    name: 'arguments',
    expression: eventFieldExpression('process.arguments'),
    description: "the process's arguments as one string (Tetragon does not keep the argv boundaries)",
    ecs: '`process.command_line` (as `binary` + " " + `arguments`; `process.args` wants an array)',
    ocsf: '`process.cmd_line` (as `binary` + " " + `arguments`)',
  },
  {
    name: 'policy',
    expression: eventFieldExpression('policy_name'),
    description: 'TracingPolicy that produced the event (policy events only)',
    ecs: '`rule.name`',
    ocsf: '`policy.name`',
  },
  {
    name: 'tags',
    expression: `join(',', ${TAGS}) || \`null\``,
    description: "the hook's tags, comma-separated (policy events only)",
    ecs: '`tags` (split on commas)',
    ocsf: '`metadata.labels` (split on commas)',
  },
  {
    name: 'mitre_technique',
    expression: `join(',', ${TAGS} | [?starts_with(@, '${MITRE_TAG_PREFIX}')]) || \`null\``,
    description: `MITRE ATT&CK technique ids from the hook's \`${MITRE_TAG_PREFIX}*\` tags, comma-separated, prefix removed (\`T1611\`, \`T1552.005\`)`,
    ecs: '`threat.technique.id`, sub-techniques in `threat.technique.subtechnique.id`, with `threat.framework: "MITRE ATT&CK"`',
    ocsf: '`attacks[].technique.uid`, sub-techniques in `attacks[].sub_technique.uid`',
  },
  {
    name: 'severity',
    description: '`info`, `low`, `medium`, `high` or `critical`: by policy (see severity rules)',
    ecs: '`event.severity` takes the number: map `severity_id`',
    ocsf: '`severity` (the caption of `severity_id`)',
  },
  {
    name: 'severity_id',
    description: 'the severity as a number, 1 (info) to 5 (critical)',
    ecs: '`event.severity`',
    ocsf: '`severity_id`',
  },
];
