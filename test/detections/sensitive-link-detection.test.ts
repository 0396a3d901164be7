import { EnforcementAction } from '../../lib/detections/detection-props';
import { SensitiveLinkDetection } from '../../lib/detections/sensitive-link-detection';
import { Errno } from '../../lib/policies/library-policy-props';
import { EnforcementScope, PolicyMode } from '../../lib/policy/enforcement';
import { tetragonMatchers } from '../../lib/testing';
import { kprobe, newChart, policyNamed, synth } from '../support/synth';
import { OVERRIDE_KERNELS, call, inPod, onHost, problemsOf } from './_support';

expect.extend(tetragonMatchers);

/** Renders the detection; `kernels` sets the kernel set (context cdk8s-tetragon:kernels). */
function render(props = {}, kernels?: unknown[]) {
  const chart = newChart();
  if (kernels) chart.node.setContext('cdk8s-tetragon:kernels', kernels);
  new SensitiveLinkDetection(chart, 'Links', props);
  return policyNamed(synth(chart), 'sensitive-link');
}

const observed = render();
// security_inode_symlink(dir, dentry, old_name): only the target string is read.
const symlink = (target: string, proc = inPod('/usr/bin/ln')) => call('security_inode_symlink', [null, null, target], proc);
// linkat(olddfd, oldname, newdfd, newname, flags) and link(oldname, newname) as the syscall wrappers get them.
const linkat = (oldname: string, proc = inPod('/usr/bin/ln')) => call('__x64_sys_linkat', [-100, oldname, -100, '/tmp/s', 0], proc);
const link = (oldname: string, proc = inPod('/usr/bin/python3')) => call('__x64_sys_link', [oldname, '/dev/shm/x'], proc);

describe('SensitiveLinkDetection', () => {
  test('symlink target at security_inode_symlink arg 2; hardlink source at linkat arg 1 and link arg 0', () => {
    const sym = kprobe(observed, 'security_inode_symlink');
    expect(sym.syscall).toBe(false);
    expect(sym.args).toStrictEqual([{ index: 2, type: 'string', label: 'target' }]);
    expect(sym.selectors[0].matchArgs[0].operator).toBe('Equal');
    expect(sym.selectors[0].matchArgs[0].values).toEqual(expect.arrayContaining(['/etc/shadow', '/etc/sudoers', '/', '/root/']));
    const at = kprobe(observed, 'sys_linkat');
    expect(at.syscall).toBe(true);
    expect(at.args.map((a: any) => [a.index, a.type])).toStrictEqual([
      [0, 'int'],
      [1, 'string'],
      [3, 'string'],
    ]);
    expect(at.selectors[0].matchArgs).toStrictEqual([{ index: 1, operator: 'Equal', values: [...SensitiveLinkDetection.DEFAULT_FILES] }]);
    const legacy = kprobe(observed, 'sys_link');
    expect(legacy.ignore).toStrictEqual({ callNotFound: true });
    expect(legacy.selectors[0].matchArgs[0].index).toBe(0);
  });

  test('validates against the CRD and loads cleanly on every bundled kernel', () => {
    expect(problemsOf(observed)).toStrictEqual([]);
  });

  test('catches ln -s /etc/shadow, a symlink to /root and hardlinks of /etc/shadow and /etc/sudoers', () => {
    expect(observed).toMatchEvent(symlink('/etc/shadow'));
    expect(observed).toMatchEvent(symlink('/root', onHost('/usr/bin/ln')));
    expect(observed).toMatchEvent(linkat('/etc/shadow'));
    expect(observed).toMatchEvent(link('/etc/sudoers'));
  });

  test('ignores ordinary symlinks (alternatives, libraries, config) and hardlinks of other files', () => {
    expect(observed).not.toMatchEvent(symlink('/usr/bin/python3.12', onHost('/usr/bin/update-alternatives')));
    expect(observed).not.toMatchEvent(symlink('libssl.so.3'));
    expect(observed).not.toMatchEvent(symlink('/etc/nginx/sites-available/default'));
    expect(observed).not.toMatchEvent(linkat('/var/lib/app/data.db'));
    expect(observed).not.toMatchEvent(link('/etc/shadow-backup'));
  });

  test('lists can be replaced; a relative path is refused with the fix', () => {
    const policy = render({ files: ['/etc/kubernetes/admin.conf'], directories: [] });
    expect(kprobe(policy, 'security_inode_symlink').selectors[0].matchArgs[0].values).toStrictEqual(['/etc/kubernetes/admin.conf']);
    expect(() => render({ files: ['etc/shadow'] })).toThrow(
      'test/Links: files: got "etc/shadow"; paths are absolute, as the kernel resolves them. Write it as "/etc/shadow"',
    );
  });

  test('enforcement: Override EACCES in monitor mode first, then blocks', () => {
    const scope = EnforcementScope.allPods();
    const monitor = render({ enforcement: { action: EnforcementAction.override(Errno.EACCES), scope } }, OVERRIDE_KERNELS);
    expect(kprobe(monitor, 'sys_linkat').selectors[0].matchActions).toStrictEqual([{ action: 'Override', argError: -13 }]);
    expect(monitor.spec.options).toContainEqual({ name: 'policy-mode', value: 'monitor' });
    expect(monitor.spec.podSelector).toStrictEqual({});
    expect(problemsOf(monitor, [], OVERRIDE_KERNELS)).toStrictEqual([]);
    const enforce = render(
      { enforcement: { action: EnforcementAction.override(Errno.EACCES), mode: PolicyMode.ENFORCE, scope } },
      OVERRIDE_KERNELS,
    );
    expect(enforce).toMatchEvent(symlink('/etc/shadow'), { actions: ['Override'] });
    expect(enforce).not.toMatchEvent(symlink('/etc/shadow', onHost('/usr/bin/ln')));
  });
});
