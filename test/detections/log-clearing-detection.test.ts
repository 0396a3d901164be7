import { EnforcementAction } from '../../lib/detections/detection-props';
import { LogClearingDetection } from '../../lib/detections/log-clearing-detection';
import { Errno } from '../../lib/policies/library-policy-props';
import { EnforcementScope, PolicyMode } from '../../lib/policy/enforcement';
import { tetragonMatchers } from '../../lib/testing';
import { kprobe, newChart, policyNamed, synth } from '../support/synth';
import { call, infos, inPod, onHost, problemsOf } from './_support';

expect.extend(tetragonMatchers);

function render(props = {}) {
  const chart = newChart();
  new LogClearingDetection(chart, 'Logs', props);
  return policyNamed(synth(chart), 'log-clearing');
}

const observed = render();
const path = (p: string) => ({ kind: 'path' as const, path: p });
const file = (p: string) => ({ kind: 'file' as const, path: p });
const unlink = (dir: string, proc = onHost('/usr/bin/rm')) =>
  call('security_path_unlink', [{ kind: 'path', path: dir, fileType: 'dir' }, null], proc);

describe('LogClearingDetection', () => {
  test('truncation at security_path_truncate and security_file_truncate, deletion at security_path_unlink by directory', () => {
    expect(kprobe(observed, 'security_path_truncate').args).toStrictEqual([{ index: 0, type: 'path' }]);
    expect(kprobe(observed, 'security_path_truncate').selectors[0].matchArgs).toStrictEqual([
      { index: 0, operator: 'Prefix', values: ['/var/log/'] },
    ]);
    expect(kprobe(observed, 'security_file_truncate').ignore).toStrictEqual({ callNotFound: true });
    const unlinkHook = kprobe(observed, 'security_path_unlink');
    expect(unlinkHook.args).toStrictEqual([
      { index: 0, type: 'path', label: 'directory' },
      { index: 1, type: 'dentry', label: 'file' },
    ]);
    expect(unlinkHook.selectors.map((s: any) => s.matchArgs)).toStrictEqual([
      [{ index: 0, operator: 'Equal', values: ['/var/log'] }],
      [
        { index: 0, operator: 'Prefix', values: ['/var/log/'] },
        { index: 0, operator: 'NotPrefix', values: ['/var/log/pods', '/var/log/containers'] },
      ],
      [{ index: 0, operator: 'Prefix', values: ['/var/log/pods', '/var/log/containers'] }],
    ]);
    const trusted = [...LogClearingDetection.DEFAULT_TRUSTED_BINARIES];
    expect(unlinkHook.selectors.map((s: any) => s.matchBinaries[0])).toStrictEqual([
      { operator: 'NotIn', values: trusted },
      { operator: 'NotIn', values: trusted },
      { operator: 'NotIn', values: [...trusted, ...LogClearingDetection.KUBELET_BINARIES] },
    ]);
  });

  test('trusts the kubelet cleaning up container logs under /var/log/pods and /var/log/containers, and nowhere else', () => {
    const kubelet = onHost('/usr/bin/kubelet');
    expect(observed).not.toMatchEvent(unlink('/var/log/pods/shop_web-7d9f8-abcde_0c1d/web', kubelet));
    expect(observed).not.toMatchEvent(unlink('/var/log/containers', kubelet));
    expect(observed).toMatchEvent(unlink('/var/log/pods/shop_web-7d9f8-abcde_0c1d/web', onHost('/usr/bin/rm')));
    expect(observed).toMatchEvent(unlink('/var/log', kubelet));
    expect(observed).toMatchEvent(unlink('/var/log/audit', kubelet));
  });

  test('validates against the CRD and loads cleanly on every bundled kernel; the 6.2+ hook is skipped on 5.10 and 6.1', () => {
    expect(problemsOf(observed)).toStrictEqual([]);
    expect(infos(observed, 'kernel-ignored-missing')).toStrictEqual([
      'kprobes[1] security_file_truncate debian-11-5.10',
      'kprobes[1] security_file_truncate debian-12-6.1',
    ]);
  });

  test('catches > /var/log/auth.log (O_TRUNC, before and after 6.2), truncate -s0 and rm of a log in a subdirectory', () => {
    expect(observed).toMatchEvent(call('security_path_truncate', [path('/var/log/auth.log')], onHost('/usr/bin/bash')));
    expect(observed).toMatchEvent(call('security_file_truncate', [file('/var/log/nginx/access.log')], inPod('/usr/bin/dash')));
    expect(observed).toMatchEvent(call('security_path_truncate', [path('/var/log/wtmp')], onHost('/usr/bin/truncate')));
    expect(observed).toMatchEvent(unlink('/var/log'));
    expect(observed).toMatchEvent(unlink('/var/log/apache2', inPod('/usr/bin/shred')));
  });

  test('ignores logrotate and journald, truncation of other files and deletion elsewhere', () => {
    expect(observed).not.toMatchEvent(unlink('/var/log', onHost('/usr/sbin/logrotate')));
    expect(observed).not.toMatchEvent(unlink('/var/log/journal/4f1c', onHost('/usr/lib/systemd/systemd-journald')));
    expect(observed).not.toMatchEvent(call('security_path_truncate', [path('/tmp/build.log')], onHost('/usr/bin/make')));
    expect(observed).not.toMatchEvent(unlink('/var/lib/apt/lists'));
    expect(observed).not.toMatchEvent(unlink('/var/logger'));
  });

  test('directories must end with a slash', () => {
    expect(() => render({ directories: ['/var/log'] })).toThrow('test/Logs: directories: got "/var/log"; a directory ends with "/"');
    const custom = render({ directories: ['/var/log/', '/data/audit/'], trustedBinaries: [] });
    expect(kprobe(custom, 'security_path_unlink').selectors[0].matchArgs[0].values).toStrictEqual(['/var/log', '/data/audit']);
    expect(kprobe(custom, 'security_path_unlink').selectors[0].matchBinaries).toBeUndefined();
    // without /var/log, no kubelet selector
    expect(kprobe(render({ directories: ['/data/audit/'] }), 'security_path_unlink').selectors).toHaveLength(2);
  });

  test('enforcement: Override EPERM keeps logrotate free, monitor first', () => {
    const scope = EnforcementScope.namespaces(['shop']);
    const monitor = render({ enforcement: { action: EnforcementAction.override(Errno.EPERM), scope } });
    expect(monitor.spec.options).toStrictEqual([
      { name: 'disable-kprobe-multi', value: '1' },
      { name: 'policy-mode', value: 'monitor' },
    ]);
    expect(kprobe(monitor, 'security_path_truncate').selectors[0].matchBinaries[0].values).toEqual(
      expect.arrayContaining(['/usr/sbin/logrotate', '/usr/bin/kubelet']),
    );
    expect(problemsOf(monitor)).toStrictEqual([]);
    const enforce = render({ enforcement: { action: EnforcementAction.override(Errno.EPERM), mode: PolicyMode.ENFORCE, scope } });
    expect(enforce).toMatchEvent(call('security_path_truncate', [path('/var/log/app.log')], inPod('/usr/bin/bash')), {
      actions: ['Override'],
    });
  });
});
