import { Construct } from 'constructs';
import { DetectionConstruct } from '../policies/detection';
import { trustedBinariesFilter } from '../policies/library-policy-props';
import { ArgFilter } from '../policy/arg-filter';
import { Arg, ArgType } from '../policy/argument';
import { KprobeHook } from '../policy/kprobe-hook';
import { Selector } from '../policy/selector';
import { TracingPolicy } from '../policy/tracing-policy';
import { ScopedDetectionProps } from './detection-props';
import { detectionPolicy, detectionSelector, enforcementActions, inContainer } from './private/kit';

/** Props of a {@link KernelModuleDetection}. */
export interface KernelModuleDetectionProps extends ScopedDetectionProps {
  /**
   * Report only module loads and requests from inside containers (Falco's "Linux Kernel Module Injection
   * Detected"). Node-level loads (systemd-modules-load, kube-proxy's iptables requests) are then left out.
   * @default false
   */
  readonly containersOnly?: boolean;
  /**
   * Report automatic module requests (`security_kernel_module_request`), e.g. `iptables -m conntrack` asking
   * for `xt_conntrack`. Frequent on nodes whose network agents create rules.
   * @default true
   */
  readonly watchRequests?: boolean;
}

/**
 * `kernel-module-load`: kernel modules loaded or requested, the audit trail of the Tetragon library's "Kernel
 * Module Audit Trail" and, with `containersOnly`, Falco's "Linux Kernel Module Injection Detected" (a rootkit
 * or escape loaded from a privileged pod; MITRE T1547.006).
 *
 * Probes the LSM functions every load path passes: `security_kernel_read_file` with id `READING_MODULE` (2) for
 * `finit_module(2)` (the event carries the module file), `security_kernel_load_data` with id `LOADING_MODULE` (2)
 * for `init_module(2)` from memory, and `security_kernel_module_request` (the module name the kernel asks
 * modprobe for, with its result). `do_init_module` reports the module once it is in the kernel (name in the event).
 *
 * Enforcement: Override on the three LSM hooks (e.g. `EnforcementAction.override(Errno.EPERM)`) refuses the
 * load or the request, or Sigkill; `do_init_module` always only reports (the module is already loaded).
 * Noise: low for loads; requests follow network and filesystem setup. Misses: code loaded through eBPF (see
 * {@link BpfActivityDetection}) and kernel exploits that bypass the module loader.
 */
export class KernelModuleDetection extends DetectionConstruct {
  /** The policy's well-known name. */
  public static readonly NAME = 'kernel-module-load';
  /** `READING_MODULE` in `enum kernel_read_file_id` and `LOADING_MODULE` in `enum kernel_load_data_id`. */
  public static readonly MODULE_ID = 2;
  /** The generated policies. */
  public readonly policies: TracingPolicy[];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1547.006'];

  constructor(scope: Construct, id: string, props: KernelModuleDetectionProps = {}) {
    super(scope, id);
    const actions = enforcementActions(this, props, true, '');
    const namespaces = inContainer(props.containersOnly ?? false);
    const tags = ['observability.privilege_escalation', 'mitre.T1547.006'];
    const readId = Arg.int(1, { label: 'id' });
    const loadId = Arg.int(0, { label: 'id' });
    const hooks = [
      KprobeHook.function('security_kernel_read_file', {
        message: 'Kernel module loaded from a file (finit_module)',
        tags,
        args: [Arg.file(0), readId],
        selectors: [
          detectionSelector(
            props,
            { matchArgs: [ArgFilter.equal(readId, [KernelModuleDetection.MODULE_ID])], matchNamespaces: namespaces },
            actions,
          ),
        ],
      }),
      KprobeHook.function('security_kernel_load_data', {
        message: 'Kernel module loaded from memory (init_module)',
        tags,
        args: [loadId],
        selectors: [
          detectionSelector(
            props,
            { matchArgs: [ArgFilter.equal(loadId, [KernelModuleDetection.MODULE_ID])], matchNamespaces: namespaces },
            actions,
          ),
        ],
      }),
      KprobeHook.function('do_init_module', {
        message: 'Kernel module initialised',
        tags,
        args: [Arg.opaque(0, ArgType.MODULE)],
        // Observe only: the module is already in the kernel here, and Override is not possible on this function.
        selectors: [new Selector({ matchNamespaces: namespaces, matchBinaries: trustedBinariesFilter(props) })],
      }),
    ];
    if (props.watchRequests ?? true) {
      hooks.push(
        KprobeHook.function('security_kernel_module_request', {
          message: 'Kernel module requested for automatic loading',
          tags,
          args: [Arg.string(0, { label: 'module' })],
          returnArg: Arg.int(0),
          selectors: [detectionSelector(props, { matchNamespaces: namespaces }, actions)],
        }),
      );
    }
    this.policies = [
      detectionPolicy(this, props, {
        name: KernelModuleDetection.NAME,
        description: 'Kernel modules loaded, initialised and requested',
        hooks,
      }),
    ];
  }
}
