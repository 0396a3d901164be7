/**
 * The LogQL and PromQL this library documents, and the building blocks its dashboard and rules use.
 * `docs/observability.md` shows exactly the queries of {@link documentedQueries}, and the tests parse
 * every one of them with Grafana's LogQL grammar and Prometheus' PromQL grammar.
 */
import { IConstruct } from 'constructs';
import { isDnsSubdomain } from '../private/patterns';
import { invalid, show } from '../private/problems';
import { DEFAULT_JOB, HOST_NAMESPACE } from './log-schema';

/** Names of the TracingPolicies the detections refer to (they appear as `policy` / `policy_name` labels). */
export interface DetectionPolicyNames {
  /**
   * @default 'process-exec-monitor'
   */
  readonly processExec?: string;
  /**
   * @default 'sensitive-file-access-monitor'
   */
  readonly sensitiveFileAccess?: string;
  /**
   * @default 'privilege-escalation-monitor'
   */
  readonly privilegeEscalation?: string;
  /**
   * @default 'shell-access-monitor'
   */
  readonly shellAccess?: string;
  /**
   * @default 'network-connection-monitor'
   */
  readonly networkConnection?: string;
}

/** {@link DetectionPolicyNames} with every default applied. */
export type ResolvedPolicyNames = Required<DetectionPolicyNames>;

/** The policy names of the library's detection policies. */
export const DEFAULT_POLICY_NAMES: ResolvedPolicyNames = {
  processExec: 'process-exec-monitor',
  sensitiveFileAccess: 'sensitive-file-access-monitor',
  privilegeEscalation: 'privilege-escalation-monitor',
  shellAccess: 'shell-access-monitor',
  networkConnection: 'network-connection-monitor',
};

/**
 * Applies defaults and checks that each name is a valid TracingPolicy name; `where` (a construct, or the function
 * asking) heads the error.
 */
export function resolvePolicyNames(
  names: DetectionPolicyNames = {},
  where: IConstruct | string = 'documentedQueries',
): ResolvedPolicyNames {
  const out = { ...DEFAULT_POLICY_NAMES, ...Object.fromEntries(Object.entries(names).filter(([, v]) => v !== undefined)) };
  for (const [key, value] of Object.entries(out)) {
    if (!isDnsSubdomain(value)) {
      invalid(
        where,
        `policyNames.${key}`,
        value,
        "a TracingPolicy name: lower-case letters, digits, '-' and '.'",
        `For example ${show(DEFAULT_POLICY_NAMES[key as keyof ResolvedPolicyNames])}`,
      );
    }
  }
  return out;
}

/**
 * Shell executables by path: sh, bash, zsh, dash, ksh, tcsh, csh, ash, mksh. LogQL label filters
 * and PromQL matchers are anchored, so `/usr/bin/ssh` or `/bin/shred` do not match.
 */
export const SHELL_BINARY_REGEX = '(.*/)?(ba|z|da|k|tc|c|a|mk)?sh';

/**
 * Crypto-miner executable names (Falco's `miner_binaries` list), matched on the path's last element,
 * allowing suffixes such as `cpuminer-multi`.
 */
export const CRYPTO_MINER_BINARIES: readonly string[] = [
  'xmrig',
  'xmr-stak',
  'minerd',
  'minergate',
  'cpuminer',
  'ccminer',
  'ethminer',
  'cgminer',
  'bfgminer',
  'sgminer',
  'claymore',
  'nbminer',
  't-rex',
  'gminer',
  'lolminer',
  'phoenixminer',
  'teamredminer',
  'nanominer',
  'bminer',
  'wildrig',
  'srbminer',
];

/** Anchored regex for a crypto-miner binary path. */
export const CRYPTO_MINER_BINARY_REGEX = `(.*/)?(${CRYPTO_MINER_BINARIES.join('|')})[^/]*`;

/** Line filter regex for Stratum mining-pool URLs in process arguments (`stratum+tcp://`, `stratum2+ssl://`, ...). */
export const STRATUM_REGEX = 'stratum2?[+](tcp|ssl|tls)://';

/** Anchored regex for executables started from world-writable scratch directories. */
export const SCRATCH_DIR_BINARY_REGEX = '/(tmp|dev/shm|var/tmp)/.*';

/** Quotes a string for LogQL and PromQL (both read Go-style double-quoted strings). */
export function q(s: string): string {
  return JSON.stringify(s);
}

