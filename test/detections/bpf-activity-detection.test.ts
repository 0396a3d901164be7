import { BpfActivityDetection } from '../../lib/detections/bpf-activity-detection';
import { EnforcementAction } from '../../lib/detections/detection-props';
import { Errno } from '../../lib/policies/library-policy-props';
import { EnforcementScope, PolicyMode } from '../../lib/policy/enforcement';
import { tetragonMatchers } from '../../lib/testing';
import { kprobe, newChart, policyNamed, synth } from '../support/synth';
import { call, infos, inPod, onHost, problemsOf } from './_support';

expect.extend(tetragonMatchers);

function render(props = {}) {
  const chart = newChart();
  new BpfActivityDetection(chart, 'Bpf', props);
  return policyNamed(synth(chart), 'bpf-activity');
}

const observed = render();
const load = (proc = inPod('/usr/sbin/bpftool')) =>
  call('bpf_check', [null, { kind: 'opaque', value: { prog_type: 'BPF_PROG_TYPE_KPROBE' } }, null], proc);

describe('BpfActivityDetection', () => {
  test('bpf_check, both map-create names (ignored where absent), perf events and /sys/fs/bpf/ access', () => {
    const hooks = observed.spec.kprobes.map((k: any) => [
      k.call,
      k.args.map((a: any) => `${a.index}:${a.type}`).join(','),
      k.ignore?.callNotFound ?? false,
    ]);
    expect(hooks).toStrictEqual([
      ['bpf_check', '1:bpf_attr', false],
      ['security_bpf_map_alloc', '0:bpf_map', true],
      ['security_bpf_map_create', '0:bpf_map', true],
      ['security_file_permission', '0:file,1:int', false],
      ['security_perf_event_alloc', '0:perf_event', false],
    ]);
    expect(kprobe(observed, 'security_file_permission').selectors[0].matchArgs).toStrictEqual([
      { index: 0, operator: 'Prefix', values: ['/sys/fs/bpf/'] },
      { index: 1, operator: 'Mask', values: ['6'] },
    ]);
    expect(kprobe(observed, 'bpf_check').selectors[0].matchBinaries[0].values).toEqual(
      expect.arrayContaining(['/usr/bin/cilium-agent', '/usr/bin/tetragon', '/usr/bin/runc']),
    );
  });

  test('loads cleanly on every bundled kernel; each map hook is skipped where the kernel renamed it', () => {
    expect(problemsOf(observed)).toStrictEqual([]);
    expect(infos(observed, 'kernel-ignored-missing')).toStrictEqual([
      'kprobes[1] security_bpf_map_alloc debian-13-6.12',
      'kprobes[1] security_bpf_map_alloc debian-sid-7.2',
      'kprobes[2] security_bpf_map_create debian-11-5.10',
      'kprobes[2] security_bpf_map_create debian-12-6.1',
    ]);
  });

  test('catches bpftool in a pod, a BPF rootkit loader on the node, map creation and a read of a pinned map', () => {
    expect(observed).toMatchEvent(load());
    expect(observed).toMatchEvent(load(onHost('/tmp/.cache/boopkit')));
    expect(observed).toMatchEvent(call('security_bpf_map_create', [null, null, null], inPod('/usr/bin/python3')));
    expect(observed).toMatchEvent(
      call('security_file_permission', [{ kind: 'file', path: '/sys/fs/bpf/tc/globals/cilium_policy' }, 4], inPod('/usr/bin/cat')),
    );
  });

  test('ignores Cilium, Tetragon and runc, and non-BPF file access', () => {
    expect(observed).not.toMatchEvent(load(inPod('/usr/bin/cilium-agent', 'kube-system')));
    expect(observed).not.toMatchEvent(load(inPod('/usr/bin/tetragon', 'kube-system')));
    expect(observed).not.toMatchEvent(call('security_bpf_map_alloc', [null], onHost('/usr/bin/runc')));
    expect(observed).not.toMatchEvent(
      call('security_file_permission', [{ kind: 'file', path: '/sys/fs/cgroup/cpu.max' }, 4], inPod('/usr/bin/cat')),
    );
  });

  test('enforcement: Sigkill only; Override is refused with the reason', () => {
    const policy = render({
      containersOnly: true,
      watchPerfEvents: false,
      enforcement: { action: EnforcementAction.sigkill(), mode: PolicyMode.ENFORCE, scope: EnforcementScope.namespaces(['shop']) },
    });
    expect(policy.spec.kprobes).toHaveLength(4);
    expect(policy).toMatchEvent(load(), { actions: ['Sigkill'] });
    expect(problemsOf(policy)).toStrictEqual([]);
    expect(() => render({ enforcement: { action: EnforcementAction.override(Errno.EPERM), scope: EnforcementScope.allPods() } })).toThrow(
      'test/Bpf: enforcement.action: got "override"; this detection cannot fail the call with an errno: bpf_check and the map and perf hooks are not syscalls',
    );
  });
});
