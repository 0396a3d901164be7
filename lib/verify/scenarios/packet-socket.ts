/**
 * packet-socket: `security_socket_create(family, type, protocol, kern)` with family AF_PACKET (17) and kern 0,
 * in containers. The hook runs before the family checks CAP_NET_RAW, so a container without it is reported
 * (and then refused with EPERM).
 */
import { SimulatedEvent, SimulatedProcess } from '../../simulate/event';
import { Scenario } from '../scenario';
import { family, kprobe } from './private/support';

const ETH_P_ALL_BE = 768;
const socket = (fam: number, type: number, protocol: number, p: SimulatedProcess): SimulatedEvent =>
  kprobe('security_socket_create', [fam, type, protocol, 0], p, { name: `socket(${fam}, ${type}, ${protocol})` });

export const PACKET_SOCKET_SCENARIOS: Scenario[] = family('packet-socket', {
  catch: [
    {
      id: 'raw-packet-socket',
      summary: 'tcpdump in a pod: socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL))',
      trigger: { argv: ['vt-socket', 'packet', 'raw', 'eth-all'], place: 'container' },
      events: (p) => [socket(17, 3, ETH_P_ALL_BE, p)],
    },
    {
      id: 'dgram-packet-socket',
      summary: 'ARP spoofing with a cooked packet socket (SOCK_DGRAM) from a dropped tool',
      trigger: { argv: ['vt-socket', 'packet', 'dgram', 'eth-all'], place: 'container', binaryPath: '/tmp/.x/sniff' },
      events: (p) => [socket(17, 2, ETH_P_ALL_BE, p)],
    },
    {
      id: 'node-packet-socket-included',
      summary: 'dhclient on the node, with containersOnly: false',
      trigger: { argv: ['vt-socket', 'packet', 'raw', 'eth-all'], binaryPath: '/usr/sbin/dhclient' },
      props: { containersOnly: false },
      events: (p) => [socket(17, 3, ETH_P_ALL_BE, p)],
    },
  ],
  ignore: [
    {
      id: 'tcp-socket',
      summary: 'A TCP socket',
      trigger: { argv: ['vt-socket', 'inet', 'stream', '6'], place: 'container' },
      events: (p) => [socket(2, 1, 6, p)],
    },
    {
      id: 'udp6-socket',
      summary: 'A UDP socket over IPv6',
      trigger: { argv: ['vt-socket', 'inet6', 'dgram', '17'], place: 'container' },
      events: (p) => [socket(10, 2, 17, p)],
    },
    {
      id: 'node-packet-socket',
      summary: 'dhclient on the node (host process)',
      trigger: { argv: ['vt-socket', 'packet', 'raw', 'eth-all'], binaryPath: '/usr/sbin/dhclient' },
      events: (p) => [socket(17, 3, ETH_P_ALL_BE, p)],
    },
    {
      id: 'trusted-binary',
      summary: 'keepalived, listed in trustedBinaries, in a pod',
      trigger: { argv: ['vt-socket', 'packet', 'raw', 'eth-all'], place: 'container', binaryPath: '/usr/sbin/keepalived' },
      props: { trustedBinaries: ['/usr/sbin/keepalived'], containersOnly: false },
      events: (p) => [socket(17, 3, ETH_P_ALL_BE, p)],
    },
  ],
});
