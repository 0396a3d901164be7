import { Construct } from 'constructs';
import { LokiDetectionRule } from '../observability/loki-detection-rule';
import { DetectionConstruct, InstallRequirements } from '../policies/detection';
import { TracingPolicy } from '../policy/tracing-policy';
import { ExecQueryDetectionProps } from './detection-props';
import { excludeBinariesStage, logRuleExpr, lokiRule } from './private/kit';

/** Props of a {@link FilelessExecDetection}. */
export type FilelessExecDetectionProps = ExecQueryDetectionProps;

/**
 * `fileless-exec`: programs executed from memory (`memfd_create` + `execveat`/`fexecve`) or from a file deleted
 * before or while it runs: payloads that leave nothing on disk (the Tetragon library's "Fileless Execution" and
 * "Execution of Deleted Binaries", Falco "Fileless execution via memfd_create"; MITRE T1620, T1070.004).
 *
 * No policy is needed: with process credentials enabled, `process_exec` events carry
 * `binary_properties.file.inode.links`, and an executable with zero links is either a memfd or deleted (the event's
 * binary is then typically `/proc/self/fd/N` or `/dev/fd/N`). {@link FilelessExecDetection.installRequirements}
 * asks for `enableProcessCred`.
 * Observe only. Noise: rare; some packers, sandboxes and self-updating agents re-exec themselves from memfd
 * (exclude them with `excludeBinaries`). Misses: code run from memory without exec (injected into an existing
 * process, or interpreted scripts piped to an interpreter).
 */
export class FilelessExecDetection extends DetectionConstruct {
  /** The alert over exec events. */
  declare public readonly lokiRules: LokiDetectionRule[];
  /** Process credentials and binary properties in events. */
  public readonly installRequirements: InstallRequirements = { processCredentials: true };
  /** None: the signal is in events Tetragon reports without a policy. */
  public readonly policies: readonly TracingPolicy[] = [];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1620', 'T1070.004'];

  constructor(scope: Construct, id: string, props: FilelessExecDetectionProps = {}) {
    super(scope, id);
    this.lokiRules = [
      lokiRule({
        alert: 'TetragonFilelessExec',
        expr: logRuleExpr(this, props, {
          stream: [['event_type', '=', 'process_exec']],
          pipeline: [
            '| json links="process_exec.process.binary_properties.file.inode.links"',
            '| links="0"',
            ...excludeBinariesStage(this, props),
          ],
        }),
        severity: 'critical',
        summary: 'A program was executed from memory (memfd) or from a deleted file',
        runbook:
          'Keep the process running if possible and copy /proc/<pid>/exe from the node for analysis; check the parent and how the payload arrived (network fetch, pipe). Isolate the pod.',
      }),
    ];
  }
}
