import { EnforcementAction } from '../../lib/detections/detection-props';
import { KernelControlWriteDetection } from '../../lib/detections/kernel-control-write-detection';
import { Errno } from '../../lib/policies/library-policy-props';
import { EnforcementScope, PolicyMode } from '../../lib/policy/enforcement';
import { tetragonMatchers } from '../../lib/testing';
import { kprobe, newChart, policyNamed, synth } from '../support/synth';
import { call, inPod, onHost, problemsOf } from './_support';

expect.extend(tetragonMatchers);

function render(props = {}) {
  const chart = newChart();
  new KernelControlWriteDetection(chart, 'Ctl', props);
  return policyNamed(synth(chart), 'kernel-control-write');
}

const observed = render();
const MAY_READ = 4;
const MAY_WRITE = 2;
// security_file_permission(file, mask) as vfs_write/vfs_read call it.
const access = (path: string, mask: number, proc = inPod('/bin/busybox', 'shop', { capabilities: { effective: ['CAP_SYS_ADMIN'] } })) =>
  call('security_file_permission', [{ kind: 'file', path }, mask], proc);

describe('KernelControlWriteDetection', () => {
  test('security_file_permission: Postfix on the control files and Mask MAY_WRITE in one selector', () => {
    const hook = kprobe(observed, 'security_file_permission');
    expect(hook.args).toStrictEqual([
      { index: 0, type: 'file' },
      { index: 1, type: 'int', label: 'mask' },
    ]);
    expect(hook.selectors[0].matchArgs).toStrictEqual([
      { index: 0, operator: 'Postfix', values: [...KernelControlWriteDetection.DEFAULT_SUFFIXES] },
      { index: 1, operator: 'Mask', values: ['2'] },
    ]);
    expect(hook.selectors[0].matchBinaries).toStrictEqual([
      { operator: 'NotIn', values: [...KernelControlWriteDetection.DEFAULT_TRUSTED_BINARIES] },
    ]);
    expect(problemsOf(observed)).toStrictEqual([]);
  });

  test('catches the core_pattern pipe escape, a host /proc mounted in a pod, modprobe_path and sysrq crash', () => {
    expect(observed).toMatchEvent(access('/proc/sys/kernel/core_pattern', MAY_WRITE));
    expect(observed).toMatchEvent(access('/host/proc/sys/kernel/core_pattern', MAY_WRITE));
    expect(observed).toMatchEvent(access('/proc/sys/kernel/modprobe', MAY_WRITE));
    expect(observed).toMatchEvent(access('/proc/sysrq-trigger', MAY_WRITE, onHost('/usr/bin/bash')));
    expect(observed).toMatchEvent(access('/proc/sys/fs/binfmt_misc/register', MAY_WRITE));
  });

  test('ignores reads of core_pattern, boot-time sysctl and writes to other sysctls', () => {
    expect(observed).not.toMatchEvent(access('/proc/sys/kernel/core_pattern', MAY_READ, inPod('/usr/bin/cat')));
    expect(observed).not.toMatchEvent(access('/proc/sys/kernel/core_pattern', MAY_WRITE, onHost('/usr/lib/systemd/systemd-sysctl')));
    expect(observed).not.toMatchEvent(access('/proc/sys/net/ipv4/ip_forward', MAY_WRITE, onHost('/usr/bin/cilium-agent')));
    expect(observed).not.toMatchEvent(access('/proc/sys/vm/max_map_count', MAY_WRITE, inPod('/bin/sh')));
  });

  test('enforcement: Override EPERM in the scoped pods; a bare suffix is refused', () => {
    const policy = render({
      enforcement: { action: EnforcementAction.override(Errno.EPERM), mode: PolicyMode.ENFORCE, scope: EnforcementScope.allPods() },
    });
    expect(policy).toMatchEvent(access('/proc/sys/kernel/core_pattern', MAY_WRITE), { actions: ['Override'] });
    expect(policy.spec.options).toStrictEqual([
      { name: 'disable-kprobe-multi', value: '1' },
      { name: 'policy-mode', value: 'enforce' },
    ]);
    expect(problemsOf(policy)).toStrictEqual([]);
    expect(() => render({ suffixes: ['core_pattern'] })).toThrow('test/Ctl: suffixes: got "core_pattern"');
  });
});
