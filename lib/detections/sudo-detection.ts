import { Construct } from 'constructs';
import { LokiDetectionRule } from '../observability/loki-detection-rule';
import { DetectionConstruct, InstallRequirements } from '../policies/detection';
import { TracingPolicy } from '../policy/tracing-policy';
import { refuse } from '../private/problems';
import { ExecQueryDetectionProps } from './detection-props';
import { escapeRegex, excludeBinariesStage, labelRegex, logRuleExpr, lokiRule } from './private/kit';

/** Props of a {@link SudoDetection}. */
export interface SudoDetectionProps extends ExecQueryDetectionProps {
  /**
   * Executable names (last path element) that run commands as another user.
   * @default SudoDetection.DEFAULT_PROGRAMS
   */
  readonly programs?: readonly string[];
}

/**
 * `sudo`: every run of sudo and its kin (the Tetragon library's "sudo Invocation Monitoring"; MITRE T1548.003):
 * an audit trail of who ran what as root, on nodes and in pods (where sudo should not even exist).
 *
 * No policy is needed: the alert in {@link SudoDetection.lokiRules} matches the last element of `process.binary`
 * in `process_exec` events, and the event's `arguments` hold the command.
 * On nodes it needs host events in the export: the chart's default export deny list drops processes outside
 * pods (namespace `""`). Severity `info`: it is an audit trail, raised to an alert by scoping it (e.g. pods only
 * with `excludeNamespaces: ['host']`).
 * Misses: sudo under another name, and privilege changes without these programs (see the privilege escalation
 * detection).
 */
export class SudoDetection extends DetectionConstruct {
  /** sudo, su, doas and pkexec. */
  public static readonly DEFAULT_PROGRAMS: readonly string[] = ['sudo', 'su', 'doas', 'pkexec'];
  /** The alert over exec events. */
  declare public readonly lokiRules: LokiDetectionRule[];
  /** Nothing beyond the default install (host events need the export deny list changed, see above). */
  public readonly installRequirements: InstallRequirements = { exportHostEvents: true };
  /** None: the signal is in events Tetragon reports without a policy. */
  public readonly policies: readonly TracingPolicy[] = [];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1548.003'];

  constructor(scope: Construct, id: string, props: SudoDetectionProps = {}) {
    super(scope, id);
    const programs = props.programs ?? SudoDetection.DEFAULT_PROGRAMS;
    if (programs.length === 0)
      refuse(this, 'programs', programs, 'the list is empty', 'Give at least one program name, or leave the prop out');
    for (const p of programs)
      if (!/^[A-Za-z0-9._+-]+$/.test(p)) refuse(this, 'programs', p, 'a bare program name (no slashes)', 'Write e.g. "sudo"');
    this.lokiRules = [
      lokiRule({
        alert: 'TetragonSudoInvoked',
        expr: logRuleExpr(this, props, {
          stream: [['event_type', '=', 'process_exec']],
          pipeline: [labelRegex('binary', `(.*/)?(${programs.map(escapeRegex).join('|')})`), ...excludeBinariesStage(this, props)],
        }),
        severity: 'info',
        summary: 'sudo, su, doas or pkexec was run',
        runbook:
          'Check the command (process_exec.process.arguments), the user (uid, auid) and the parent. In a pod, sudo means someone is working interactively as another user: find the session (kubectl exec) and who opened it.',
      }),
    ];
  }
}
