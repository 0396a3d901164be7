import { Duration, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import * as monitoring from '../../imports/monitoring.coreos.com';
import { isDnsSubdomain } from '../private/patterns';
import { invalid } from '../private/problems';
import { prometheusAlertDefinitions } from './alert-definitions';
import { DEFAULT_JOB } from './log-schema';
import { PolicyStatusProps, policyStatusRules } from './policy-status';
import { assemble, RuleAssembly } from './private/rule-model';
import { checkLabels, checkNamespace, checkObjectName, checkPromLabels, checkSelectorValue, sorted } from './private/validate';
import { DetectionPolicyNames, resolvePolicyNames } from './queries';
import { AlertRule, PrometheusRuleGroup } from './rule-group';

/** Props of {@link TetragonAlertRules}. */
export interface TetragonAlertRulesProps {
  /**
   * Namespace of the PrometheusRule.
   * @default 'monitoring'
   */
  readonly namespace?: string;

  /**
   * Name of the PrometheusRule.
   * @default 'tetragon-alerts'
   */
  readonly name?: string;

  /**
   * Labels on the PrometheusRule object, e.g. the `release` label your Prometheus' `ruleSelector` needs.
   * @default - none
   */
  readonly labels?: Record<string, string>;

  /**
   * Labels added to every alert (e.g. `team`), next to `severity`.
   * @default - none
   */
  readonly ruleLabels?: Record<string, string>;

  /**
   * `job` label of the Tetragon agents' scrape target (the Service name when the chart's ServiceMonitor is used).
   * @default 'tetragon'
   */
  readonly metricsJob?: string;

  /**
   * Namespace of the Tetragon DaemonSet.
   * @default 'kube-system'
   */
  readonly tetragonNamespace?: string;

  /**
   * Name of the Tetragon DaemonSet (for kube-state-metrics availability).
   * @default 'tetragon'
   */
  readonly daemonSetName?: string;

  /**
   * Minutes without an exported event before `TetragonExportStalled` fires. Quiet nodes with strict export
   * filters may need more.
   * @default 15
   */
  readonly exportStallMinutes?: number;

  /**
   * Detection policy names.
   * @default DEFAULT_POLICY_NAMES
   */
  readonly policyNames?: DetectionPolicyNames;

  /**
   * `job` stream label of Tetragon events in Loki, used in the runbooks' queries.
   * @default 'tetragon'
   */
  readonly lokiJob?: string;

  /**
   * Base URL of the runbooks (for example the rendered docs/observability.md); adds `runbook_url` = base + `#alertname`.
   * @default - no runbook_url; the `runbook` annotation carries the steps
   */
  readonly runbookBaseUrl?: string;

  /**
   * Policy live status: from the policies the cluster deploys, a group `tetragon.policy-status` that records a
   * policy × node grid of live states and alerts on a policy that is not live (or failed to load) on a node, is
   * silent where silence is suspicious, or suddenly posts far more events. `TetragonCluster` fills in its policies.
   * @default - no policy status rules
   */
  readonly policyStatus?: PolicyStatusProps;
}

/**
 * Prometheus alert rules for Tetragon as a `PrometheusRule`: agent not running or not scraped, policies
 * that failed to load, events lost in the kernel, ring buffer or queue, export stalled or rate-limited,
 * and detections from `tetragon_policy_events_total` (sensitive files, privilege escalation, shells in
 * containers). Each alert has a `severity` label and `summary`, `description` and `runbook` annotations.
 *
 * @see https://tetragon.io/docs/reference/metrics/
 */
export class TetragonAlertRules extends Construct {
  /** The generated PrometheusRule. */
  public readonly resource: monitoring.PrometheusRule;
  /** Namespace of the PrometheusRule. */
  public readonly namespace: string;
  private readonly baseGroups: readonly PrometheusRuleGroup[];
  private readonly policyStatus?: {
    readonly props: PolicyStatusProps;
    readonly metricsJob: string;
    readonly tetragonNamespace: string;
    readonly assembly: RuleAssembly;
  };

  public constructor(scope: Construct, id: string, props: TetragonAlertRulesProps = {}) {
    super(scope, id);
    this.namespace = checkNamespace(this, 'namespace', props.namespace ?? 'monitoring');
    const name = checkObjectName(this, 'name', props.name ?? 'tetragon-alerts');
    const stall = props.exportStallMinutes ?? 15;
    if (!Number.isInteger(stall) || stall < 1 || stall > 1440) {
      invalid(
        this,
        'exportStallMinutes',
        stall,
        'a whole number of minutes from 1 to 1440',
        'Pick how long a node may go without exporting an event, e.g. 15.',
      );
    }
    if (props.runbookBaseUrl !== undefined && !/^https?:\/\/\S+$/.test(props.runbookBaseUrl)) {
      invalid(
        this,
        'runbookBaseUrl',
        props.runbookBaseUrl,
        'an http:// or https:// URL without a fragment',
        'Point it at the rendered docs/observability.md.',
      );
    }
    if (props.runbookBaseUrl?.includes('#')) {
      invalid(
        this,
        'runbookBaseUrl',
        props.runbookBaseUrl,
        'a URL without a fragment',
        'Drop the #... part; each alert adds its own anchor.',
      );
    }
    const ruleLabels = checkPromLabels(this, 'ruleLabels', { ...(props.ruleLabels ?? {}) });
    if ('severity' in ruleLabels) {
      invalid(
        this,
        'ruleLabels.severity',
        ruleLabels.severity,
        'no severity (each alert sets its own)',
        'Remove severity from ruleLabels; route on it in Alertmanager instead.',
      );
    }
    const metricsJob = checkSelectorValue(this, 'metricsJob', props.metricsJob ?? 'tetragon');
    const tetragonNamespace = checkNamespace(this, 'tetragonNamespace', props.tetragonNamespace ?? 'kube-system');
    const defs = prometheusAlertDefinitions({
      metricsJob,
      tetragonNamespace,
      daemonSetName: checkObjectName(this, 'daemonSetName', props.daemonSetName ?? 'tetragon'),
      exportStallSeconds: stall * 60,
      policies: resolvePolicyNames(props.policyNames, this),
      lokiJob: checkSelectorValue(this, 'lokiJob', props.lokiJob ?? DEFAULT_JOB),
      // Validated with the rest of policyStatus below.
      nodeLabel: props.policyStatus?.nodeLabel ?? 'node',
    });
    const assembly = { extraLabels: ruleLabels, runbookBaseUrl: props.runbookBaseUrl };
    this.baseGroups = Object.entries(defs).map(([group, list]) => ({ name: group, rules: assemble(list, assembly) }));
    if (props.policyStatus !== undefined) {
      this.policyStatus = { props: props.policyStatus, metricsJob, tetragonNamespace, assembly };
      // Checked now for the error's sake; rendered at synth, so policies listed later (TetragonCluster) are included.
      this.resolvePolicyStatus(props.policyStatus, metricsJob, tetragonNamespace);
    }

    this.resource = new monitoring.PrometheusRule(this, 'Resource', {
      metadata: {
        name,
        namespace: this.namespace,
        labels: sorted({ ...checkLabels(this, 'labels', { ...(props.labels ?? {}) }), 'app.kubernetes.io/part-of': 'cdk8s-tetragon' }),
      },
      spec: Lazy.any({ produce: () => this.renderSpec() }) as monitoring.PrometheusRuleSpec,
    });
  }

  /** The rule groups, in Prometheus rule-file shape (the policy status group as its policies are now). */
  public get groups(): readonly PrometheusRuleGroup[] {
    const status = this.policyStatus;
    if (status === undefined) return this.baseGroups;
    const rules = policyStatusRules(this.resolvePolicyStatus(status.props, status.metricsJob, status.tetragonNamespace));
    return [...this.baseGroups, { name: 'tetragon.policy-status', rules: [...rules.records, ...assemble(rules.alerts, status.assembly)] }];
  }

  private renderSpec(): monitoring.PrometheusRuleSpec {
    return {
      groups: this.groups.map((g) => ({
        name: g.name,
        rules: g.rules.map((r) =>
          'record' in r
            ? { record: r.record, expr: monitoring.PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr) }
            : {
                alert: (r as AlertRule).alert,
                expr: monitoring.PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr),
                for: (r as AlertRule).for,
                labels: sorted((r as AlertRule).labels),
                annotations: sorted((r as AlertRule).annotations),
              },
        ),
      })),
    };
  }

  private resolvePolicyStatus(p: PolicyStatusProps, metricsJob: string, tetragonNamespace: string) {
    const field = 'policyStatus';
    if (!Array.isArray(p.policies) || p.policies.length === 0) {
      invalid(
        this,
        `${field}.policies`,
        p.policies,
        'at least one policy',
        'List the TracingPolicies the cluster deploys, or leave policyStatus out.',
      );
    }
    const seen = new Set<string>();
    p.policies.forEach((policy, n) => {
      const where = `${field}.policies[${n}]`;
      if (!isDnsSubdomain(policy.name)) {
        invalid(this, `${where}.name`, policy.name, 'a TracingPolicy name', "Use the policy's metadata.name.");
      }
      if (policy.namespace !== undefined) checkNamespace(this, `${where}.namespace`, policy.namespace);
      const key = `${policy.namespace ?? ''}/${policy.name}`;
      if (seen.has(key)) invalid(this, `${where}.name`, policy.name, 'each policy once', 'Remove the duplicate.');
      seen.add(key);
      if (policy.silentAfter !== undefined) {
        const seconds = policy.silentAfter instanceof Duration ? policy.silentAfter.toSeconds() : NaN;
        if (!(seconds >= 600 && seconds <= 7 * 86400)) {
          invalid(
            this,
            `${where}.silentAfter`,
            Number.isNaN(seconds) ? policy.silentAfter : `${seconds} s`,
            'a Duration from 10 minutes to 7 days',
            'Pick how long this policy may stay silent on a node, e.g. Duration.hours(1).',
          );
        }
      }
    });
    const nodeLabel = p.nodeLabel ?? 'node';
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(nodeLabel) || nodeLabel.startsWith('__')) {
      invalid(
        this,
        `${field}.nodeLabel`,
        nodeLabel,
        'a Prometheus label name',
        'Use the label your scrape config puts the node name in, e.g. node.',
      );
    }
    const notLiveFor = p.notLiveFor ?? Duration.minutes(5);
    if (!(notLiveFor instanceof Duration) || notLiveFor.toSeconds() < 60 || notLiveFor.toSeconds() > 86400) {
      invalid(
        this,
        `${field}.notLiveFor`,
        notLiveFor instanceof Duration ? `${notLiveFor.toSeconds()} s` : notLiveFor,
        'a Duration from 1 minute to 1 day',
        'E.g. Duration.minutes(5).',
      );
    }
    const factor = p.rateJumpFactor ?? 10;
    if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 2 || factor > 1000) {
      invalid(
        this,
        `${field}.rateJumpFactor`,
        factor,
        'a number from 2 to 1000',
        'E.g. 10: alert when a policy posts ten times its usual rate.',
      );
    }
    const minRate = p.rateJumpMinPerSecond ?? 10;
    if (typeof minRate !== 'number' || !Number.isFinite(minRate) || minRate <= 0) {
      invalid(
        this,
        `${field}.rateJumpMinPerSecond`,
        minRate,
        'a positive number of events per second',
        'E.g. 10, so that a jump from 0.01 to 0.1 events/s stays quiet.',
      );
    }
    const policies = [...p.policies].sort((a, b) => (`${a.namespace ?? ''}/${a.name}` < `${b.namespace ?? ''}/${b.name}` ? -1 : 1));
    return { metricsJob, nodeLabel, policies, notLiveFor, rateJumpFactor: factor, rateJumpMinPerSecond: minRate, tetragonNamespace };
  }
}
