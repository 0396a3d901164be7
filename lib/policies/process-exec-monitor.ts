import { Construct } from 'constructs';
import { ArgFilter } from '../policy/arg-filter';
import { Arg } from '../policy/argument';
import { KprobeHook } from '../policy/kprobe-hook';
import { Selector } from '../policy/selector';
import { TracingPolicy } from '../policy/tracing-policy';
import { DetectionConstruct } from './detection';
import { Errno, LibraryPolicyProps, trustedBinariesFilter } from './library-policy-props';

/** Props of a {@link ProcessExecMonitor}. */
export interface ProcessExecMonitorProps extends LibraryPolicyProps {
  /**
   * Exec failures to report, by errno. At most 4 (one numeric filter). ENOENT is left out on purpose:
   * `execvp()` tries every `$PATH` entry and fails with ENOENT until it finds the binary, so it would report
   * most ordinary execs.
   * @default [Errno.EACCES, Errno.EPERM, Errno.ENOEXEC]
   */
  readonly failureErrnos?: readonly Errno[];
}

/**
 * `process-exec-monitor`: exec attempts that the kernel **refused**.
 *
 * Tetragon already emits a `process_exec` event for every successful exec, with no policy at all (from the
 * `sched_process_exec` tracepoint), carrying binary, arguments, pod and parent. A policy that reported every
 * `execve` again would double every exec event in Loki and add nothing. What only a policy can see is the
 * exec that never happened: a payload dropped on a `noexec` mount or without the exec bit (EACCES), an exec
 * denied by seccomp or an LSM (EPERM), a binary of the wrong architecture or format (ENOEXEC). This policy
 * probes `execve`/`execveat` and reports only calls that return one of those errors, so successful execs
 * are never duplicated.
 *
 * Noise: low; build scripts that probe for interpreters can fail with ENOEXEC.
 * Misses: code that runs without exec (memfd or ld.so loading); the default exec events and the fileless-exec
 * detection cover those.
 */
export class ProcessExecMonitor extends DetectionConstruct {
  /** The policy's well-known name. */
  public static readonly NAME = 'process-exec-monitor';
  /** The generated policy. */
  public readonly policy: TracingPolicy;
  /** The generated policy, as the contract lists it. */
  public readonly policies: readonly TracingPolicy[];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1204'];

  constructor(scope: Construct, id: string, props: ProcessExecMonitorProps = {}) {
    super(scope, id);
    const errnos = props.failureErrnos ?? [Errno.EACCES, Errno.EPERM, Errno.ENOEXEC];
    const ret = Arg.int(0, { label: 'errno' });
    const failed = new Selector({
      matchReturnArgs: [
        ArgFilter.equal(
          ret,
          errnos.map((e) => -e),
        ),
      ],
      matchBinaries: trustedBinariesFilter(props),
    });
    const tags = ['observability.process', 'mitre.T1204'];
    this.policy = new TracingPolicy(this, 'Policy', {
      name: props.name ?? ProcessExecMonitor.NAME,
      description: 'Exec attempts refused by the kernel (successful execs are process_exec events already)',
      podSelector: props.podSelector,
      defaultRateLimit: props.rateLimit,
      hooks: [
        KprobeHook.syscall('sys_execve', {
          message: 'Exec attempt refused by the kernel',
          tags,
          args: [Arg.string(0, { label: 'filename' })],
          returnArg: ret,
          selectors: [failed],
        }),
        KprobeHook.syscall('sys_execveat', {
          message: 'Exec attempt refused by the kernel',
          tags,
          args: [Arg.int(0, { label: 'dirfd' }), Arg.string(1, { label: 'filename' })],
          returnArg: ret,
          selectors: [failed],
        }),
      ],
    });
    this.policies = [this.policy];
  }
}
