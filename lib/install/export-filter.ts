import { re2Problem } from './private/re2';

/**
 * Tetragon event types, as named in export filters (`event_set`) and field filters.
 *
 * @see https://tetragon.io/docs/concepts/events/
 */
export enum EventType {
  /** A successful `execve`; emitted by the base sensor without any policy. */
  PROCESS_EXEC = 'PROCESS_EXEC',
  /** A process exit. */
  PROCESS_EXIT = 'PROCESS_EXIT',
  /** A kprobe hook of a TracingPolicy fired. */
  PROCESS_KPROBE = 'PROCESS_KPROBE',
  /** A tracepoint hook of a TracingPolicy fired. */
  PROCESS_TRACEPOINT = 'PROCESS_TRACEPOINT',
  /** A shared library was loaded (policies with `loader: true`). */
  PROCESS_LOADER = 'PROCESS_LOADER',
  /** A uprobe hook fired. */
  PROCESS_UPROBE = 'PROCESS_UPROBE',
  /** Exec/exit events of a cgroup were throttled (agent flag `cgroup-rate`). */
  PROCESS_THROTTLE = 'PROCESS_THROTTLE',
  /** A BPF-LSM hook fired. */
  PROCESS_LSM = 'PROCESS_LSM',
  /** A USDT probe fired. */
  PROCESS_USDT = 'PROCESS_USDT',
  /** The export rate limit dropped events; says how many. */
  RATE_LIMIT_INFO = 'RATE_LIMIT_INFO',
}

/** Every event type, in a stable order. */
export const ALL_EVENT_TYPES: readonly EventType[] = Object.freeze(Object.values(EventType));

/**
 * The `namespace` value of node (non-pod) processes in Tetragon's export filters: `""`. (The log
 * pipeline maps it to a Loki label value of its own.)
 */
export const HOST_EXPORT_NAMESPACE = '';

/**
 * The fields of one export filter line. Fields of one filter are ANDed; the filters of a list are
 * ORed; a deny list wins over an allow list. Regular expressions use RE2 syntax.
 *
 * @see https://tetragon.io/docs/concepts/events/#filtering-events
 */
export interface ExportFilterSpec {
  /** Event types the filter matches (`event_set`). @default - any type */
  readonly eventTypes?: EventType[];
  /** Regexes on `process.binary` (`binary_regex`). @default - any binary */
  readonly binaryRegex?: string[];
  /** Regexes on `parent.binary` (`parent_binary_regex`). @default - any parent */
  readonly parentBinaryRegex?: string[];
  /** Regexes on any ancestor's binary (`ancestor_binary_regex`; needs process ancestors). @default - any */
  readonly ancestorBinaryRegex?: string[];
  /** Regexes on `process.arguments` (`arguments_regex`). @default - any */
  readonly argumentsRegex?: string[];
  /** Regexes on `parent.arguments` (`parent_arguments_regex`). @default - any */
  readonly parentArgumentsRegex?: string[];
  /** Match exec events that look like Kubernetes exec probes (`health_check`). @default - not a criterion */
  readonly healthCheck?: boolean;
  /** Pod namespaces (`namespace`); {@link HOST_EXPORT_NAMESPACE} (`""`) is the node itself. @default - any */
  readonly namespaces?: string[];
  /** Regexes on the pod name (`pod_regex`). @default - any */
  readonly podRegex?: string[];
  /** Pod label selectors such as `app=web` or `tier in (a,b)` (`labels`). @default - any */
  readonly podLabels?: string[];
  /** Process IDs (`pid`). @default - any */
  readonly pids?: number[];
  /** Process IDs whose descendants also match (`pid_set`). @default - any */
  readonly pidSet?: number[];
  /** TracingPolicy names (`policy_names`). @default - any */
  readonly policyNames?: string[];
  /** Container IDs or ID regexes (`container_id`). @default - any */
  readonly containerIds?: string[];
  /** Whether the process descends from the container's PID 1 (`in_init_tree`). @default - not a criterion */
  readonly inInitTree?: boolean;
  /** CEL expressions over the event (`cel_expression`). @default - none */
  readonly celExpressions?: string[];
}

