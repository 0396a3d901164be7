import { Construct } from 'constructs';
import { DetectionConstruct } from '../policies/detection';
import { ArgFilter } from '../policy/arg-filter';
import { Arg } from '../policy/argument';
import { KprobeHook } from '../policy/kprobe-hook';
import { TracingPolicy } from '../policy/tracing-policy';
import { ScopedDetectionProps } from './detection-props';
import { checkPaths, detectionPolicy, detectionSelector, enforcementActions, inContainer } from './private/kit';

/** Props of a {@link KernelControlWriteDetection}. */
export interface KernelControlWriteDetectionProps extends ScopedDetectionProps {
  /**
   * Path suffixes of the kernel control files (suffixes, so `/proc` mounted elsewhere, e.g. `/host/proc`, matches too).
   * @default KernelControlWriteDetection.DEFAULT_SUFFIXES
   */
  readonly suffixes?: readonly string[];
  /**
   * Report only processes inside containers.
   * @default false
   */
  readonly containersOnly?: boolean;
}

/**
 * `kernel-control-write`: writes to kernel files that make the kernel run a program as root on the host:
 * `core_pattern` (a pipe handler run on the next crash), `modprobe` (run on the next unknown module request),
 * `uevent_helper` and `hotplug` (run on the next device event), `binfmt_misc/register` (an interpreter for a file
 * format), and `sysrq-trigger` (crash or reboot the node). The container-escape techniques of privileged pods
 * beside `release_agent` (MITRE T1611, T1547.006).
 *
 * Probes `security_file_permission(file, mask)` with `MAY_WRITE` set (mask bit 2) and the path the kernel resolved.
 *
 * Default `trustedBinaries`: systemd-sysctl, which applies `sysctl.d` at boot (e.g. systemd-coredump's
 * `core_pattern`). Add apport, abrt or kdump helpers where a distribution uses them.
 * Enforcement: Override (e.g. `EnforcementAction.override(Errno.EPERM)`) makes the write fail, or Sigkill.
 * Misses: attempts refused at open time (a read-only `/proc/sys`, the default in unprivileged containers), which
 * never reach a write; `sysctl(2)` is gone from current kernels.
 */
export class KernelControlWriteDetection extends DetectionConstruct {
  /** The policy's well-known name. */
  public static readonly NAME = 'kernel-control-write';
  /** Kernel control files that run programs or crash the node. */
  public static readonly DEFAULT_SUFFIXES: readonly string[] = [
    '/sys/kernel/core_pattern',
    '/sys/kernel/modprobe',
    '/sys/kernel/hotplug',
    '/sys/kernel/uevent_helper',
    '/sys/fs/binfmt_misc/register',
    '/sysrq-trigger',
  ];
  /** Boot-time sysctl application. */
  public static readonly DEFAULT_TRUSTED_BINARIES: readonly string[] = ['/usr/lib/systemd/systemd-sysctl', '/lib/systemd/systemd-sysctl'];
  /** MAY_WRITE in the mask of `security_file_permission`. */
  public static readonly MAY_WRITE = 2;
  /** The generated policies. */
  public readonly policies: TracingPolicy[];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1611', 'T1547.006'];

  constructor(scope: Construct, id: string, props: KernelControlWriteDetectionProps = {}) {
    super(scope, id);
    const suffixes = props.suffixes ?? KernelControlWriteDetection.DEFAULT_SUFFIXES;
    checkPaths(this, 'suffixes', suffixes, false);
    const scoped = { ...props, trustedBinaries: props.trustedBinaries ?? KernelControlWriteDetection.DEFAULT_TRUSTED_BINARIES };
    const actions = enforcementActions(this, props, true, '');
    const file = Arg.file(0);
    const mask = Arg.int(1, { label: 'mask' });
    this.policies = [
      detectionPolicy(this, scoped, {
        name: KernelControlWriteDetection.NAME,
        description: 'Writes to core_pattern, modprobe, uevent_helper, binfmt_misc and sysrq-trigger',
        hooks: [
          KprobeHook.function('security_file_permission', {
            message: 'Kernel control file written (core_pattern, modprobe, uevent_helper, binfmt_misc or sysrq-trigger)',
            tags: ['observability.privilege_escalation', 'mitre.T1611', 'mitre.T1547.006'],
            args: [file, mask],
            selectors: [
              detectionSelector(
                scoped,
                {
                  matchArgs: [ArgFilter.postfix(file, suffixes), ArgFilter.mask(mask, [KernelControlWriteDetection.MAY_WRITE])],
                  matchNamespaces: inContainer(props.containersOnly ?? false),
                },
                actions,
              ),
            ],
          }),
        ],
      }),
    ];
  }
}
