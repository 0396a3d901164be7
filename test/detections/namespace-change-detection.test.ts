import { Testing } from 'cdk8s';
import { EnforcementAction } from '../../lib/detections/detection-props';
import { NamespaceChangeDetection, NamespaceFlag } from '../../lib/detections/namespace-change-detection';
import { EnforcementScope, PolicyMode } from '../../lib/policy/enforcement';
import { tetragonMatchers } from '../../lib/testing';
import { kprobe, newChart, policyNamed, synth } from '../support/synth';
import { OVERRIDE_KERNELS, call, inPod, onHost, problemsOf } from './_support';

expect.extend(tetragonMatchers);

const CLONE_NEWNS = 0x00020000;
const CLONE_NEWUSER = 0x10000000;
const CLONE_NEWNET = 0x40000000;
const CLONE_NEWPID = 0x20000000;
const CLONE_NEWCGROUP = 0x02000000;

function render(props = {}, kernels?: unknown[]) {
  const chart = newChart();
  if (kernels) chart.node.setContext('cdk8s-tetragon:kernels', kernels);
  new NamespaceChangeDetection(chart, 'Ns', props);
  return policyNamed(synth(chart), 'namespace-change');
}

describe('NamespaceChangeDetection', () => {
  const policy = render();

  test('hooks setns with fd and type, and unshare with a Mask on user, mount and cgroup flags, in pods only', () => {
    expect(policy.spec.podSelector).toStrictEqual({});
    const setns = kprobe(policy, 'sys_setns');
    expect(setns.syscall).toBe(true);
    expect(setns.args).toStrictEqual([
      { index: 0, type: 'int', label: 'fd' },
      { index: 1, type: 'int', label: 'nstype' },
    ]);
    expect(setns.selectors).toHaveLength(1);
    expect(setns.selectors[0].matchNamespaces).toStrictEqual([{ namespace: 'Mnt', operator: 'NotIn', values: ['host_ns'] }]);
    const unshare = kprobe(policy, 'sys_unshare');
    expect(unshare.args).toStrictEqual([{ index: 0, type: 'uint64', label: 'flags' }]);
    expect(unshare.selectors[0].matchArgs).toStrictEqual([{ index: 0, operator: 'Mask', values: ['0x12020000'] }]);
    expect(unshare.selectors[0].matchActions).toStrictEqual([{ action: 'Post', rateLimit: '1m' }]);
    expect(unshare.tags).toContain('mitre.T1611');
  });

  test('is clean against the CRD and the checker on every bundled kernel', () => {
    expect(problemsOf(policy)).toStrictEqual([]);
  });

  describe('must catch', () => {
    test('nsenter into the host namespaces from a privileged hostPID pod (setns with CLONE_NEWNS)', () => {
      expect(policy).toMatchEvent(
        call('__x64_sys_setns', [3, CLONE_NEWNS], inPod('/usr/bin/nsenter', 'ci', { arguments: '-t 1 -m -u -n -i sh' })),
      );
    });
    test('a Go implant joining PID 1 namespaces through /proc/1/ns/net with nstype 0', () => {
      expect(policy).toMatchEvent(call('__x64_sys_setns', [7, 0], inPod('/tmp/.x/agent')));
    });
    test('unshare -UrmC bash before mounting cgroupfs (CVE-2022-0492)', () => {
      expect(policy).toMatchEvent(
        call('__x64_sys_unshare', [CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWCGROUP], inPod('/usr/bin/unshare', 'web', { uid: 1000 })),
      );
    });
    test('unshare -m alone (a new mount namespace) from a root container', () => {
      expect(policy).toMatchEvent(call('__x64_sys_unshare', [CLONE_NEWNS], inPod('/usr/bin/unshare')));
    });
  });

  describe('must ignore', () => {
    test('systemd-run or ip netns on the node itself (host process)', () => {
      expect(policy).not.toMatchEvent(call('__x64_sys_setns', [5, CLONE_NEWNET], onHost('/usr/sbin/ip')));
    });
    test("Chromium's sandbox creating PID and network namespaces (no user, mount or cgroup flag)", () => {
      expect(policy).not.toMatchEvent(call('__x64_sys_unshare', [CLONE_NEWPID | CLONE_NEWNET], inPod('/usr/lib/chromium/chromium')));
    });
    test('unshare of file descriptors only (CLONE_FILES), as Go and glibc posix_spawn do', () => {
      expect(policy).not.toMatchEvent(call('__x64_sys_unshare', [0x00000400], inPod('/usr/local/bin/app')));
    });
    test('a trusted sandbox binary', () => {
      const trusted = render({ trustedBinaries: ['/usr/bin/bwrap'] });
      expect(trusted).not.toMatchEvent(
        call('__x64_sys_unshare', [CLONE_NEWUSER], inPod('/usr/bin/bwrap', 'build', { exe: '/usr/bin/bwrap' })),
      );
    });
  });

  test('unshare flags can be chosen and setns switched off', () => {
    const custom = render({ unshareFlags: [NamespaceFlag.USER], watchSetns: false });
    expect(custom.spec.kprobes.map((k: any) => k.call)).toStrictEqual(['sys_unshare']);
    expect(kprobe(custom, 'sys_unshare').selectors[0].matchArgs[0].values).toStrictEqual(['0x10000000']);
  });

  test('bad props fail with the construct path, the value and the fix', () => {
    expect(() => render({ unshareFlags: [3] })).toThrow('test/Ns: unshareFlags: got [3]; use NamespaceFlag values');
    expect(() => render({ unshareFlags: [], watchSetns: false })).toThrow('test/Ns: watchSetns: is false and unshareFlags is empty');
  });

  describe('enforcement', () => {
    // Both hooks are syscalls: Override needs bpf_override_return, which the Debian kernels lack.
    const enforcing = (mode?: PolicyMode) =>
      render(
        {
          enforcement: { action: EnforcementAction.override(1), scope: EnforcementScope.namespaces(['web']), mode },
        },
        OVERRIDE_KERNELS,
      );

    test('Override is refused on the bundled Debian kernels, which lack bpf_override_return', () => {
      expect(() => render({ enforcement: { action: EnforcementAction.override(1), scope: EnforcementScope.namespaces(['web']) } })).toThrow(
        /test\/Ns\/Policy: invalid TracingPolicy[\s\S]*Override on a syscall needs bpf_override_return \(CONFIG_BPF_KPROBE_OVERRIDE\), and kernels debian-11-5.10, .* lack it/,
      );
    });

    test('monitor mode by default: the Override is loaded, policy-mode is monitor, nothing is blocked', () => {
      const p = enforcing();
      expect(p.spec.options).toStrictEqual([{ name: 'policy-mode', value: 'monitor' }]);
      expect(kprobe(p, 'sys_unshare').selectors[0].matchActions).toStrictEqual([{ action: 'Override', argError: -1 }]);
      expect(p.spec.podSelector.matchExpressions).toStrictEqual([
        { key: 'k8s:io.kubernetes.pod.namespace', operator: 'In', values: ['web'] },
      ]);
      const ev = call('__x64_sys_unshare', [CLONE_NEWUSER], inPod('/usr/bin/unshare', 'web'));
      expect(p).toMatchEvent(ev);
      expect(p).not.toMatchEvent(ev, { actions: ['Override'] });
      expect(problemsOf(p, [], OVERRIDE_KERNELS)).toStrictEqual([]);
    });

    test('enforce mode blocks unshare in the scoped namespace, never on the host or elsewhere', () => {
      const p = enforcing(PolicyMode.ENFORCE);
      expect(p).toMatchEvent(call('__x64_sys_unshare', [CLONE_NEWUSER], inPod('/usr/bin/unshare', 'web')), { actions: ['Override'] });
      expect(p).not.toMatchEvent(call('__x64_sys_unshare', [CLONE_NEWUSER], inPod('/usr/bin/unshare', 'other')));
      expect(p).not.toMatchEvent(call('__x64_sys_unshare', [CLONE_NEWUSER], onHost('/usr/bin/unshare')));
      // The never-kill list is exempt from enforcing selectors.
      expect(kprobe(p, 'sys_setns').selectors[0].matchBinaries[0].operator).toBe('NotIn');
    });

    test('Sigkill is accepted too', () => {
      const chart = newChart();
      new NamespaceChangeDetection(chart, 'Ns', {
        enforcement: { action: EnforcementAction.sigkill(), scope: EnforcementScope.allPods(), mode: PolicyMode.ENFORCE },
      });
      const p = policyNamed(Testing.synth(chart), 'namespace-change');
      expect(p).toMatchEvent(call('__x64_sys_setns', [3, 0], inPod('/usr/bin/nsenter')), { actions: ['Sigkill'] });
    });
  });
});