/** Which spec field maps to which Tetragon filter key, and how it is checked. */
const KEYS: ReadonlyArray<[keyof ExportFilterSpec, string, 'regex' | 'strings' | 'ints' | 'bool' | 'events']> = [
  ['ancestorBinaryRegex', 'ancestor_binary_regex', 'regex'],
  ['argumentsRegex', 'arguments_regex', 'regex'],
  ['binaryRegex', 'binary_regex', 'regex'],
  ['celExpressions', 'cel_expression', 'strings'],
  ['containerIds', 'container_id', 'strings'],
  ['eventTypes', 'event_set', 'events'],
  ['healthCheck', 'health_check', 'bool'],
  ['inInitTree', 'in_init_tree', 'bool'],
  ['podLabels', 'labels', 'strings'],
  ['namespaces', 'namespace', 'strings'],
  ['parentArgumentsRegex', 'parent_arguments_regex', 'regex'],
  ['parentBinaryRegex', 'parent_binary_regex', 'regex'],
  ['pids', 'pid', 'ints'],
  ['pidSet', 'pid_set', 'ints'],
  ['podRegex', 'pod_regex', 'regex'],
  ['policyNames', 'policy_names', 'strings'],
];

/**
 * One line of Tetragon's `exportAllowList` / `exportDenyList`: a typed filter object, checked when it
 * is created (RE2 regexes, known event types, no empty filter, which would match every event).
 *
 * @example
 * ExportFilter.namespaces('noisy-batch')              // {"namespace":["noisy-batch"]}
 * ExportFilter.of({ namespaces: [HOST_EXPORT_NAMESPACE], binaryRegex: ['^/usr/bin/kubelet$'] })
 */
export class ExportFilter {
  /** A filter from its fields. Throws if it has no field or a field is invalid. */
  public static of(spec: ExportFilterSpec): ExportFilter {
    return new ExportFilter(spec);
  }

  /** Exec events that look like Kubernetes exec health checks (`{"health_check":true}`). */
  public static healthChecks(): ExportFilter {
    return new ExportFilter({ healthCheck: true });
  }

  /** Events of the given pod namespaces; pass {@link HOST_EXPORT_NAMESPACE} for the node's own processes. */
  public static namespaces(...namespaces: string[]): ExportFilter {
    return new ExportFilter({ namespaces });
  }

  /** Events of the given types. */
  public static eventTypes(...eventTypes: EventType[]): ExportFilter {
    return new ExportFilter({ eventTypes });
  }

  /** Events of node (non-pod) processes whose binary matches one of the RE2 regexes. */
  public static hostBinaries(binaryRegex: string[]): ExportFilter {
    return new ExportFilter({ namespaces: [HOST_EXPORT_NAMESPACE], binaryRegex });
  }

  /** The filter's fields as given. */
  public readonly spec: ExportFilterSpec;

  private constructor(spec: ExportFilterSpec) {
    const problems: string[] = [];
    let fields = 0;
    for (const [field, key, kind] of KEYS) {
      const value = spec[field];
      if (value === undefined) continue;
      fields++;
      if (kind === 'bool') continue;
      const list = value as unknown[];
      if (!Array.isArray(list) || list.length === 0) {
        problems.push(`${field} (${key}) is an empty list, which matches nothing; leave it out instead`);
        continue;
      }
      for (const item of list) {
        if (kind === 'regex') {
          const problem = re2Problem(String(item));
          if (problem) problems.push(`${field} regex ${JSON.stringify(item)} ${problem}`);
        } else if (kind === 'ints' && (!Number.isInteger(item) || (item as number) < 0)) {
          problems.push(`${field} value ${JSON.stringify(item)} is not a non-negative integer`);
        } else if (kind === 'events' && !ALL_EVENT_TYPES.includes(item as EventType)) {
          problems.push(`${field} value ${JSON.stringify(item)} is not one of ${ALL_EVENT_TYPES.join(', ')}`);
        }
      }
    }
    if (fields === 0) problems.push('it sets no field, and an empty filter matches every event');
    if (problems.length > 0) {
      throw new Error(`invalid export filter ${JSON.stringify(spec)}: ${problems.join('; ')}`);
    }
    this.spec = spec;
  }

  /** The filter as Tetragon reads it: snake_case keys in a stable (sorted) order. */
  public toJson(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [field, key] of KEYS) {
      const value = this.spec[field];
      if (value !== undefined) out[key] = Array.isArray(value) ? [...value] : value;
    }
    return out;
  }
}

/** Renders filters as Tetragon's filter-list format: one JSON object per line. */
export function renderFilterLines(filters: ReadonlyArray<{ toJson(): Record<string, unknown> }>): string {
  return filters.map((f) => JSON.stringify(f.toJson())).join('\n');
}
