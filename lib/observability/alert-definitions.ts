/**
 * The alert catalogue: PromQL alerts on Tetragon's own metrics (agent health, policy load, event loss,
 * export, detections from `tetragon_policy_events_total`) and LogQL alerts for the Loki ruler on event
 * fields that metrics do not carry. The constructs render these; the docs list their runbooks.
 */
import { HOST_NAMESPACE } from './log-schema';
import { AlertDefinition } from './private/rule-model';
import {
  CRYPTO_MINER_BINARY_REGEX,
  q,
  ResolvedPolicyNames,
  SCRATCH_DIR_BINARY_REGEX,
  SHELL_BINARY_REGEX,
  STRATUM_REGEX,
  streamSelector,
} from './queries';

/** Inputs of {@link prometheusAlertDefinitions}. */
export interface PrometheusAlertInputs {
  /** `job` label of the agents' scrape target. */
  readonly metricsJob: string;
  /** Namespace of the Tetragon DaemonSet. */
  readonly tetragonNamespace: string;
  /** Name of the Tetragon DaemonSet. */
  readonly daemonSetName: string;
  /** Seconds without an exported event before export counts as stalled. */
  readonly exportStallSeconds: number;
  /** Detection policy names. */
  readonly policies: ResolvedPolicyNames;
  /** `job` stream label of Tetragon events in Loki (for the runbooks' queries). */
  readonly lokiJob: string;
  /** Label the scrape puts the node name in (the agent's own `node_name` label is empty by default). */
  readonly nodeLabel: string;
}

/**
 * Hits of one policy in the last 5 minutes. `increase()` needs two samples, so a label set's first hit
 * (a counter series that starts at 1) would be missed; the `unless ... offset` term counts series that
 * did not exist 5 minutes ago, and `* 1` drops the metric name so `or` keeps one value per label set.
 */
export function policyHits(policy: string, nodeLabel: string, extra = ''): string {
  const m = `tetragon_policy_events_total{policy=${q(policy)}${extra}}`;
  // The agent's default metrics label filter leaves `node_name` empty; the scrape's node label names the node.
  return `sum by (namespace, workload, pod, binary, ${nodeLabel}) (increase(${m}[5m]) > 0 or (${m} unless ${m} offset 5m) * 1)`;
}

