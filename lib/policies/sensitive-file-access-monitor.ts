import { Construct } from 'constructs';
import { ArgFilter } from '../policy/arg-filter';
import { Arg, ArgType } from '../policy/argument';
import { KprobeHook } from '../policy/kprobe-hook';
import { Selector } from '../policy/selector';
import { TracingPolicy } from '../policy/tracing-policy';
import { DetectionConstruct } from './detection';
import { LibraryPolicyProps, trustedBinariesFilter } from './library-policy-props';

/** Props of a {@link SensitiveFileAccessMonitor}. Spread the `DEFAULT_*` lists to extend them. */
export interface SensitiveFileAccessMonitorProps extends LibraryPolicyProps {
  /**
   * Files reported on any open, mmap or truncation (exact paths).
   * @default SensitiveFileAccessMonitor.DEFAULT_FILES
   */
  readonly files?: readonly string[];
  /**
   * Files reported only when written or truncated: reads of these are constant (NSS lookups by `id`, `ls -l`, sudo, ssh).
   * @default SensitiveFileAccessMonitor.DEFAULT_WRITE_ONLY_FILES
   */
  readonly writeOnlyFiles?: readonly string[];
  /**
   * Path prefixes reported on any open, mmap or truncation.
   * @default SensitiveFileAccessMonitor.DEFAULT_PREFIXES
   */
  readonly prefixes?: readonly string[];
  /**
   * Path suffixes reported on any open, mmap or truncation (SSH keys in any home directory).
   * @default SensitiveFileAccessMonitor.DEFAULT_SUFFIXES
   */
  readonly suffixes?: readonly string[];
  /**
   * Watch Kubernetes service-account tokens. Every in-cluster client re-reads its token periodically, so this is the
   * noisiest part: narrow it with `trustedBinaries` or a `podSelector` where it floods.
   * @default true
   */
  readonly watchServiceAccountTokens?: boolean;
}

/**
 * `sensitive-file-access-monitor`: opens, mmaps and truncations of credential files, SSH keys and service-account
 * tokens, writes to `/etc/passwd` and `/etc/group`, and any of these files replaced by a rename.
 *
 * Replacement by rename is how most tools change them: shadow-utils (`useradd`, `usermod`, `passwd`, `chpasswd`,
 * `vipw`) write `/etc/passwd+` and `/etc/shadow+` and rename them over the originals, `visudo` and editors do the
 * same, so no open or write of the file itself happens. `security_path_rename` (called by the rename system calls,
 * not by the renames overlayfs repeats on a container's upper layer, which `security_inode_rename` would report a
 * second time) sees the new name as a dentry, whose path Tetragon reads up to the root of its file system
 * (`/etc/passwd` on the root file system and in a container's root; a file on a separate mount shows its path
 * inside that mount). It is matched with Postfix (Tetragon takes no Equal on a dentry), so
 * `/srv/chroot/etc/passwd` is reported too.
 *
 * Hooks `security_*` functions rather than syscalls: they see the kernel's own copy of the path, resolved with
 * d_path (container view, symlinks followed), so `..`, relative paths, `/proc/self/root/...` and races on the
 * user buffer do not evade it. The `..data` symlinks of service-account tokens resolve to
 * `/run/secrets/.../..<timestamp>/token` or `/var/run/secrets/...`, depending on the image, so both prefixes are watched.
 *
 * Noise: low for credential files and keys; service-account tokens are re-read by every in-cluster client.
 * Misses: hardlinks and bind mounts of the same file under another path; files read through an fd opened before
 * the policy loaded.
 */
export class SensitiveFileAccessMonitor extends DetectionConstruct {
  /** The policy's well-known name. */
  public static readonly NAME = 'sensitive-file-access-monitor';
  /** Credential files whose every access matters. */
  public static readonly DEFAULT_FILES: readonly string[] = [
    '/etc/shadow',
    '/etc/gshadow',
    '/etc/sudoers',
    '/etc/shadow-',
    '/etc/gshadow-',
  ];
  /** Account databases read by everyone, so only writes are reported. */
  public static readonly DEFAULT_WRITE_ONLY_FILES: readonly string[] = ['/etc/passwd', '/etc/group'];
  /** Directories and file-name prefixes of sudo rules, SSH host keys and root's SSH directory. */
  public static readonly DEFAULT_PREFIXES: readonly string[] = ['/etc/sudoers.d/', '/etc/ssh/ssh_host_', '/root/.ssh/'];
  /** Service-account token mount points (with and without the `/var/run` → `/run` symlink). */
  public static readonly SERVICE_ACCOUNT_PREFIXES: readonly string[] = [
    '/run/secrets/kubernetes.io/serviceaccount/',
    '/var/run/secrets/kubernetes.io/serviceaccount/',
  ];
  /** SSH private keys and authorized keys in any home directory. */
  public static readonly DEFAULT_SUFFIXES: readonly string[] = [
    '/.ssh/id_rsa',
    '/.ssh/id_dsa',
    '/.ssh/id_ecdsa',
    '/.ssh/id_ed25519',
    '/.ssh/id_ecdsa_sk',
    '/.ssh/id_ed25519_sk',
    '/.ssh/authorized_keys',
    '/.ssh/authorized_keys2',
  ];

  /** The generated policy. */
  public readonly policy: TracingPolicy;
  /** The generated policy, as the contract lists it. */
  public readonly policies: readonly TracingPolicy[];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1003.008', 'T1552.004', 'T1528', 'T1136', 'T1485', 'T1098'];

