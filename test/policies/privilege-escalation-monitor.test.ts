import { PrivilegeEscalationMonitor } from '../../lib';
import { validateAgainstCrd } from '../../lib/private/crd-schema';
import { kprobe, newChart, policyNamed, synth } from '../support/synth';

function render(props = {}) {
  const chart = newChart();
  new PrivilegeEscalationMonitor(chart, 'Priv', props);
  return policyNamed(synth(chart), 'privilege-escalation-monitor');
}

describe('PrivilegeEscalationMonitor', () => {
  test('probes the internal set*id functions (all ABIs), capset and create_user_ns, none as syscalls', () => {
    const policy = render();
    expect(policy.spec.kprobes.map((k: any) => k.call)).toStrictEqual([
      'security_capset',
      'create_user_ns',
      '__sys_setuid',
      '__sys_setgid',
      '__sys_setfsuid',
      '__sys_setfsgid',
      '__sys_setreuid',
      '__sys_setregid',
      '__sys_setresuid',
      '__sys_setresgid',
    ]);
    expect(policy.spec.kprobes.every((k: any) => k.syscall === false)).toBe(true);
    expect(validateAgainstCrd(policy)).toStrictEqual([]);
  });

  test('set*id to root: one Equal 0 selector per id argument, rate-limited', () => {
    const policy = render();
    const setresuid = kprobe(policy, '__sys_setresuid');
    expect(setresuid.args.map((a: any) => [a.index, a.type])).toStrictEqual([
      [0, 'int'],
      [1, 'int'],
      [2, 'int'],
    ]);
    expect(setresuid.selectors.map((s: any) => s.matchArgs)).toStrictEqual(
      [0, 1, 2].map((i) => [{ index: i, operator: 'Equal', values: ['0'] }]),
    );
    expect(setresuid.selectors.every((s: any) => s.matchActions[0].rateLimit === '1m')).toBe(true);
    expect(kprobe(policy, '__sys_setuid').selectors).toHaveLength(1);
    expect(kprobe(policy, '__sys_setregid').selectors).toHaveLength(2);
  });

  test('capset: the old effective set (resolved from the old credentials) against the new one, CapabilitiesGained', () => {
    const capset = kprobe(render(), 'security_capset');
    expect(capset.args).toStrictEqual([
      { index: 1, type: 'cap_effective', resolve: 'cap_effective', label: 'old_effective' },
      { index: 2, type: 'cap_effective', label: 'effective' },
      { index: 4, type: 'cap_permitted', label: 'permitted' },
    ]);
    // `args` are positions in the hook's args: 0 = old set, 1 = new set (Tetragon computes (old ^ new) & new).
    expect(capset.selectors.map((s: any) => s.matchArgs)).toStrictEqual([[{ args: [0, 1], operator: 'CapabilitiesGained' }]]);
  });

  test('user namespaces: only callers without CAP_SYS_ADMIN', () => {
    const userns = kprobe(render(), 'create_user_ns');
    expect(userns.selectors[0].matchCapabilities).toStrictEqual([{ type: 'Effective', operator: 'NotIn', values: ['CAP_SYS_ADMIN'] }]);
  });

  test('parts can be switched off, and a pod selector scopes the policy', () => {
    const policy = render({ watchCapset: false, watchUserNamespaces: false, podSelector: {} });
    expect(policy.spec.kprobes.map((k: any) => k.call)).not.toContain('security_capset');
    expect(policy.spec.kprobes.map((k: any) => k.call)).not.toContain('create_user_ns');
    expect(policy.spec.kprobes).toHaveLength(8);
    expect(policy.spec.podSelector).toStrictEqual({});
  });
});

describe('PrivilegeEscalationMonitor trusted binaries', () => {
  test('container runtimes are trusted by default on every selector; [] watches them too', () => {
    const policy = render();
    for (const hook of policy.spec.kprobes) {
      for (const s of hook.selectors)
        expect(s.matchBinaries).toStrictEqual([{ operator: 'NotIn', values: [...PrivilegeEscalationMonitor.DEFAULT_TRUSTED_BINARIES] }]);
    }
    expect(PrivilegeEscalationMonitor.DEFAULT_TRUSTED_BINARIES).toContain('/usr/bin/runc');
    const all = render({ trustedBinaries: [] });
    expect(all.spec.kprobes.every((k: any) => k.selectors.every((s: any) => s.matchBinaries === undefined))).toBe(true);
  });
});
