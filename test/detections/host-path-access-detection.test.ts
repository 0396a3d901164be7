import { EnforcementAction } from '../../lib/detections/detection-props';
import { HostPathAccessDetection } from '../../lib/detections/host-path-access-detection';
import { EnforcementScope, PolicyMode } from '../../lib/policy/enforcement';
import { tetragonMatchers } from '../../lib/testing';
import { kprobe, newChart, policyNamed, synth } from '../support/synth';
import { call, inPod, onHost, problemsOf } from './_support';

expect.extend(tetragonMatchers);

const file = (path: string, fileType: 'reg' | 'blk' | 'dir' = 'reg') => [{ kind: 'file' as const, path, fileType }];

function render(props = {}) {
  const chart = newChart();
  new HostPathAccessDetection(chart, 'Host', props);
  return policyNamed(synth(chart), 'host-path-access');
}

describe('HostPathAccessDetection', () => {
  const policy = render();

  test('security_file_open: host prefixes minus their proc/ and sys/, and block devices, in separate selectors', () => {
    const hook = kprobe(policy, 'security_file_open');
    expect(hook).toMatchObject({ syscall: false, args: [{ index: 0, type: 'file' }] });
    expect(hook.selectors.map((s: any) => s.matchArgs)).toStrictEqual([
      [
        { index: 0, operator: 'Prefix', values: ['/host/', '/hostfs/', '/rootfs/', '/host-root/', '/hostroot/'] },
        {
          index: 0,
          operator: 'NotPrefix',
          values: [
            '/host/proc/',
            '/host/sys/',
            '/hostfs/proc/',
            '/hostfs/sys/',
            '/rootfs/proc/',
            '/rootfs/sys/',
            '/host-root/proc/',
            '/host-root/sys/',
            '/hostroot/proc/',
            '/hostroot/sys/',
          ],
        },
      ],
      [{ index: 0, operator: 'FileType', values: ['blk'] }],
    ]);
    expect(policy.spec.podSelector).toStrictEqual({});
  });

  test('is clean against the CRD and the checker on every bundled kernel', () => {
    expect(problemsOf(policy)).toStrictEqual([]);
  });

  describe('must catch', () => {
    test("reading the node's shadow file through a hostPath / mount", () => {
      expect(policy).toMatchEvent(call('security_file_open', file('/host/etc/shadow'), inPod('/bin/cat')));
    });
    test('planting an SSH key on the node', () => {
      expect(policy).toMatchEvent(call('security_file_open', file('/rootfs/root/.ssh/authorized_keys'), inPod('/bin/busybox')));
    });
    test('reading kubelet credentials from a /hostfs mount', () => {
      expect(policy).toMatchEvent(
        call('security_file_open', file('/hostfs/var/lib/kubelet/pki/kubelet-client-current.pem'), inPod('/usr/bin/python3')),
      );
    });
    test('debugfs opening the node disk from a privileged pod', () => {
      expect(policy).toMatchEvent(
        call('security_file_open', file('/dev/nvme0n1p1', 'blk'), inPod('/usr/sbin/debugfs', 'web', { arguments: '-w /dev/nvme0n1p1' })),
      );
    });
  });

  describe('must ignore', () => {
    test("node-exporter reading the node's /proc through /host/proc", () => {
      expect(policy).not.toMatchEvent(call('security_file_open', file('/host/proc/stat'), inPod('/bin/node_exporter', 'monitoring')));
    });
    test('the node itself opening its disk (host process)', () => {
      expect(policy).not.toMatchEvent(call('security_file_open', file('/dev/nvme0n1p1', 'blk'), onHost('/usr/sbin/blkid')));
    });
    test("an application reading a file of its own image that merely contains 'host' in its path", () => {
      expect(policy).not.toMatchEvent(call('security_file_open', file('/etc/hosts'), inPod('/usr/sbin/nginx')));
    });
    test('a trusted log shipper reading node logs', () => {
      const p = render({ trustedBinaries: ['/bin/fluent-bit'] });
      expect(p).not.toMatchEvent(call('security_file_open', file('/host/var/log/syslog'), inPod('/bin/fluent-bit', 'logging')));
    });
  });

  test('lists can be replaced; bad input fails with the fix', () => {
    const p = render({ hostPrefixes: ['/node/'], ignoredPrefixes: [], watchBlockDevices: false });
    expect(kprobe(p, 'security_file_open').selectors.map((s: any) => s.matchArgs)).toStrictEqual([
      [{ index: 0, operator: 'Prefix', values: ['/node/'] }],
    ]);
    expect(() => render({ hostPrefixes: ['/host'] })).toThrow(
      'test/Host: hostPrefixes: got ["/host"]; give absolute directory prefixes ending with "/"',
    );
    expect(() => render({ hostPrefixes: [], watchBlockDevices: false })).toThrow('would watch nothing');
  });

  test('enforcement: Override refuses the open in enforce mode, reports only in monitor mode', () => {
    const scope = EnforcementScope.namespaces(['web']);
    const ev = call('security_file_open', file('/host/etc/shadow'), inPod('/bin/cat', 'web'));
    const enforce = render({ enforcement: { action: EnforcementAction.override(13), scope, mode: PolicyMode.ENFORCE } });
    expect(enforce).toMatchEvent(ev, { actions: ['Override'] });
    expect(problemsOf(enforce)).toStrictEqual([]);
    const monitor = render({ enforcement: { action: EnforcementAction.override(13), scope } });
    expect(monitor.spec.options).toContainEqual({ name: 'policy-mode', value: 'monitor' });
    expect(kprobe(monitor, 'security_file_open').selectors[1].matchActions).toStrictEqual([{ action: 'Override', argError: -13 }]);
    expect(monitor).not.toMatchEvent(ev, { actions: ['Override'] });
  });
});