/** One label matcher: `name`, operator, value. */
export type Matcher = readonly [name: string, op: '=' | '!=' | '=~' | '!~', value: string];

/** Renders a stream or series selector body such as `job="tetragon", namespace!="host"`. */
export function matchers(list: readonly Matcher[]): string {
  return list.map(([name, op, value]) => `${name}${op}${q(value)}`).join(', ');
}

/** A LogQL stream selector for Tetragon events: `{job="tetragon", ...}`. */
export function streamSelector(job: string, extra: readonly Matcher[] = []): string {
  return `{${matchers([['job', '=', job], ...extra])}}`;
}

/** Language of a query. */
export enum QueryLanguage {
  /** Loki's LogQL. */
  LOGQL = 'logql',
  /** Prometheus' PromQL. */
  PROMQL = 'promql',
}

/** A query shown to users in the docs. */
export interface DocumentedQuery {
  /** Stable identifier (used as an anchor and in tests). */
  readonly id: string;
  /** One-line title. */
  readonly title: string;
  /** When to run it and what it shows. */
  readonly description: string;
  /** LogQL or PromQL. */
  readonly language: QueryLanguage;
  /** The query text. */
  readonly expr: string;
}

/** Options for {@link documentedQueries}. */
export interface DocumentedQueryOptions {
  /**
   * Value of the `job` stream label.
   * @default 'tetragon'
   */
  readonly job?: string;
  /**
   * Detection policy names.
   * @default DEFAULT_POLICY_NAMES
   */
  readonly policyNames?: DetectionPolicyNames;
}

/**
 * The queries for verification and troubleshooting: the module's examples (its invalid shell query
 * fixed) and the ones a responder needs. Grafana Explore → Loki (or Prometheus) runs them as they are.
 */
