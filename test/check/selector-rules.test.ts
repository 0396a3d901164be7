/**
 * Selector rules modelled on Tetragon v1.7.0's parser (pkg/selectors/kernel.go) and its BPF side
 * (bpf/process/types/basic.h), each with the value or spelling that tells Tetragon's behaviour apart.
 */
import { checkPolicy } from '../../lib/check';

const kprobe = (hook: object) => ({
  apiVersion: 'cilium.io/v1alpha1',
  kind: 'TracingPolicy',
  metadata: { name: 'p' },
  spec: { kprobes: [{ call: 'security_file_open', syscall: false, args: [{ index: 0, type: 'file' }], ...hook }] },
});
const rules = (policy: unknown) => checkPolicy(policy, { skipKernelChecks: true }).filter((f) => f.severity !== 'info');

describe('capability names as Tetragon spells them (its protobuf enum CapabilitiesType)', () => {
  const caps = (values: string[], field = 'matchCapabilities') =>
    kprobe({ selectors: [{ [field]: [{ type: 'Effective', operator: 'In', values }] }] });

  test('CAP_DAC_OVERRIDE is refused, and the message says how Tetragon spells it', () => {
    const [f] = rules(caps(['CAP_DAC_OVERRIDE']));
    expect(f).toMatchObject({
      ruleId: 'match-capabilities',
      severity: 'error',
      field: 'spec.kprobes[0].selectors[0].matchCapabilities[0].values[0]',
    });
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
      apiVersion: 'cilium.io/v1alpha1',
      kind: 'TracingPolicy',
      metadata: { name: 'p' },
      spec: {
        kprobes: [
          {
            call: 'security_capset',
            syscall: false,
            args: [{ index: 2, type: 'cap_effective' }],
            selectors: [{ matchArgs: [{ index: 2, operator: 'Mask', values: [value] }] }],
          },
        ],
      },
    });
    expect(rules(policy('CAP_SYS_ADMIN, DAC_OVERRIDE'))).toStrictEqual([]);
    expect(rules(policy('0x200000'))).toStrictEqual([]);
    const [f] = rules(policy('CAP_SYS_ADMIN,CAP_DAC_OVERRIDE'));
    expect(f).toMatchObject({ ruleId: 'value-syntax', severity: 'error' });
    expect(f.message).toContain('DAC_OVERRIDE');
  });

  test('the CapabilitiesGained hint gives the order Tetragon reads: [old, new]', () => {
    const [f] = rules(
      kprobe({
        call: 'security_capset',
        args: [{ index: 1, type: 'cap_effective' }],
        selectors: [{ matchArgs: [{ index: 1, operator: 'CapabilitiesGained' }] }],
      }),
    );
    expect(f.message).toContain('args: [old, new]');
  });
});

describe('filters that load but can never match (BPF side)', () => {
  test('a 256-byte Prefix is accepted by Tetragon but BPF compares at most 255 bytes; 257 is refused', () => {
    const prefix = (op: string, bytes: number) =>
      kprobe({ selectors: [{ matchArgs: [{ index: 0, operator: op, values: ['/' + 'a'.repeat(bytes - 1)] }] }] });
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
      apiVersion: 'cilium.io/v1alpha1',
      kind: 'TracingPolicy',
      metadata: { name: 'p' },
      spec: {
        kprobes: [
          {
            call: 'sys_connect',
            syscall: true,
            args: [{ index: 1, type: 'sockaddr_un' }],
            selectors: [{ matchArgs: [{ index: 1, operator: op, values: ['/run/containerd/containerd.sock'] }] }],
          },
        ],
      },
    });
    expect(rules(unix('Postfix'))).toStrictEqual([
      expect.objectContaining({ ruleId: 'never-matches', field: 'spec.kprobes[0].selectors[0].matchArgs[0].operator' }),
    ]);
    expect(rules(unix('Prefix'))).toStrictEqual([]);
    expect(rules(unix('Equal'))).toStrictEqual([]);
  });
});

describe('dentry arguments (a path up to the root of their file system)', () => {
  const rename = (op: string) => ({
    apiVersion: 'cilium.io/v1alpha1',
    kind: 'TracingPolicy',
    metadata: { name: 'p' },
    spec: {
      kprobes: [
        {
          call: 'security_path_rename',
          syscall: false,
          args: [{ index: 3, type: 'dentry' }],
          selectors: [{ matchArgs: [{ index: 3, operator: op, values: ['/etc/passwd'] }] }],
        },
      ],
    },
  });
  test('Prefix and Postfix load (filter_file_buf handles dentry); Equal is refused by parseMatchArg', () => {
    expect(rules(rename('Postfix'))).toStrictEqual([]);
    expect(rules(rename('Prefix'))).toStrictEqual([]);
    const [f] = rules(rename('Equal'));
    expect(f).toMatchObject({ ruleId: 'operator-type', severity: 'error' });
    expect(f.message).toContain('MatchArgs type dentry unsupported');
  });
});

