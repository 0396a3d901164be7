import { Construct } from 'constructs';
import { invalid } from '../private/problems';
import { AlloyLogShipping, AlloyLogShippingProps } from './alloy-log-shipping';
import { DEFAULT_JOB } from './log-schema';
import { PolicyStatusProps } from './policy-status';
import { PromtailLogShipping, PromtailLogShippingProps } from './promtail-log-shipping';
import { DetectionPolicyNames } from './queries';
import { TetragonAlertRules, TetragonAlertRulesProps } from './tetragon-alert-rules';
import { TetragonDashboard, TetragonDashboardProps } from './tetragon-dashboard';
import { TetragonLokiRules, TetragonLokiRulesProps } from './tetragon-loki-rules';

/** Which agent ships Tetragon's events to Loki. */
export enum LogShipper {
  /** Grafana Alloy (the default; Promtail is end of life). */
  ALLOY = 'alloy',
  /** Promtail, for clusters that still run it. */
  PROMTAIL = 'promtail',
}

/** Props of {@link TetragonObservability}: the module's toggles plus per-part settings. */
export interface TetragonObservabilityProps {
  /**
   * Emit the Grafana dashboard ConfigMap.
   * @default true
   */
  readonly enableGrafanaDashboard?: boolean;
  /**
   * Namespace of the dashboard ConfigMap.
   * @default 'monitoring'
   */
  readonly grafanaDashboardNamespace?: string;
  /**
   * Further dashboard settings (labels, folder, uid...).
   * @default - defaults of TetragonDashboard
   */
  readonly dashboard?: Omit<TetragonDashboardProps, 'namespace' | 'job' | 'tetragonNamespace' | 'policyNames' | 'nodeLabel'>;

  /**
   * Emit the PrometheusRule with agent, event-loss and detection alerts.
   * @default true
   */
  readonly enableAlertRules?: boolean;
  /**
   * Namespace of the PrometheusRule.
   * @default 'monitoring'
   */
  readonly alertRulesNamespace?: string;
  /**
   * Further alert settings (object labels for your ruleSelector, rule labels, runbook URL...).
   * @default - defaults of TetragonAlertRules
   */
  readonly alertRules?: Omit<TetragonAlertRulesProps, 'namespace' | 'lokiJob' | 'tetragonNamespace' | 'policyNames' | 'policyStatus'>;

  /**
   * Emit the Loki ruler ConfigMap with LogQL detections.
   * @default true
   */
  readonly enableLokiRules?: boolean;
  /**
   * Namespace of the Loki rules ConfigMap.
   * @default 'logging'
   */
  readonly lokiRulesNamespace?: string;
  /**
   * Further Loki rule settings.
   * @default - defaults of TetragonLokiRules
   */
  readonly lokiRules?: Omit<TetragonLokiRulesProps, 'namespace' | 'job'>;

  /**
   * Emit the log-shipping configuration.
   * @default true
   */
  readonly enableLogShipping?: boolean;
  /**
   * Namespace of the log shipper.
   * @default 'logging'
   */
  readonly logShippingNamespace?: string;
  /**
   * Which log shipper to configure.
   * @default LogShipper.ALLOY
   */
  readonly logShipper?: LogShipper;
  /**
   * Further Alloy settings (Loki URL, tenant, forwardTo, cluster label...). Only with `LogShipper.ALLOY`.
   * @default - defaults of AlloyLogShipping
   */
  readonly alloy?: Omit<AlloyLogShippingProps, 'namespace' | 'job'>;
  /**
   * Further Promtail settings. Only with `LogShipper.PROMTAIL`.
   * @default - defaults of PromtailLogShipping
   */
  readonly promtail?: Omit<PromtailLogShippingProps, 'namespace' | 'job'>;

  /**
   * Value of the `job` stream label, shared by log shipping, dashboard and rules.
   * @default 'tetragon'
   */
  readonly job?: string;
  /**
   * Namespace of the Tetragon agent.
   * @default 'kube-system'
   */
  readonly tetragonNamespace?: string;
  /**
   * Detection policy names, shared by dashboard and alerts.
   * @default DEFAULT_POLICY_NAMES
   */
  readonly policyNames?: DetectionPolicyNames;

