import { Construct } from 'constructs';
import { DetectionConstruct } from '../policies/detection';
import { ArgFilter } from '../policy/arg-filter';
import { Arg, ArgType } from '../policy/argument';
import { KprobeHook } from '../policy/kprobe-hook';
import { TracingPolicy } from '../policy/tracing-policy';
import { fail } from '../private/problems';
import { ScopedDetectionProps } from './detection-props';
import { checkList, detectionPolicy, detectionSelectors } from './private/kit';

/** Props of a {@link ContainerKernelLoadDetection}. */
export interface ContainerKernelLoadDetectionProps extends ScopedDetectionProps {
  /**
   * Resolved executables allowed to load BPF programs from pods (the eBPF agents of the cluster). They are
   * exempt from the BPF hook only; `trustedBinaries` applies to every hook.
   * @default ContainerKernelLoadDetection.DEFAULT_BPF_LOADERS
   */
  readonly bpfLoaders?: readonly string[];
  /**
   * Report BPF program loads.
   * @default true
   */
  readonly watchBpf?: boolean;
  /**
   * Report kernel module loads.
   * @default true
   */
  readonly watchModules?: boolean;
}

/** `BPF_PROG_LOAD` in `enum bpf_cmd`. */
const BPF_PROG_LOAD = 5;
/** `READING_MODULE` in `enum kernel_read_file_id` and `LOADING_MODULE` in `enum kernel_load_data_id`. */
const MODULE_ID = 2;

/**
 * `container-kernel-load`: BPF programs and kernel modules loaded from pods. Either runs code in the node's
 * kernel, outside every container boundary: a rootkit module, or a BPF program that reads other processes'
 * memory, overrides syscalls or hides activity (MITRE T1611, T1547.006, T1014).
 *
 * Hooks the LSM functions every path goes through: `security_bpf` (the `bpf(2)` command, `BPF_PROG_LOAD`),
 * `security_kernel_read_file` with `READING_MODULE` (`finit_module(2)`, i.e. `insmod`/`modprobe`) and
 * `security_kernel_load_data` with `LOADING_MODULE` (`init_module(2)` from memory). All are `security_*`
 * functions, so the detection can enforce with Override (the load fails, e.g. EPERM) or Sigkill.
 *
 * Noise: the cluster's own eBPF agents run in pods and load programs at start and on every endpoint change;
 * they are exempt from the BPF hook through `bpfLoaders` (Cilium, Tetragon, Falco, Calico, Datadog
 * system-probe by default; add Pixie, Beyla, Inspektor Gadget and the like). Module loads from pods are rare
 * (some CSI, GPU and storage DaemonSets load their modules: scope them out).
 * Misses: kernel modules auto-loaded by the kernel on a pod's behalf (`request_module`, e.g. for a rare socket
 * family: the kernel-module detection of the observability library reports those), BPF loaded by a host
 * process on a pod's request, and any binary renamed to an allowed loader path.
 */
export class ContainerKernelLoadDetection extends DetectionConstruct {
  /** The policy's well-known name. */
  public static readonly NAME = 'container-kernel-load';
  /** eBPF agents that load programs from pods by design. */
  public static readonly DEFAULT_BPF_LOADERS: readonly string[] = [
    '/usr/bin/cilium-agent',
    '/usr/bin/tetragon',
    '/usr/bin/falco',
    '/usr/bin/calico-node',
    '/opt/datadog-agent/embedded/bin/system-probe',
  ];

  /** The generated policies. */
  public readonly policies: TracingPolicy[];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1611', 'T1547.006', 'T1014'];

  constructor(scope: Construct, id: string, props: ContainerKernelLoadDetectionProps = {}) {
    super(scope, id);
    const loaders = props.bpfLoaders ?? ContainerKernelLoadDetection.DEFAULT_BPF_LOADERS;
    checkList(
      this,
      'bpfLoaders',
      loaders,
      (v) => v.startsWith('/'),
      'give absolute executable paths as the kernel resolves them, e.g. "/usr/bin/cilium-agent" ([] for none)',
      true,
    );
    const watchBpf = props.watchBpf ?? true;
    const watchModules = props.watchModules ?? true;
    if (!watchBpf && !watchModules) {
      fail(this, 'watchBpf', 'is false and so is watchModules, so the detection would watch nothing; remove it or enable one of them');
    }
    const tags = ['observability.privilege_escalation', 'mitre.T1611'];
    const hooks: KprobeHook[] = [];
    if (watchBpf) {
      const cmd = Arg.int(0, { label: 'cmd' });
      const bpfProps = { ...props, trustedBinaries: [...new Set([...(props.trustedBinaries ?? []), ...loaders])] };
      hooks.push(
        KprobeHook.function('security_bpf', {
          message: 'BPF program loaded from a pod',
          tags: [...tags, 'mitre.T1014'],
          args: [cmd, Arg.opaque(1, ArgType.BPF_ATTR, { label: 'attr' })],
          selectors: detectionSelectors(bpfProps, true, [[ArgFilter.equal(cmd, [BPF_PROG_LOAD])]]),
        }),
      );
    }
    if (watchModules) {
      const readId = Arg.int(1, { label: 'id' });
      hooks.push(
        KprobeHook.function('security_kernel_read_file', {
          message: 'Kernel module loaded from a pod (finit_module)',
          tags: [...tags, 'mitre.T1547.006'],
          args: [Arg.file(0), readId],
          selectors: detectionSelectors(props, true, [[ArgFilter.equal(readId, [MODULE_ID])]]),
        }),
      );
      const loadId = Arg.int(0, { label: 'id' });
      hooks.push(
        KprobeHook.function('security_kernel_load_data', {
          message: 'Kernel module loaded from a pod (init_module)',
          tags: [...tags, 'mitre.T1547.006'],
          args: [loadId],
          selectors: detectionSelectors(props, true, [[ArgFilter.equal(loadId, [MODULE_ID])]]),
        }),
      );
    }
    this.policies = [
      detectionPolicy(this, props, {
        name: ContainerKernelLoadDetection.NAME,
        description: 'BPF programs and kernel modules loaded from pods',
        containersOnly: true,
        hooks,
      }),
    ];
  }
}
