import { Construct } from 'constructs';
import { DetectionConstruct } from '../policies/detection';
import { ArgFilter } from '../policy/arg-filter';
import { Arg } from '../policy/argument';
import { KprobeHook } from '../policy/kprobe-hook';
import { TracingPolicy } from '../policy/tracing-policy';
import { ScopedDetectionProps } from './detection-props';
import { checkPaths, detectionPolicy, detectionSelector, enforcementActions, inContainer } from './private/kit';

/** Props of a {@link ShellHistoryDetection}. */
export interface ShellHistoryDetectionProps extends ScopedDetectionProps {
  /**
   * File-name suffixes of history files.
   * @default ShellHistoryDetection.DEFAULT_SUFFIXES
   */
  readonly suffixes?: readonly string[];
  /**
   * Report only processes inside containers.
   * @default false
   */
  readonly containersOnly?: boolean;
}

/**
 * `shell-history-tampering`: shell and REPL history files deleted, renamed away, truncated or replaced by a
 * symlink (`rm ~/.bash_history`, `> ~/.bash_history`, `ln -sf /dev/null ~/.bash_history`), to hide what an
 * intruder typed (Falco incubating "Delete or rename shell history", MITRE T1070.003).
 *
 * Matches the suffix `_history` (bash, zsh, ash, sh, fish, python, mysql, psql, node REPL) and `/.histfile`.
 * Deletion, renaming and symlink creation are probed at the syscalls, on the name the caller gave (a
 * relative `.bash_history` still ends in `_history`): `unlinkat`, `renameat2`, `renameat`, `symlinkat`, and
 * `unlink`, `rename` and `symlink` (busybox `ln -s`) where the architecture has them. Truncation is probed at `security_path_truncate` and
 * `security_file_truncate` with the resolved path.
 *
 * Enforcement: Override (syscalls and LSM functions) makes the call fail, or Sigkill.
 * Noise: low; shells rewrite history with a temporary file and `rename()` onto the history name, which is not
 * matched (only the old name is compared).
 * Misses: `unset HISTFILE`, `HISTFILE=/dev/null`, `history -c` (nothing touches the file), and names given
 * through a directory fd without the suffix.
 */
export class ShellHistoryDetection extends DetectionConstruct {
  /** The policy's well-known name. */
  public static readonly NAME = 'shell-history-tampering';
  /** History file suffixes. */
  public static readonly DEFAULT_SUFFIXES: readonly string[] = ['_history', '/.histfile'];
  /** The generated policies. */
  public readonly policies: TracingPolicy[];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1070.003'];

  constructor(scope: Construct, id: string, props: ShellHistoryDetectionProps = {}) {
    super(scope, id);
    const suffixes = props.suffixes ?? ShellHistoryDetection.DEFAULT_SUFFIXES;
    checkPaths(this, 'suffixes', suffixes, false);
    const actions = enforcementActions(this, props, true, '');
    const namespaces = inContainer(props.containersOnly ?? false);
    const tags = ['observability.filesystem', 'mitre.T1070.003'];
    const ending = (arg: Arg<'string' | 'file'>) => [
      detectionSelector(props, { matchArgs: [ArgFilter.postfix(arg, suffixes)], matchNamespaces: namespaces }, actions),
    ];
    const name = (index: number, label: string) => Arg.string(index, { label });

    const unlinkat = name(1, 'pathname');
    const unlink = name(0, 'pathname');
    const renameat2 = name(1, 'oldname');
    const renameat = name(1, 'oldname');
    const rename = name(0, 'oldname');
    const symlinkat = name(2, 'newname');
    const symlink = name(1, 'newname');
    const truncatedPath = Arg.path(0);
    const truncatedFile = Arg.file(0);

    this.policies = [
      detectionPolicy(this, props, {
        name: ShellHistoryDetection.NAME,
        description: 'Shell history files deleted, renamed, truncated or replaced by a symlink',
        hooks: [
          KprobeHook.syscall('sys_unlinkat', {
            message: 'Shell history file deleted',
            tags,
            args: [Arg.int(0, { label: 'dfd' }), unlinkat],
            selectors: ending(unlinkat),
          }),
          // unlink(2) and rename(2) exist on x86_64 but not on arm64 (which has only the *at forms).
          KprobeHook.syscall('sys_unlink', {
            message: 'Shell history file deleted',
            tags,
            args: [unlink],
            selectors: ending(unlink),
            ignoreCallNotFound: true,
          }),
          KprobeHook.syscall('sys_renameat2', {
            message: 'Shell history file renamed',
            tags,
            args: [renameat2, name(3, 'newname')],
            selectors: ending(renameat2),
          }),
          // renameat(2) is not in arm64's syscall table.
          KprobeHook.syscall('sys_renameat', {
            message: 'Shell history file renamed',
            tags,
            args: [renameat, name(3, 'newname')],
            selectors: ending(renameat),
            ignoreCallNotFound: true,
          }),
          KprobeHook.syscall('sys_rename', {
            message: 'Shell history file renamed',
            tags,
            args: [rename, name(1, 'newname')],
            selectors: ending(rename),
            ignoreCallNotFound: true,
          }),
          KprobeHook.syscall('sys_symlinkat', {
            message: 'Shell history file replaced by a symlink',
            tags,
            args: [name(0, 'target'), symlinkat],
            selectors: ending(symlinkat),
          }),
          // symlink(2), which busybox ln calls; x86_64 only, like unlink(2) and rename(2).
          KprobeHook.syscall('sys_symlink', {
            message: 'Shell history file replaced by a symlink',
            tags,
            args: [name(0, 'target'), symlink],
            selectors: ending(symlink),
            ignoreCallNotFound: true,
          }),
          KprobeHook.function('security_path_truncate', {
            message: 'Shell history file truncated',
            tags,
            args: [truncatedPath],
            selectors: ending(truncatedPath),
          }),
          // Added in 6.2: absent from 5.10 and 6.1, where security_path_truncate sees O_TRUNC too.
          KprobeHook.function('security_file_truncate', {
            message: 'Shell history file truncated',
            tags,
            args: [truncatedFile],
            selectors: ending(truncatedFile),
            ignoreCallNotFound: true,
          }),
        ],
      }),
    ];
  }
}
