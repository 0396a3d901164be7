/**
 * network-connection-monitor: outbound TCP connections that leave the cluster. tcp_connect(struct sock *) sees
 * the socket after the route lookup: family, addresses and ports are set, state TCP_SYN_SENT.
 */
import { NetworkConnectionMonitor } from '../../lib/policies/network-connection-monitor';
import { SimulatedEvent, hostProcess, podProcess, synthPolicy } from './_support';

const policy = synthPolicy(
  (chart) => new NetworkConnectionMonitor(chart, 'net', { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'] }),
);
const connect = (daddr: string, dport: number, process = podProcess('/usr/bin/curl')): SimulatedEvent => ({
  name: `connect ${daddr}:${dport}`,
  hook: 'kprobe:tcp_connect',
  args: [
    {
      kind: 'sock',
      family: daddr.includes(':') ? 'AF_INET6' : 'AF_INET',
      protocol: 'IPPROTO_TCP',
      saddr: daddr.includes(':') ? 'fd00::17' : '10.244.1.23',
      daddr,
      sport: 41234,
      dport,
      state: 'TCP_SYN_SENT',
    },
  ],
  process,
});

describe('network-connection-monitor catches', () => {
  test('a miner dialing its Stratum pool (198.51.100.7:3333)', () => {
    expect(policy).toMatchEvent(connect('198.51.100.7', 3333, podProcess('/tmp/kworkerd', { uid: 1000 })));
  });

  test('a reverse shell to 203.0.113.5:4444', () => {
    expect(policy).toMatchEvent(connect('203.0.113.5', 4444, podProcess('/bin/bash')));
  });

  test('a pod querying the cloud metadata service (169.254.169.254:80)', () => {
    expect(policy).toMatchEvent(connect('169.254.169.254', 80));
  });

  test('exfiltration over IPv6 (2001:db8::10:443)', () => {
    expect(policy).toMatchEvent(connect('2001:db8::10', 443));
  });
});

describe('network-connection-monitor stays quiet for', () => {
  test('a sidecar on localhost (127.0.0.1:15001 and [::1]:8080)', () => {
    expect(policy).not.toMatchEvent(connect('127.0.0.1', 15001));
    expect(policy).not.toMatchEvent(connect('::1', 8080));
  });

  test('the app calling another pod (10.244.3.17:8080)', () => {
    expect(policy).not.toMatchEvent(connect('10.244.3.17', 8080));
  });

  test('the app reaching a ClusterIP service (10.96.0.10:53 over TCP, 10.100.4.2:5432)', () => {
    expect(policy).not.toMatchEvent(connect('10.96.0.10', 53));
    expect(policy).not.toMatchEvent(connect('10.100.4.2', 5432, podProcess('/usr/local/bin/app')));
  });

  test('a dual-stack client (IPv6 socket) reaching a pod and a Service as ::ffff:10.244.3.17 and ::ffff:10.96.0.10', () => {
    // Tetragon compares an AF_INET6 socket's address with the IPv6 values only: the mapped forms must be listed.
    expect(policy).not.toMatchEvent(connect('::ffff:10.244.3.17', 8080, podProcess('/usr/bin/java')));
    expect(policy).not.toMatchEvent(connect('::ffff:10.96.0.10', 53, podProcess('/usr/bin/java')));
    expect(policy).not.toMatchEvent(connect('::ffff:127.0.0.1', 15001, podProcess('/usr/bin/java')));
    // and it still reports the same client leaving the cluster
    expect(policy).toMatchEvent(connect('::ffff:198.51.100.7', 443, podProcess('/usr/bin/java')));
  });

  test('host processes only when the cluster network is excluded (kubelet to a pod probe)', () => {
    expect(policy).not.toMatchEvent(connect('10.244.1.9', 8080, hostProcess('/usr/bin/kubelet')));
  });
});
