/**
 * Selector rules modelled on Tetragon v1.7.0's parser (pkg/selectors/kernel.go) and its BPF side
 * (bpf/process/types/basic.h), each with the value or spelling that tells Tetragon's behaviour apart.
 */
import { checkPolicy } from '../../lib/check';

const kprobe = (hook: object) => ({
  apiVersion: 'cilium.io/v1alpha1', kind: 'TracingPolicy', metadata: { name: 'p' },
  spec: { kprobes: [{ call: 'security_file_open', syscall: false, args: [{ index: 0, type: 'file' }], ...hook }] },
});
const rules = (policy: unknown) => checkPolicy(policy, { skipKernelChecks: true }).filter((f) => f.severity !== 'info');

describe('capability names as Tetragon spells them (its protobuf enum CapabilitiesType)', () => {
  const caps = (values: string[], field = 'matchCapabilities') => kprobe({ selectors: [{ [field]: [{ type: 'Effective', operator: 'In', values }] }] });

  test('CAP_DAC_OVERRIDE is refused, and the message says how Tetragon spells it', () => {
    const [f] = rules(caps(['CAP_DAC_OVERRIDE']));
    expect(f).toMatchObject({ ruleId: 'match-capabilities', severity: 'error', field: 'spec.kprobes[0].selectors[0].matchCapabilities[0].values[0]' });
    expect(f.message).toContain('Tetragon spells capability 1 DAC_OVERRIDE, without the CAP_ prefix');
    expect(rules(caps(['CAP_DAC_OVERRIDE'], 'matchCapabilityChanges'))[0].ruleId).toBe('match-capabilities');
  });

  test('DAC_OVERRIDE, CAP_* names in any case and with spaces load (capsStrToUint64 trims and upper-cases)', () => {
    expect(rules(caps(['DAC_OVERRIDE', 'CAP_SYS_ADMIN', ' cap_net_raw ', 'dac_override']))).toStrictEqual([]);
  });

  test('a name without the CAP_ prefix is refused with the spelling to use', () => {
    const [f] = rules(caps(['SYS_ADMIN']));
    expect(f.message).toContain('"SYS_ADMIN" lacks the CAP_ prefix: write CAP_SYS_ADMIN');
  });

  test('capability masks on kernel_cap_t arguments follow the same table (parseCapabilitiesMask)', () => {
    const policy = (value: string) => ({
      apiVersion: 'cilium.io/v1alpha1', kind: 'TracingPolicy', metadata: { name: 'p' },
      spec: { kprobes: [{ call: 'security_capset', syscall: false, args: [{ index: 2, type: 'cap_effective' }],
        selectors: [{ matchArgs: [{ index: 2, operator: 'Mask', values: [value] }] }] }] },
    });
    expect(rules(policy('CAP_SYS_ADMIN, DAC_OVERRIDE'))).toStrictEqual([]);
    expect(rules(policy('0x200000'))).toStrictEqual([]);
    const [f] = rules(policy('CAP_SYS_ADMIN,CAP_DAC_OVERRIDE'));
    expect(f).toMatchObject({ ruleId: 'value-syntax', severity: 'error' });
    expect(f.message).toContain('DAC_OVERRIDE');
  });

  test('the CapabilitiesGained hint gives the order Tetragon reads: [old, new]', () => {
    const [f] = rules(kprobe({ call: 'security_capset', args: [{ index: 1, type: 'cap_effective' }], selectors: [{ matchArgs: [{ index: 1, operator: 'CapabilitiesGained' }] }] }));
    expect(f.message).toContain('args: [old, new]');
  });
});

describe('filters that load but can never match (BPF side)', () => {
  test('a 256-byte Prefix is accepted by Tetragon but BPF compares at most 255 bytes; 257 is refused', () => {
    const prefix = (op: string, bytes: number) => kprobe({ selectors: [{ matchArgs: [{ index: 0, operator: op, values: ['/' + 'a'.repeat(bytes - 1)] }] }] });
    const [f] = rules(prefix('Prefix', 256));
    expect(f).toMatchObject({ ruleId: 'never-matches', severity: 'warning', field: 'spec.kprobes[0].selectors[0].matchArgs[0].values[0]' });
    expect(f.message).toContain('Prefix loads but never matches: a 256-byte prefix');
    expect(rules(prefix('NotPrefix', 256))[0].message).toContain('NotPrefix loads but always holds');
    expect(rules(prefix('Prefix', 255))).toStrictEqual([]);
    expect(rules(prefix('Prefix', 257))[0]).toMatchObject({ ruleId: 'string-length', severity: 'error' });
    // matchBinaries prefixes too
    const bin = kprobe({ selectors: [{ matchBinaries: [{ operator: 'Prefix', values: ['/' + 'b'.repeat(255)] }] }] });
    expect(rules(bin).map((x) => x.ruleId)).toStrictEqual(['never-matches']);
  });

  test('Postfix on sockaddr_un loads (user space writes the map) but filter_sockaddr_un has no such case', () => {
    const unix = (op: string) => ({
      apiVersion: 'cilium.io/v1alpha1', kind: 'TracingPolicy', metadata: { name: 'p' },
      spec: { kprobes: [{ call: 'sys_connect', syscall: true, args: [{ index: 1, type: 'sockaddr_un' }], selectors: [{ matchArgs: [{ index: 1, operator: op, values: ['/run/containerd/containerd.sock'] }] }] }] },
    });
    expect(rules(unix('Postfix'))).toStrictEqual([expect.objectContaining({ ruleId: 'never-matches', field: 'spec.kprobes[0].selectors[0].matchArgs[0].operator' })]);
    expect(rules(unix('Prefix'))).toStrictEqual([]);
    expect(rules(unix('Equal'))).toStrictEqual([]);
  });
});

describe('dentry arguments (a path up to the root of their file system)', () => {
  const rename = (op: string) => ({
    apiVersion: 'cilium.io/v1alpha1', kind: 'TracingPolicy', metadata: { name: 'p' },
    spec: { kprobes: [{ call: 'security_path_rename', syscall: false, args: [{ index: 3, type: 'dentry' }], selectors: [{ matchArgs: [{ index: 3, operator: op, values: ['/etc/passwd'] }] }] }] },
  });
  test('Prefix and Postfix load (filter_file_buf handles dentry); Equal is refused by parseMatchArg', () => {
    expect(rules(rename('Postfix'))).toStrictEqual([]);
    expect(rules(rename('Prefix'))).toStrictEqual([]);
    const [f] = rules(rename('Equal'));
    expect(f).toMatchObject({ ruleId: 'operator-type', severity: 'error' });
    expect(f.message).toContain('MatchArgs type dentry unsupported');
  });
});