describe('values Tetragon parses per type and operator (writeMatchValuesRange, writeRangeInMap, ParseMatchNamespaceChange)', () => {
  const setns = (matchArgs: object[], type = 'int') => ({
    apiVersion: 'cilium.io/v1alpha1',
    kind: 'TracingPolicy',
    metadata: { name: 'p' },
    spec: { kprobes: [{ call: 'sys_setns', syscall: true, args: [{ index: 1, type }], selectors: [{ matchArgs }] }] },
  });

  test('InRange bounds beyond 32 bits are refused on 32-bit types ("range out of range") and taken on 64-bit ones', () => {
    const range = (type: string, value: string) => rules(setns([{ index: 1, operator: 'InRange', values: [value] }], type));
    expect(range('int', '0:4294967295')).toStrictEqual([]);
    const [f] = range('int', '0:4294967296');
    expect(f).toMatchObject({ ruleId: 'value-syntax', severity: 'error', field: 'spec.kprobes[0].selectors[0].matchArgs[0].values[0]' });
    expect(f.message).toContain('exceeds 32 bits');
    expect(range('uint16', '0:0x100000000')[0].ruleId).toBe('value-syntax');
    expect(range('uint64', '0:4294967296')).toStrictEqual([]);
  });

  test("Family, Protocol and State names are Tetragon's, spelled exactly: AF_LOCAL and af_inet are refused", () => {
    const connect = (operator: string, values: string[]) => ({
      apiVersion: 'cilium.io/v1alpha1',
      kind: 'TracingPolicy',
      metadata: { name: 'p' },
      spec: {
        kprobes: [
          {
            call: 'tcp_connect',
            syscall: false,
            args: [{ index: 0, type: 'sock' }],
            selectors: [{ matchArgs: [{ index: 0, operator, values }] }],
          },
        ],
      },
    });
    expect(rules(connect('Family', ['AF_INET', 'AF_INET6', 'AF_DECnet', '10']))).toStrictEqual([]);
    expect(rules(connect('Protocol', ['IPPROTO_TCP', 'IPPROTO_MPTCP']))).toStrictEqual([]);
    expect(rules(connect('State', ['TCP_SYN_SENT']))).toStrictEqual([]);
    expect(rules(connect('Family', ['AF_LOCAL'])).map((f) => f.ruleId)).toStrictEqual(['value-syntax']);
    expect(rules(connect('Family', ['af_inet'])).map((f) => f.ruleId)).toStrictEqual(['value-syntax']);
    expect(rules(connect('Protocol', ['IPPROTO_QUIC'])).map((f) => f.ruleId)).toStrictEqual(['value-syntax']);
  });

  test('matchNamespaceChanges values name namespaces (any case); other names are refused', () => {
    const changes = (values: string[]) => kprobe({ selectors: [{ matchNamespaceChanges: [{ operator: 'In', values }] }] });
    expect(rules(changes(['Mnt', 'net', 'PidForChildren']))).toStrictEqual([]);
    const [f] = rules(changes(['Mnt', 'Network']));
    expect(f).toMatchObject({
      ruleId: 'match-namespace-changes',
      severity: 'error',
      field: 'spec.kprobes[0].selectors[0].matchNamespaceChanges[0].values[1]',
    });
    expect(f.message).toContain('"Network" is not a namespace Tetragon knows');
  });

  test('GreaterThan is read as GT, and messages quote the operator as written', () => {
    expect(rules(setns([{ index: 1, operator: 'GreaterThan', values: ['0x10'] }]))).toStrictEqual([]);
    const [f] = rules(setns([{ index: 1, operator: 'GreaterThan', values: ['1', '2', '3', '4', '5'] }]));
    expect(f).toMatchObject({ ruleId: 'max-values' });
    expect(f.message).toContain('GreaterThan on int has 5 values');
  });

  test('a lowercase operator is a schema error and no other rule runs on it', () => {
    expect(rules(setns([{ index: 1, operator: 'gt', values: ['x'] }])).map((f) => f.ruleId)).toStrictEqual(['crd-schema']);
  });
});

describe('lists', () => {
  test('a call naming a list that spec.lists does not define is refused (list-not-found)', () => {
    const policy = (call: string) => ({
      apiVersion: 'cilium.io/v1alpha1',
      kind: 'TracingPolicy',
      metadata: { name: 'p' },
      spec: { lists: [{ name: 'dups', type: 'syscalls', values: ['sys_dup', 'sys_dup2'] }], kprobes: [{ call, syscall: true }] },
    });
    expect(rules(policy('list:dups'))).toStrictEqual([]);
    const [f] = rules(policy('list:dup'));
    expect(f).toMatchObject({ ruleId: 'list-not-found', severity: 'error', field: 'spec.kprobes[0].call' });
    expect(f.message).toContain('list:dup names a list that spec.lists does not define');
  });
});

describe('enforcing actions (HasEnforcementAction: Sigkill, Signal, Override, NotifyEnforcer, Set)', () => {
  const usdt = (actions: object[], options?: object[]) => ({
    apiVersion: 'cilium.io/v1alpha1',
    kind: 'TracingPolicy',
    metadata: { name: 'p' },
    spec: {
      ...(options ? { options } : {}),
      usdts: [
        {
          path: '/usr/bin/app',
          provider: 'app',
          name: 'probe',
          args: [{ index: 0, type: 'int32' }],
          selectors: [{ matchActions: actions }],
        },
      ],
    },
  });
  const ids = (p: unknown) => checkPolicy(p, { skipKernelChecks: true }).map((f) => f.ruleId);

  test('Set enforces: the policy is said to enforce, and policy-mode enforce on it is not a mistake', () => {
    expect(ids(usdt([{ action: 'Set', argIndex: 0, argValue: 32 }]))).toStrictEqual(['enforcing-policy']);
    expect(ids(usdt([{ action: 'Set', argIndex: 0, argValue: 32 }], [{ name: 'policy-mode', value: 'enforce' }]))).toStrictEqual([
      'enforcing-policy',
    ]);
    expect(ids(usdt([{ action: 'Post' }], [{ name: 'policy-mode', value: 'enforce' }]))).toStrictEqual(['policy-mode-without-enforcement']);
  });
});
