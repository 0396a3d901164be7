import { Construct } from 'constructs';
import { ArgFilter } from '../policy/arg-filter';
import { Arg } from '../policy/argument';
import { KprobeHook } from '../policy/kprobe-hook';
import { Selector } from '../policy/selector';
import { TracingPolicy } from '../policy/tracing-policy';
import { DetectionConstruct } from './detection';
import { LibraryPolicyProps, trustedBinariesFilter } from './library-policy-props';

/** Props of a {@link NetworkConnectionMonitor}. */
export interface NetworkConnectionMonitorProps extends LibraryPolicyProps {
  /**
   * The cluster's pod CIDRs: connections to pods are not reported.
   * @default - none (connections to pods are reported)
   */
  readonly podCidrs?: readonly string[];
  /**
   * The cluster's service CIDRs: connections to ClusterIPs are not reported. With Cilium's socket load balancing
   * the destination is already the backend pod, so list the pod CIDRs too.
   * @default - none
   */
  readonly serviceCidrs?: readonly string[];
  /**
   * Other destinations never reported.
   * @default NetworkConnectionMonitor.LOOPBACK
   */
  readonly excludeCidrs?: readonly string[];
}

/**
 * `network-connection-monitor`: outbound TCP connections (IPv4 and IPv6) leaving the cluster, filtered in the
 * kernel. Off by default in the cluster chart because it is noisy.
 *
 * Probes `tcp_connect` (called once per active open, after routing, with the destination set) and drops
 * loopback and the configured pod and service CIDRs in the kernel with `NotDAddr`, so in-cluster traffic never
 * leaves the node as events. Every IPv4 CIDR is also excluded in its IPv4-mapped form (`::ffff:10.244.0.0/112`):
 * Tetragon compares an IPv6 socket's destination only with IPv6 values, and a dual-stack client connecting to an
 * IPv4 pod holds `::ffff:10.244.1.7`. The event's `sock_arg` carries addresses, ports and protocol.
 *
 * Noise: every outbound connection of every process, rate-limited per thread and socket (1 minute by default).
 * Misses: UDP (DNS, QUIC) and raw sockets; connections through a proxy show the proxy as destination.
 */
export class NetworkConnectionMonitor extends DetectionConstruct {
  /** The policy's well-known name. */
  public static readonly NAME = 'network-connection-monitor';
  /** IPv4 and IPv6 loopback (the filter adds the IPv4-mapped `::ffff:127.0.0.0/104`). */
  public static readonly LOOPBACK: readonly string[] = ['127.0.0.0/8', '::1/128'];
  /** The generated policy. */
  public readonly policy: TracingPolicy;
  /** The generated policy, as the contract lists it. */
  public readonly policies: readonly TracingPolicy[];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1071'];

  constructor(scope: Construct, id: string, props: NetworkConnectionMonitorProps = {}) {
    super(scope, id);
    const excluded = [
      ...(props.excludeCidrs ?? NetworkConnectionMonitor.LOOPBACK),
      ...(props.podCidrs ?? []),
      ...(props.serviceCidrs ?? []),
    ];
    const sock = Arg.sock(0);
    this.policy = new TracingPolicy(this, 'Policy', {
      name: props.name ?? NetworkConnectionMonitor.NAME,
      description: 'Outbound TCP connections leaving the cluster',
      podSelector: props.podSelector,
      defaultRateLimit: props.rateLimit,
      hooks: [
        KprobeHook.function('tcp_connect', {
          message: 'Outbound TCP connection',
          tags: ['observability.network', 'mitre.T1071'],
          args: [sock],
          selectors: [
            new Selector({
              matchArgs: excluded.length ? [ArgFilter.notDaddr(sock, [...new Set(excluded)])] : [],
              matchBinaries: trustedBinariesFilter(props),
            }),
          ],
        }),
      ],
    });
    this.policies = [this.policy];
  }
}
