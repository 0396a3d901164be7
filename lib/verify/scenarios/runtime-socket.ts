/**
 * runtime-socket: `security_socket_connect(sock, address, addrlen)` with the Unix socket path, as the caller
 * wrote it, Equal to a container runtime's API socket, from pods. The hook runs before the connect itself, so
 * a socket that does not exist in the container is reported all the same.
 */
import { SimulatedEvent, SimulatedProcess } from '../../simulate/event';
import { KnownLimit, Scenario } from '../scenario';
import { family, kprobe } from './private/support';

/** sizeof(struct sockaddr_un), what vt-connect passes. */
const SOCKADDR_UN_LEN = 110;
const connect = (path: string, p: SimulatedProcess): SimulatedEvent =>
  kprobe('security_socket_connect', [null, { kind: 'sockaddr_un', path }, SOCKADDR_UN_LEN], p, { name: `connect ${path}` });
const unix = (path: string) => ({ argv: ['vt-connect', 'unix', path], place: 'container' as const });

/** Tetragon compiles the sockaddr_un filter only for 5.11 and later kernels. */
const NO_FILTER_ON_5_10: KnownLimit = {
  side: 'agent',
  kernels: ['debian-11'],
  reason:
    "Tetragon's BPF programs for kernels before 5.11 skip the sockaddr_un path filter, so on 5.10 every connect(2) of the selected pods matches (documented on the detection).",
};

export const RUNTIME_SOCKET_SCENARIOS: Scenario[] = family('runtime-socket', {
  catch: [
    {
      id: 'docker-socket',
      summary: 'The docker CLI in a CI pod with the host Docker socket mounted (/var/run/docker.sock)',
      trigger: unix('/var/run/docker.sock'),
      events: (p) => [connect('/var/run/docker.sock', p)],
    },
    {
      id: 'containerd-socket',
      summary: 'ctr talking to containerd through a hostPath mount (/run/containerd/containerd.sock)',
      trigger: unix('/run/containerd/containerd.sock'),
      events: (p) => [connect('/run/containerd/containerd.sock', p)],
    },
    {
      id: 'crio-socket',
      summary: 'crictl against CRI-O (/var/run/crio/crio.sock)',
      trigger: unix('/var/run/crio/crio.sock'),
      events: (p) => [connect('/var/run/crio/crio.sock', p)],
    },
    {
      id: 'docker-socket-under-host',
      summary: 'HTTP to Docker through the socket of a host mount (/host/var/run/docker.sock)',
      trigger: unix('/host/var/run/docker.sock'),
      events: (p) => [connect('/host/var/run/docker.sock', p)],
    },
  ],
  ignore: [
    {
      id: 'node-to-containerd',
      summary: 'The kubelet on the node talking to containerd (host process)',
      trigger: { argv: ['vt-connect', 'unix', '/run/containerd/containerd.sock'] },
      events: (p) => [connect('/run/containerd/containerd.sock', p)],
    },
    {
      id: 'application-socket',
      summary: 'An application connecting to its own Unix socket (PostgreSQL)',
      trigger: unix('/var/run/postgresql/.s.PGSQL.5432'),
      events: (p) => [connect('/var/run/postgresql/.s.PGSQL.5432', p)],
      knownLimit: NO_FILTER_ON_5_10,
    },
    {
      id: 'journal-socket',
      summary: 'The systemd journal socket used by logging libraries',
      trigger: unix('/run/systemd/journal/socket'),
      events: (p) => [connect('/run/systemd/journal/socket', p)],
      knownLimit: NO_FILTER_ON_5_10,
    },
    {
      id: 'trusted-agent',
      summary: 'A monitoring agent listed in trustedBinaries reading container metadata from containerd',
      trigger: { ...unix('/var/run/containerd/containerd.sock'), binaryPath: '/opt/datadog-agent/bin/agent/agent' },
      props: { trustedBinaries: ['/opt/datadog-agent/bin/agent/agent'] },
      events: (p) => [connect('/var/run/containerd/containerd.sock', p)],
    },
  ],
});
