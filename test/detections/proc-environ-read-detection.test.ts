import { EnforcementAction } from '../../lib/detections/detection-props';
import { ProcEnvironReadDetection } from '../../lib/detections/proc-environ-read-detection';
import { Errno } from '../../lib/policies/library-policy-props';
import { EnforcementScope, PolicyMode } from '../../lib/policy/enforcement';
import { tetragonMatchers } from '../../lib/testing';
import { kprobe, newChart, policyNamed, synth } from '../support/synth';
import { call, inPod, onHost, problemsOf } from './_support';

expect.extend(tetragonMatchers);

function render(props = {}) {
  const chart = newChart();
  new ProcEnvironReadDetection(chart, 'Environ', props);
  return policyNamed(synth(chart), 'proc-environ-read');
}

const observed = render();
const open = (path: string, proc = inPod('/usr/bin/cat')) => call('security_file_open', [{ kind: 'file', path }], proc);

describe('ProcEnvironReadDetection', () => {
  test('security_file_open: Prefix /proc/ and Postfix /environ in one selector, containers only', () => {
    const hook = kprobe(observed, 'security_file_open');
    expect(hook.args).toStrictEqual([{ index: 0, type: 'file' }]);
    expect(hook.selectors).toHaveLength(1);
    expect(hook.selectors[0].matchArgs).toStrictEqual([
      { index: 0, operator: 'Prefix', values: ['/proc/'] },
      { index: 0, operator: 'Postfix', values: ['/environ'] },
    ]);
    expect(problemsOf(observed)).toStrictEqual([]);
  });

  test('catches cat /proc/1/environ, a loop over all pids and a thread environ', () => {
    expect(observed).toMatchEvent(open('/proc/1/environ'));
    expect(observed).toMatchEvent(
      open('/proc/4711/environ', inPod('/usr/bin/grep', 'shop', { arguments: '-a AWS_SECRET /proc/4711/environ' })),
    );
    expect(observed).toMatchEvent(open('/proc/31/task/33/environ', inPod('/usr/bin/python3')));
  });

  test('ignores other /proc files, files named environ elsewhere and node tools', () => {
    expect(observed).not.toMatchEvent(open('/proc/1/status', inPod('/usr/bin/ps')));
    expect(observed).not.toMatchEvent(open('/app/config/environ'));
    expect(observed).not.toMatchEvent(open('/proc/1/cmdline'));
    expect(observed).not.toMatchEvent(open('/proc/812/environ', onHost('/usr/bin/systemd')));
  });

  test('trusted binaries and enforcement with Override EACCES', () => {
    expect(render({ trustedBinaries: ['/usr/bin/htop'] })).not.toMatchEvent(open('/proc/1/environ', inPod('/usr/bin/htop')));
    const policy = render({
      enforcement: {
        action: EnforcementAction.override(Errno.EACCES),
        mode: PolicyMode.ENFORCE,
        scope: EnforcementScope.namespaces(['shop']),
      },
    });
    expect(kprobe(policy, 'security_file_open').selectors[0].matchActions).toStrictEqual([{ action: 'Override', argError: -13 }]);
    expect(policy).toMatchEvent(open('/proc/1/environ'), { actions: ['Override'] });
    expect(problemsOf(policy)).toStrictEqual([]);
  });
});