export function documentedQueries(options: DocumentedQueryOptions = {}): DocumentedQuery[] {
  const job = options.job ?? DEFAULT_JOB;
  const p = resolvePolicyNames(options.policyNames);
  const all = streamSelector(job);
  const L = QueryLanguage.LOGQL;
  const P = QueryLanguage.PROMQL;
  return [
    {
      id: 'all-events',
      language: L,
      title: 'All Tetragon events',
      description: 'Every exported event. Empty means nothing reaches Loki: see "No events in Loki".',
      expr: all,
    },
    {
      id: 'process-executions',
      language: L,
      title: 'Process executions',
      description: 'Successful execs (the base sensor; no policy needed).',
      expr: streamSelector(job, [['event_type', '=', 'process_exec']]),
    },
    {
      id: 'namespace-events',
      language: L,
      title: 'Events in one namespace',
      description: 'Replace `default` with the namespace to inspect.',
      expr: streamSelector(job, [['namespace', '=', 'default']]),
    },
    {
      id: 'host-events',
      language: L,
      title: 'Events from host processes',
      description: `Processes outside pods carry namespace="${HOST_NAMESPACE}". The install keeps them in the export (the chart's default deny list drops namespace "").`,
      expr: streamSelector(job, [['namespace', '=', HOST_NAMESPACE]]),
    },
    {
      id: 'sensitive-file-text',
      language: L,
      title: 'Sensitive file access (text search)',
      description: "The module's line filter; matches the path anywhere in the event.",
      expr: `${all} |= "/etc/shadow"`,
    },
    {
      id: 'sensitive-file-access',
      language: L,
      title: 'Sensitive file access by file, pod and binary',
      description: 'Hits of the sensitive-file policy with the file path parsed from the first kprobe argument.',
      expr: `${streamSelector(job, [['policy_name', '=', p.sensitiveFileAccess]])} | json file="process_kprobe.args[0].file_arg.path" | line_format "{{.namespace}}/{{.pod}} {{.binary}} -> {{.file}}"`,
    },
    {
      id: 'shell-text',
      language: L,
      title: "Shell executions (text search, the module's query fixed)",
      description: 'The module wrote `|= "bash" or |= "/bin/sh"`, which Loki rejects; a regex line filter says it in one stage.',
      expr: `${all} |~ "bash|/bin/sh"`,
    },
    {
      id: 'shell-executions',
      language: L,
      title: 'Shells started in containers',
      description: 'Exec events whose binary is a shell (structured metadata `binary`), outside host processes.',
      expr: `${streamSelector(job, [
        ['event_type', '=', 'process_exec'],
        ['namespace', '!=', HOST_NAMESPACE],
      ])} | binary=~${q(SHELL_BINARY_REGEX)}`,
    },
    {
      id: 'interactive-shells',
      language: L,
      title: "Shells not started by the container's entrypoint (kubectl exec, nsenter)",
      description: "`in_init_tree=false` marks processes that do not descend from the container's PID 1.",
      expr: `${streamSelector(job, [
        ['event_type', '=', 'process_exec'],
        ['namespace', '!=', HOST_NAMESPACE],
      ])} | binary=~${q(SHELL_BINARY_REGEX)} | json in_init_tree="process_exec.process.in_init_tree" | in_init_tree="false"`,
    },
    {
      id: 'privilege-escalation',
      language: L,
      title: 'Privilege escalation events per pod (last hour)',
      description: 'setuid/setgid/capset hits of the privilege-escalation policy, counted per namespace, pod and kernel function.',
      expr: `sum by (namespace, pod, function_name) (count_over_time(${streamSelector(job, [['policy_name', '=', p.privilegeEscalation]])} [1h]))`,
    },
    {
      id: 'suid-exec',
      language: L,
      title: 'Executions that raised privileges (SUID/SGID or file capabilities)',
      description: 'Needs `enableProcessCred: true` in the agent; Tetragon then sets `binary_properties.privileges_changed`.',
      expr: `${streamSelector(job, [['event_type', '=', 'process_exec']])} |= "PRIVILEGES_RAISED_EXEC_FILE" | json privileges="process_exec.process.binary_properties.privileges_changed"`,
    },
    {
      id: 'network-destinations',
      language: L,
      title: 'Outbound connections with destination',
      description: 'tcp_connect events of the network policy with the destination parsed from the socket argument.',
      expr: `${streamSelector(job, [['policy_name', '=', p.networkConnection]])} | json daddr="process_kprobe.args[0].sock_arg.daddr", dport="process_kprobe.args[0].sock_arg.dport" | line_format "{{.namespace}}/{{.pod}} {{.binary}} -> {{.daddr}}:{{.dport}}"`,
    },
    {
      id: 'crypto-miners',
      language: L,
      title: 'Crypto-miner binaries or Stratum pool arguments',
      description: 'Known miner names, or any exec whose arguments name a Stratum pool.',
      expr: `${streamSelector(job, [['event_type', '=', 'process_exec']])} |~ ${q(STRATUM_REGEX)} or ${q(CRYPTO_MINER_BINARIES.join('|'))}`,
    },
    {
      id: 'process-trail',
      language: L,
      title: 'Everything one process did',
      description: 'Replace the id with an `exec_id` from any event; exec, kprobe and exit events share it.',
      expr: `${all} | exec_id="bm9kZS1hOjQ1NjcxMjM0OjkxMjM="`,
    },
    {
      id: 'events-by-type',
      language: L,
      title: 'Event rate by type',
      description: 'Events per minute for each event type, as on the dashboard timeline.',
      expr: `sum by (event_type) (count_over_time(${all} [1m]))`,
    },
    {
      id: 'policy-load-errors',
      language: P,
      title: 'Policies that failed to load',
      description:
        'A TracingPolicy accepted by the API server can still fail on a node; this gauge is the only signal (it has no policy label: run `tetra tracingpolicy list` on that node).',
      expr: 'tetragon_tracingpolicy_loaded{state=~"load_error|error"} > 0',
    },
    {
      id: 'policy-hits',
      language: P,
      title: 'Policy hits per policy',
      description: 'Counted before export filters, so it shows hits that never reach Loki.',
      expr: 'sum by (policy) (rate(tetragon_policy_events_total[5m]))',
    },
    {
      id: 'event-loss',
      language: P,
      title: 'Events lost in the kernel or in user space',
      description: 'Non-zero means events are missing from Loki; see the TetragonKernelEventsLost runbook.',
      expr: 'sum by (msg_op, error) (rate(tetragon_bpf_missed_events_total[5m])) or sum(rate(tetragon_observer_ringbuf_queue_events_lost_total[5m]))',
    },
    {
      id: 'export-age',
      language: P,
      title: 'Seconds since each agent last exported an event',
      description: 'A growing value on one node means its export pipeline is stalled.',
      expr: 'time() - tetragon_events_last_exported_timestamp',
    },
  ];
}
