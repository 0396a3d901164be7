import { EnforcementAction } from '../../lib/detections/detection-props';
import { PtraceDetection } from '../../lib/detections/ptrace-detection';
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
  new PtraceDetection(chart, 'Ptrace', props);
  return policyNamed(synth(chart), 'ptrace');
}

const observed = render();
// ptrace(request, pid, addr, data) as __x64_sys_ptrace receives it.
const ptrace = (request: number, proc = inPod('/tmp/inject')) => call('__x64_sys_ptrace', [request, 31, 0, 0], proc);
const traceme = (proc = inPod('/app/server')) => call('security_ptrace_traceme', [], proc);

describe('PtraceDetection', () => {
  test('sys_ptrace request as long, split over two selectors of at most four values; TRACEME at security_ptrace_traceme', () => {
    const hook = kprobe(observed, 'sys_ptrace');
    expect(hook.syscall).toBe(true);
    expect(hook.args).toStrictEqual([
      { index: 0, type: 'long', label: 'request' },
      { index: 1, type: 'long', label: 'pid' },
    ]);
    expect(hook.selectors.map((s: any) => s.matchArgs[0].values)).toStrictEqual([
      ['16', '16902', '4', '5'],
      ['6', '13', '16901'],
    ]);
    const anti = kprobe(observed, 'security_ptrace_traceme');
    expect(anti.syscall).toBe(false);
    expect(anti.tags).toStrictEqual(['observability.process', 'mitre.T1622']);
    expect(anti.selectors[0].matchNamespaces).toStrictEqual([{ namespace: 'Mnt', operator: 'NotIn', values: ['host_ns'] }]);
  });

  test('validates against the CRD and loads cleanly on every bundled kernel', () => {
    expect(problemsOf(observed)).toStrictEqual([]);
  });

  test('catches PTRACE_ATTACH injection, PTRACE_SEIZE, POKETEXT shellcode writes and anti-debugging in pods', () => {
    expect(observed).toMatchEvent(ptrace(16));
    expect(observed).toMatchEvent(ptrace(0x4206, inPod('/usr/bin/gdb', 'payments', { arguments: '-p 31 -batch -ex "dump memory"' })));
    expect(observed).toMatchEvent(ptrace(4));
    expect(observed).toMatchEvent(ptrace(13));
    expect(observed).toMatchEvent(traceme());
  });

  test('ignores read-only requests, detach, and debuggers on the node', () => {
    expect(observed).not.toMatchEvent(ptrace(2)); // PTRACE_PEEKDATA after an attach that was reported
    expect(observed).not.toMatchEvent(ptrace(17)); // PTRACE_DETACH
    expect(observed).not.toMatchEvent(ptrace(7)); // PTRACE_CONT
    expect(observed).not.toMatchEvent(ptrace(16, onHost('/usr/bin/strace')));
    expect(observed).not.toMatchEvent(traceme(onHost('/usr/bin/cat')));
  });

  test('trusted debuggers and a switched-off anti-debug hook', () => {
    const policy = render({ trustedBinaries: ['/usr/bin/gdb'], watchAntiDebug: false });
    expect(policy.spec.kprobes).toHaveLength(1);
    expect(policy).not.toMatchEvent(ptrace(16, inPod('/usr/bin/gdb')));
    expect(policy).toMatchEvent(ptrace(16, inPod('/usr/bin/python3')));
  });

  test('enforcement: Override EPERM on both hooks, monitor first; enforce mode blocks', () => {
    const scope = EnforcementScope.namespaces(['shop']);
    const monitor = render({ enforcement: { action: EnforcementAction.override(Errno.EPERM), scope } }, OVERRIDE_KERNELS);
    expect(kprobe(monitor, 'sys_ptrace').selectors.map((s: any) => s.matchActions)).toStrictEqual([
      [{ action: 'Override', argError: -1 }],
      [{ action: 'Override', argError: -1 }],
    ]);
    expect(monitor.spec.options).toContainEqual({ name: 'policy-mode', value: 'monitor' });
    expect(monitor).toMatchEvent(ptrace(16), { actions: ['Post'] });
    expect(problemsOf(monitor, [], OVERRIDE_KERNELS)).toStrictEqual([]);
    const enforce = render(
      { enforcement: { action: EnforcementAction.override(Errno.EPERM), mode: PolicyMode.ENFORCE, scope } },
      OVERRIDE_KERNELS,
    );
    expect(enforce).toMatchEvent(ptrace(16), { actions: ['Override'] });
    expect(enforce).toMatchEvent(traceme(), { actions: ['Override'] });
    expect(enforce).not.toMatchEvent(ptrace(16, inPod('/tmp/inject', 'other')));
  });
});