/** The Prometheus alert definitions, grouped. */
export function prometheusAlertDefinitions(i: PrometheusAlertInputs): Record<string, AlertDefinition[]> {
  const job = `job=${q(i.metricsJob)}`;
  const ds = `namespace=${q(i.tetragonNamespace)}, daemonset=${q(i.daemonSetName)}`;
  return {
    'tetragon.agent': [
      {
        alert: 'TetragonMetricsAbsent',
        expr: `absent(up{${job}})`,
        for: '15m',
        severity: 'warning',
        summary: 'No Tetragon agent is scraped by Prometheus',
        description: `Prometheus has no target with ${job}. Every other Tetragon alert depends on these metrics and stays silent.`,
        runbook: [
          "Enable the chart's ServiceMonitor (tetragon.prometheus.serviceMonitor.enabled) and give it the labels your Prometheus selects.",
          `Check that the Service "tetragon" exists in ${i.tetragonNamespace} and exposes the metrics port 2112.`,
          `If the job label differs, set metricsJob on the alert rules to it (up{job=...} in Prometheus → Status → Targets).`,
        ],
      },
      {
        alert: 'TetragonAgentDown',
        expr: `up{${job}} == 0`,
        for: '5m',
        severity: 'critical',
        summary: 'Tetragon agent {{ $labels.instance }} is not answering scrapes',
        description: "The agent's metrics endpoint has failed for 5 minutes; its node may have no runtime-security visibility.",
        runbook: [
          `kubectl -n ${i.tetragonNamespace} get pods -l app.kubernetes.io/name=tetragon -o wide, find the pod on that node.`,
          `kubectl -n ${i.tetragonNamespace} describe pod <pod> and kubectl -n ${i.tetragonNamespace} logs <pod> -c tetragon --previous for crash reasons (BTF, memlock, a policy that crashed the agent).`,
        ],
      },
      {
        alert: 'TetragonAgentNotOnAllNodes',
        expr: `kube_daemonset_status_desired_number_scheduled{${ds}} - kube_daemonset_status_number_available{${ds}} > 0`,
        for: '15m',
        severity: 'critical',
        summary: 'Tetragon runs on fewer nodes than it should',
        description: '{{ $value }} node(s) have no available Tetragon agent, so processes there are not observed.',
        runbook: [
          `kubectl -n ${i.tetragonNamespace} get ds ${i.daemonSetName} and kubectl -n ${i.tetragonNamespace} get pods -l app.kubernetes.io/name=tetragon -o wide to find the missing nodes.`,
          'Check taints and tolerations, node resources, and image pulls on those nodes (kubectl describe pod).',
          'An agent in CrashLoopBackOff right after a policy change points at that policy: see TetragonPolicyLoadFailed.',
        ],
      },
      {
        alert: 'TetragonPolicyLoadFailed',
        expr: 'tetragon_tracingpolicy_loaded{state=~"load_error|error"} > 0',
        for: '2m',
        severity: 'critical',
        summary: '{{ $value }} TracingPolicy(ies) failed to load on {{ $labels.instance }}',
        description:
          'The API server accepted the policy but the agent could not load it (missing kernel symbol, unsupported selector, verifier error). Its detections are silently absent on this node.',
        runbook: [
          `kubectl -n ${i.tetragonNamespace} exec <agent pod on that node> -c tetragon -- tetra tracingpolicy list shows which policy is in state load_error or error.`,
          `kubectl -n ${i.tetragonNamespace} logs <agent pod> -c tetragon | grep -i "policy" shows the reason.`,
          "Run cdk8s-tetragon check on the policy YAML against that node's kernel; fix the hook (syscall flag, ignore.callNotFound, argument types) and redeploy.",
        ],
      },
      {
        alert: 'TetragonEnforcementNotificationsMissed',
        expr: 'increase(tetragon_enforcer_missed_notifications_total[10m]) > 0',
        severity: 'warning',
        summary: 'Tetragon missed enforcement notifications for policy {{ $labels.policy }}',
        description: 'An enforcer could not signal or override a call ({{ $labels.reason }}); enforcement for that policy had gaps.',
        runbook: [
          'Check the agent logs on that node for enforcer errors and whether the kernel supports the enforcement method (tetra probe).',
        ],
      },
    ],
    'tetragon.events': [
      {
        alert: 'TetragonKernelEventsLost',
        expr: 'sum without (msg_op, error) (increase(tetragon_bpf_missed_events_total[10m])) > 0',
        severity: 'warning',
        summary: 'Tetragon on {{ $labels.instance }} lost {{ $value | humanize }} events in the kernel',
        description: 'BPF programs could not send events to user space (ring buffer full). Detections in this window may be missing.',
        runbook: [
          'Find the noisy hook: sum by (msg_op, error) (rate(tetragon_bpf_missed_events_total[5m])) and sum by (policy) (rate(tetragon_policy_events_total[5m])).',
          "Narrow that policy's selectors or add a rateLimit action, or raise the ring buffer with tetragon.extraArgs rb-size-total.",
        ],
      },
      {
        alert: 'TetragonRingBufferEventsLost',
        expr: 'increase(tetragon_observer_ringbuf_events_lost_total[10m]) > 0',
        severity: 'warning',
        summary: 'Tetragon on {{ $labels.instance }} lost events in the ring buffer',
        description: 'The perf/ring buffer between kernel and agent overflowed.',
        runbook: ['Raise tetragon.extraArgs rb-size-total (or rb-size) and reduce event volume from the noisiest policy.'],
      },
      {
        alert: 'TetragonEventQueueOverflow',
        expr: 'increase(tetragon_observer_ringbuf_queue_events_lost_total[10m]) > 0',
        severity: 'warning',
        summary: 'Tetragon on {{ $labels.instance }} dropped events in its user-space queue',
        description: 'The agent read events faster than it could process them.',
        runbook: ['Raise tetragon.extraArgs rb-queue-size, give the agent more CPU (tetragon.resources), or cut event volume.'],
      },
      {
        alert: 'TetragonExportRateLimited',
        expr: 'increase(tetragon_export_ratelimit_events_dropped_total[10m]) > 0',
        severity: 'warning',
        summary: 'Tetragon on {{ $labels.instance }} dropped {{ $value | humanize }} events at the export rate limit',
        description:
          'tetragon.exportRateLimit discarded events before they reached the export file, so Loki misses them (metrics still count them).',
        runbook: ['Raise or remove tetragon.exportRateLimit, or drop noisy events earlier with exportDenyList or narrower policies.'],
      },
      {
        alert: 'TetragonExportStalled',
        expr: `time() - tetragon_events_last_exported_timestamp > ${i.exportStallSeconds}`,
        for: '5m',
        severity: 'warning',
        summary: 'Tetragon on {{ $labels.instance }} has not exported an event for {{ $value | humanizeDuration }}',
        description: "The JSON export (the source of Loki's events) stopped on this node while the agent is up.",
        runbook: [
          `kubectl -n ${i.tetragonNamespace} exec <agent pod> -c tetragon -- ls -la /var/run/cilium/tetragon/ shows whether tetragon.log still grows.`,
          'Check the disk of the export directory and the agent logs for export errors; an over-strict exportAllowList or exportDenyList can also leave nothing to export.',
        ],
      },
    ],
    'tetragon.detections': [
      {
        alert: 'TetragonSensitiveFileAccess',
        expr: policyHits(i.policies.sensitiveFileAccess, i.nodeLabel),
        severity: 'warning',
        summary: `{{ $labels.binary }} in {{ $labels.namespace }}/{{ $labels.pod }} on {{ $labels.${i.nodeLabel} }} accessed a sensitive file`,
        description: `${i.policies.sensitiveFileAccess} matched {{ $value | humanize }} time(s) in 5 minutes (credentials, SSH keys, service-account tokens).`,
        runbook: [
          `In Loki: {job="${i.lokiJob}", policy_name="${i.policies.sensitiveFileAccess}", namespace="{{ $labels.namespace }}"} | pod="{{ $labels.pod }}" shows the files and processes.`,
          "Expected (package managers, sshd, a token-reading client)? Add the binary to the policy's allow list. Otherwise isolate the pod and keep its events.",
        ],
      },
      {
        alert: 'TetragonPrivilegeEscalation',
        expr: policyHits(i.policies.privilegeEscalation, i.nodeLabel),
        severity: 'critical',
        summary: `{{ $labels.binary }} in {{ $labels.namespace }}/{{ $labels.pod }} on {{ $labels.${i.nodeLabel} }} raised its privileges`,
        description: `${i.policies.privilegeEscalation} matched {{ $value | humanize }} time(s) in 5 minutes (setuid/setgid to root, capset, user namespaces).`,
        runbook: [
          `In Loki: {job="${i.lokiJob}", policy_name="${i.policies.privilegeEscalation}"} | pod="{{ $labels.pod }}" shows the function and arguments.`,
          'Runtime setup (runc, containerd-shim) and login tools (sudo, su, sshd) do this legitimately; anything else in an application container is suspicious: isolate and investigate.',
        ],
      },
      {
        alert: 'TetragonShellInContainer',
        expr: policyHits(i.policies.shellAccess, i.nodeLabel, ', namespace!=""'),
        severity: 'warning',
        summary: `Shell {{ $labels.binary }} started in {{ $labels.namespace }}/{{ $labels.pod }} on {{ $labels.${i.nodeLabel} }}`,
        description: `${i.policies.shellAccess} matched {{ $value | humanize }} time(s) in 5 minutes in a pod.`,
        runbook: [
          `Check who ran kubectl exec (API server audit log) and what the shell did: {job="${i.lokiJob}", namespace="{{ $labels.namespace }}"} | pod="{{ $labels.pod }}".`,
          'Images that run shell scripts as entrypoints trigger this; scope the policy to exclude them.',
        ],
      },
    ],
  };
}

