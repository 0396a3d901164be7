import { Construct } from 'constructs';
import { DetectionConstruct } from '../policies/detection';
import { ArgFilter, FileType } from '../policy/arg-filter';
import { Arg } from '../policy/argument';
import { KprobeHook } from '../policy/kprobe-hook';
import { TracingPolicy } from '../policy/tracing-policy';
import { fail } from '../private/problems';
import { ScopedDetectionProps } from './detection-props';
import { checkList, detectionPolicy, detectionSelectors } from './private/kit';

/** Props of a {@link HostPathAccessDetection}. Spread the `DEFAULT_*` lists to extend them. */
export interface HostPathAccessDetectionProps extends ScopedDetectionProps {
  /**
   * Where pods usually mount the node's root file system (paths as seen inside the container).
   * @default HostPathAccessDetection.DEFAULT_HOST_PREFIXES
   */
  readonly hostPrefixes?: readonly string[];
  /**
   * Paths under the host prefixes that are never reported: the node's `/proc` and `/sys`, which monitoring
   * agents (node-exporter, Datadog, Falco) read all the time. `[]` reports them too.
   * @default - `proc/` and `sys/` under each host prefix
   */
  readonly ignoredPrefixes?: readonly string[];
  /**
   * Report opens of block devices (`/dev/sda`, `/dev/nvme0n1`, ... or any node created with `mknod`).
   * @default true
   */
  readonly watchBlockDevices?: boolean;
}

/**
 * `host-path-access`: files of the node opened from pods through a host mount (`/host/etc/shadow`,
 * `/rootfs/root/.ssh/authorized_keys`, `/hostfs/var/lib/kubelet/...`), and block devices opened from pods
 * (`debugfs /dev/sda1`, `dd if=/dev/nvme0n1`), which read or write the node's disk below every file permission
 * (Falco sandbox "Container Access to Host Sensitive Paths", MITRE T1611).
 *
 * Hooks `security_file_open`: the path is resolved by the kernel in the container's view, so `..`, symlinks
 * and relative paths do not evade the prefix, and `FileType blk` catches device nodes under any name. Can
 * enforce with Override (the open fails, e.g. EACCES) or Sigkill.
 *
 * Noise: medium. Node agents mount the host root by design and read it (log shippers under
 * `/host/var/log`, security agents, backup tools); the node's `/proc` and `/sys` views are left out by default.
 * CSI node plugins and storage daemons (Ceph, Longhorn, Portworx) open block devices. Exclude their
 * namespaces with `podSelector` or their binaries with `trustedBinaries`.
 * Misses: host files reached through `/proc/1/root/...` in a hostPID pod (the kernel resolves that path to the
 * host's own `/etc/shadow`, outside any prefix), host mounts at other paths (add them to `hostPrefixes`),
 * and files opened before the policy loaded.
 */
export class HostPathAccessDetection extends DetectionConstruct {
  /** The policy's well-known name. */
  public static readonly NAME = 'host-path-access';
  /** Conventional mount points of the node's root in agent DaemonSets. */
  public static readonly DEFAULT_HOST_PREFIXES: readonly string[] = ['/host/', '/hostfs/', '/rootfs/', '/host-root/', '/hostroot/'];

  /** The generated policies. */
  public readonly policies: TracingPolicy[];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1611', 'T1006'];

  constructor(scope: Construct, id: string, props: HostPathAccessDetectionProps = {}) {
    super(scope, id);
    const prefixes = props.hostPrefixes ?? HostPathAccessDetection.DEFAULT_HOST_PREFIXES;
    checkList(
      this,
      'hostPrefixes',
      prefixes,
      (v) => /^\/.+\/$/.test(v),
      'give absolute directory prefixes ending with "/", e.g. "/host/" ([] to watch block devices only)',
      true,
    );
    const ignored = props.ignoredPrefixes ?? prefixes.flatMap((p) => [`${p}proc/`, `${p}sys/`]);
    checkList(this, 'ignoredPrefixes', ignored, (v) => v.startsWith('/'), 'give absolute path prefixes, e.g. "/host/proc/"', true);
    const watchBlock = props.watchBlockDevices ?? true;
    if (!prefixes.length && !watchBlock) {
      fail(
        this,
        'hostPrefixes',
        'is empty and watchBlockDevices is false, so the detection would watch nothing; remove it or enable one of them',
      );
    }
    const file = Arg.file(0);
    this.policies = [
      detectionPolicy(this, props, {
        name: HostPathAccessDetection.NAME,
        description: 'Node files opened through host mounts, and block devices opened, from pods',
        containersOnly: true,
        hooks: [
          KprobeHook.function('security_file_open', {
            message: 'Host file or block device opened from a pod',
            tags: ['observability.filesystem', 'mitre.T1611', 'mitre.T1006'],
            args: [file],
            selectors: detectionSelectors(props, true, [
              ...(prefixes.length
                ? [[ArgFilter.prefix(file, prefixes), ...(ignored.length ? [ArgFilter.notPrefix(file, ignored)] : [])]]
                : []),
              ...(watchBlock ? [[ArgFilter.fileType(file, [FileType.BLOCK_DEVICE])]] : []),
            ]),
          }),
        ],
      }),
    ];
  }
}
