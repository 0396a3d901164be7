import { Construct } from 'constructs';
import { LokiDetectionRule } from '../observability/loki-detection-rule';
import { DetectionConstruct, InstallRequirements } from '../policies/detection';
import { PrivilegeEscalationMonitor } from '../policies/privilege-escalation-monitor';
import { TracingPolicy } from '../policy/tracing-policy';
import { isDnsSubdomain } from '../private/patterns';
import { refuse } from '../private/problems';
import { QueryDetectionProps } from './detection-props';
import { labelRegex, logRuleExpr, lokiRule } from './private/kit';

/** Props of a {@link PrivilegeEscalationDetection}. */
export interface PrivilegeEscalationDetectionProps extends QueryDetectionProps {
  /**
   * The monitor whose events to alert on (its policy name is used).
   * @default - the policy named `policyName`
   */
  readonly monitor?: PrivilegeEscalationMonitor;
  /**
   * The name of the deployed privilege escalation policy, when `monitor` is not given.
   * @default PrivilegeEscalationMonitor.NAME
   */
  readonly policyName?: string;
}

/**
 * Alerts on the events of {@link PrivilegeEscalationMonitor}: set*id calls to root, capset, and user namespaces
 * created without CAP_SYS_ADMIN (the Tetragon library's "Privileges Escalation via Setuid System Calls", "via
 * Unprivileged User Namespaces" and "Privileges Change via Capset System Call"; MITRE T1548, T1611).
 *
 * The monitor already probes these calls (the library's `privileges-raise` recipe), so this detection creates no
 * policy: it reuses the monitor's events and splits them into three alerts by `function_name`. Deploy the monitor
 * (the cluster's privilege escalation toggle) for them to fire.
 * Noise and misses: those of the monitor (runc, sudo, su, sshd and login change ids by design; scope the monitor
 * with `podSelector: {}` or trusted binaries). Observe only; to block unprivileged user namespaces, set the
 * `user.max_user_namespaces` sysctl or use the container-escape detections' enforcement.
 */
export class PrivilegeEscalationDetection extends DetectionConstruct {
  /** The alerts over the monitor's events. */
  declare public readonly lokiRules: LokiDetectionRule[];
  /** Nothing beyond the default install (creds in events help triage: `enableProcessCred`). */
  public readonly installRequirements: InstallRequirements = {};
  /** None: it alerts on the monitor's events. */
  public readonly policies: readonly TracingPolicy[] = [];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1548', 'T1611'];

  constructor(scope: Construct, id: string, props: PrivilegeEscalationDetectionProps = {}) {
    super(scope, id);
    const policy = props.monitor?.policy.name ?? props.policyName ?? PrivilegeEscalationMonitor.NAME;
    if (!isDnsSubdomain(policy))
      refuse(this, 'policyName', policy, 'a TracingPolicy name', 'Use the name of the deployed privilege escalation policy');
    const rule = (alert: string, functions: string, summary: string, runbook: string) =>
      lokiRule({
        alert,
        expr: logRuleExpr(this, props, {
          stream: [
            ['event_type', '=', 'process_kprobe'],
            ['policy_name', '=', policy],
          ],
          pipeline: [labelRegex('function_name', functions)],
        }),
        severity: 'warning',
        summary,
        runbook,
      });
    this.lokiRules = [
      rule(
        'TetragonSetidToRoot',
        '__sys_set(res|re|fs)?[ug]id',
        'A process switched its user or group id to root',
        'Check the binary and parent: sudo, su, login, sshd and container runtimes do this by design; anything else in a pod gained root.',
      ),
      rule(
        'TetragonUnprivilegedUserNamespace',
        'create_user_ns',
        'A process without CAP_SYS_ADMIN created a user namespace',
        'Unprivileged user namespaces expose root-only kernel interfaces and precede most container-escape exploits. Check the binary (unshare, browsers and build sandboxes use them) and block them where not needed.',
      ),
      rule(
        'TetragonCapsetRaised',
        'security_capset',
        'A process raised its effective capabilities with capset',
        'Compare the new sets (cap_*_arg in the event) with what the workload needs; runtimes set capabilities at container start.',
      ),
    ];
  }
}
