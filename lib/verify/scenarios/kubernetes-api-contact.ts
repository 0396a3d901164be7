/**
 * kubernetes-api-contact: `security_socket_connect(sock, address, addrlen)` with SAddr on the API server's
 * addresses (here the ClusterIP 10.96.0.1 and the endpoints 192.0.2.10 and 192.0.2.11, a required prop) and
 * SPort 443 or 6443, from pods outside kube-system.
 */
import { SimulatedEvent, SimulatedProcess } from '../../simulate/event';
import { Scenario, VERIFY_POD } from '../scenario';
import { family, kprobe, sockaddr, sockaddrLen } from './private/support';

const API = { apiServerAddresses: ['10.96.0.1', '192.0.2.10', '192.0.2.11'] };
const connect = (addr: string, port: number, p: SimulatedProcess): SimulatedEvent =>
  kprobe('security_socket_connect', [null, sockaddr(addr, port), sockaddrLen(addr)], p, { name: `connect ${addr} port ${port}` });
const dial = (addr: string, port: number) => ({ argv: ['vt-connect', 'tcp', addr, String(port)], place: 'container' as const });

export const KUBERNETES_API_CONTACT_SCENARIOS: Scenario[] = family('kubernetes-api-contact', {
  catch: [
    {
      id: 'kubectl-clusterip',
      summary: '`kubectl get secrets -A` with the mounted token, to the ClusterIP (10.96.0.1:443)',
      trigger: { ...dial('10.96.0.1', 443), binaryPath: '/usr/local/bin/kubectl' },
      props: API,
      events: (p) => [connect('10.96.0.1', 443, p)],
    },
    {
      id: 'endpoint-direct',
      summary: 'A script dialing an API server endpoint directly (192.0.2.11:6443)',
      trigger: dial('192.0.2.11', 6443),
      props: API,
      events: (p) => [connect('192.0.2.11', 6443, p)],
    },
    {
      id: 'clusterip-dual-stack',
      summary: 'The ClusterIP from a dual-stack IPv6 socket (::ffff:10.96.0.1 port 443)',
      trigger: dial('::ffff:10.96.0.1', 443),
      props: API,
      events: (p) => [connect('::ffff:10.96.0.1', 443, p)],
    },
  ],
  ignore: [
    {
      id: 'other-service',
      summary: 'The cluster DNS service (10.96.0.10:53)',
      trigger: dial('10.96.0.10', 53),
      props: API,
      events: (p) => [connect('10.96.0.10', 53, p)],
    },
    {
      id: 'api-address-other-port',
      summary: "The API server's address on another port (10.96.0.1:80)",
      trigger: dial('10.96.0.1', 80),
      props: API,
      events: (p) => [connect('10.96.0.1', 80, p)],
    },
    {
      id: 'other-clusterip-on-443',
      summary: 'Another ClusterIP on 443 (10.96.14.2)',
      trigger: dial('10.96.14.2', 443),
      props: API,
      events: (p) => [connect('10.96.14.2', 443, p)],
    },
    {
      id: 'kube-system-controller',
      summary: 'CoreDNS in kube-system watching the API (excluded by default)',
      trigger: dial('10.96.0.1', 443),
      props: API,
      events: (p) => [connect('10.96.0.1', 443, { ...p, pod: { ...VERIFY_POD, namespace: 'kube-system' } })],
      knownLimit: {
        side: 'agent',
        reason:
          "The guest has no Kubernetes: the trigger's container cannot be placed in kube-system, so only the simulator proves the namespace exclusion.",
      },
    },
  ],
});
