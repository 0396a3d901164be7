import { EnforcementAction } from '../../lib/detections/detection-props';
import { KernelModuleDetection } from '../../lib/detections/kernel-module-detection';
import { Errno } from '../../lib/policies/library-policy-props';
import { EnforcementScope, PolicyMode } from '../../lib/policy/enforcement';
import { tetragonMatchers } from '../../lib/testing';
import { kprobe, newChart, policyNamed, synth } from '../support/synth';
import { call, inPod, onHost, problemsOf } from './_support';

expect.extend(tetragonMatchers);

function render(props = {}) {
  const chart = newChart();
  new KernelModuleDetection(chart, 'Modules', props);
  return policyNamed(synth(chart), 'kernel-module-load');
}

const observed = render();
const containersOnly = render({ containersOnly: true });
const READING_FIRMWARE = 1;
const finit = (path: string, id = 2, proc = onHost('/usr/bin/kmod', { arguments: 'insmod ./rootkit.ko' })) =>
  call('security_kernel_read_file', [{ kind: 'file', path }, id, 1], proc);

describe('KernelModuleDetection', () => {
  test('read_file id 2, load_data id 2, do_init_module, module_request with its result', () => {
    expect(observed.spec.kprobes.map((k: any) => k.call)).toStrictEqual([
      'security_kernel_read_file',
      'security_kernel_load_data',
      'do_init_module',
      'security_kernel_module_request',
    ]);
    expect(observed.spec.kprobes.every((k: any) => k.syscall === false)).toBe(true);
    const read = kprobe(observed, 'security_kernel_read_file');
    expect(read.args).toStrictEqual([
      { index: 0, type: 'file' },
      { index: 1, type: 'int', label: 'id' },
    ]);
    expect(read.selectors[0].matchArgs).toStrictEqual([{ index: 1, operator: 'Equal', values: ['2'] }]);
    expect(kprobe(observed, 'security_kernel_load_data').selectors[0].matchArgs).toStrictEqual([
      { index: 0, operator: 'Equal', values: ['2'] },
    ]);
    expect(kprobe(observed, 'do_init_module').args).toStrictEqual([{ index: 0, type: 'module' }]);
    const request = kprobe(observed, 'security_kernel_module_request');
    expect([request.return, request.returnArg]).toStrictEqual([true, { index: 0, type: 'int' }]);
    expect(kprobe(containersOnly, 'do_init_module').selectors[0].matchNamespaces).toStrictEqual([
      { namespace: 'Mnt', operator: 'NotIn', values: ['host_ns'] },
    ]);
  });

  test('validates against the CRD and loads cleanly on every bundled kernel', () => {
    expect(problemsOf(observed)).toStrictEqual([]);
    expect(problemsOf(containersOnly)).toStrictEqual([]);
  });

  test('catches insmod of a file, init_module from memory in a privileged pod, and a rootkit initialising', () => {
    expect(observed).toMatchEvent(finit('/root/rootkit.ko'));
    expect(containersOnly).toMatchEvent(
      call('security_kernel_load_data', [2, 1], inPod('/tmp/loader', 'shop', { capabilities: { effective: ['CAP_SYS_MODULE'] } })),
    );
    expect(containersOnly).toMatchEvent(finit('/lib/modules/6.1.0/extra/diamorphine.ko', 2, inPod('/usr/bin/kmod')));
    expect(observed).toMatchEvent(call('do_init_module', [{ kind: 'opaque', value: 'diamorphine' }], onHost('/usr/bin/kmod')));
  });

  test('ignores firmware loads, kexec images, and node loads when scoped to containers', () => {
    expect(observed).not.toMatchEvent(
      finit('/lib/firmware/iwlwifi-cc-a0-77.ucode', READING_FIRMWARE, onHost('/usr/lib/systemd/systemd-udevd')),
    );
    expect(observed).not.toMatchEvent(finit('/boot/vmlinuz-6.1.0', 3, onHost('/usr/sbin/kexec')));
    expect(containersOnly).not.toMatchEvent(finit('/lib/modules/6.1.0/kernel/net/netfilter/xt_conntrack.ko', 2, onHost('/usr/bin/kmod')));
    expect(containersOnly).not.toMatchEvent(call('security_kernel_module_request', ['nf_conntrack'], onHost('/usr/sbin/iptables')));
  });

  test('enforcement: Override on the LSM hooks only; do_init_module keeps reporting', () => {
    const policy = render({
      containersOnly: true,
      enforcement: { action: EnforcementAction.override(Errno.EPERM), mode: PolicyMode.ENFORCE, scope: EnforcementScope.allPods() },
    });
    expect(kprobe(policy, 'security_kernel_read_file').selectors[0].matchActions).toStrictEqual([{ action: 'Override', argError: -1 }]);
    expect(kprobe(policy, 'do_init_module').selectors[0].matchActions).toStrictEqual([{ action: 'Post', rateLimit: '1m' }]);
    expect(policy).toMatchEvent(finit('/tmp/x.ko', 2, inPod('/usr/bin/kmod')), { actions: ['Override'] });
    expect(problemsOf(policy)).toStrictEqual([]);
    expect(render({ watchRequests: false }).spec.kprobes).toHaveLength(3);
  });
});
