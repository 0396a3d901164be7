import { Construct } from 'constructs';
import { LokiDetectionRule } from '../observability/loki-detection-rule';
import { q } from '../observability/queries';
import { DetectionConstruct, InstallRequirements } from '../policies/detection';
import { TracingPolicy } from '../policy/tracing-policy';
import { ExecQueryDetectionProps } from './detection-props';
import { excludeBinariesStage, logRuleExpr, lokiRule } from './private/kit';

/** Props of a {@link SuidExecDetection}. */
export type SuidExecDetectionProps = ExecQueryDetectionProps;

/**
 * `suid-exec`: executions of set-user-ID / set-group-ID binaries and of binaries with file capabilities, which run
 * with more privileges than their caller (the Tetragon library's "Privileges Escalation via SUID Binary
 * Execution" and "via File Capabilities Execution"; MITRE T1548.001).
 *
 * No policy is needed: with process credentials enabled in the install, `process_exec` events carry
 * `binary_properties.setuid` / `.setgid` (the file owner the process runs as) and `privileges_changed`
 * (`PRIVILEGES_RAISED_EXEC_FILE_SETUID`, `PRIVILEGES_RAISED_EXEC_FILE_CAP`). Two alerts: SUID/SGID, and file
 * capabilities. {@link SuidExecDetection.installRequirements} asks for `enableProcessCred`.
 * Noise: passwd, su, sudo, mount, newgrp, ping (capabilities on some distributions) on nodes; rare in pods,
 * where images should not ship SUID binaries. Exclude expected ones with `excludeBinaries`.
 * Misses: SUID files on `nosuid` mounts (not raised, so nothing to report), and escalation without exec.
 */
export class SuidExecDetection extends DetectionConstruct {
  /** The alerts over exec events. */
  declare public readonly lokiRules: LokiDetectionRule[];
  /** Process credentials and binary properties in events. */
  public readonly installRequirements: InstallRequirements = { processCredentials: true };
  /** None: the signal is in events Tetragon reports without a policy. */
  public readonly policies: readonly TracingPolicy[] = [];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1548.001'];

  constructor(scope: Construct, id: string, props: SuidExecDetectionProps = {}) {
    super(scope, id);
    const exclude = excludeBinariesStage(this, props);
    this.lokiRules = [
      lokiRule({
        alert: 'TetragonSuidExec',
        // setuid/setgid keys appear only in binary_properties (credentials use uid, euid, suid, ...).
        expr: logRuleExpr(this, props, {
          stream: [['event_type', '=', 'process_exec']],
          pipeline: [`|~ ${q('"set[ug]id":')}`, ...exclude],
        }),
        severity: 'warning',
        summary: 'A set-user-ID or set-group-ID binary was executed',
        runbook:
          'Compare process_credentials (uid vs euid) and binary_properties: which file owner the process became. ' +
          'In a pod, find out why the image holds a SUID binary and who ran it; on a node, check it is a known system tool.',
      }),
      lokiRule({
        alert: 'TetragonFileCapabilitiesExec',
        expr: logRuleExpr(this, props, {
          stream: [['event_type', '=', 'process_exec']],
          pipeline: [`|= ${q('PRIVILEGES_RAISED_EXEC_FILE_CAP')}`, ...exclude],
        }),
        severity: 'warning',
        summary: 'A binary with file capabilities was executed and gained capabilities',
        runbook:
          'Check process.cap in the event for the capabilities gained and `getcap` on the file. A capability set on a copied or new binary is a persistence technique.',
      }),
    ];
  }
}
