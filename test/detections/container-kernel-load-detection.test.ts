import { ContainerKernelLoadDetection } from '../../lib/detections/container-kernel-load-detection';
import { EnforcementAction } from '../../lib/detections/detection-props';
import { EnforcementScope, PolicyMode } from '../../lib/policy/enforcement';
import { tetragonMatchers } from '../../lib/testing';
import { kprobe, newChart, policyNamed, synth } from '../support/synth';
import { call, inPod, onHost, problemsOf } from './_support';

expect.extend(tetragonMatchers);

const BPF_MAP_CREATE = 0;
const BPF_PROG_LOAD = 5;
const READING_FIRMWARE = 1;
const READING_MODULE = 2;
const bpf = (cmd: number) => [cmd, { kind: 'opaque' as const }];
const readFile = (path: string, id: number) => [{ kind: 'file' as const, path }, id];

function render(props = {}) {
  const chart = newChart();
  new ContainerKernelLoadDetection(chart, 'KL', props);
  return policyNamed(synth(chart), 'container-kernel-load');
}

describe('ContainerKernelLoadDetection', () => {
  const policy = render();

  test('security_bpf on BPF_PROG_LOAD with the eBPF agents exempt; module loads through both LSM hooks', () => {
    const b = kprobe(policy, 'security_bpf');
    expect(b.args).toStrictEqual([
      { index: 0, type: 'int', label: 'cmd' },
      { index: 1, type: 'bpf_attr', label: 'attr' },
    ]);
    expect(b.selectors[0].matchArgs).toStrictEqual([{ index: 0, operator: 'Equal', values: ['5'] }]);
    expect(b.selectors[0].matchBinaries).toStrictEqual([
      { operator: 'NotIn', values: [...ContainerKernelLoadDetection.DEFAULT_BPF_LOADERS] },
    ]);
    const rf = kprobe(policy, 'security_kernel_read_file');
    expect(rf.args).toStrictEqual([
      { index: 0, type: 'file' },
      { index: 1, type: 'int', label: 'id' },
    ]);
    expect(rf.selectors[0].matchArgs).toStrictEqual([{ index: 1, operator: 'Equal', values: ['2'] }]);
    expect(rf.selectors[0].matchBinaries).toBeUndefined();
    expect(kprobe(policy, 'security_kernel_load_data').selectors[0].matchArgs).toStrictEqual([
      { index: 0, operator: 'Equal', values: ['2'] },
    ]);
  });

  test('is clean against the CRD and the checker on every bundled kernel', () => {
    expect(problemsOf(policy)).toStrictEqual([]);
  });

  describe('must catch', () => {
    test('bpftool prog load from a privileged pod', () => {
      expect(policy).toMatchEvent(
        call('security_bpf', bpf(BPF_PROG_LOAD), inPod('/usr/sbin/bpftool', 'web', { arguments: 'prog load ./rootkit.o /sys/fs/bpf/x' })),
      );
    });
    test('insmod of a rootkit module (finit_module reads the .ko)', () => {
      expect(policy).toMatchEvent(
        call('security_kernel_read_file', readFile('/tmp/diamorphine.ko', READING_MODULE), inPod('/usr/sbin/insmod')),
      );
    });
    test('init_module from memory by a dropped loader', () => {
      expect(policy).toMatchEvent(call('security_kernel_load_data', [READING_MODULE], inPod('/dev/shm/.l')));
    });
  });

  describe('must ignore', () => {
    test('the Cilium agent loading its datapath programs', () => {
      expect(policy).not.toMatchEvent(call('security_bpf', bpf(BPF_PROG_LOAD), inPod('/usr/bin/cilium-agent', 'kube-system')));
    });
    test('an app creating a BPF map only (no program)', () => {
      expect(policy).not.toMatchEvent(call('security_bpf', bpf(BPF_MAP_CREATE), inPod('/usr/local/bin/app')));
    });
    test('a GPU driver pod loading firmware', () => {
      expect(policy).not.toMatchEvent(
        call('security_kernel_read_file', readFile('/lib/firmware/nvidia/gsp.bin', READING_FIRMWARE), inPod('/usr/bin/nvidia-smi', 'gpu')),
      );
    });
    test('systemd-modules-load on the node (host process)', () => {
      expect(policy).not.toMatchEvent(
        call(
          'security_kernel_read_file',
          readFile('/lib/modules/6.1.0/kernel/net/netfilter/nf_tables.ko', READING_MODULE),
          onHost('/usr/lib/systemd/systemd-modules-load'),
        ),
      );
    });
  });

  test('parts can be switched off; bad input fails with the fix', () => {
    const p = render({ watchBpf: false, trustedBinaries: ['/usr/bin/gpu-loader'] });
    expect(p.spec.kprobes.map((k: any) => k.call)).toStrictEqual(['security_kernel_read_file', 'security_kernel_load_data']);
    expect(kprobe(p, 'security_kernel_read_file').selectors[0].matchBinaries).toStrictEqual([
      { operator: 'NotIn', values: ['/usr/bin/gpu-loader'] },
    ]);
    expect(() => render({ watchBpf: false, watchModules: false })).toThrow(
      'test/KL: watchBpf: is false and so is watchModules, so the detection would watch nothing',
    );
    expect(() => render({ bpfLoaders: ['cilium-agent'] })).toThrow('test/KL: bpfLoaders: got ["cilium-agent"]');
  });

  test('enforcement: Override fails the load in enforce mode; the never-kill list stays exempt', () => {
    const p = render({
      enforcement: { action: EnforcementAction.override(1), scope: EnforcementScope.allPods(), mode: PolicyMode.ENFORCE },
    });
    expect(p).toMatchEvent(call('security_kernel_read_file', readFile('/tmp/x.ko', READING_MODULE), inPod('/usr/sbin/insmod')), {
      actions: ['Override'],
    });
    expect(kprobe(p, 'security_kernel_read_file').selectors[0].matchBinaries[0].values).toContain('/usr/bin/kubelet');
    expect(problemsOf(p)).toStrictEqual([]);
    const monitor = render({ enforcement: { action: EnforcementAction.override(1), scope: EnforcementScope.allPods() } });
    expect(monitor.spec.options).toContainEqual({ name: 'policy-mode', value: 'monitor' });
    expect(monitor).not.toMatchEvent(call('security_bpf', bpf(BPF_PROG_LOAD), inPod('/usr/sbin/bpftool')), { actions: ['Override'] });
  });
});
