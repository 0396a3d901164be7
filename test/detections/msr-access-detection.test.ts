import { EnforcementAction } from '../../lib/detections/detection-props';
import { MsrAccessDetection } from '../../lib/detections/msr-access-detection';
import { EnforcementScope, PolicyMode } from '../../lib/policy/enforcement';
import { tetragonMatchers } from '../../lib/testing';
import { kprobe, newChart, policyNamed, synth } from '../support/synth';
import { call, inPod, onHost, problemsOf } from './_support';

expect.extend(tetragonMatchers);

const chr = (path: string) => [{ kind: 'file' as const, path, fileType: 'chr' as const }];
const READING_FIRMWARE = 1;
const READING_MODULE = 2;

function render(props = {}) {
  const chart = newChart();
  new MsrAccessDetection(chart, 'Msr', props);
  return policyNamed(synth(chart), 'msr-access');
}

describe('MsrAccessDetection', () => {
  const policy = render();

  test('hooks the device open, the module file read and the module request', () => {
    expect(kprobe(policy, 'security_file_open').selectors[0].matchArgs).toStrictEqual([
      { index: 0, operator: 'Prefix', values: ['/dev/cpu/'] },
      { index: 0, operator: 'Postfix', values: ['/msr'] },
    ]);
    const read = kprobe(policy, 'security_kernel_read_file');
    expect(read.args).toStrictEqual([
      { index: 0, type: 'file' },
      { index: 1, type: 'int', label: 'id' },
    ]);
    expect(read.selectors[0].matchArgs[1]).toStrictEqual({ index: 1, operator: 'Equal', values: ['2'] });
    const req = kprobe(policy, 'security_kernel_module_request');
    expect(req.args).toStrictEqual([{ index: 0, type: 'string', label: 'module' }]);
    expect(req.selectors.map((s: any) => s.matchArgs[0])).toStrictEqual([
      { index: 0, operator: 'Equal', values: ['msr', 'char-major-202'] },
      { index: 0, operator: 'Prefix', values: ['char-major-202-'] },
    ]);
    expect(policy.spec.podSelector).toBeUndefined();
  });

  test('is clean against the CRD and the checker on every bundled kernel', () => {
    expect(problemsOf(policy)).toStrictEqual([]);
  });

  describe('must catch', () => {
    test('XMRig writing MSRs from a privileged pod (opens /dev/cpu/0/msr)', () => {
      expect(policy).toMatchEvent(call('security_file_open', chr('/dev/cpu/0/msr'), inPod('/tmp/xmrig')));
    });
    test('modprobe msr allow_writes=on run by a miner on the node', () => {
      expect(policy).toMatchEvent(
        call(
          'security_kernel_read_file',
          [{ kind: 'file', path: '/usr/lib/modules/6.1.0-26-amd64/kernel/arch/x86/kernel/msr.ko.xz' }, READING_MODULE],
          onHost('/usr/sbin/modprobe'),
        ),
      );
    });
    test('the kernel auto-loading msr for a device node created with mknod', () => {
      expect(policy).toMatchEvent(call('security_kernel_module_request', ['char-major-202-3'], inPod('/tmp/.m')));
    });
  });

  describe('must ignore', () => {
    test('reading CPU information from /dev/cpu/0/cpuid or /proc/cpuinfo', () => {
      expect(policy).not.toMatchEvent(call('security_file_open', chr('/dev/cpu/0/cpuid'), inPod('/usr/bin/cpuid')));
      expect(policy).not.toMatchEvent(call('security_file_open', [{ kind: 'file', path: '/proc/cpuinfo' }], inPod('/usr/bin/lscpu')));
    });
    test('other modules and firmware being loaded', () => {
      expect(policy).not.toMatchEvent(
        call(
          'security_kernel_read_file',
          [{ kind: 'file', path: '/usr/lib/modules/6.1.0/kernel/net/netfilter/xt_nat.ko' }, READING_MODULE],
          onHost('/usr/sbin/modprobe'),
        ),
      );
      expect(policy).not.toMatchEvent(
        call(
          'security_kernel_read_file',
          [{ kind: 'file', path: '/lib/firmware/intel/msr.ko' }, READING_FIRMWARE],
          onHost('/usr/sbin/modprobe'),
        ),
      );
      expect(policy).not.toMatchEvent(call('security_kernel_module_request', ['nf_conntrack'], onHost('/usr/sbin/iptables')));
    });
    test('turbostat on the node, trusted', () => {
      const p = render({ trustedBinaries: ['/usr/bin/turbostat'] });
      expect(p).not.toMatchEvent(call('security_file_open', chr('/dev/cpu/2/msr'), onHost('/usr/bin/turbostat')));
    });
  });

  test('enforcement: Override refuses the open in enforce mode; monitor mode only reports', () => {
    const scope = EnforcementScope.allPods();
    const ev = call('security_file_open', chr('/dev/cpu/0/msr'), inPod('/tmp/xmrig'));
    const enforce = render({ enforcement: { action: EnforcementAction.override(1), scope, mode: PolicyMode.ENFORCE } });
    expect(enforce).toMatchEvent(ev, { actions: ['Override'] });
    expect(enforce).not.toMatchEvent(call('security_file_open', chr('/dev/cpu/0/msr'), onHost('/tmp/xmrig')), { actions: ['Override'] });
    expect(problemsOf(enforce)).toStrictEqual([]);
    const monitor = render({ enforcement: { action: EnforcementAction.override(1), scope } });
    expect(monitor.spec.options).toContainEqual({ name: 'policy-mode', value: 'monitor' });
    expect(monitor).not.toMatchEvent(ev, { actions: ['Override'] });
  });
});
