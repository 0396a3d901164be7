import { EnforcementAction } from '../../lib/detections/detection-props';
import { SshNonStandardPortDetection } from '../../lib/detections/ssh-nonstandard-port-detection';
import { Errno } from '../../lib/policies/library-policy-props';
import { EnforcementScope, PolicyMode } from '../../lib/policy/enforcement';
import { tetragonMatchers } from '../../lib/testing';
import { kprobe, newChart, policyNamed, synth } from '../support/synth';
import { inPod, onHost, problemsOf } from './_support';

expect.extend(tetragonMatchers);

function render(props = {}) {
  const chart = newChart();
  new SshNonStandardPortDetection(chart, 'Ssh', props);
  return policyNamed(synth(chart), 'ssh-nonstandard-port');
}

const observed = render();
const connect = (dport: number, proc = inPod('/usr/bin/ssh')) => ({
  hook: 'kprobe:tcp_connect',
  args: [
    {
      kind: 'sock' as const,
      family: 'AF_INET' as const,
      protocol: 'IPPROTO_TCP',
      saddr: '10.244.1.9',
      sport: 40112,
      daddr: '203.0.113.9',
      dport,
      state: 'TCP_SYN_SENT',
    },
  ],
  process: proc,
});

describe('SshNonStandardPortDetection', () => {
  test('tcp_connect of the ssh clients with NotDPort 22, in containers', () => {
    const hook = kprobe(observed, 'tcp_connect');
    expect(hook.args).toStrictEqual([{ index: 0, type: 'sock' }]);
    expect(hook.selectors[0].matchArgs).toStrictEqual([{ index: 0, operator: 'NotDPort', values: ['22'] }]);
    expect(hook.selectors[0].matchBinaries).toStrictEqual([
      { operator: 'In', values: [...SshNonStandardPortDetection.DEFAULT_SSH_CLIENTS] },
    ]);
    expect(problemsOf(observed)).toStrictEqual([]);
  });

  test('catches ssh to 443, 2222 and a reverse tunnel to 8080', () => {
    expect(observed).toMatchEvent(connect(443, inPod('/usr/bin/ssh', 'shop', { arguments: '-p 443 -R 9000:localhost:22 u@203.0.113.9' })));
    expect(observed).toMatchEvent(connect(2222));
    expect(observed).toMatchEvent(connect(8080, inPod('/usr/bin/dbclient')));
  });

  test('ignores ssh to 22, other clients, and ssh on the node', () => {
    expect(observed).not.toMatchEvent(connect(22));
    expect(observed).not.toMatchEvent(connect(443, inPod('/usr/bin/curl')));
    expect(observed).not.toMatchEvent(connect(2222, onHost('/usr/bin/ssh')));
  });

  test('allowed ports, enforcement with Sigkill only, no trusted binaries', () => {
    expect(render({ allowedPorts: [22, 443] })).not.toMatchEvent(connect(443));
    const policy = render({
      enforcement: { action: EnforcementAction.sigkill(), mode: PolicyMode.ENFORCE, scope: EnforcementScope.allPods() },
    });
    expect(policy).toMatchEvent(connect(2222), { actions: ['Sigkill'] });
    expect(problemsOf(policy)).toStrictEqual([]);
    expect(() => render({ enforcement: { action: EnforcementAction.override(Errno.EPERM), scope: EnforcementScope.allPods() } })).toThrow(
      /tcp_connect is neither a syscall nor an LSM function/,
    );
    expect(() => render({ trustedBinaries: ['/usr/bin/ssh'] })).toThrow(/test\/Ssh: trustedBinaries/);
  });
});
