/**
 * cloud-metadata-contact: `security_socket_connect(sock, address, addrlen)` with SAddr on the metadata
 * addresses (any port, TCP and UDP), from pods outside kube-system. The hook runs before the route lookup, so a
 * container without a route to the address is reported all the same.
 */
import { SimulatedEvent, SimulatedProcess } from '../../simulate/event';
import { Scenario, VERIFY_POD } from '../scenario';
import { family, kprobe, sockaddr, sockaddrLen } from './private/support';

const connect = (addr: string, port: number, p: SimulatedProcess): SimulatedEvent =>
  kprobe('security_socket_connect', [null, sockaddr(addr, port), sockaddrLen(addr)], p, { name: `connect ${addr} port ${port}` });
const dial = (proto: 'tcp' | 'udp', addr: string, port: number) => ({
  argv: ['vt-connect', proto, addr, String(port)],
  place: 'container' as const,
});

export const CLOUD_METADATA_CONTACT_SCENARIOS: Scenario[] = family('cloud-metadata-contact', {
  catch: [
    {
      id: 'imds-credentials',
      summary: 'curl of the instance role credentials (169.254.169.254:80)',
      trigger: dial('tcp', '169.254.169.254', 80),
      events: (p) => [connect('169.254.169.254', 80, p)],
    },
    {
      id: 'imds-ipv6',
      summary: 'The AWS IPv6 metadata endpoint ([fd00:ec2::254]:80)',
      trigger: dial('tcp', 'fd00:ec2::254', 80),
      events: (p) => [connect('fd00:ec2::254', 80, p)],
    },
    {
      id: 'alibaba-metadata',
      summary: 'The Alibaba Cloud metadata service (100.100.100.200:80)',
      trigger: dial('tcp', '100.100.100.200', 80),
      events: (p) => [connect('100.100.100.200', 80, p)],
    },
    {
      id: 'imds-dual-stack',
      summary: 'The metadata service from a dual-stack IPv6 socket (::ffff:169.254.169.254 port 80)',
      trigger: dial('tcp', '::ffff:169.254.169.254', 80),
      events: (p) => [connect('::ffff:169.254.169.254', 80, p)],
    },
  ],
  ignore: [
    {
      id: 'link-local-dns',
      summary: 'A node-local DNS cache on another link-local address (169.254.20.10:53 over UDP)',
      trigger: dial('udp', '169.254.20.10', 53),
      events: (p) => [connect('169.254.20.10', 53, p)],
    },
    {
      id: 'cluster-dns',
      summary: 'The cluster DNS service (10.96.0.10:53)',
      trigger: dial('udp', '10.96.0.10', 53),
      events: (p) => [connect('10.96.0.10', 53, p)],
    },
    {
      id: 'node-cloud-init',
      summary: 'cloud-init on the node (host process)',
      trigger: { argv: ['vt-connect', 'tcp', '169.254.169.254', '80'] },
      events: (p) => [connect('169.254.169.254', 80, p)],
    },
    {
      id: 'kube-system-agent',
      summary: 'A CNI agent in kube-system (excluded by default)',
      trigger: dial('tcp', '169.254.169.254', 80),
      events: (p) => [connect('169.254.169.254', 80, { ...p, pod: { ...VERIFY_POD, namespace: 'kube-system' } })],
      knownLimit: {
        side: 'agent',
        reason:
          "The guest has no Kubernetes: the trigger's container cannot be placed in kube-system, so only the simulator proves the namespace exclusion.",
      },
    },
  ],
});
