import { ShellAccessMonitor } from '../../lib';
import { validateAgainstCrd } from '../../lib/private/crd-schema';
import { kprobe, newChart, policyNamed, synth } from '../support/synth';

function render(props = {}) {
  const chart = newChart();
  new ShellAccessMonitor(chart, 'Shell', props);
  return policyNamed(synth(chart), 'shell-access-monitor');
}

describe('ShellAccessMonitor', () => {
  test('matches the requested path of execve and execveat (so /bin/sh -> busybox is caught), in containers only', () => {
    const policy = render();
    const execve = kprobe(policy, 'sys_execve');
    expect(execve.syscall).toBe(true);
    expect(execve.args).toStrictEqual([{ index: 0, type: 'string', label: 'filename' }]);
    expect(execve.selectors.map((s: any) => s.matchArgs[0])).toStrictEqual([
      {
        index: 0,
        operator: 'Postfix',
        values: ['/bash', '/sh', '/zsh', '/dash', '/ash', '/ksh', '/mksh', '/csh', '/tcsh', '/fish', '/busybox'],
      },
      { index: 0, operator: 'Equal', values: ['bash', 'sh', 'zsh', 'dash', 'ash', 'ksh', 'mksh', 'csh', 'tcsh', 'fish', 'busybox'] },
    ]);
    for (const s of execve.selectors)
      expect(s.matchNamespaces).toStrictEqual([{ namespace: 'Mnt', operator: 'NotIn', values: ['host_ns'] }]);
    // No matchBinaries: that would compare the resolved executable (busybox), not the shell's name.
    expect(execve.selectors.some((s: any) => s.matchBinaries)).toBe(false);
    expect(kprobe(policy, 'sys_execveat').selectors[0].matchArgs[0].index).toBe(1);
    expect(validateAgainstCrd(policy)).toStrictEqual([]);
  });

  test('shells can be extended and host shells included', () => {
    const policy = render({ shells: [...ShellAccessMonitor.DEFAULT_SHELLS, 'elvish'], containersOnly: false });
    const execve = kprobe(policy, 'sys_execve');
    expect(execve.selectors[0].matchArgs[0].values).toContain('/elvish');
    expect(execve.selectors[0].matchNamespaces).toBeUndefined();
  });

  test('a shell given as a path is refused with the fix', () => {
    expect(() => render({ shells: ['/bin/bash'] })).toThrow(
      'test/Shell: shells: got ["/bin/bash"]; give one or more bare shell names such as "bash"',
    );
  });
});
