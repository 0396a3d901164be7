import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Action,
  Arg,
  ArgFilter,
  BinaryFilter,
  ENFORCEMENT_DRY_RUN_CONTEXT,
  EnforcementScope,
  KprobeHook,
  NEVER_KILL_BINARIES,
  PolicyMode,
  Selector,
  TracingPolicy,
} from '../../lib';
import { KernelFeatures, encodeKernelTable } from '../../lib/kernels';
import { validateAgainstCrd } from '../../lib/private/crd-schema';
import { newChart, synth } from '../support/synth';

/** A node kernel table with the syscalls these tests hook and the given features, written to a temporary file. */
function nodeTable(name: string, features: KernelFeatures): string {
  const sys = { ret: 'long int', params: ['const struct pt_regs *'] };
  const fns = new Map([
    ['__x64_sys_symlinkat', sys],
    ['security_file_open', { ret: 'int', params: ['struct file *'] }],
  ]);
  const file = join(mkdtempSync(join(tmpdir(), 'kt-')), `${name}.json.br`);
  writeFileSync(file, encodeKernelTable(name, 'test node', fns, features));
  return file;
}

const file = Arg.file(0);
const path = Arg.string(0);

function openHook(actions: Action[], extra: { matchBinaries?: BinaryFilter } = {}) {
  return KprobeHook.function('security_file_open', {
    message: 'Blocked file opened',
    tags: ['observability.filesystem'],
    args: [file],
    selectors: [new Selector({ matchArgs: [ArgFilter.equal(file, ['/etc/shadow'])], actions, ...extra })],
  });
}

