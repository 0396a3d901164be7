import { EnforcementAction } from '../../lib/detections/detection-props';
import { SshdNetworkDetection } from '../../lib/detections/sshd-network-detection';
import { EnforcementScope } from '../../lib/policy/enforcement';
import { tetragonMatchers } from '../../lib/testing';
import { kprobe, newChart, policyNamed, synth } from '../support/synth';
import { inPod, onHost, problemsOf } from './_support';

expect.extend(tetragonMatchers);

function render(props = {}) {
  const chart = newChart();
  new SshdNetworkDetection(chart, 'Sshd', props);
  return policyNamed(synth(chart), 'sshd-network');
}

const observed = render();
const sock = (saddr: string, sport: number, daddr: string, dport: number, state: string) => ({
  kind: 'sock' as const,
  family: 'AF_INET' as const,
  protocol: 'IPPROTO_TCP',
  saddr,
  sport,
  daddr,
  dport,
  state,
});
const accept = (binary: string, peer = '198.51.100.23') => ({
  hook: 'kprobe:inet_csk_accept',
  args: [sock('10.0.0.5', 22, '0.0.0.0', 0, 'TCP_LISTEN')],
  returnValue: sock('10.0.0.5', 22, peer, 51234, 'TCP_ESTABLISHED'),
  process: onHost(binary),
});
const connect = (binary: string, proc = onHost(binary)) => ({
  hook: 'kprobe:tcp_connect',
  args: [sock('10.0.0.5', 40022, '10.20.0.9', 5432, 'TCP_SYN_SENT')],
  process: proc,
});

describe('SshdNetworkDetection', () => {
  test('accepted sockets from the return of inet_csk_accept and outbound connects, only for sshd binaries', () => {
    const accepted = kprobe(observed, 'inet_csk_accept');
    expect([accepted.syscall, accepted.return, accepted.returnArg]).toStrictEqual([false, true, { index: 0, type: 'sock' }]);
    expect(accepted.selectors[0].matchBinaries).toStrictEqual([
      { operator: 'In', values: [...SshdNetworkDetection.DEFAULT_SSHD_BINARIES] },
    ]);
    expect(kprobe(observed, 'tcp_connect').args).toStrictEqual([{ index: 0, type: 'sock' }]);
    expect(observed.spec.podSelector).toBeUndefined();
    expect(problemsOf(observed)).toStrictEqual([]);
  });

  test('catches a login to the node, a session on OpenSSH 9.8+, and a port forward through sshd', () => {
    expect(observed).toMatchEvent(accept('/usr/sbin/sshd'));
    expect(observed).toMatchEvent(accept('/usr/sbin/dropbear', '203.0.113.40'));
    expect(observed).toMatchEvent(connect('/usr/lib/openssh/sshd-session'));
  });

  test('ignores accepts and connects of other daemons and of pods', () => {
    expect(observed).not.toMatchEvent(accept('/usr/bin/kubelet'));
    expect(observed).not.toMatchEvent(connect('/usr/bin/containerd'));
    expect(observed).not.toMatchEvent(connect('/usr/bin/ssh'));
    expect(observed).not.toMatchEvent(connect('/usr/bin/curl', inPod('/usr/bin/curl')));
  });

  test('refuses enforcement, pod selectors and trusted binaries with the reason', () => {
    expect(() => render({ enforcement: { action: EnforcementAction.sigkill(), scope: EnforcementScope.allPods() } })).toThrow(
      'test/Sshd: enforcement: got "set"; this detection only observes: killing or blocking sshd would lock administrators out of the node',
    );
    expect(() => render({ podSelector: {} })).toThrow(/test\/Sshd: podSelector: got \{\}; sshd runs on the node/);
    expect(() => render({ trustedBinaries: ['/usr/sbin/sshd'] })).toThrow(/Set sshdBinaries instead/);
    // Not in the props type; a caller without types gets an error rather than a policy that selects nothing.
    expect(() => render({ containerSelector: { matchLabels: { name: 'web' } } } as any)).toThrow(
      /test\/Sshd: containerSelector: got .*sshd runs on the node, outside containers/,
    );
    expect(kprobe(render({ sshdBinaries: ['/opt/ssh/sbin/sshd'] }), 'tcp_connect').selectors[0].matchBinaries[0].values).toStrictEqual([
      '/opt/ssh/sbin/sshd',
    ]);
  });
});
