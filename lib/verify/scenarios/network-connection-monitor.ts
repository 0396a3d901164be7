/**
 * network-connection-monitor: `tcp_connect(struct sock *)`, once per active open after the route lookup, with
 * `NotDAddr` on loopback and the cluster's pod and service CIDRs (here 10.244.0.0/16 and 10.96.0.0/12). The
 * triggers run on the node: tcp_connect needs a route, which the guest's dummy interface gives (IPv4 and IPv6).
 * An AF_INET6 socket connecting to an IPv4 peer (dual stack) carries `::ffff:a.b.c.d` addresses.
 */
import { SimulatedEvent, SimulatedProcess } from '../../simulate/event';
import { Scenario } from '../scenario';
import { family, kprobe, tcpSock } from './private/support';

const CLUSTER = { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'] };
const connect = (daddr: string, dport: number, p: SimulatedProcess): SimulatedEvent =>
  kprobe('tcp_connect', [tcpSock(daddr, dport)], p, { name: `connect ${daddr} port ${dport}` });
const tcp = (daddr: string, dport: number, uid?: number) => ({
  argv: ['vt-connect', 'tcp', daddr, String(dport)],
  ...(uid ? { uid } : {}),
});

export const NETWORK_CONNECTION_MONITOR_SCENARIOS: Scenario[] = family('network-connection-monitor', {
  catch: [
    {
      id: 'stratum-pool',
      summary: 'A miner dialing its Stratum pool (198.51.100.7:3333) as uid 1000',
      trigger: tcp('198.51.100.7', 3333, 1000),
      props: CLUSTER,
      events: (p) => [connect('198.51.100.7', 3333, p)],
    },
    {
      id: 'reverse-shell',
      summary: 'A reverse shell to 203.0.113.5:4444',
      trigger: tcp('203.0.113.5', 4444),
      props: CLUSTER,
      events: (p) => [connect('203.0.113.5', 4444, p)],
    },
    {
      id: 'cloud-metadata',
      summary: 'The cloud metadata service (169.254.169.254:80)',
      trigger: tcp('169.254.169.254', 80),
      props: CLUSTER,
      events: (p) => [connect('169.254.169.254', 80, p)],
    },
    {
      id: 'ipv6-exfiltration',
      summary: 'Exfiltration over IPv6 ([2001:db8::10]:443)',
      trigger: tcp('2001:db8::10', 443),
      props: CLUSTER,
      events: (p) => [connect('2001:db8::10', 443, p)],
    },
    {
      id: 'dual-stack-reverse-shell',
      summary: 'The reverse shell from a dual-stack IPv6 socket (::ffff:203.0.113.5 port 4444)',
      trigger: tcp('::ffff:203.0.113.5', 4444),
      props: CLUSTER,
      events: (p) => [connect('::ffff:203.0.113.5', 4444, p)],
    },
  ],
  ignore: [
    {
      id: 'loopback-ipv4',
      summary: 'A sidecar on localhost (127.0.0.1:15001)',
      trigger: tcp('127.0.0.1', 15001),
      props: CLUSTER,
      events: (p) => [connect('127.0.0.1', 15001, p)],
    },
    {
      id: 'loopback-ipv6',
      summary: 'A sidecar on [::1]:8080',
      trigger: tcp('::1', 8080),
      props: CLUSTER,
      events: (p) => [connect('::1', 8080, p)],
    },
    {
      id: 'loopback-dual-stack',
      summary: 'Localhost from a dual-stack IPv6 socket (::ffff:127.0.0.1 port 8080)',
      trigger: tcp('::ffff:127.0.0.1', 8080),
      props: CLUSTER,
      events: (p) => [connect('::ffff:127.0.0.1', 8080, p)],
    },
    {
      id: 'pod-address',
      summary: "Another pod (10.244.3.17:8080), as an application or the kubelet's probe does",
      trigger: tcp('10.244.3.17', 8080),
      props: CLUSTER,
      events: (p) => [connect('10.244.3.17', 8080, p)],
    },
    {
      id: 'service-address',
      summary: 'A ClusterIP service (10.96.0.10:53 over TCP)',
      trigger: tcp('10.96.0.10', 53),
      props: CLUSTER,
      events: (p) => [connect('10.96.0.10', 53, p)],
    },
    {
      id: 'service-address-database',
      summary: 'A ClusterIP service elsewhere in the service CIDR (10.100.4.2:5432)',
      trigger: tcp('10.100.4.2', 5432),
      props: CLUSTER,
      events: (p) => [connect('10.100.4.2', 5432, p)],
    },
    {
      id: 'dual-stack-pod-address',
      summary: 'Another pod from a dual-stack IPv6 socket (::ffff:10.244.3.17 port 8080)',
      trigger: tcp('::ffff:10.244.3.17', 8080),
      props: CLUSTER,
      events: (p) => [connect('::ffff:10.244.3.17', 8080, p)],
    },
  ],
});