function errorOf(build: (chart: ReturnType<typeof newChart>) => void): string {
  const chart = newChart();
  try {
    build(chart);
    synth(chart);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('enforcement guardrails', () => {
  test('an enforcement action without enforcement options (and so without scope) is refused', () => {
    const msg = errorOf((c) => new TracingPolicy(c, 'Kill', { name: 'kill', hooks: [openHook([Action.sigkill()])] }));
    expect(msg).toContain('test/Kill: invalid TracingPolicy');
    expect(msg).toContain(
      'kprobes[0](security_file_open).selectors[0].matchActions[0]: Sigkill enforces, but the policy has no enforcement options',
    );
  });

  test('an empty scope is refused unless every pod is chosen deliberately', () => {
    const msg = errorOf(
      (c) =>
        new TracingPolicy(c, 'Empty', {
          name: 'empty',
          enforcement: { mode: PolicyMode.ENFORCE, scope: EnforcementScope.pods({}) },
          hooks: [openHook([Action.sigkill()])],
        }),
    );
    expect(msg).toContain('enforcement.scope.podSelector: is empty; give labels, or use EnforcementScope.allPods()');
    expect(
      errorOf(
        (c) =>
          new TracingPolicy(c, 'NoNs', {
            name: 'no-ns',
            enforcement: { mode: PolicyMode.ENFORCE, scope: EnforcementScope.namespaces([]) },
            hooks: [openHook([Action.sigkill()])],
          }),
      ),
    ).toContain('enforcement.scope.namespaces: is empty');
  });

  test('enforcing on a never-kill binary is refused; a named opt-out with a reason allows it', () => {
    const kubelet = '/usr/bin/kubelet';
    const msg = errorOf(
      (c) =>
        new TracingPolicy(c, 'Kubelet', {
          name: 'kubelet',
          enforcement: { mode: PolicyMode.ENFORCE, scope: EnforcementScope.allPods() },
          hooks: [openHook([Action.sigkill()], { matchBinaries: BinaryFilter.in([kubelet, '/usr/bin/cat']) })],
        }),
    );
    expect(msg).toContain(
      'selectors[0].matchBinaries[0].values: would kill or block never-kill binaries ["/usr/bin/kubelet"]; remove them, or name them in enforcement.neverKillOptOut with a reason',
    );

    const chart = newChart();
    new TracingPolicy(chart, 'OptOut', {
      name: 'opt-out',
      enforcement: {
        mode: PolicyMode.ENFORCE,
        scope: EnforcementScope.allPods(),
        neverKillOptOut: { binaries: [kubelet], reason: 'kubelet never reads /etc/shadow here' },
      },
      hooks: [openHook([Action.sigkill()], { matchBinaries: BinaryFilter.in([kubelet]) })],
    });
    const [policy] = synth(chart);
    expect(policy.metadata.annotations['cdk8s-tetragon/never-kill-opt-out']).toBe('/usr/bin/kubelet: kubelet never reads /etc/shadow here');
  });

  test("enforcing selectors exempt every never-kill binary, merged with the selector's own NotIn list", () => {
    const chart = newChart();
    new TracingPolicy(chart, 'Exempt', {
      name: 'exempt',
      enforcement: { mode: PolicyMode.ENFORCE, scope: EnforcementScope.namespaces(['shop']) },
      hooks: [openHook([Action.sigkill()], { matchBinaries: BinaryFilter.notIn(['/usr/bin/backup']) })],
    });
    const [policy] = synth(chart);
    const values = policy.spec.kprobes[0].selectors[0].matchBinaries[0].values;
    expect(policy.spec.kprobes[0].selectors[0].matchBinaries[0].operator).toBe('NotIn');
    expect(values[0]).toBe('/usr/bin/backup');
    expect(values.slice(1)).toStrictEqual([...NEVER_KILL_BINARIES]);
    expect(policy.spec.podSelector).toStrictEqual({
      matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'In', values: ['shop'] }],
    });
    expect(validateAgainstCrd(policy)).toStrictEqual([]);
  });

  test('Override on a function that cannot be overridden is refused; on security_* it sets disable-kprobe-multi', () => {
    const sock = Arg.sock(0);
    const msg = errorOf(
      (c) =>
        new TracingPolicy(c, 'Tcp', {
          name: 'tcp',
          enforcement: { mode: PolicyMode.ENFORCE, scope: EnforcementScope.namespaces(['shop']) },
          hooks: [
            KprobeHook.function('tcp_connect', {
              message: 'Connect blocked',
              tags: ['net.block'],
              args: [sock],
              selectors: [new Selector({ actions: [Action.override(1)] })],
            }),
          ],
        }),
    );
    expect(msg).toContain(
      'selectors[0].matchActions[0]: Override does not work on "tcp_connect": Tetragon allows it only on syscalls and security_* functions',
    );

    const chart = newChart();
    new TracingPolicy(chart, 'Sec', {
      name: 'sec',
      enforcement: { mode: PolicyMode.ENFORCE, scope: EnforcementScope.namespaces(['shop']) },
      hooks: [openHook([Action.override(13)])],
    });
    const [sec] = synth(chart);
    expect(sec.spec.options).toStrictEqual([
      { name: 'disable-kprobe-multi', value: '1' },
      { name: 'policy-mode', value: 'enforce' },
    ]);
    expect(sec.spec.kprobes[0].selectors[0].matchActions).toStrictEqual([{ action: 'Override', argError: -13 }]);
  });

  describe('Override on a syscall needs bpf_override_return on every kernel of the set', () => {
    const sysPolicy = (c: ReturnType<typeof newChart>) =>
      new TracingPolicy(c, 'Sys', {
        name: 'sys',
        enforcement: { mode: PolicyMode.ENFORCE, scope: EnforcementScope.namespaces(['shop']) },
        hooks: [
          KprobeHook.syscall('sys_symlinkat', {
            message: 'Symlink blocked',
            tags: ['fs.block'],
            args: [path],
            selectors: [new Selector({ actions: [Action.override(1)] })],
          }),
        ],
      });

    test('is refused on the bundled Debian kernels (none has CONFIG_BPF_KPROBE_OVERRIDE), naming construct, field and fix', () => {
      const msg = errorOf(sysPolicy);
      expect(msg).toContain('test/Sys: invalid TracingPolicy');
      expect(msg).toContain(
        'kprobes[0](sys_symlinkat).selectors[0].matchActions[0]: Override on a syscall needs bpf_override_return (CONFIG_BPF_KPROBE_OVERRIDE), ' +
          'and kernels debian-11-5.10, debian-12-6.1, debian-13-6.12, debian-sid-7.2 of the kernel set lack it: the policy would not load there',
      );
      expect(msg).toContain('Override on the security_* function that guards it');
    });

    test('is accepted when the kernel set provides the helper, and refused when a table does not know', () => {
      const chart = newChart();
      chart.node.setContext('cdk8s-tetragon:kernels', [
        nodeTable('override-node', { release: '6.8.0', overrideReturn: true, kprobeMulti: true, modifyReturn: true }),
      ]);
      sysPolicy(chart);
      const [sys] = synth(chart);
      expect(sys.spec.kprobes[0].selectors[0].matchActions).toStrictEqual([{ action: 'Override', argError: -1 }]);
      expect(sys.spec.options).toStrictEqual([{ name: 'policy-mode', value: 'enforce' }]);

      const unknown = errorOf((c) => {
        c.node.setContext('cdk8s-tetragon:kernels', [nodeTable('btf-only', {})]);
        sysPolicy(c);
      });
      expect(unknown).toContain('for btf-only it is unknown (table made without the kernel config)');
    });
  });

  test('monitor mode renders the option and keeps the action; a dry run turns enforce into monitor', () => {
    const chart = newChart();
    new TracingPolicy(chart, 'Mon', {
      name: 'mon',
      enforcement: { mode: PolicyMode.MONITOR, scope: EnforcementScope.namespaces(['shop']) },
      hooks: [openHook([Action.sigkill()])],
    });
    const [mon] = synth(chart);
    expect(mon.spec.options).toStrictEqual([{ name: 'policy-mode', value: 'monitor' }]);
    expect(mon.spec.kprobes[0].selectors[0].matchActions).toStrictEqual([{ action: 'Sigkill' }]);

    const dry = newChart();
    dry.node.setContext(ENFORCEMENT_DRY_RUN_CONTEXT, true);
    new TracingPolicy(dry, 'Enf', {
      name: 'enf',
      enforcement: { mode: PolicyMode.ENFORCE, scope: EnforcementScope.namespaces(['shop']) },
      hooks: [openHook([Action.sigkill()])],
    });
    expect(synth(dry)[0].spec.options).toStrictEqual([{ name: 'policy-mode', value: 'monitor' }]);
  });

  test('an observe-only policy renders neither options nor enforcement actions, even with enforcement options set', () => {
    const chart = newChart();
    new TracingPolicy(chart, 'Obs', {
      name: 'obs',
      enforcement: { mode: PolicyMode.ENFORCE, scope: EnforcementScope.namespaces(['shop']) },
      hooks: [openHook([Action.post()])],
    });
    const [obs] = synth(chart);
    expect(obs.spec.options).toBeUndefined();
    expect(obs.spec.podSelector).toBeUndefined();
  });
});

describe('enforcement scope and pod selector', () => {
  test('a pod selector that contradicts the enforcement scope is refused', () => {
    const msg = errorOf(
      (c) =>
        new TracingPolicy(c, 'Clash', {
          name: 'clash',
          podSelector: { matchLabels: { app: 'web' } },
          enforcement: { mode: PolicyMode.ENFORCE, scope: EnforcementScope.pods({ matchLabels: { app: 'api' } }) },
          hooks: [openHook([Action.sigkill()])],
        }),
    );
    expect(msg).toContain('podSelector.matchLabels.app: is "web" but the enforcement scope requires "api"');
  });

  test('a pod selector and a namespace scope are ANDed', () => {
    const chart = newChart();
    new TracingPolicy(chart, 'And', {
      name: 'and',
      podSelector: { matchLabels: { app: 'web' } },
      enforcement: { mode: PolicyMode.ENFORCE, scope: EnforcementScope.namespaces(['shop']) },
      hooks: [openHook([Action.sigkill()])],
    });
    expect(synth(chart)[0].spec.podSelector).toStrictEqual({
      matchLabels: { app: 'web' },
      matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'In', values: ['shop'] }],
    });
  });
});
