import { Construct } from 'constructs';
import { DetectionConstruct } from '../policies/detection';
import { CONTAINER_RUNTIME_BINARIES } from '../policies/private/container-runtimes';
import { ArgFilter } from '../policy/arg-filter';
import { Arg, ArgType } from '../policy/argument';
import { KprobeHook } from '../policy/kprobe-hook';
import { TracingPolicy } from '../policy/tracing-policy';
import { fail, refuse } from '../private/problems';
import { ScopedDetectionProps } from './detection-props';
import { detectionPolicy, detectionSelectors } from './private/kit';

/** `CLONE_NEW*` flags of `unshare(2)` and `setns(2)`, as the kernel defines them. */
export enum NamespaceFlag {
  /** A new mount namespace (`CLONE_NEWNS`). */
  MOUNT = 0x00020000,
  /** A new cgroup namespace (`CLONE_NEWCGROUP`). */
  CGROUP = 0x02000000,
  /** A new UTS namespace (`CLONE_NEWUTS`). */
  UTS = 0x04000000,
  /** A new IPC namespace (`CLONE_NEWIPC`). */
  IPC = 0x08000000,
  /** A new user namespace (`CLONE_NEWUSER`): the caller becomes root with every capability inside it. */
  USER = 0x10000000,
  /** A new PID namespace (`CLONE_NEWPID`). */
  PID = 0x20000000,
  /** A new network namespace (`CLONE_NEWNET`). */
  NET = 0x40000000,
  /** A new time namespace (`CLONE_NEWTIME`). */
  TIME = 0x00000080,
}

/** Props of a {@link NamespaceChangeDetection}. */
export interface NamespaceChangeDetectionProps extends ScopedDetectionProps {
  /**
   * Namespace kinds whose creation with `unshare(2)` is reported. The default set is the one container
   * escapes start with: a user namespace (root and CAP_SYS_ADMIN inside it), then a mount or cgroup namespace
   * in which cgroupfs can be mounted and `release_agent` written.
   * @default NamespaceChangeDetection.DEFAULT_UNSHARE_FLAGS
   */
  readonly unshareFlags?: readonly NamespaceFlag[];
  /**
   * Report `setns(2)`, whatever the namespace kind (`nsenter`, or a process joining another process's
   * namespaces through `/proc/<pid>/ns/*`).
   * @default true
   */
  readonly watchSetns?: boolean;
}

/**
 * `namespace-change`: processes in pods that join other namespaces with `setns(2)` (`nsenter -t 1 -m -u -n -i`
 * in a hostPID pod is the classic escape) or create user, mount or cgroup namespaces with `unshare(2)`
 * (`unshare -UrmC` before mounting cgroupfs, CVE-2022-0492).
 *
 * Hooks the syscalls (`sys_setns` with the namespace-type argument, `sys_unshare` with a Mask on the
 * `CLONE_NEW*` flags), limited to pods (`podSelector: {}`) and to callers whose mount namespace is not the
 * host's. Both are syscalls, so the detection can enforce with Override (the call fails with the errno, e.g.
 * EPERM; needs CONFIG_BPF_KPROBE_OVERRIDE, set on common distribution kernels) or Sigkill.
 *
 * Noise: low. Container runtimes are trusted by default ({@link NamespaceChangeDetection.DEFAULT_TRUSTED_BINARIES}):
 * runc joins the container's cgroup namespace from inside its mount namespace at every `exec`
 * (`setns(fd, CLONE_NEWCGROUP)`, measured with runc 1.1.5 and 1.3.6) and, up to 1.1, unshares it there at every
 * start; runc 1.4 starts `runc init` straight in the container's cgroup (CLONE_INTO_CGROUP), so without the
 * exemption every `kubectl exec` would report. Sandboxing software inside pods reports: Chromium and headless browsers
 * (user, PID and network namespaces), bubblewrap and Flatpak, rootless BuildKit, Buildah or Podman, and
 * systemd in system containers; scope those out with `podSelector` or `trustedBinaries`.
 * Misses: namespaces created through `clone(2)`/`clone3(2)` flags (the privilege-escalation monitor's
 * `create_user_ns` hook covers user namespaces made by unprivileged callers either way), and the joins of
 * a process that already left the container's mount namespace.
 * @see https://man7.org/linux/man-pages/man2/setns.2.html
 */
export class NamespaceChangeDetection extends DetectionConstruct {
  /** The policy's well-known name. */
  public static readonly NAME = 'namespace-change';
  /** Container runtimes and shims: they create and join namespaces for every container start and exec. */
  public static readonly DEFAULT_TRUSTED_BINARIES: readonly string[] = CONTAINER_RUNTIME_BINARIES;
  /** User, mount and cgroup namespaces. */
  public static readonly DEFAULT_UNSHARE_FLAGS: readonly NamespaceFlag[] = [NamespaceFlag.USER, NamespaceFlag.MOUNT, NamespaceFlag.CGROUP];

  /** The generated policies. */
  public readonly policies: TracingPolicy[];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1611', 'T1548'];

  constructor(scope: Construct, id: string, props: NamespaceChangeDetectionProps = {}) {
    super(scope, id);
    const flags = props.unshareFlags ?? NamespaceChangeDetection.DEFAULT_UNSHARE_FLAGS;
    const known = Object.values(NamespaceFlag).filter((v) => typeof v === 'number') as number[];
    const unknown = flags.filter((f) => !known.includes(f));
    if (unknown.length) {
      refuse(
        this,
        'unshareFlags',
        unknown,
        'use NamespaceFlag values (USER, MOUNT, CGROUP, PID, NET, IPC, UTS, TIME), or [] to skip unshare',
      );
    }
    const watchSetns = props.watchSetns ?? true;
    const scoped = { ...props, trustedBinaries: props.trustedBinaries ?? NamespaceChangeDetection.DEFAULT_TRUSTED_BINARIES };
    if (!watchSetns && flags.length === 0) {
      fail(this, 'watchSetns', 'is false and unshareFlags is empty, so the detection would watch nothing; remove it or enable one of them');
    }
    const tags = ['observability.privilege_escalation', 'mitre.T1611'];
    const hooks: KprobeHook[] = [];
    if (watchSetns) {
      hooks.push(
        KprobeHook.syscall('sys_setns', {
          message: 'Process in a pod joined another namespace with setns',
          tags,
          args: [Arg.int(0, { label: 'fd' }), Arg.int(1, { label: 'nstype' })],
          selectors: detectionSelectors(scoped, true, []),
        }),
      );
    }
    if (flags.length) {
      const unshareFlagsArg = Arg.integer(0, ArgType.UINT64, { label: 'flags' });
      // One OR-ed mask: Mask matches when any of its bits is set in the flags.
      const mask = '0x' + flags.reduce((a, f) => a | f, 0).toString(16);
      hooks.push(
        KprobeHook.syscall('sys_unshare', {
          message: 'Process in a pod created a namespace with unshare',
          tags: [...tags, 'mitre.T1548'],
          args: [unshareFlagsArg],
          selectors: detectionSelectors(scoped, true, [[ArgFilter.mask(unshareFlagsArg, [mask])]]),
        }),
      );
    }
    this.policies = [
      detectionPolicy(this, props, {
        name: NamespaceChangeDetection.NAME,
        description: 'setns and unshare of user, mount and cgroup namespaces from pods',
        containersOnly: true,
        hooks,
      }),
    ];
  }
}
