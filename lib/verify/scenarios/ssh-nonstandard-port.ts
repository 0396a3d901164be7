/**
 * ssh-nonstandard-port: `tcp_connect(sock)` of the SSH client binaries (matchBinaries In) with NotDPort 22, in
 * containers. A container's only route is its loopback, which is where the triggers connect: the port is
 * what counts.
 */
import { SimulatedEvent, SimulatedProcess } from '../../simulate/event';
import { Scenario } from '../scenario';
import { family, kprobe, tcpSock } from './private/support';

const connect = (daddr: string, dport: number, p: SimulatedProcess): SimulatedEvent =>
  kprobe('tcp_connect', [tcpSock(daddr, dport)], p, { name: `connect ${daddr} port ${dport}` });
const ssh = (dport: number, binaryPath = '/usr/bin/ssh', place: 'container' | 'host' = 'container') => ({
  argv: ['vt-connect', 'tcp', '127.0.0.1', String(dport)],
  binaryPath,
  place,
});

export const SSH_NONSTANDARD_PORT_SCENARIOS: Scenario[] = family('ssh-nonstandard-port', {
  catch: [
    {
      id: 'ssh-to-443',
      summary: '`ssh -p 443 -R 9000:localhost:22 u@...` tunnelling out over the HTTPS port',
      trigger: ssh(443),
      events: (p) => [connect('127.0.0.1', 443, p)],
    },
    {
      id: 'ssh-to-2222',
      summary: 'ssh to port 2222',
      trigger: ssh(2222),
      events: (p) => [connect('127.0.0.1', 2222, p)],
    },
    {
      id: 'dbclient-to-8080',
      summary: "Dropbear's client to port 8080",
      trigger: ssh(8080, '/usr/bin/dbclient'),
      events: (p) => [connect('127.0.0.1', 8080, p)],
    },
  ],
  ignore: [
    {
      id: 'ssh-to-22',
      summary: 'ssh to port 22',
      trigger: ssh(22),
      events: (p) => [connect('127.0.0.1', 22, p)],
    },
    {
      id: 'other-client',
      summary: 'curl to port 443 (not an SSH client)',
      trigger: { argv: ['vt-connect', 'tcp', '127.0.0.1', '443'], place: 'container' },
      events: (p) => [connect('127.0.0.1', 443, p)],
    },
    {
      id: 'ssh-on-node',
      summary: 'ssh on the node to port 2222 (host process)',
      trigger: ssh(2222, '/usr/bin/ssh', 'host'),
      events: (p) => [connect('127.0.0.1', 2222, p)],
    },
    {
      id: 'allowed-port',
      summary: 'ssh to 443 with allowedPorts [22, 443]',
      trigger: ssh(443),
      props: { allowedPorts: [22, 443] },
      events: (p) => [connect('127.0.0.1', 443, p)],
    },
  ],
});
