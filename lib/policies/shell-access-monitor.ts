import { Construct } from 'constructs';
import { ArgFilter } from '../policy/arg-filter';
import { Arg } from '../policy/argument';
import { KprobeHook } from '../policy/kprobe-hook';
import { Namespace, NamespaceFilter } from '../policy/process-filter';
import { Selector } from '../policy/selector';
import { TracingPolicy } from '../policy/tracing-policy';
import { refuse } from '../private/problems';
import { DetectionConstruct } from './detection';
import { LibraryPolicyProps, trustedBinariesFilter } from './library-policy-props';

/** Props of a {@link ShellAccessMonitor}. */
export interface ShellAccessMonitorProps extends LibraryPolicyProps {
  /**
   * Shell names, matched on the path given to exec (`/bin/sh`, `/usr/bin/bash`, or a bare `sh`).
   * @default ShellAccessMonitor.DEFAULT_SHELLS
   */
  readonly shells?: readonly string[];
  /**
   * Report only shells started inside containers (mount namespace other than the host's).
   * Set to false to include shells on the nodes themselves (sshd sessions, node debug pods with hostPID...).
   * @default true
   */
  readonly containersOnly?: boolean;
}

/**
 * `shell-access-monitor`: shells started in containers (`kubectl exec -it ... sh`, a web server spawning
 * `/bin/sh -c`, a reverse shell).
 *
 * It matches the path **as requested** from `execve`/`execveat`, not the resolved executable: on Alpine and
 * distroless-debug images `/bin/sh` is a symlink to `/bin/busybox`, which a `matchBinaries` filter on the
 * resolved path would never call a shell. Postfix `/<name>` catches absolute and relative paths with a
 * directory; Equal `<name>` catches `execve("sh", ...)` from the working directory.
 * "In containers" is tested in the kernel as a mount namespace other than the host's, which holds for any
 * container runtime and does not need Tetragon's pod filter. It also holds for host services that systemd
 * sandboxes in their own mount namespace (`PrivateTmp=`, `ProtectSystem=`, `ReadOnlyPaths=`, ...) and for
 * `unshare -m` or `ip netns exec` on the node: their shells are reported too. Set a `podSelector` (`{}` for every
 * pod) to limit the policy to Kubernetes pods.
 *
 * Noise: containers whose entrypoint or command runs a shell (`sh -c ...`, `["/bin/sh", "/start.sh"]`) report once
 * per start, and health-check probes that run `sh -c` report once per probe and pod (rate-limited to once a minute
 * per thread by default). A script started directly (`/docker-entrypoint.sh` with a `#!/bin/sh` line) is not a
 * shell exec: the kernel loads the interpreter named on the `#!` line without another execve, so the requested
 * path is the script's, and it is not reported.
 * Misses: shells under other names (copied or renamed binaries; see the /tmp and /dev/shm exec detections),
 * interpreters used as shells (python -c, perl -e), and, for the same reason as above, a shell reached through a
 * script's `#!` line.
 * Noisy extras: `busybox <applet>` called directly (uncommon outside debugging and attacks).
 */
export class ShellAccessMonitor extends DetectionConstruct {
  /** The policy's well-known name. */
  public static readonly NAME = 'shell-access-monitor';
  /**
   * bash, sh, zsh, dash, ash, ksh, mksh, csh, tcsh and fish, plus `busybox` itself: `busybox sh` execs
   * `/bin/busybox` with the shell as an argument, which the kernel filter cannot see, so any direct busybox
   * exec in a container is reported (applets run through their symlinks, such as `/bin/ls`, are not).
   */
  public static readonly DEFAULT_SHELLS: readonly string[] = [
    'bash',
    'sh',
    'zsh',
    'dash',
    'ash',
    'ksh',
    'mksh',
    'csh',
    'tcsh',
    'fish',
    'busybox',
  ];
  /** The generated policy. */
  public readonly policy: TracingPolicy;
  /** The generated policy, as the contract lists it. */
  public readonly policies: readonly TracingPolicy[];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1059.004'];

  constructor(scope: Construct, id: string, props: ShellAccessMonitorProps = {}) {
    super(scope, id);
    const shells = props.shells ?? ShellAccessMonitor.DEFAULT_SHELLS;
    if (shells.length === 0 || shells.some((s) => !/^[A-Za-z0-9._+-]+$/.test(s))) {
      refuse(this, 'shells', shells, 'give one or more bare shell names such as "bash" (no slashes; the policy matches any directory)');
    }
    const inContainer = (props.containersOnly ?? true) ? [NamespaceFilter.notHost(Namespace.MNT)] : [];
    const trusted = trustedBinariesFilter(props);
    const selectorsFor = (filename: Arg<'string'>) => [
      new Selector({
        matchArgs: [
          ArgFilter.postfix(
            filename,
            shells.map((s) => `/${s}`),
          ),
        ],
        matchNamespaces: inContainer,
        matchBinaries: trusted,
      }),
      new Selector({ matchArgs: [ArgFilter.equal(filename, shells)], matchNamespaces: inContainer, matchBinaries: trusted }),
    ];
    const tags = ['observability.process', 'mitre.T1059.004'];
    const execveFile = Arg.string(0, { label: 'filename' });
    const execveatFile = Arg.string(1, { label: 'filename' });

    this.policy = new TracingPolicy(this, 'Policy', {
      name: props.name ?? ShellAccessMonitor.NAME,
      description: 'Shells started in containers',
      podSelector: props.podSelector,
      defaultRateLimit: props.rateLimit,
      hooks: [
        KprobeHook.syscall('sys_execve', {
          message: 'Shell started in a container',
          tags,
          args: [execveFile],
          selectors: selectorsFor(execveFile),
        }),
        KprobeHook.syscall('sys_execveat', {
          message: 'Shell started in a container',
          tags,
          args: [Arg.int(0, { label: 'dirfd' }), execveatFile],
          selectors: selectorsFor(execveatFile),
        }),
      ],
    });
    this.policies = [this.policy];
  }
}
