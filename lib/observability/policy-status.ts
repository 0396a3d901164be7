/**
 * Where each TracingPolicy is live. The TracingPolicy resource has no status and `tetragon_tracingpolicy_loaded`
 * counts states without naming policies, but every agent exports, per policy it holds,
 * `tetragon_tracingpolicy_kernel_memory_bytes{policy, policy_namespace}`: the memlock of the policy's BPF maps, 0 when
 * the policy is not loaded there (load error, disabled). From the set of policies a cluster deploys, these rules
 * record a policy × node grid of live states and alert on a policy that is not live on an agent that is up, on one
 * that is live but posts nothing for longer than its owner expects, and on a jump of a policy's event rate.
 *
 * Metric names and labels as Tetragon v1.7.0 defines them (`pkg/metrics/policymetrics/policymetrics.go`,
 * `pkg/metrics/eventmetrics/eventmetrics.go`); the node label is the one the Tetragon chart's ServiceMonitor adds
 * (`node`, from the pod's node name).
 */
import { Duration } from 'cdk8s';
import { AlertDefinition } from './private/rule-model';
import { q } from './queries';
import { RecordingRule } from './rule-group';

/** A TracingPolicy the cluster deploys. */
export interface ExpectedPolicy {
  /** The policy's `metadata.name`. */
  readonly name: string;
  /**
   * Namespace of a TracingPolicyNamespaced.
   * @default - a cluster-wide TracingPolicy
   */
  readonly namespace?: string;
  /**
   * Alert when the policy is live on a node but posted no event there for this long. Set it only where silence is
   * suspicious: a policy that matches something on every node all the time (process execution, a busy file). Most
   * detections are silent by design.
   * @default - no silence alert
   */
  readonly silentAfter?: Duration;
}

/** Settings of the policy live-status rules. */
export interface PolicyStatusProps {
  /** The policies the cluster deploys. */
  readonly policies: readonly ExpectedPolicy[];
  /**
   * Label that names the node on the agents' metrics. The Tetragon chart's ServiceMonitor sets `node` from the
   * pod's node name (the agent's own `node_name` label is empty under its default metrics label filter). The
   * detection alerts group by it too.
   * @default 'node'
   */
  readonly nodeLabel?: string;
  /**
   * How long a policy may be not live on a node whose agent is up before `TetragonPolicyNotLive` fires (agents
   * load policies within seconds of starting).
   * @default Duration.minutes(5)
   */
  readonly notLiveFor?: Duration;
  /**
   * `TetragonPolicyEventRateJump` fires when a policy's event rate on a node (last 5 minutes) is this many times
   * its average rate over the hour that ended 15 minutes earlier...
   * @default 10
   */
  readonly rateJumpFactor?: number;
  /**
   * ...and at least this many events per second.
   * @default 10
   */
  readonly rateJumpMinPerSecond?: number;
}

/** Names of the recorded series. */
export const POLICY_STATUS_RECORDS = {
  /** 1 per (node, policy) the cluster deploys, for every agent that is up. */
  expected: 'tetragon:policy_expected:up',
  /** 1 where the expected policy has kernel memory on the node, 0 where it has none or is absent. */
  live: 'tetragon:policy_live:bool',
  /** Events per second by node and policy over 5 minutes. */
  rate5m: 'tetragon:policy_events:rate5m',
  /** Events per second by node and policy over one hour. */
  rate1h: 'tetragon:policy_events:rate1h',
} as const;

/** Inputs of {@link policyStatusRules}, resolved. */
export interface PolicyStatusInputs {
  readonly metricsJob: string;
  readonly nodeLabel: string;
  readonly policies: readonly ExpectedPolicy[];
  readonly notLiveFor: Duration;
  readonly rateJumpFactor: number;
  readonly rateJumpMinPerSecond: number;
  /** Namespace of the agents, for runbook commands. */
  readonly tetragonNamespace: string;
}

