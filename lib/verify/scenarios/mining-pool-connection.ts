/**
 * mining-pool-connection: `tcp_connect(sock)` with DPort on the pool ports AND NotDAddr on private and
 * cluster ranges (here 10.244.0.0/16 and 10.96.0.0/12), host processes included. The triggers run on the node,
 * where the guest's dummy interface routes every destination.
 */
import { SimulatedEvent, SimulatedProcess } from '../../simulate/event';
import { Scenario } from '../scenario';
import { family, kprobe, tcpSock } from './private/support';

const CLUSTER = { clusterCidrs: ['10.244.0.0/16', '10.96.0.0/12'] };
const connect = (daddr: string, dport: number, p: SimulatedProcess): SimulatedEvent =>
  kprobe('tcp_connect', [tcpSock(daddr, dport)], p, { name: `connect ${daddr} port ${dport}` });
const tcp = (daddr: string, dport: number) => ({ argv: ['vt-connect', 'tcp', daddr, String(dport)] });

export const MINING_POOL_CONNECTION_SCENARIOS: Scenario[] = family('mining-pool-connection', {
  catch: [
    {
      id: 'public-pool',
      summary: 'A miner connecting to a public pool on 3333',
      trigger: { ...tcp('198.51.100.7', 3333), binaryPath: '/var/tmp/.x/kworkerd' },
      props: CLUSTER,
      events: (p) => [connect('198.51.100.7', 3333, p)],
    },
    {
      id: 'pool-over-ipv6',
      summary: 'A pool on 14444 reached over IPv6',
      trigger: tcp('2001:db8::7', 14444),
      props: CLUSTER,
      events: (p) => [connect('2001:db8::7', 14444, p)],
    },
    {
      id: 'pool-from-node',
      summary: 'A miner on the node itself, port 5555',
      trigger: tcp('203.0.113.50', 5555),
      props: CLUSTER,
      events: (p) => [connect('203.0.113.50', 5555, p)],
    },
    {
      id: 'pool-dual-stack',
      summary: 'The public pool from a dual-stack IPv6 socket (::ffff:198.51.100.7 port 3333)',
      trigger: tcp('::ffff:198.51.100.7', 3333),
      props: CLUSTER,
      events: (p) => [connect('::ffff:198.51.100.7', 3333, p)],
    },
  ],
  ignore: [
    {
      id: 'https-public-api',
      summary: 'HTTPS to a public API',
      trigger: tcp('203.0.113.10', 443),
      props: CLUSTER,
      events: (p) => [connect('203.0.113.10', 443, p)],
    },
    {
      id: 'cluster-service-on-pool-port',
      summary: 'A pod talking to an in-cluster service on 9999 (cluster CIDR)',
      trigger: tcp('10.96.14.2', 9999),
      props: CLUSTER,
      events: (p) => [connect('10.96.14.2', 9999, p)],
    },
    {
      id: 'private-network-on-pool-port',
      summary: 'A dev server on 3333 in the office network (RFC 1918)',
      trigger: tcp('192.168.10.5', 3333),
      props: CLUSTER,
      events: (p) => [connect('192.168.10.5', 3333, p)],
    },
    {
      id: 'trusted-client',
      summary: 'A client listed in trustedBinaries talking to an external service on 4444',
      trigger: { ...tcp('198.51.100.99', 4444), binaryPath: '/opt/vendor/bin/agent' },
      props: { ...CLUSTER, trustedBinaries: ['/opt/vendor/bin/agent'] },
      events: (p) => [connect('198.51.100.99', 4444, p)],
    },
    {
      id: 'private-network-dual-stack',
      summary: 'The office dev server from a dual-stack IPv6 socket (::ffff:192.168.10.5 port 3333)',
      trigger: tcp('::ffff:192.168.10.5', 3333),
      props: CLUSTER,
      events: (p) => [connect('::ffff:192.168.10.5', 3333, p)],
    },
  ],
});
