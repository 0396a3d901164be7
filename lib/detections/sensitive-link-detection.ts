import { Construct } from 'constructs';
import { DetectionConstruct } from '../policies/detection';
import { ArgFilter } from '../policy/arg-filter';
import { Arg } from '../policy/argument';
import { KprobeHook } from '../policy/kprobe-hook';
import { TracingPolicy } from '../policy/tracing-policy';
import { ScopedDetectionProps } from './detection-props';
import { checkPaths, detectionPolicy, detectionSelector, enforcementActions, inContainer } from './private/kit';

/** Props of a {@link SensitiveLinkDetection}. Spread the `DEFAULT_*` lists to extend them. */
export interface SensitiveLinkDetectionProps extends ScopedDetectionProps {
  /**
   * Files that must not become the target of a symlink or the source of a hardlink (exact paths).
   * @default SensitiveLinkDetection.DEFAULT_FILES
   */
  readonly files?: readonly string[];
  /**
   * Directories that must not become the target of a symlink (exact paths, with and without the trailing `/`).
   * @default SensitiveLinkDetection.DEFAULT_DIRECTORIES
   */
  readonly directories?: readonly string[];
  /**
   * Report only links created inside containers.
   * @default false
   */
  readonly containersOnly?: boolean;
}

/**
 * `sensitive-link`: a symlink pointing at, or a hardlink made of, a credential file such as `/etc/shadow`: the
 * way to read it through a path no file rule watches, or to have a privileged program write it
 * (Falco "Create Symlink Over Sensitive Files" and "Create Hardlink Over Sensitive Files", MITRE T1555 / T1547).
 *
 * Symlinks are probed at `security_inode_symlink(dir, dentry, old_name)`: `old_name` is the kernel's copy of the
 * target string, stored verbatim in the link, so `symlink(2)` and `symlinkat(2)` are both seen without a race.
 * Hardlinks are probed at `sys_linkat` and `sys_link` (the old name is a user string, argument 1 and 0): the
 * LSM functions only get a dentry for the source, which cannot be compared with a path.
 *
 * Enforcement: Override (an LSM function and syscalls) makes `ln` fail with the errno, or Sigkill.
 * Noise: very low; package managers do not link credential files.
 * Misses: hardlinks named by a relative path (`cd /etc && ln shadow /tmp/x`) or through `..`, and bind mounts.
 * Unprivileged users cannot hardlink files they do not own where `fs.protected_hardlinks=1` (the default).
 */
export class SensitiveLinkDetection extends DetectionConstruct {
  /** The policy's well-known name. */
  public static readonly NAME = 'sensitive-link';
  /** Falco's `sensitive_file_names` plus `/etc/gshadow` and `/etc/passwd`. */
  public static readonly DEFAULT_FILES: readonly string[] = [
    '/etc/shadow',
    '/etc/gshadow',
    '/etc/sudoers',
    '/etc/pam.conf',
    '/etc/security/pwquality.conf',
    '/etc/passwd',
  ];
  /** Falco's `sensitive_directory_names`. */
  public static readonly DEFAULT_DIRECTORIES: readonly string[] = ['/', '/etc', '/etc/', '/root', '/root/'];
  /** The generated policies. */
  public readonly policies: TracingPolicy[];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1555', 'T1547'];

  constructor(scope: Construct, id: string, props: SensitiveLinkDetectionProps = {}) {
    super(scope, id);
    const files = props.files ?? SensitiveLinkDetection.DEFAULT_FILES;
    const directories = props.directories ?? SensitiveLinkDetection.DEFAULT_DIRECTORIES;
    checkPaths(this, 'files', files);
    if (props.directories !== undefined && directories.length > 0) checkPaths(this, 'directories', directories);
    const actions = enforcementActions(this, props, true, '');
    const namespaces = inContainer(props.containersOnly ?? false);
    const tags = ['observability.filesystem', 'mitre.T1555', 'mitre.T1547'];

    const target = Arg.string(2, { label: 'target' });
    const linkOld = Arg.string(1, { label: 'oldname' });
    const linkOldLegacy = Arg.string(0, { label: 'oldname' });
    const hardlinkSelector = (arg: Arg<'string'>) => [
      detectionSelector(props, { matchArgs: [ArgFilter.equal(arg, files)], matchNamespaces: namespaces }, actions),
    ];

    this.policies = [
      detectionPolicy(this, props, {
        name: SensitiveLinkDetection.NAME,
        description: 'Symlinks to and hardlinks of credential files',
        hooks: [
          KprobeHook.function('security_inode_symlink', {
            message: 'Symlink created to a sensitive file or directory',
            tags,
            args: [target],
            selectors: [
              detectionSelector(
                props,
                { matchArgs: [ArgFilter.equal(target, [...new Set([...files, ...directories])])], matchNamespaces: namespaces },
                actions,
              ),
            ],
          }),
          KprobeHook.syscall('sys_linkat', {
            message: 'Hardlink created of a sensitive file',
            tags,
            args: [Arg.int(0, { label: 'olddfd' }), linkOld, Arg.string(3, { label: 'newname' })],
            selectors: hardlinkSelector(linkOld),
          }),
          KprobeHook.syscall('sys_link', {
            message: 'Hardlink created of a sensitive file',
            tags,
            args: [linkOldLegacy, Arg.string(1, { label: 'newname' })],
            selectors: hardlinkSelector(linkOldLegacy),
            // link(2) exists on x86_64 but not on arm64, which only has linkat(2).
            ignoreCallNotFound: true,
          }),
        ],
      }),
    ];
  }
}
