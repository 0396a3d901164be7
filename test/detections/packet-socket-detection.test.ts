import { EnforcementAction } from '../../lib/detections/detection-props';
import { PacketSocketDetection } from '../../lib/detections/packet-socket-detection';
import { Errno } from '../../lib/policies/library-policy-props';
import { EnforcementScope, PolicyMode } from '../../lib/policy/enforcement';
import { tetragonMatchers } from '../../lib/testing';
import { kprobe, newChart, policyNamed, synth } from '../support/synth';
import { call, inPod, onHost, problemsOf } from './_support';

expect.extend(tetragonMatchers);

function render(props = {}) {
  const chart = newChart();
  new PacketSocketDetection(chart, 'Packet', props);
  return policyNamed(synth(chart), 'packet-socket');
}

const observed = render();
// socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)) as the kernel passes it on to the LSM hook.
const packetSocket = (proc = inPod('/usr/bin/tcpdump'), type = 3) => call('security_socket_create', [17, type, 768, 0], proc);

describe('PacketSocketDetection', () => {
  test('probes security_socket_create with four int arguments, AF_PACKET from user space, in containers', () => {
    const hook = kprobe(observed, 'security_socket_create');
    expect(hook.syscall).toBe(false);
    expect(hook.args.map((a: any) => [a.index, a.type])).toStrictEqual([
      [0, 'int'],
      [1, 'int'],
      [2, 'int'],
      [3, 'int'],
    ]);
    expect(hook.selectors).toHaveLength(1);
    expect(hook.selectors[0].matchArgs).toStrictEqual([
      { index: 0, operator: 'Equal', values: ['17'] },
      { index: 3, operator: 'Equal', values: ['0'] },
    ]);
    expect(hook.selectors[0].matchNamespaces).toStrictEqual([{ namespace: 'Mnt', operator: 'NotIn', values: ['host_ns'] }]);
    expect(hook.tags).toContain('mitre.T1557.002');
  });

  test('validates against the CRD and loads cleanly on every bundled kernel', () => {
    expect(problemsOf(observed)).toStrictEqual([]);
  });

  test('catches tcpdump, scapy ARP spoofing and a dropped sniffer in pods', () => {
    expect(observed).toMatchEvent(packetSocket());
    expect(observed).toMatchEvent(packetSocket(inPod('/usr/bin/python3.12', 'shop', { arguments: '-c from scapy.all import *' }), 2));
    expect(observed).toMatchEvent(packetSocket(inPod('/tmp/.x/sniff', 'payments')));
  });

  test('ignores TCP and UDP sockets, kernel-internal packet sockets and node processes', () => {
    expect(observed).not.toMatchEvent(call('security_socket_create', [2, 1, 6, 0], inPod('/usr/bin/curl')));
    expect(observed).not.toMatchEvent(call('security_socket_create', [10, 2, 17, 0], inPod('/usr/sbin/nginx')));
    expect(observed).not.toMatchEvent(call('security_socket_create', [17, 3, 768, 1], inPod('/usr/bin/tcpdump')));
    expect(observed).not.toMatchEvent(packetSocket(onHost('/usr/sbin/dhclient')));
  });

  test('trusted binaries are left alone; host processes can be included', () => {
    const policy = render({ trustedBinaries: ['/usr/sbin/keepalived'], containersOnly: false });
    expect(policy).not.toMatchEvent(packetSocket(inPod('/usr/sbin/keepalived')));
    expect(policy).toMatchEvent(packetSocket(onHost('/usr/sbin/dhclient')));
  });

  test('enforces with Override EPERM, monitor mode first, only in the scoped pods', () => {
    const policy = render({
      enforcement: { action: EnforcementAction.override(Errno.EPERM), scope: EnforcementScope.namespaces(['shop']) },
    });
    const selector = kprobe(policy, 'security_socket_create').selectors[0];
    expect(selector.matchActions).toStrictEqual([{ action: 'Override', argError: -1 }]);
    expect(policy.spec.options).toStrictEqual([
      { name: 'disable-kprobe-multi', value: '1' },
      { name: 'policy-mode', value: 'monitor' },
    ]);
    expect(policy.spec.podSelector.matchExpressions[0]).toStrictEqual({
      key: 'k8s:io.kubernetes.pod.namespace',
      operator: 'In',
      values: ['shop'],
    });
    // The never-kill list is merged into the enforcing selector.
    expect(selector.matchBinaries[0].operator).toBe('NotIn');
    expect(selector.matchBinaries[0].values).toContain('/usr/bin/containerd');
    expect(policy).toMatchEvent(packetSocket(), { actions: ['Post'] });
    expect(problemsOf(policy)).toStrictEqual([]);

    const enforcing = render({
      enforcement: { action: EnforcementAction.sigkill(), mode: PolicyMode.ENFORCE, scope: EnforcementScope.namespaces(['shop']) },
    });
    expect(enforcing).toMatchEvent(packetSocket(), { actions: ['Sigkill'] });
    expect(enforcing).not.toMatchEvent(packetSocket(inPod('/usr/bin/tcpdump', 'kube-system')));
  });
});
