import { Construct } from 'constructs';
import { DetectionConstruct } from '../policies/detection';
import { ArgFilter } from '../policy/arg-filter';
import { Arg, ArgType } from '../policy/argument';
import { KprobeHook } from '../policy/kprobe-hook';
import { TracingPolicy } from '../policy/tracing-policy';
import { ScopedDetectionProps } from './detection-props';
import { detectionPolicy, detectionSelector, enforcementActions, inContainer } from './private/kit';

/** Props of a {@link PtraceDetection}. */
export interface PtraceDetectionProps extends ScopedDetectionProps {
  /**
   * Report only calls from inside containers (mount namespace other than the host's).
   * @default true
   */
  readonly containersOnly?: boolean;
  /**
   * Also report `PTRACE_TRACEME` (a process asking its parent to trace it: the anti-debugging trick).
   * @default true
   */
  readonly watchAntiDebug?: boolean;
}

/**
 * `ptrace`: one process attaching to or writing into another (code injection, credential theft from memory,
 * MITRE T1055.008), and `PTRACE_TRACEME` anti-debugging (T1622). Falco "PTRACE attached to process" and
 * "PTRACE anti-debug attempt".
 *
 * Probes `sys_ptrace` (request read as `long`, its prototype type) with two selectors, because Tetragon takes at
 * most four values per numeric filter: `PTRACE_ATTACH` (16), `PTRACE_SEIZE` (0x4206), `PTRACE_POKETEXT` (4) and
 * `PTRACE_POKEDATA` (5) in the first, `PTRACE_POKEUSER` (6), `PTRACE_SETREGS` (13) and `PTRACE_SETREGSET`
 * (0x4205) in the second. Anti-debugging is probed at `security_ptrace_traceme`, which `PTRACE_TRACEME` always
 * reaches, so it keeps its own message.
 *
 * Enforcement: Override (`sys_ptrace` is a syscall, `security_ptrace_traceme` an LSM function) or Sigkill.
 * Noise: debuggers and tracers (gdb, strace, delve, py-spy) in debug pods; `gdb run` and `strace <cmd>` make the
 * started program call `PTRACE_TRACEME`. Add them to `trustedBinaries` where they are expected.
 * Misses: reading and writing another process's memory through `/proc/<pid>/mem` or `process_vm_writev`,
 * and the read-only requests (PEEKDATA, GETREGS), which only work once attached (and so were reported).
 */
export class PtraceDetection extends DetectionConstruct {
  /** The policy's well-known name. */
  public static readonly NAME = 'ptrace';
  /** Requests that attach to or write into another process, as two selectors of at most four values. */
  public static readonly REQUESTS: readonly (readonly number[])[] = [
    [16, 0x4206, 4, 5],
    [6, 13, 0x4205],
  ];
  /** The generated policies. */
  public readonly policies: TracingPolicy[];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1055.008', 'T1622'];

  constructor(scope: Construct, id: string, props: PtraceDetectionProps = {}) {
    super(scope, id);
    const actions = enforcementActions(this, props, true, '');
    const namespaces = inContainer(props.containersOnly ?? true);
    const request = Arg.integer(0, ArgType.LONG, { label: 'request' });
    const hooks = [
      KprobeHook.syscall('sys_ptrace', {
        message: 'Process attached to or wrote into another process with ptrace',
        tags: ['observability.process', 'mitre.T1055.008'],
        args: [request, Arg.integer(1, ArgType.LONG, { label: 'pid' })],
        selectors: PtraceDetection.REQUESTS.map((values) =>
          detectionSelector(
            props,
            {
              matchArgs: [ArgFilter.equal(request, values)],
              matchNamespaces: namespaces,
            },
            actions,
          ),
        ),
      }),
    ];
    if (props.watchAntiDebug ?? true) {
      hooks.push(
        KprobeHook.function('security_ptrace_traceme', {
          message: 'Process asked to be traced by its parent (PTRACE_TRACEME anti-debugging)',
          tags: ['observability.process', 'mitre.T1622'],
          selectors: [detectionSelector(props, { matchNamespaces: namespaces }, actions)],
        }),
      );
    }
    this.policies = [
      detectionPolicy(this, props, {
        name: PtraceDetection.NAME,
        description: 'ptrace attach and memory writes into other processes, and PTRACE_TRACEME anti-debugging',
        hooks,
      }),
    ];
  }
}
