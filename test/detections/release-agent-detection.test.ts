import { EnforcementAction } from '../../lib/detections/detection-props';
import { ReleaseAgentDetection } from '../../lib/detections/release-agent-detection';
import { EnforcementScope, PolicyMode } from '../../lib/policy/enforcement';
import { tetragonMatchers } from '../../lib/testing';
import { kprobe, newChart, policyNamed, synth } from '../support/synth';
import { call, inPod, onHost, problemsOf } from './_support';

expect.extend(tetragonMatchers);

const MAY_READ = 0x4;
const MAY_WRITE = 0x2;
const MAY_APPEND = 0x8;
const write = (path: string, mask = MAY_WRITE) => [{ kind: 'file' as const, path }, mask];

function render(props = {}) {
  const chart = newChart();
  new ReleaseAgentDetection(chart, 'RA', props);
  return policyNamed(synth(chart), 'release-agent');
}

describe('ReleaseAgentDetection', () => {
  const policy = render();

  test('security_file_permission with Postfix on the two files AND Mask MAY_WRITE, pods only', () => {
    const hook = kprobe(policy, 'security_file_permission');
    expect(hook.args).toStrictEqual([
      { index: 0, type: 'file' },
      { index: 1, type: 'int', label: 'mask' },
    ]);
    expect(hook.selectors).toHaveLength(1);
    expect(hook.selectors[0].matchArgs).toStrictEqual([
      { index: 0, operator: 'Postfix', values: ['/release_agent', '/notify_on_release'] },
      { index: 1, operator: 'Mask', values: ['2'] },
    ]);
    expect(hook.selectors[0].matchNamespaces).toStrictEqual([{ namespace: 'Mnt', operator: 'NotIn', values: ['host_ns'] }]);
    expect(policy.spec.podSelector).toStrictEqual({});
  });

  test('is clean against the CRD and the checker on every bundled kernel', () => {
    expect(problemsOf(policy)).toStrictEqual([]);
  });

  describe('must catch', () => {
    test('echo "$host_path/cmd" > /tmp/cgrp/release_agent after mounting cgroup v1', () => {
      expect(policy).toMatchEvent(
        call(
          'security_file_permission',
          write('/tmp/cgrp/release_agent'),
          inPod('/bin/sh', 'web', { arguments: '-c echo /var/lib/containerd/.../cmd > /tmp/cgrp/release_agent' }),
        ),
      );
    });
    test('echo 1 > /tmp/cgrp/x/notify_on_release', () => {
      expect(policy).toMatchEvent(call('security_file_permission', write('/tmp/cgrp/x/notify_on_release'), inPod('/bin/bash')));
    });
    test('the same write in the rdma hierarchy mounted elsewhere, appended with >>', () => {
      expect(policy).toMatchEvent(
        call('security_file_permission', write('/mnt/rdma/release_agent', MAY_WRITE | MAY_APPEND), inPod('/usr/bin/python3')),
      );
    });
  });

  describe('must ignore', () => {
    test('systemd setting release_agent at boot on a cgroup v1 node (host)', () => {
      expect(policy).not.toMatchEvent(
        call('security_file_permission', write('/sys/fs/cgroup/systemd/release_agent'), onHost('/usr/lib/systemd/systemd')),
      );
    });
    test('a monitoring agent reading notify_on_release', () => {
      expect(policy).not.toMatchEvent(
        call(
          'security_file_permission',
          write('/sys/fs/cgroup/memory/notify_on_release', MAY_READ),
          inPod('/usr/bin/cadvisor', 'monitoring'),
        ),
      );
    });
    test('an app writing its own file whose name merely ends in "agent"', () => {
      expect(policy).not.toMatchEvent(call('security_file_permission', write('/var/lib/app/user_agent'), inPod('/usr/bin/node')));
    });
  });

  test('enforcement: Override fails the write in enforce mode; monitor mode only reports', () => {
    const scope = EnforcementScope.allPods();
    const ev = call('security_file_permission', write('/tmp/cgrp/release_agent'), inPod('/bin/sh'));
    const enforce = render({ enforcement: { action: EnforcementAction.override(1), scope, mode: PolicyMode.ENFORCE } });
    expect(enforce).toMatchEvent(ev, { actions: ['Override'] });
    expect(problemsOf(enforce)).toStrictEqual([]);
    const monitor = render({ enforcement: { action: EnforcementAction.sigkill(), scope } });
    expect(monitor.spec.options).toStrictEqual([{ name: 'policy-mode', value: 'monitor' }]);
    expect(monitor).toMatchEvent(ev);
    expect(monitor).not.toMatchEvent(ev, { actions: ['Sigkill'] });
  });
});
