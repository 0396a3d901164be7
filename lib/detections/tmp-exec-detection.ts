import { Construct } from 'constructs';
import { LokiDetectionRule } from '../observability/loki-detection-rule';
import { DetectionConstruct, InstallRequirements } from '../policies/detection';
import { ArgFilter } from '../policy/arg-filter';
import { Arg } from '../policy/argument';
import { KprobeHook } from '../policy/kprobe-hook';
import { TracingPolicy } from '../policy/tracing-policy';
import { refuse } from '../private/problems';
import { ExecQueryDetectionProps, ScopedDetectionProps } from './detection-props';
import {
  checkPaths,
  detectionPolicy,
  detectionSelector,
  enforcementActions,
  excludeBinariesStage,
  labelRegex,
  logRuleExpr,
  lokiRule,
  underDirectoriesRegex,
} from './private/kit';

/** Props of a {@link TmpExecDetection}. */
export interface TmpExecDetectionProps extends ScopedDetectionProps, ExecQueryDetectionProps {
  /**
   * World-writable scratch directories, each ending in `/`.
   * @default TmpExecDetection.DEFAULT_DIRECTORIES
   */
  readonly directories?: readonly string[];
  /**
   * Also create an in-kernel policy (on `security_bprm_check`) in observe mode, so the detection counts in
   * `tetragon_policy_events_total` without Loki. Always created when `enforcement` is set.
   * @default false
   */
  readonly inKernel?: boolean;
}

/**
 * `tmp-exec`: programs executed from `/tmp`, `/var/tmp` or `/dev/shm`, where droppers write their payloads
 * (the Tetragon library's "Binary Execution in /tmp", Falco "Execution from /dev/shm" and, approximately, "Drop and
 * execute new binary in container"; MITRE T1059, T1105).
 *
 * By default no policy is needed: every successful exec is in the base sensor's `process_exec` events, and the
 * alert in {@link TmpExecDetection.lokiRules} matches `process.binary`. With `inKernel` or `enforcement`, a policy
 * probes `security_bprm_check` and compares the file being executed, resolved by the kernel (so a symlink from
 * `/usr/local/bin` into `/tmp` is caught, and a script is seen before its interpreter runs).
 *
 * Enforcement: Override (e.g. `EnforcementAction.override(Errno.EACCES)`, what a `noexec` mount answers) makes
 * `execve()` fail, or Sigkill. Mounting these directories `noexec` (or a read-only root filesystem) is the
 * durable fix; this enforces it where the mount options cannot be changed.
 * Noise: build and test jobs, installers and some JIT runtimes that extract helpers to `/tmp`: scope them out
 * with `excludeNamespaces`/`excludeBinaries` (alert) or `podSelector`/`trustedBinaries` (policy).
 * Misses (alert): symlinks into the directories (the event shows the exec'd path), and scripts run as
 * `sh /tmp/x.sh` (the executable is the shell) in both forms.
 */
export class TmpExecDetection extends DetectionConstruct {
  /** The policy's well-known name. */
  public static readonly NAME = 'tmp-exec';
  /** World-writable scratch directories. */
  public static readonly DEFAULT_DIRECTORIES: readonly string[] = ['/tmp/', '/var/tmp/', '/dev/shm/'];
  /** The in-kernel policy, when `inKernel` or `enforcement` is set. */
  public readonly policies: TracingPolicy[];
  /** The alert over exec events. */
  declare public readonly lokiRules: LokiDetectionRule[];
  /** Nothing beyond the default install: exec events are always exported. */
  public readonly installRequirements: InstallRequirements = {};
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1059', 'T1105'];

  constructor(scope: Construct, id: string, props: TmpExecDetectionProps = {}) {
    super(scope, id);
    const directories = props.directories ?? TmpExecDetection.DEFAULT_DIRECTORIES;
    checkPaths(this, 'directories', directories);
    for (const d of directories)
      if (!d.endsWith('/')) refuse(this, 'directories', d, 'a directory ends with "/"', `Write ${JSON.stringify(d + '/')}`);

    this.lokiRules = [
      lokiRule({
        // The built-in alert's name: the cluster's Loki rules keep one alert per event, this one (it takes the options).
        alert: 'TetragonExecFromScratchDirectory',
        expr: logRuleExpr(this, props, {
          stream: [['event_type', '=', 'process_exec']],
          pipeline: [labelRegex('binary', underDirectoriesRegex(directories)), ...excludeBinariesStage(this, props)],
        }),
        severity: 'warning',
        summary: 'A program was executed from a world-writable scratch directory',
        runbook:
          "Find who wrote the file (parent process, arguments, the pod's recent execs) and whether it is a build step. " +
          'An unknown binary in /tmp or /dev/shm is a dropped payload: isolate the pod, keep the file, rotate credentials it could reach.',
      }),
    ];

    this.policies = [];
    if (props.inKernel || props.enforcement) {
      const actions = enforcementActions(this, props, true, '');
      const file = Arg.linuxBinprm(0, { label: 'file' });
      this.policies.push(
        detectionPolicy(this, props, {
          name: TmpExecDetection.NAME,
          description: 'Programs executed from /tmp, /var/tmp or /dev/shm',
          hooks: [
            KprobeHook.function('security_bprm_check', {
              message: 'Program executed from a world-writable scratch directory',
              tags: ['observability.process', 'mitre.T1059', 'mitre.T1105'],
              args: [file],
              selectors: [detectionSelector(props, { matchArgs: [ArgFilter.prefix(file, directories)] }, actions)],
            }),
          ],
        }),
      );
    }
  }
}