/** Inputs of {@link lokiAlertDefinitions}. */
export interface LokiAlertInputs {
  /** `job` stream label of Tetragon events. */
  readonly job: string;
}

/** LogQL alert definitions for the Loki ruler: detections on event fields. */
export function lokiAlertDefinitions(i: LokiAlertInputs): Record<string, AlertDefinition[]> {
  const execs = (...extra: Array<[string, '=' | '!=', string]>) => streamSelector(i.job, [['event_type', '=', 'process_exec'], ...extra]);
  const inPods = execs(['namespace', '!=', HOST_NAMESPACE]);
  const by = 'sum by (namespace, pod, container, binary)';
  return {
    'tetragon.loki.detections': [
      {
        alert: 'TetragonInteractiveShellInContainer',
        expr: `${by} (count_over_time(${inPods} | binary=~${q(SHELL_BINARY_REGEX)} | json in_init_tree="process_exec.process.in_init_tree" | in_init_tree="false" [5m])) > 0`,
        severity: 'warning',
        summary: "Shell {{ $labels.binary }} started outside the entrypoint's process tree in {{ $labels.namespace }}/{{ $labels.pod }}",
        description: "A shell that does not descend from the container's PID 1: kubectl exec, nsenter or a break-out.",
        runbook: [
          'Match the time with API server audit logs for pods/exec on that pod.',
          `Follow the session: {job="${i.job}", namespace="{{ $labels.namespace }}"} | pod="{{ $labels.pod }}" lists every exec and policy hit of the pod; exec_id ties them to one process.`,
        ],
      },
      {
        alert: 'TetragonPrivilegedBinaryExecuted',
        expr: `${by} (count_over_time(${inPods} |= "PRIVILEGES_RAISED_EXEC_FILE" | json privileges="process_exec.process.binary_properties.privileges_changed[0]" | privileges=~"PRIVILEGES_RAISED_EXEC_FILE_.*" [5m])) > 0`,
        severity: 'warning',
        summary: 'SUID/SGID or file-capability binary {{ $labels.binary }} raised privileges in {{ $labels.namespace }}/{{ $labels.pod }}',
        description:
          "An exec raised the process's privileges through the file's setuid/setgid bit or file capabilities (needs enableProcessCred on the agent).",
        runbook: [
          'Was the binary expected to be SUID in this image? Images should not need SUID binaries; remove them or run with allowPrivilegeEscalation: false.',
          'Otherwise treat as an escalation attempt: inspect the process tree via exec_id and parent.',
        ],
      },
      {
        alert: 'TetragonCryptoMinerExecuted',
        expr: `${by} (count_over_time(${execs()} | binary=~${q(CRYPTO_MINER_BINARY_REGEX)} [5m])) > 0`,
        severity: 'critical',
        summary: 'Known crypto-miner {{ $labels.binary }} executed in {{ $labels.namespace }}/{{ $labels.pod }}',
        description: 'The executable name matches a known miner.',
        runbook: [
          'Isolate the workload (NetworkPolicy deny egress), capture its events and image, then delete it and rotate credentials it could reach.',
        ],
      },
      {
        alert: 'TetragonStratumArguments',
        expr: `${by} (count_over_time(${execs()} |~ ${q(STRATUM_REGEX)} [5m])) > 0`,
        severity: 'critical',
        summary: 'Process with a Stratum mining-pool URL in {{ $labels.namespace }}/{{ $labels.pod }}',
        description: 'Process arguments name a stratum+tcp/ssl/tls pool: a miner, whatever its file name.',
        runbook: [
          'Same as TetragonCryptoMinerExecuted; the binary may be renamed, so search by exec_id for its parent and how it arrived.',
        ],
      },
      {
        alert: 'TetragonExecFromScratchDirectory',
        expr: `${by} (count_over_time(${inPods} | binary=~${q(SCRATCH_DIR_BINARY_REGEX)} [5m])) > 0`,
        severity: 'warning',
        summary: '{{ $labels.binary }} executed from a scratch directory in {{ $labels.namespace }}/{{ $labels.pod }}',
        description: 'Dropped payloads usually run from /tmp, /var/tmp or /dev/shm.',
        runbook: [
          'Check how the file got there (parent process, earlier downloads) and whether the image legitimately unpacks binaries to /tmp.',
        ],
      },
    ],
  };
}
