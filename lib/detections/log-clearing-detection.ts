import { Construct } from 'constructs';
import { DetectionConstruct } from '../policies/detection';
import { ArgFilter } from '../policy/arg-filter';
import { Arg } from '../policy/argument';
import { KprobeHook } from '../policy/kprobe-hook';
import { TracingPolicy } from '../policy/tracing-policy';
import { refuse, show } from '../private/problems';
import { ScopedDetectionProps } from './detection-props';
import { checkPaths, detectionPolicy, detectionSelector, enforcementActions, inContainer } from './private/kit';

/** Props of a {@link LogClearingDetection}. */
export interface LogClearingDetectionProps extends ScopedDetectionProps {
  /**
   * Log directories, each an absolute path ending in `/`: files below them are watched, at any depth.
   * @default LogClearingDetection.DEFAULT_DIRECTORIES
   */
  readonly directories?: readonly string[];
  /**
   * Report only processes inside containers.
   * @default false
   */
  readonly containersOnly?: boolean;
}

/**
 * `log-clearing`: log files truncated (`> /var/log/auth.log`, `truncate -s0`, `O_TRUNC`) or deleted
 * (`rm`, `shred -u`) to hide an intrusion (Falco "Clear Log Activities", MITRE T1070.002).
 *
 * Truncation is probed at the LSM functions that guard it, with the path resolved by the kernel (so relative
 * paths and `..` do not evade): `security_path_truncate` (`truncate(2)`, and `O_TRUNC` and `ftruncate(2)` before
 * 6.2) and `security_file_truncate` (`O_TRUNC` and `ftruncate(2)` from 6.2). Deletion is probed at
 * `security_path_unlink(dir, dentry)`, selecting on the directory the file is removed from (the dentry only
 * names the file; the event shows it).
 *
 * Default `trustedBinaries`: logrotate and journald, which rotate and vacuum logs by design. `copytruncate`
 * rotation by another tool reports once per rotation. The kubelet is trusted only where it manages logs: it
 * deletes rotated and removed containers' logs under `/var/log/pods` and their links in `/var/log/containers`
 * (`KUBELET_LOG_DIRECTORIES`), and is reported like any other process elsewhere under the watched directories.
 * Enforcement: Override (all hooks are LSM functions) makes the truncation or unlink fail, or Sigkill.
 * Misses: overwriting a log in place (`shred` without `-u`, `dd`), `rename(2)` away, and logs kept outside
 * the watched directories; a container's stdout log lives on the node, not in the pod.
 */
export class LogClearingDetection extends DetectionConstruct {
  /** The policy's well-known name. */
  public static readonly NAME = 'log-clearing';
  /** `/var/log/` at any depth. */
  public static readonly DEFAULT_DIRECTORIES: readonly string[] = ['/var/log/'];
  /** Log rotation and the journal, which remove and truncate logs by design. */
  public static readonly DEFAULT_TRUSTED_BINARIES: readonly string[] = [
    '/usr/sbin/logrotate',
    '/usr/lib/systemd/systemd-journald',
    '/lib/systemd/systemd-journald',
  ];
  /** Where the kubelet keeps container logs (`/var/log/pods/<pod>/<container>/N.log`) and their links. */
  public static readonly KUBELET_LOG_DIRECTORIES: readonly string[] = ['/var/log/pods', '/var/log/containers'];
  /** The kubelet, standalone or inside k3s. */
  public static readonly KUBELET_BINARIES: readonly string[] = [
    '/usr/bin/kubelet',
    '/usr/local/bin/kubelet',
    '/usr/bin/k3s',
    '/usr/local/bin/k3s',
  ];
  /** The generated policies. */
  public readonly policies: TracingPolicy[];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1070.002'];

  constructor(scope: Construct, id: string, props: LogClearingDetectionProps = {}) {
    super(scope, id);
    const directories = props.directories ?? LogClearingDetection.DEFAULT_DIRECTORIES;
    checkPaths(this, 'directories', directories);
    for (const d of directories) {
      if (!d.endsWith('/'))
        refuse(this, 'directories', d, `a directory ends with "/" so that ${show(d + 'ger')} is not matched too`, `Write ${show(d + '/')}`);
    }
    const scoped = { ...props, trustedBinaries: props.trustedBinaries ?? LogClearingDetection.DEFAULT_TRUSTED_BINARIES };
    const actions = enforcementActions(this, props, true, '');
    const namespaces = inContainer(props.containersOnly ?? false);
    const tags = ['observability.filesystem', 'mitre.T1070.002'];
    const truncatedPath = Arg.path(0);
    const truncatedFile = Arg.file(0);
    const parent = Arg.path(0, { label: 'directory' });
    const under = (arg: Arg<'file'>, values: readonly string[]) =>
      detectionSelector(scoped, { matchArgs: [ArgFilter.prefix(arg, values)], matchNamespaces: namespaces }, actions);
    // Kubelet log cleanup: its directories (where watched) get their own selector that also trusts the kubelet.
    const kubeletDirs = LogClearingDetection.KUBELET_LOG_DIRECTORIES.filter((k) => directories.some((d) => `${k}/`.startsWith(d)));
    const kubeletTrusted = {
      ...scoped,
      trustedBinaries: [...new Set([...scoped.trustedBinaries, ...LogClearingDetection.KUBELET_BINARIES])],
    };
    const unlinkSelectors = [
      // The directory of a file directly in /var/log/ is "/var/log" (no trailing slash): match it exactly too.
      detectionSelector(
        scoped,
        {
          matchArgs: [
            ArgFilter.equal(
              parent,
              directories.map((d) => d.replace(/\/+$/, '') || '/'),
            ),
          ],
          matchNamespaces: namespaces,
        },
        actions,
      ),
      kubeletDirs.length
        ? detectionSelector(
            scoped,
            { matchArgs: [ArgFilter.prefix(parent, directories), ArgFilter.notPrefix(parent, kubeletDirs)], matchNamespaces: namespaces },
            actions,
          )
        : under(parent, directories),
      ...(kubeletDirs.length
        ? [detectionSelector(kubeletTrusted, { matchArgs: [ArgFilter.prefix(parent, kubeletDirs)], matchNamespaces: namespaces }, actions)]
        : []),
    ];

    this.policies = [
      detectionPolicy(this, scoped, {
        name: LogClearingDetection.NAME,
        description: 'Log files truncated or deleted',
        hooks: [
          KprobeHook.function('security_path_truncate', {
            message: 'Log file truncated',
            tags,
            args: [truncatedPath],
            selectors: [under(truncatedPath, directories)],
          }),
          KprobeHook.function('security_file_truncate', {
            message: 'Log file truncated',
            tags,
            args: [truncatedFile],
            selectors: [under(truncatedFile, directories)],
            // Added in 6.2 (O_TRUNC and ftruncate moved here): absent from 5.10 and 6.1, where security_path_truncate covers them.
            ignoreCallNotFound: true,
          }),
          KprobeHook.function('security_path_unlink', {
            message: 'Log file deleted',
            tags,
            args: [parent, Arg.dentry(1, { label: 'file' })],
            selectors: unlinkSelectors,
          }),
        ],
      }),
    ];
  }
}
