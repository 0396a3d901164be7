import { Construct } from 'constructs';
import { DetectionConstruct, InstallRequirements } from '../policies/detection';
import { Arg } from '../policy/argument';
import { KprobeHook } from '../policy/kprobe-hook';
import { BinaryFilter } from '../policy/process-filter';
import { Selector } from '../policy/selector';
import { TracingPolicy } from '../policy/tracing-policy';
import { refuse } from '../private/problems';
import { DetectionProps } from './detection-props';
import { ScopedDetectionProps } from './detection-props';
import { checkPaths, detectionPolicy, refuseEnforcement } from './private/kit';

/** Props of an {@link SshdNetworkDetection}. */
export interface SshdNetworkDetectionProps extends DetectionProps {
  /**
   * The SSH server's executables (resolved paths). OpenSSH 9.8 and later handles each session in a separate
   * `sshd-session` binary.
   * @default SshdNetworkDetection.DEFAULT_SSHD_BINARIES
   */
  readonly sshdBinaries?: readonly string[];
}

/**
 * `sshd-network`: the network activity of the SSH daemon on the nodes: every accepted connection (who logged in
 * or tried to, from where) and every outbound TCP connection it opens, which is TCP forwarding or a tunnel
 * (`ssh -L`/`-D` through the node; MITRE T1021.004, T1572). The Tetragon library's "Network Activity of SSH daemon".
 *
 * Probes the return of `inet_csk_accept` (the accepted socket: peer address and port) and `tcp_connect`, both
 * only for the sshd binaries. The library's recipe tracks sockets from `sk_alloc` to `sk_free` to report state
 * changes; accepting and connecting carry the same addresses with two hooks and no socket tracking map.
 *
 * Runs on the node (sshd is not in a pod), so it has no pod selector, and host events must be exported: the
 * chart's default export deny list drops processes outside pods (namespace `""`).
 * Observe only: killing sshd locks administrators out. Noise: one event per SSH connection, rate-limited.
 * Misses: SSH servers under other names or paths, and sessions multiplexed over an existing connection.
 */
export class SshdNetworkDetection extends DetectionConstruct {
  /** The policy's well-known name. */
  public static readonly NAME = 'sshd-network';
  /** OpenSSH (listener and per-session binaries on Debian, Ubuntu, Fedora and RHEL) and Dropbear. */
  public static readonly DEFAULT_SSHD_BINARIES: readonly string[] = [
    '/usr/sbin/sshd',
    '/usr/sbin/sshd-session',
    '/usr/lib/openssh/sshd-session',
    '/usr/libexec/openssh/sshd-session',
    '/usr/sbin/dropbear',
  ];
  /** The generated policies. */
  public readonly policies: TracingPolicy[];
  /** sshd runs on the nodes: its events are host events. */
  public readonly installRequirements: InstallRequirements = { exportHostEvents: true };
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1021.004', 'T1572'];

  constructor(scope: Construct, id: string, props: SshdNetworkDetectionProps = {}) {
    super(scope, id);
    refuseEnforcement(this, props, 'killing or blocking sshd would lock administrators out of the node');
    if (props.podSelector)
      refuse(
        this,
        'podSelector',
        props.podSelector,
        'sshd runs on the node, outside pods, so a pod selector would select nothing',
        'Remove podSelector',
      );
    // Not in the props type; refused for callers without types, as it would select nothing either.
    const { containerSelector } = props as ScopedDetectionProps;
    if (containerSelector) {
      refuse(
        this,
        'containerSelector',
        containerSelector,
        'sshd runs on the node, outside containers, so a container selector would select nothing',
        'Remove containerSelector',
      );
    }
    if (props.trustedBinaries)
      refuse(
        this,
        'trustedBinaries',
        props.trustedBinaries,
        'this detection selects the sshd binaries themselves',
        'Set sshdBinaries instead',
      );
    const binaries = props.sshdBinaries ?? SshdNetworkDetection.DEFAULT_SSHD_BINARIES;
    checkPaths(this, 'sshdBinaries', binaries);
    const sshd = () => [new Selector({ matchBinaries: BinaryFilter.in(binaries) })];
    const tags = ['observability.network', 'mitre.T1021.004'];
    this.policies = [
      detectionPolicy(this, props, {
        name: SshdNetworkDetection.NAME,
        description: 'Connections accepted and opened by the SSH daemon on the nodes',
        hooks: [
          KprobeHook.function('inet_csk_accept', {
            message: 'SSH daemon accepted a connection',
            tags,
            args: [Arg.sock(0, { label: 'listener' })],
            returnArg: Arg.sock(0),
            selectors: sshd(),
          }),
          KprobeHook.function('tcp_connect', {
            message: 'SSH daemon opened an outbound connection (TCP forwarding or tunnel)',
            tags: [...tags, 'mitre.T1572'],
            args: [Arg.sock(0)],
            selectors: sshd(),
          }),
        ],
      }),
    ];
  }
}
