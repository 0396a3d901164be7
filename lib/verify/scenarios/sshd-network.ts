/**
 * sshd-network: the return of `inet_csk_accept` (the accepted socket) and `tcp_connect(sock)`, only for the SSH
 * server binaries (matchBinaries In). The trigger program runs from the sshd paths; `serve` accepts one loopback
 * connection from a client it starts (the trigger program under its own name, so not an sshd binary).
 */
import { SimulatedEvent, SimulatedProcess } from '../../simulate/event';
import { GUEST_TRIGGER_DIR, Scenario } from '../scenario';
import { family, kprobe, tcpSock } from './private/support';

const PORT = 2022;
const SERVE = ['vt-connect', 'serve', String(PORT), 'vt-connect', 'tcp', '127.0.0.1', String(PORT)];
/** The client `serve` starts: vt-connect from the trigger folder. */
const client: SimulatedProcess = { binary: `${GUEST_TRIGGER_DIR}/vt-connect`, uid: 0 };
const listener = {
  kind: 'sock' as const,
  family: 'AF_INET' as const,
  protocol: 'IPPROTO_TCP',
  saddr: '127.0.0.1',
  sport: PORT,
  daddr: '0.0.0.0',
  dport: 0,
  state: 'TCP_LISTEN',
};
const accepted = { ...listener, daddr: '127.0.0.1', dport: 41234, state: 'TCP_ESTABLISHED' };
/** The server's accept and the client's connect of one `serve` run. */
const acceptRun = (server: SimulatedProcess): SimulatedEvent[] => [
  kprobe('tcp_connect', [tcpSock('127.0.0.1', PORT)], client, { name: 'client connect' }),
  kprobe('inet_csk_accept', [listener], server, { name: 'accept', returnValue: accepted }),
];
const connect = (daddr: string, dport: number, p: SimulatedProcess): SimulatedEvent =>
  kprobe('tcp_connect', [tcpSock(daddr, dport)], p, { name: `connect ${daddr} port ${dport}` });
const dial = (daddr: string, dport: number, binaryPath: string) => ({ argv: ['vt-connect', 'tcp', daddr, String(dport)], binaryPath });

export const SSHD_NETWORK_SCENARIOS: Scenario[] = family('sshd-network', {
  catch: [
    {
      id: 'login-accepted',
      summary: 'A login to the node: the OpenSSH listener accepting a connection',
      trigger: { argv: SERVE, binaryPath: '/usr/sbin/sshd' },
      events: acceptRun,
    },
    {
      id: 'dropbear-accepted',
      summary: 'Dropbear accepting a connection',
      trigger: { argv: SERVE, binaryPath: '/usr/sbin/dropbear' },
      events: acceptRun,
    },
    {
      id: 'port-forward',
      summary: 'A port forward through sshd: the OpenSSH 9.8+ session binary connecting to 10.20.0.9:5432',
      trigger: dial('10.20.0.9', 5432, '/usr/lib/openssh/sshd-session'),
      events: (p) => [connect('10.20.0.9', 5432, p)],
    },
  ],
  ignore: [
    {
      id: 'other-daemon-accepts',
      summary: 'The kubelet accepting a connection',
      trigger: { argv: SERVE, binaryPath: '/usr/bin/kubelet' },
      events: acceptRun,
    },
    {
      id: 'other-daemon-connects',
      summary: 'containerd connecting out',
      trigger: dial('10.20.0.9', 5432, '/usr/bin/containerd'),
      events: (p) => [connect('10.20.0.9', 5432, p)],
    },
    {
      id: 'ssh-client',
      summary: 'The ssh client (not the server) connecting out',
      trigger: dial('10.20.0.9', 22, '/usr/bin/ssh'),
      events: (p) => [connect('10.20.0.9', 22, p)],
    },
    {
      id: 'pod-connects',
      summary: 'curl in a pod connecting to a local port',
      trigger: { argv: ['vt-connect', 'tcp', '127.0.0.1', '8080'], place: 'container' },
      events: (p) => [connect('127.0.0.1', 8080, p)],
    },
  ],
});
