/**
 * The policy a scenario is about, synthesized the way a user gets it: the library construct that emits it
 * (one of the module's monitors, or a detection through `Detections`), with the scenario's props.
 */
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { DetectionName, DetectionOptions, Detections } from '../../detections/bundles';
import { NetworkConnectionMonitor } from '../../policies/network-connection-monitor';
import { PrivilegeEscalationMonitor } from '../../policies/privilege-escalation-monitor';
import { ProcessExecMonitor } from '../../policies/process-exec-monitor';
import { SensitiveFileAccessMonitor } from '../../policies/sensitive-file-access-monitor';
import { ShellAccessMonitor } from '../../policies/shell-access-monitor';
import { KERNELS_CONTEXT } from '../../policy/tracing-policy';
import { TracingPolicyManifest } from '../../simulate/policy-input';

type Props = Readonly<Record<string, unknown>>;

/** The module's monitors by policy name. */
const MONITORS: Readonly<Record<string, (scope: Construct, props: Props) => void>> = {
  [ProcessExecMonitor.NAME]: (s, p) => new ProcessExecMonitor(s, 'Monitor', p),
  [SensitiveFileAccessMonitor.NAME]: (s, p) => new SensitiveFileAccessMonitor(s, 'Monitor', p),
  [PrivilegeEscalationMonitor.NAME]: (s, p) => new PrivilegeEscalationMonitor(s, 'Monitor', p),
  [ShellAccessMonitor.NAME]: (s, p) => new ShellAccessMonitor(s, 'Monitor', p),
  [NetworkConnectionMonitor.NAME]: (s, p) => new NetworkConnectionMonitor(s, 'Monitor', p),
};

/** Names of the module's monitors. */
export const MONITOR_NAMES: readonly string[] = Object.keys(MONITORS);

/**
 * Every TracingPolicy manifest the construct named `name` (a monitor or a detection) emits with `props`, checked
 * at synth time against `kernels` (bundled kernel table names; default: every bundled kernel).
 * @throws Error when the name is neither a monitor nor a detection
 */
export function synthesizeConstruct(name: string, props: Props = {}, kernels?: readonly string[]): TracingPolicyManifest[] {
  const chart = new Chart(new App(), 'verify');
  // The kernel set the synth-time checks use (a loader policy needs 5.19+, so not the bundled set with 5.10).
  if (kernels) chart.node.setContext(KERNELS_CONTEXT, kernels);
  const monitor = MONITORS[name];
  if (monitor) monitor(chart, props);
  else if ((Object.values(DetectionName) as string[]).includes(name)) {
    new Detections(chart, 'Detections', { include: [name as DetectionName], options: { [name]: props } as DetectionOptions });
  } else {
    throw new Error(
      `'${name}' is neither a monitor (${MONITOR_NAMES.join(', ')}) nor a detection (${Object.values(DetectionName).join(', ')})`,
    );
  }
  return chart.toJson().filter((m: any) => String(m.kind).startsWith('TracingPolicy')) as TracingPolicyManifest[];
}

/**
 * The TracingPolicy named `policy`, from the construct of the same name with `props` (the library's policy
 * names are the construct names).
 * @throws Error when the construct emits no policy of that name
 */
export function scenarioPolicy(policy: string, props: Props = {}): TracingPolicyManifest {
  const found = synthesizeConstruct(policy, props).filter((m) => m.metadata?.name === policy);
  if (found.length !== 1)
    throw new Error(
      `the construct '${policy}' emits ${found.length} TracingPolicies named '${policy}' with props ${JSON.stringify(props)}`,
    );
  return found[0];
}