  /**
   * Policy live status: rules in the PrometheusRule (needs `enableAlertRules`) for the listed policies, and the
   * node label of the dashboard's "Policy status" row. `TetragonCluster` lists the policies it deploys.
   * @default - no policy status rules; the dashboard row reads label `node`
   */
  readonly policyStatus?: PolicyStatusProps;
}

/**
 * Everything to see and alert on Tetragon's events, with the module's toggles: the Grafana dashboard,
 * Prometheus alert rules, Loki ruler rules and log shipping (Alloy by default). Place it in the cluster's
 * observability chart; each part is also available as its own construct.
 */
export class TetragonObservability extends Construct {
  /** The dashboard, when enabled. */
  public readonly dashboard?: TetragonDashboard;
  /** The Prometheus alert rules, when enabled. */
  public readonly alertRules?: TetragonAlertRules;
  /** The Loki ruler rules, when enabled. */
  public readonly lokiRules?: TetragonLokiRules;
  /** The Alloy log shipping, when enabled with LogShipper.ALLOY. */
  public readonly alloy?: AlloyLogShipping;
  /** The Promtail log shipping, when enabled with LogShipper.PROMTAIL. */
  public readonly promtail?: PromtailLogShipping;

  public constructor(scope: Construct, id: string, props: TetragonObservabilityProps = {}) {
    super(scope, id);
    const job = props.job ?? DEFAULT_JOB;
    const tetragonNamespace = props.tetragonNamespace ?? 'kube-system';
    const shipper = props.logShipper ?? LogShipper.ALLOY;
    if (!Object.values(LogShipper).includes(shipper)) {
      invalid(
        this,
        'logShipper',
        shipper,
        `one of ${Object.values(LogShipper).join(', ')}`,
        'Use LogShipper.ALLOY or LogShipper.PROMTAIL.',
      );
    }
    if (shipper === LogShipper.ALLOY && props.promtail !== undefined) {
      invalid(
        this,
        'promtail',
        props.promtail,
        'no promtail settings while logShipper is alloy',
        'Set logShipper: LogShipper.PROMTAIL, or move the settings to alloy.',
      );
    }
    if (shipper === LogShipper.PROMTAIL && props.alloy !== undefined) {
      invalid(
        this,
        'alloy',
        props.alloy,
        'no alloy settings while logShipper is promtail',
        'Set logShipper: LogShipper.ALLOY, or move the settings to promtail.',
      );
    }

    if (props.policyStatus !== undefined && props.enableAlertRules === false) {
      invalid(
        this,
        'policyStatus',
        '<set>',
        'no policy status while enableAlertRules is false (its rules live in the PrometheusRule)',
        'Enable the alert rules, or drop policyStatus.',
      );
    }
    if (props.enableGrafanaDashboard ?? true) {
      this.dashboard = new TetragonDashboard(this, 'Dashboard', {
        ...props.dashboard,
        namespace: props.grafanaDashboardNamespace,
        job,
        tetragonNamespace,
        policyNames: props.policyNames,
        ...(props.policyStatus?.nodeLabel !== undefined ? { nodeLabel: props.policyStatus.nodeLabel } : {}),
      });
    }
    if (props.enableAlertRules ?? true) {
      this.alertRules = new TetragonAlertRules(this, 'AlertRules', {
        ...props.alertRules,
        namespace: props.alertRulesNamespace,
        lokiJob: job,
        tetragonNamespace,
        policyNames: props.policyNames,
        policyStatus: props.policyStatus,
      });
    }
    if (props.enableLokiRules ?? true) {
      this.lokiRules = new TetragonLokiRules(this, 'LokiRules', { ...props.lokiRules, namespace: props.lokiRulesNamespace, job });
    }
    if (props.enableLogShipping ?? true) {
      if (shipper === LogShipper.ALLOY) {
        this.alloy = new AlloyLogShipping(this, 'Alloy', { ...props.alloy, namespace: props.logShippingNamespace, job });
      } else {
        this.promtail = new PromtailLogShipping(this, 'Promtail', { ...props.promtail, namespace: props.logShippingNamespace, job });
      }
    }
  }
}
