import { Construct } from 'constructs';
import { DetectionConstruct } from '../policies/detection';
import { CONTAINER_RUNTIME_BINARIES } from '../policies/private/container-runtimes';
import { ArgFilter } from '../policy/arg-filter';
import { Arg, ArgType } from '../policy/argument';
import { KprobeHook } from '../policy/kprobe-hook';
import { TracingPolicy } from '../policy/tracing-policy';
import { ScopedDetectionProps } from './detection-props';
import { checkList, detectionPolicy, detectionSelectors } from './private/kit';

/** Props of a {@link ContainerMountDetection}. Spread the `DEFAULT_*` lists to extend them. */
export interface ContainerMountDetectionProps extends ScopedDetectionProps {
  /**
   * File-system types whose mounts are reported (`mount -t <type>`, `fsopen("<type>")`).
   * @default ContainerMountDetection.DEFAULT_FILESYSTEMS
   */
  readonly filesystems?: readonly string[];
  /**
   * Source-device prefixes whose mounts are reported, whatever the file-system type (`mount /dev/sda1 /mnt`);
   * `[]` turns this part off.
   * @default ContainerMountDetection.DEFAULT_DEVICE_PREFIXES
   */
  readonly devicePrefixes?: readonly string[];
  /**
   * Report mounts attached with the new mount API (`move_mount(2)`, used by `open_tree` bind mounts and by
   * util-linux 2.39 and later for every mount).
   * @default true
   */
  readonly watchMoveMount?: boolean;
  /**
   * Report `pivot_root(2)`.
   * @default true
   */
  readonly watchPivotRoot?: boolean;
}

/**
 * `container-mount`: mounts from inside pods of the file systems container escapes use (cgroup v1 for the
 * `release_agent` trick, procfs and sysfs to reach host knobs, debugfs, tracefs, securityfs, bpffs), of host
 * disks (`mount /dev/sda1 /mnt`, `/dev/nvme0n1p1`, `/dev/mapper/...`), attaches through the new mount API,
 * and `pivot_root`.
 *
 * `mount(2)` is watched at `security_sb_mount`, which sees the kernel's copies of the source, type and flags
 * and the resolved target path, so user-memory races do not evade it. The new mount API is watched at
 * `fsopen(2)` (the file-system type) and `security_move_mount` (the attach step). Every hook is a syscall or a
 * `security_*` function, so the detection can enforce with Override (the mount fails, e.g. EPERM) or Sigkill.
 *
 * Noise: low in application namespaces. Container runtimes are trusted by default
 * ({@link ContainerMountDetection.DEFAULT_TRUSTED_BINARIES}): at every container start runc mounts proc and sysfs
 * in the container's mount namespace and calls `pivot_root`, and runc 1.2 and later open a `proc` context with
 * `fsopen` at every start and `exec` (measured with runc 1.3.6); with Tetragon's runtime hooks the container is
 * known by then and each of these would report. Pods that mount by design report: CSI node plugins (block devices
 * and ext4/xfs), Docker-in-Docker, BuildKit and Kaniko-style builders. Exclude their namespaces with a `podSelector` such as
 * `{ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'NotIn', values: ['kube-system'] }] }`.
 * Misses: the source device of new-API mounts (`fsconfig` is not read: the type is), bind mounts made with
 * `mount --bind` of paths already visible (no type, no /dev source), and mounts by processes that already
 * left the container's mount namespace.
 */
export class ContainerMountDetection extends DetectionConstruct {
  /** The policy's well-known name. */
  public static readonly NAME = 'container-mount';
  /** Pseudo file systems used in escapes, and the disk file systems that mean a host disk is being mounted. */
  public static readonly DEFAULT_FILESYSTEMS: readonly string[] = [
    'cgroup',
    'cgroup2',
    'proc',
    'sysfs',
    'debugfs',
    'tracefs',
    'securityfs',
    'bpf',
    'ext4',
    'ext3',
    'ext2',
    'xfs',
    'btrfs',
  ];
  /** Block devices of common disks: SCSI/SATA, NVMe, virtio, Xen, IDE, device-mapper, MD RAID. */
  public static readonly DEFAULT_DEVICE_PREFIXES: readonly string[] = [
    '/dev/sd',
    '/dev/nvme',
    '/dev/vd',
    '/dev/xvd',
    '/dev/hd',
    '/dev/dm-',
    '/dev/mapper/',
    '/dev/md',
    '/dev/disk/',
    '/dev/root',
  ];

