import { Construct } from 'constructs';
import { DetectionConstruct } from '../policies/detection';
import { ArgFilter } from '../policy/arg-filter';
import { Arg } from '../policy/argument';
import { KprobeHook } from '../policy/kprobe-hook';
import { TracingPolicy } from '../policy/tracing-policy';
import { ScopedDetectionProps } from './detection-props';
import { detectionPolicy, detectionSelector, enforcementActions, inContainer } from './private/kit';

/** Props of a {@link PacketSocketDetection}. */
export interface PacketSocketDetectionProps extends ScopedDetectionProps {
  /**
   * Report only sockets created inside containers (mount namespace other than the host's).
   * @default true
   */
  readonly containersOnly?: boolean;
}

/**
 * `packet-socket`: an `AF_PACKET` socket created by a user process, the tool of ARP spoofing, sniffing and raw
 * frame injection (Falco "Packet socket created in container", MITRE T1557.002 / T1040).
 *
 * Probes `security_socket_create(family, type, protocol, kern)`, which `socket(2)`, `socketcall(2)` and the
 * 32-bit compat paths all reach, with the kernel's own integer copies (no user-memory race). Selects
 * `family == 17` (AF_PACKET) and `kern == 0` (sockets the kernel opens for itself are left out), for
 * `SOCK_RAW` and `SOCK_DGRAM` alike.
 *
 * Enforcement: `EnforcementAction.override(Errno.EPERM)` makes `socket()` fail (the usual answer a container
 * without CAP_NET_RAW gets), or Sigkill.
 * Noise: low in pods. tcpdump, DHCP clients, keepalived, lldpd and some CNI or load-balancer agents open
 * packet sockets by design: list their resolved paths in `trustedBinaries`.
 * Misses: sniffing through an already open socket, `AF_INET`/`SOCK_RAW` (ICMP tools), and eBPF socket filters
 * attached to existing sockets.
 */
export class PacketSocketDetection extends DetectionConstruct {
  /** The policy's well-known name. */
  public static readonly NAME = 'packet-socket';
  /** `AF_PACKET` in `include/linux/socket.h`. */
  public static readonly AF_PACKET = 17;
  /** The generated policies. */
  public readonly policies: TracingPolicy[];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1557.002', 'T1040'];

  constructor(scope: Construct, id: string, props: PacketSocketDetectionProps = {}) {
    super(scope, id);
    const actions = enforcementActions(this, props, true, '');
    const family = Arg.int(0, { label: 'family' });
    const kern = Arg.int(3, { label: 'kern' });
    const hook = KprobeHook.function('security_socket_create', {
      message: 'Packet socket (AF_PACKET) created',
      tags: ['observability.network', 'mitre.T1557.002', 'mitre.T1040'],
      args: [family, Arg.int(1, { label: 'type' }), Arg.int(2, { label: 'protocol' }), kern],
      selectors: [
        detectionSelector(
          props,
          {
            matchArgs: [ArgFilter.equal(family, [PacketSocketDetection.AF_PACKET]), ArgFilter.equal(kern, [0])],
            matchNamespaces: inContainer(props.containersOnly ?? true),
          },
          actions,
        ),
      ],
    });
    this.policies = [
      detectionPolicy(this, props, {
        name: PacketSocketDetection.NAME,
        description: 'Packet sockets (AF_PACKET) created by user processes',
        hooks: [hook],
      }),
    ];
  }
}
