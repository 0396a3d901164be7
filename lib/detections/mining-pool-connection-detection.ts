import { Construct } from 'constructs';
import { DetectionConstruct } from '../policies/detection';
import { ArgFilter, PortSpec, cidrProblem, portProblem } from '../policy/arg-filter';
import { Arg } from '../policy/argument';
import { KprobeHook } from '../policy/kprobe-hook';
import { TracingPolicy } from '../policy/tracing-policy';
import { ScopedDetectionProps } from './detection-props';
import { checkList, detectionPolicy, detectionSelectors, refuseOverride } from './private/kit';

/** Props of a {@link MiningPoolConnectionDetection}. Spread the `DEFAULT_*` lists to extend them. */
export interface MiningPoolConnectionDetectionProps extends ScopedDetectionProps {
  /**
   * Destination ports of mining pools (numbers or `'low:high'` ranges).
   * @default MiningPoolConnectionDetection.DEFAULT_POOL_PORTS
   */
  readonly poolPorts?: readonly PortSpec[];
  /**
   * The cluster's pod and service CIDRs, and any other internal ranges: connections to them are not reported.
   * @default - none beyond `PRIVATE_RANGES`
   */
  readonly clusterCidrs?: readonly string[];
  /**
   * Address ranges never reported.
   * @default MiningPoolConnectionDetection.PRIVATE_RANGES
   */
  readonly excludeCidrs?: readonly string[];
}

/**
 * `mining-pool-connection`: outbound TCP connections to the ports mining pools listen on (Falco's
 * `miner_ports` without the generic ones: 25, 80/8000/8080-style web ports, 8333 and 8888 are left out), to
 * addresses outside private and cluster ranges (Falco sandbox "Detect outbound connections to common miner
 * pool ports", MITRE T1496).
 *
 * Hooks `tcp_connect` (IPv4 and IPv6, once per active open, after routing) with `DPort` and `NotDAddr` ANDed in
 * one selector, so in-cluster traffic never leaves the kernel. Enforcement: Sigkill only (the process is killed
 * as it connects); `tcp_connect` is neither a syscall nor a `security_*` function, so Override is refused.
 *
 * Noise: low to medium. 4444, 5555, 6666, 7777 and 9999 are also used by other software; a service on one of
 * them outside the cluster reports once per thread and minute (the rate limit): add its client to
 * `trustedBinaries` or its network to `excludeCidrs`.
 * Misses: pools on 443/80 or any other port, pools reached through a proxy, TLS tunnel or an in-cluster Stratum
 * proxy (its address is private), and UDP.
 */
export class MiningPoolConnectionDetection extends DetectionConstruct {
  /** The policy's well-known name. */
  public static readonly NAME = 'mining-pool-connection';
  /** Falco `miner_ports` minus the generic ports 25, 8000, 8001, 8008, 8080, 8118, 8333, 8888 and 8899. */
  public static readonly DEFAULT_POOL_PORTS: readonly PortSpec[] = [
    '3333:3336',
    3357,
    4444,
    '5555:5556',
    5588,
    5730,
    6099,
    6666,
    '7777:7778',
    9332,
    9999,
    14433,
    14444,
    45560,
    45700,
  ];
  /**
   * Loopback, RFC 1918, carrier-grade NAT, link-local, and their IPv6 counterparts. The filter adds the IPv4-mapped
   * form of each IPv4 range (`::ffff:10.0.0.0/104`, ...), which IPv6 sockets of dual-stack clients hold.
   */
  public static readonly PRIVATE_RANGES: readonly string[] = [
    '127.0.0.0/8',
    '10.0.0.0/8',
    '172.16.0.0/12',
    '192.168.0.0/16',
    '100.64.0.0/10',
    '169.254.0.0/16',
    '::1/128',
    'fc00::/7',
    'fe80::/10',
  ];

  /** The generated policies. */
  public readonly policies: TracingPolicy[];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1496'];

  constructor(scope: Construct, id: string, props: MiningPoolConnectionDetectionProps = {}) {
    super(scope, id);
    refuseOverride(this, props, 'tcp_connect is neither a syscall nor a security_* function');
    const ports = (props.poolPorts ?? MiningPoolConnectionDetection.DEFAULT_POOL_PORTS).map(String);
    checkList(this, 'poolPorts', ports, (v) => portProblem(v) === undefined, "give ports 0-65535 or ranges 'low:high'");
    const cluster = props.clusterCidrs ?? [];
    const excluded = props.excludeCidrs ?? MiningPoolConnectionDetection.PRIVATE_RANGES;
    checkList(this, 'clusterCidrs', cluster, (v) => cidrProblem(v) === undefined, 'give IPv4 or IPv6 CIDRs such as 10.244.0.0/16', true);
    checkList(this, 'excludeCidrs', excluded, (v) => cidrProblem(v) === undefined, 'give IPv4 or IPv6 CIDRs such as 10.0.0.0/8', true);
    const sock = Arg.sock(0);
    const notInternal = [...new Set([...excluded, ...cluster])];
    this.policies = [
      detectionPolicy(this, props, {
        name: MiningPoolConnectionDetection.NAME,
        description: 'Outbound TCP connections to mining-pool ports outside private and cluster ranges',
        containersOnly: false,
        hooks: [
          KprobeHook.function('tcp_connect', {
            message: 'Outbound connection to a mining-pool port',
            tags: ['observability.network', 'mitre.T1496'],
            args: [sock],
            selectors: detectionSelectors(props, false, [
              [ArgFilter.dport(sock, ports), ...(notInternal.length ? [ArgFilter.notDaddr(sock, notInternal)] : [])],
            ]),
          }),
        ],
      }),
    ];
  }
}
