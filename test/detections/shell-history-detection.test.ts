import { EnforcementAction } from '../../lib/detections/detection-props';
import { ShellHistoryDetection } from '../../lib/detections/shell-history-detection';
import { EnforcementScope, PolicyMode } from '../../lib/policy/enforcement';
import { tetragonMatchers } from '../../lib/testing';
import { kprobe, newChart, policyNamed, synth } from '../support/synth';
import { call, inPod, onHost, problemsOf } from './_support';

expect.extend(tetragonMatchers);

function render(props = {}) {
  const chart = newChart();
  new ShellHistoryDetection(chart, 'History', props);
  return policyNamed(synth(chart), 'shell-history-tampering');
}

const observed = render();
const AT_FDCWD = -100;

describe('ShellHistoryDetection', () => {
  test('the name argument of each syscall, the resolved path of truncation, Postfix _history', () => {
    const calls = observed.spec.kprobes.map((k: any) => [k.call, k.syscall, k.ignore?.callNotFound ?? false]);
    expect(calls).toStrictEqual([
      ['sys_unlinkat', true, false],
      ['sys_unlink', true, true],
      ['sys_renameat2', true, false],
      ['sys_renameat', true, true],
      ['sys_rename', true, true],
      ['sys_symlinkat', true, false],
      ['sys_symlink', true, true],
      ['security_path_truncate', false, false],
      ['security_file_truncate', false, true],
    ]);
    const filtered = observed.spec.kprobes.map((k: any) => [
      k.call,
      k.selectors[0].matchArgs[0].index,
      k.args.find((a: any) => a.index === k.selectors[0].matchArgs[0].index).type,
    ]);
    expect(filtered).toStrictEqual([
      ['sys_unlinkat', 1, 'string'],
      ['sys_unlink', 0, 'string'],
      ['sys_renameat2', 1, 'string'],
      ['sys_renameat', 1, 'string'],
      ['sys_rename', 0, 'string'],
      ['sys_symlinkat', 2, 'string'],
      ['sys_symlink', 1, 'string'],
      ['security_path_truncate', 0, 'path'],
      ['security_file_truncate', 0, 'file'],
    ]);
    expect(kprobe(observed, 'sys_unlinkat').selectors[0].matchArgs[0]).toStrictEqual({
      index: 1,
      operator: 'Postfix',
      values: ['_history', '/.histfile'],
    });
  });

  test('validates against the CRD and loads cleanly on every bundled kernel', () => {
    expect(problemsOf(observed)).toStrictEqual([]);
  });

  test('catches rm ~/.bash_history, mv of .zsh_history, > .bash_history and ln -s /dev/null over it', () => {
    expect(observed).toMatchEvent(call('__x64_sys_unlinkat', [AT_FDCWD, '/root/.bash_history', 0], inPod('/usr/bin/rm')));
    expect(observed).toMatchEvent(call('__x64_sys_unlink', ['.bash_history'], onHost('/usr/bin/python3')));
    expect(observed).toMatchEvent(call('__x64_sys_renameat2', [AT_FDCWD, '.zsh_history', AT_FDCWD, '/tmp/z', 0], inPod('/usr/bin/mv')));
    expect(observed).toMatchEvent(
      call('security_path_truncate', [{ kind: 'path', path: '/home/dev/.bash_history' }], onHost('/usr/bin/bash')),
    );
    expect(observed).toMatchEvent(call('__x64_sys_symlinkat', ['/dev/null', AT_FDCWD, '/root/.bash_history'], inPod('/usr/bin/ln')));
    // busybox ln -s calls symlink(2)
    expect(observed).toMatchEvent(
      call('__x64_sys_symlink', ['/dev/null', '/root/.ash_history'], inPod('/bin/ln', 'shop', { exe: '/bin/busybox' })),
    );
  });

  test('ignores bash saving history through a temp file, other deletions and truncation of other files', () => {
    // bash writes the new history to a temporary name and renames it onto .bash_history: the old name does not match.
    expect(observed).not.toMatchEvent(
      call('__x64_sys_renameat', [AT_FDCWD, '/root/.bash_history-01234.tmp', AT_FDCWD, '/root/.bash_history'], onHost('/usr/bin/bash')),
    );
    expect(observed).not.toMatchEvent(call('__x64_sys_unlinkat', [AT_FDCWD, '/tmp/pip-build-x/setup.py', 0], inPod('/usr/bin/pip')));
    expect(observed).not.toMatchEvent(
      call('security_file_truncate', [{ kind: 'file', path: '/var/lib/app/history.db' }], inPod('/usr/bin/app')),
    );
    expect(observed).not.toMatchEvent(
      call('__x64_sys_symlinkat', ['/usr/bin/vim.basic', AT_FDCWD, '/etc/alternatives/vi'], onHost('/usr/bin/update-alternatives')),
    );
  });

  test('a suffix that could match the middle of a name is refused', () => {
    expect(() => render({ suffixes: ['history'] })).toThrow('test/History: suffixes: got "history"; a suffix starts with "/", "." or "_"');
  });

  test('enforcement: Sigkill in the scoped pods', () => {
    const policy = render({
      enforcement: { action: EnforcementAction.sigkill(), mode: PolicyMode.ENFORCE, scope: EnforcementScope.namespaces(['shop']) },
    });
    expect(kprobe(policy, 'sys_unlinkat').selectors[0].matchActions).toStrictEqual([{ action: 'Sigkill' }]);
    // Nine Postfix filters are more than kprobe_multi's 8 shared slots, so each kprobe attaches on its own.
    expect(policy.spec.options).toStrictEqual([
      { name: 'disable-kprobe-multi', value: '1' },
      { name: 'policy-mode', value: 'enforce' },
    ]);
    expect(policy).toMatchEvent(call('__x64_sys_unlinkat', [AT_FDCWD, '.bash_history', 0], inPod('/usr/bin/rm')), { actions: ['Sigkill'] });
    expect(problemsOf(policy)).toStrictEqual([]);
  });
});