  /** Container runtimes and shims: they mount proc and sysfs and switch roots for every container. */
  public static readonly DEFAULT_TRUSTED_BINARIES: readonly string[] = CONTAINER_RUNTIME_BINARIES;

  /** The generated policies. */
  public readonly policies: TracingPolicy[];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1611'];

  constructor(scope: Construct, id: string, props: ContainerMountDetectionProps = {}) {
    super(scope, id);
    const scoped = { ...props, trustedBinaries: props.trustedBinaries ?? ContainerMountDetection.DEFAULT_TRUSTED_BINARIES };
    const filesystems = props.filesystems ?? ContainerMountDetection.DEFAULT_FILESYSTEMS;
    const devices = props.devicePrefixes ?? ContainerMountDetection.DEFAULT_DEVICE_PREFIXES;
    checkList(
      this,
      'filesystems',
      filesystems,
      (v) => /^[a-z0-9_.-]+$/.test(v),
      'give file-system type names as in /proc/filesystems, e.g. "cgroup"',
    );
    if (props.devicePrefixes)
      checkList(
        this,
        'devicePrefixes',
        devices,
        (v) => v.startsWith('/dev/'),
        'give device path prefixes starting with /dev/, e.g. "/dev/sd" ([] to skip)',
        true,
      );
    const tags = ['observability.filesystem', 'mitre.T1611'];

    const source = Arg.string(0, { label: 'source' });
    const target = Arg.path(1, { label: 'target' });
    const type = Arg.string(2, { label: 'type' });
    const flags = Arg.integer(3, ArgType.ULONG, { label: 'flags' });
    const hooks: KprobeHook[] = [
      KprobeHook.function('security_sb_mount', {
        message: 'Mount of a host disk or sensitive file system from a pod',
        tags,
        args: [source, target, type, flags],
        selectors: detectionSelectors(scoped, true, [
          [ArgFilter.equal(type, filesystems)],
          ...(devices.length ? [[ArgFilter.prefix(source, devices)]] : []),
        ]),
      }),
    ];
    const fsname = Arg.string(0, { label: 'fsname' });
    hooks.push(
      KprobeHook.syscall('sys_fsopen', {
        message: 'File-system context opened from a pod (new mount API)',
        tags,
        args: [fsname, Arg.integer(1, ArgType.UINT32, { label: 'flags' })],
        selectors: detectionSelectors(scoped, true, [[ArgFilter.equal(fsname, filesystems)]]),
      }),
    );
    if (props.watchMoveMount ?? true) {
      hooks.push(
        KprobeHook.function('security_move_mount', {
          message: 'Mount attached from a pod with move_mount',
          tags,
          args: [Arg.path(0, { label: 'from' }), Arg.path(1, { label: 'to' })],
          selectors: detectionSelectors(scoped, true, []),
        }),
      );
    }
    if (props.watchPivotRoot ?? true) {
      hooks.push(
        KprobeHook.syscall('sys_pivot_root', {
          message: 'Root file system switched from a pod with pivot_root',
          tags,
          args: [Arg.string(0, { label: 'new_root' }), Arg.string(1, { label: 'put_old' })],
          selectors: detectionSelectors(scoped, true, []),
        }),
      );
    }

    this.policies = [
      detectionPolicy(this, scoped, {
        name: ContainerMountDetection.NAME,
        description: 'Mounts of host disks and escape-prone file systems, new-API attaches and pivot_root from pods',
        containersOnly: true,
        hooks,
      }),
    ];
  }
}