  constructor(scope: Construct, id: string, props: SensitiveFileAccessMonitorProps = {}) {
    super(scope, id);
    const files = props.files ?? SensitiveFileAccessMonitor.DEFAULT_FILES;
    const writeOnly = props.writeOnlyFiles ?? SensitiveFileAccessMonitor.DEFAULT_WRITE_ONLY_FILES;
    const prefixes = [
      ...(props.prefixes ?? SensitiveFileAccessMonitor.DEFAULT_PREFIXES),
      ...((props.watchServiceAccountTokens ?? true) ? SensitiveFileAccessMonitor.SERVICE_ACCOUNT_PREFIXES : []),
    ];
    const suffixes = props.suffixes ?? SensitiveFileAccessMonitor.DEFAULT_SUFFIXES;
    const trusted = trustedBinariesFilter(props);
    const tags = ['observability.filesystem', 'mitre.T1003.008', 'mitre.T1552.004', 'mitre.T1528'];

    // One selector per operator: filters inside a selector are ANDed, so Equal, Prefix and Postfix each need their own.
    const pathSelectors = (file: Arg<'file'>, exact: readonly string[]) => [
      ...(exact.length ? [new Selector({ matchArgs: [ArgFilter.equal(file, exact)], matchBinaries: trusted })] : []),
      ...(prefixes.length ? [new Selector({ matchArgs: [ArgFilter.prefix(file, prefixes)], matchBinaries: trusted })] : []),
      ...(suffixes.length ? [new Selector({ matchArgs: [ArgFilter.postfix(file, suffixes)], matchBinaries: trusted })] : []),
    ];

    const openedFile = Arg.file(0);
    const writtenFile = Arg.file(0);
    const mask = Arg.int(1, { label: 'mask' });
    const mappedFile = Arg.file(0);
    const truncatedPath = Arg.path(0);
    const truncatedFile = Arg.file(0);

    const hooks = [
      KprobeHook.function('security_file_open', {
        message: 'Sensitive file opened',
        tags,
        args: [openedFile],
        selectors: pathSelectors(openedFile, files),
      }),
      // Runs on every read() and write(); only writes (MAY_WRITE = 2) of the account databases are reported.
      ...(writeOnly.length
        ? [
            KprobeHook.function('security_file_permission', {
              message: 'Account database written',
              tags: [...tags, 'mitre.T1136'],
              args: [writtenFile, mask],
              selectors: [
                new Selector({ matchArgs: [ArgFilter.equal(writtenFile, writeOnly), ArgFilter.mask(mask, [2])], matchBinaries: trusted }),
              ],
            }),
          ]
        : []),
      KprobeHook.function('security_mmap_file', {
        message: 'Sensitive file memory-mapped',
        tags,
        // prot is `unsigned long` in every kernel of the supported set.
        args: [mappedFile, Arg.integer(1, ArgType.ULONG, { label: 'prot' })],
        selectors: pathSelectors(mappedFile, files),
      }),
      // truncate(2) and O_TRUNC before 6.2; truncate(2) only from 6.2 on.
      KprobeHook.function('security_path_truncate', {
        message: 'Sensitive file truncated',
        tags: [...tags, 'mitre.T1485'],
        args: [truncatedPath],
        selectors: pathSelectors(truncatedPath, [...files, ...writeOnly]),
      }),
      // ftruncate(2) and O_TRUNC from 6.2 on. Absent from 5.10 and 6.1, where security_path_truncate covers them.
      KprobeHook.function('security_file_truncate', {
        message: 'Sensitive file truncated',
        tags: [...tags, 'mitre.T1485'],
        args: [truncatedFile],
        selectors: pathSelectors(truncatedFile, [...files, ...writeOnly]),
        ignoreCallNotFound: true,
      }),
    ];

    // Editors, shadow-utils and visudo replace a file by renaming a new copy over it.
    const renamedTo = Arg.dentry(3, { label: 'newname' });
    const watchedNames = [...new Set([...files, ...writeOnly, ...suffixes])];
    const basePrefixes = props.prefixes ?? SensitiveFileAccessMonitor.DEFAULT_PREFIXES;
    hooks.push(
      KprobeHook.function('security_path_rename', {
        message: 'Sensitive file replaced by rename',
        tags: [...tags, 'mitre.T1136', 'mitre.T1098'],
        args: [Arg.dentry(1, { label: 'oldname' }), renamedTo],
        selectors: [
          ...(watchedNames.length
            ? [new Selector({ matchArgs: [ArgFilter.postfix(renamedTo, watchedNames)], matchBinaries: trusted })]
            : []),
          // Service-account tokens are renamed into place by the kubelet on the node, outside this view: not watched here.
          ...(basePrefixes.length
            ? [new Selector({ matchArgs: [ArgFilter.prefix(renamedTo, basePrefixes)], matchBinaries: trusted })]
            : []),
        ],
      }),
    );

    this.policy = new TracingPolicy(this, 'Policy', {
      name: props.name ?? SensitiveFileAccessMonitor.NAME,
      description: 'Access to credential files, SSH keys and service-account tokens; writes to account databases',
      podSelector: props.podSelector,
      defaultRateLimit: props.rateLimit,
      hooks,
    });
    this.policies = [this.policy];
  }
}