/** A Prometheus duration (`5m`, `90s`). */
export function promDuration(d: Duration): string {
  const s = Math.round(d.toSeconds());
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

/** The recording rules and alerts, in evaluation order (alerts read the records of the same evaluation). */
export function policyStatusRules(i: PolicyStatusInputs): { records: RecordingRule[]; alerts: AlertDefinition[] } {
  const job = `job=${q(i.metricsJob)}`;
  const node = i.nodeLabel;
  const by = `cluster, ${node}`;
  const byPolicy = `${by}, policy, policy_namespace`;
  const R = POLICY_STATUS_RECORDS;
  const up = `up{${job}} == 1`;
  const expected = [...i.policies].map((p) => {
    const withPolicy = `label_replace(${up}, "policy", ${q(p.name)}, "", "")`;
    return p.namespace === undefined ? withPolicy : `label_replace(${withPolicy}, "policy_namespace", ${q(p.namespace)}, "", "")`;
  });
  const loadErrors = `sum by (${by}) (tetragon_tracingpolicy_loaded{${job}, state=~"load_error|error"}) > 0`;
  const events = (extra = '') => `tetragon_policy_events_total{${job}${extra}}`;
  const nodeRef = `{{ $labels.${node} }}`;
  const verify = `kubectl -n ${i.tetragonNamespace} exec <agent pod on ${nodeRef}> -c tetragon -- tetra tracingpolicy list`;

  const records: RecordingRule[] = [
    { record: R.expected, expr: `max by (${byPolicy}) (\n  ${expected.join('\n  or ')}\n)` },
    {
      record: R.live,
      expr: `(max by (${byPolicy}) (tetragon_tracingpolicy_kernel_memory_bytes{${job}}) > bool 0) and on (${byPolicy}) ${R.expected}\nor ${R.expected} * 0`,
    },
    { record: R.rate5m, expr: `sum by (${by}, policy) (rate(${events()}[5m]))` },
    { record: R.rate1h, expr: `sum by (${by}, policy) (rate(${events()}[1h]))` },
  ];

  const alerts: AlertDefinition[] = [
    {
      alert: 'TetragonPolicyNotLive',
      expr: `${R.live} == 0 unless on (${by}) (${loadErrors})`,
      for: promDuration(i.notLiveFor),
      severity: 'warning',
      summary: `TracingPolicy {{ $labels.policy }} is not live on node ${nodeRef}`,
      description: `The agent on ${nodeRef} is up but holds no kernel memory for {{ $labels.policy }}: the policy is not loaded there (not yet received, disabled, or deleted), so its detections are absent on this node.`,
      runbook: [
        `${verify} shows the policy's state on that node (missing, disabled, enabled).`,
        'kubectl get tracingpolicies (and tracingpoliciesnamespaced -A) shows whether the object exists; Flux (flux get kustomizations) whether it was applied.',
        'A disabled policy: tetra tracingpolicy enable <name>. A missing one on only this node: check the agent log for the policy name, then restart the agent pod.',
      ],
    },
    {
      alert: 'TetragonPolicyLoadError',
      expr: `${R.live} == 0 and on (${by}) (${loadErrors})`,
      for: '2m',
      severity: 'critical',
      summary: `TracingPolicy {{ $labels.policy }} failed to load on node ${nodeRef}`,
      description: `The agent on ${nodeRef} reports a policy in state load_error or error, and {{ $labels.policy }} holds no kernel memory there. Its detections are absent on this node.`,
      runbook: [
        `${verify} shows the policy in state load_error or error, with the error.`,
        `kubectl -n ${i.tetragonNamespace} logs <agent pod on ${nodeRef}> -c tetragon | grep {{ $labels.policy }} gives the reason (missing kernel symbol, BTF, verifier, unsupported selector).`,
        "Run cdk8s-tetragon check on the policy against that node's kernel (cdk8s-tetragon kernel add for its BTF), fix the hook and redeploy.",
      ],
    },
  ];

  const silent = new Map<number, ExpectedPolicy[]>();
  for (const p of i.policies) {
    if (p.silentAfter === undefined) continue;
    const s = Math.round(p.silentAfter.toSeconds());
    silent.set(s, [...(silent.get(s) ?? []), p]);
  }
  if (silent.size > 0) {
    const terms = [...silent.entries()]
      .sort(([a], [b]) => a - b)
      .map(([seconds, ps]) => {
        const window = promDuration(Duration.seconds(seconds));
        const names = [...new Set(ps.map((p) => p.name))].sort();
        const sel = names.length === 1 ? `policy=${q(names[0])}` : `policy=~${q(names.map(regexEscape).join('|'))}`;
        const m = events(`, ${sel}`);
        return `(min_over_time(${R.live}{${sel}}[${window}]) == 1)\n  unless on (${by}, policy)\n  (sum by (${by}, policy) (increase(${m}[${window}])) > 0\n    or sum by (${by}, policy) (${m} unless ${m} offset ${window}))`;
      });
    alerts.push({
      alert: 'TetragonPolicySilent',
      expr: terms.length === 1 ? terms[0] : terms.map((t) => `(${t})`).join('\nor '),
      severity: 'warning',
      summary: `TracingPolicy {{ $labels.policy }} is live on node ${nodeRef} but posted no event`,
      description: `{{ $labels.policy }} has been live on ${nodeRef} and matched nothing there for the whole window its owner set (silentAfter). For this policy silence is suspicious: a hook that no longer fires (kernel function renamed, selector too narrow) or events filtered before they are counted.`,
      runbook: [
        'sum by (node, hook) (increase(tetragon_policy_events_total{policy="{{ $labels.policy }}"}[1d])) shows when and on which hook it last fired.',
        `Trigger what the policy watches on that node (for an exec monitor: run any command in a pod there) and watch tetra getevents -o compact on the agent.`,
        'If it should fire and does not: check the hook and selectors with cdk8s-tetragon check and the simulator; if silence is normal for this policy, remove its silentAfter.',
      ],
    });
  }

  alerts.push({
    alert: 'TetragonPolicyEventRateJump',
    expr: `${R.rate5m} > ${i.rateJumpMinPerSecond}\nand ${R.rate5m} > ${i.rateJumpFactor} * (${R.rate1h} offset 15m or ${R.rate5m} * 0)`,
    for: '5m',
    severity: 'warning',
    summary: `TracingPolicy {{ $labels.policy }} on node ${nodeRef} jumped to {{ $value | humanize }} events/s`,
    description: `The policy's event rate on this node is more than ${i.rateJumpFactor} times its rate of the hour before. A noisy policy fills the ring buffer, and the kernel then drops events of every policy on the node (TetragonKernelEventsLost).`,
    runbook: [
      `sum by (hook, binary, namespace) (rate(tetragon_policy_events_total{policy="{{ $labels.policy }}", ${node}="${nodeRef}"}[5m])) shows what matches.`,
      "An attack in progress? Follow the policy's own alert and events first. A new workload or a deploy? Add the binary to the policy's trusted binaries, narrow its selectors, or add a rate limit.",
      'Watch tetragon_bpf_missed_events_total and tetragon_observer_ringbuf_events_lost_total on the node while it lasts.',
    ],
  });
  return { records, alerts };
}

function regexEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
