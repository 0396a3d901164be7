import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ENFORCEMENT_DRY_RUN_CONTEXT } from './policy/enforcement';
import { NetworkConnectionMonitor, NetworkConnectionMonitorProps } from './policies/network-connection-monitor';
import { PrivilegeEscalationMonitor, PrivilegeEscalationMonitorProps } from './policies/privilege-escalation-monitor';
import { ProcessExecMonitor, ProcessExecMonitorProps } from './policies/process-exec-monitor';
import { SensitiveFileAccessMonitor, SensitiveFileAccessMonitorProps } from './policies/sensitive-file-access-monitor';
import { ShellAccessMonitor, ShellAccessMonitorProps } from './policies/shell-access-monitor';

/**
 * Props of a {@link TetragonCluster}: the OpenTofu module's variables, typed.
 * Each policy toggle keeps the module's default; each `*Options` prop narrows or extends that policy.
 */
export interface TetragonClusterProps {
  /** The cluster's name (`cluster_name`): labels its events and names its folder in `dist/`. */
  readonly clusterName: string;
  /**
   * Deploy `process-exec-monitor`.
   * @default true
   */
  readonly enableProcessExecMonitor?: boolean;
  /**
   * Deploy `sensitive-file-access-monitor`.
   * @default true
   */
  readonly enableSensitiveFileMonitor?: boolean;
  /**
   * Deploy `privilege-escalation-monitor`.
   * @default true
   */
  readonly enablePrivilegeEscalationMonitor?: boolean;
  /**
   * Deploy `shell-access-monitor`.
   * @default true
   */
  readonly enableShellAccessMonitor?: boolean;
  /**
   * Deploy `network-connection-monitor` (noisy, so off as in the module).
   * @default false
   */
  readonly enableNetworkMonitor?: boolean;
  /**
   * Render every enforcing policy in `policy-mode: monitor`, whatever its own mode: a dry run of enforcement
   * for the whole cluster (events show what would have been killed or blocked).
   * @default false
   */
  readonly enforcementDryRun?: boolean;
  /** Options of `process-exec-monitor`. @default {} */
  readonly processExecMonitor?: ProcessExecMonitorProps;
  /** Options of `sensitive-file-access-monitor`. @default {} */
  readonly sensitiveFileMonitor?: SensitiveFileAccessMonitorProps;
  /** Options of `privilege-escalation-monitor`. @default {} */
  readonly privilegeEscalationMonitor?: PrivilegeEscalationMonitorProps;
  /** Options of `shell-access-monitor`. @default {} */
  readonly shellAccessMonitor?: ShellAccessMonitorProps;
  /** Options of `network-connection-monitor`. @default {} */
  readonly networkMonitor?: NetworkConnectionMonitorProps;
}

const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Everything Tetragon needs on one cluster, as GitOps units: one cdk8s Chart per unit, written by
 * {@link synthesizeUnits} to `dist/<cluster>/<unit>/`.
 *
 * - `policies`: the TracingPolicies selected by the toggles.
 */
export class TetragonCluster extends Construct {
  /** The cluster's name. */
  public readonly clusterName: string;
  /** The `policies` unit. */
  public readonly policies: Chart;

  constructor(scope: Construct, id: string, props: TetragonClusterProps) {
    super(scope, id);
    if (typeof props.clusterName !== 'string' || !CLUSTER_NAME.test(props.clusterName) || props.clusterName.length > 63) {
      throw new Error(`${this.node.path}: clusterName: got ${JSON.stringify(props.clusterName)}; use a DNS label (lowercase letters, digits and '-', at most 63 characters), as it names the cluster's folder and labels its events`);
    }
    this.clusterName = props.clusterName;

    this.policies = new Chart(scope, 'policies', { disableResourceNameHashes: true });
    if (props.enforcementDryRun) this.policies.node.setContext(ENFORCEMENT_DRY_RUN_CONTEXT, true);
    if (props.enableProcessExecMonitor ?? true) new ProcessExecMonitor(this.policies, 'ProcessExecMonitor', props.processExecMonitor);
    if (props.enableSensitiveFileMonitor ?? true) new SensitiveFileAccessMonitor(this.policies, 'SensitiveFileAccessMonitor', props.sensitiveFileMonitor);
    if (props.enablePrivilegeEscalationMonitor ?? true) new PrivilegeEscalationMonitor(this.policies, 'PrivilegeEscalationMonitor', props.privilegeEscalationMonitor);
    if (props.enableShellAccessMonitor ?? true) new ShellAccessMonitor(this.policies, 'ShellAccessMonitor', props.shellAccessMonitor);
    if (props.enableNetworkMonitor ?? false) new NetworkConnectionMonitor(this.policies, 'NetworkConnectionMonitor', props.networkMonitor);
  }
}
