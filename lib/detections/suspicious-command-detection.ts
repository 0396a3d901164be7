import { Construct } from 'constructs';
import { HOST_NAMESPACE } from '../observability/log-schema';
import { LokiDetectionRule } from '../observability/loki-detection-rule';
import { SHELL_BINARY_REGEX } from '../observability/queries';
import { Matcher } from '../observability/queries';
import { DetectionConstruct, InstallRequirements } from '../policies/detection';
import { TracingPolicy } from '../policy/tracing-policy';
import { ExecQueryDetectionProps } from './detection-props';
import { excludeBinariesStage, labelRegex, logRuleExpr, lokiRule } from './private/kit';

/** Props of a {@link SuspiciousCommandDetection}. */
export type SuspiciousCommandDetectionProps = ExecQueryDetectionProps;

const EXEC: Matcher = ['event_type', '=', 'process_exec'];
const IN_POD: Matcher = ['namespace', '!=', HOST_NAMESPACE];
const ARGS = '| json args="process_exec.process.arguments"';

/**
 * `suspicious-commands`: command lines that Falco's stable rules flag and that only `process_exec` arguments
 * reveal (the kernel selectors cannot read argv): searching for private keys, passwords or AWS credentials,
 * wiping data, netcat with command execution, a system account running a shell, and debugfs in a pod
 * (Falco "Search Private Keys or Passwords", "Find AWS Credentials", "Remove Bulk Data from Disk", "Netcat Remote
 * Code Execution in Container", "System user interactive", "Debugfs Launched in Privileged Container").
 *
 * No policy is needed: six alerts in {@link SuspiciousCommandDetection.lokiRules} over exec events, matching the
 * last element of `process.binary` and, where the rule needs it, `process.arguments` (parsed from the line body).
 * Noise: low to medium: backup and secret-scanning jobs grep for keys, build jobs shred temporary keys;
 * scope with `excludeNamespaces` and `excludeBinaries`. Misses: renamed tools, and the same actions done by a
 * script interpreter without a child process (the arguments are then those of the interpreter).
 */
export class SuspiciousCommandDetection extends DetectionConstruct {
  /** Tools that search file names or contents. */
  public static readonly SEARCH_TOOLS: readonly string[] = ['find', 'grep', 'egrep', 'fgrep', 'rg', 'ag', 'locate', 'mlocate'];
  /** The alerts over exec events. */
  declare public readonly lokiRules: LokiDetectionRule[];
  /** `process.uid` is always in exec events; nothing beyond the default install. */
  public readonly installRequirements: InstallRequirements = {};
  /** None: the signal is in events Tetragon reports without a policy. */
  public readonly policies: readonly TracingPolicy[] = [];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1552.001', 'T1485', 'T1059', 'T1611'];

  constructor(scope: Construct, id: string, props: SuspiciousCommandDetectionProps = {}) {
    super(scope, id);
    const exclude = excludeBinariesStage(this, props);
    const search = labelRegex('binary', `(.*/)?(${SuspiciousCommandDetection.SEARCH_TOOLS.join('|')})`);
    const rule = (
      alert: string,
      stream: Matcher[],
      pipeline: string[],
      severity: LokiDetectionRule['severity'],
      summary: string,
      runbook: string,
    ) => lokiRule({ alert, expr: logRuleExpr(this, props, { stream, pipeline: [...pipeline, ...exclude] }), severity, summary, runbook });
    this.lokiRules = [
      rule(
        'TetragonPrivateKeySearch',
        [EXEC],
        [search, ARGS, labelRegex('args', '.*(id_rsa|id_dsa|id_ecdsa|id_ed25519|[.]ssh|BEGIN [A-Z ]*PRIVATE KEY|[.]pem|passw).*')],
        'warning',
        'A process searched for private keys or passwords',
        'Look at the search arguments and what ran before and after it in the same pod or session (parent exec_id). Credential searches follow an initial foothold: check for exfiltration and rotate what the process could read.',
      ),
      rule(
        'TetragonAwsCredentialSearch',
        [EXEC],
        [
          search,
          ARGS,
          labelRegex('args', '.*([.]aws/credentials|aws_secret_access_key|aws_access_key_id|AWS_SECRET_ACCESS_KEY|AKIA[0-9A-Z]{4}).*'),
        ],
        'warning',
        'A process searched for AWS credentials',
        'Find which credentials were reachable (files, environment, instance role) and rotate them; check CloudTrail for use from unknown addresses.',
      ),
      rule(
        'TetragonBulkDataRemoval',
        [EXEC],
        [labelRegex('binary', '(.*/)?(shred|wipe|srm|wipefs)')],
        'warning',
        'A data-wiping tool was run',
        'Check what was wiped (arguments) and whether a maintenance job explains it; wiping logs or volumes after an intrusion destroys evidence: snapshot the volumes.',
      ),
      rule(
        'TetragonNetcatRemoteExecution',
        [EXEC, IN_POD],
        [
          labelRegex('binary', '(.*/)?(nc|ncat|netcat|nc[.]traditional|nc[.]openbsd)'),
          ARGS,
          labelRegex('args', '(.* )?(-[a-zA-Z]*[ec]|--(sh-|lua-)?exec)( .*)?'),
        ],
        'critical',
        'netcat was started with command execution (-e/-c) in a pod',
        'This is a bind or reverse shell. Find the remote address (arguments, network events of the pod) and the process that started it; isolate the pod.',
      ),
      rule(
        'TetragonSystemUserInteractive',
        [EXEC],
        [labelRegex('binary', SHELL_BINARY_REGEX), '| json uid="process_exec.process.uid"', labelRegex('uid', '[1-9][0-9]{0,2}|65534')],
        'warning',
        'A system account (uid 1-999 or nobody) ran a shell',
        'Service accounts such as www-data or nobody do not use shells interactively: find the parent (a web server or worker running commands) and the command line; it is often command injection.',
      ),
      rule(
        'TetragonDebugfsInContainer',
        [EXEC, IN_POD],
        [labelRegex('binary', '(.*/)?debugfs')],
        'critical',
        'debugfs was run in a pod',
        "debugfs opens block devices to read and write the node's filesystems below all permissions; in a pod it is an escape attempt from a privileged container. Check the pod's privileges and isolate it.",
      ),
    ];
  }
}
