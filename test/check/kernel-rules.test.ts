/**
 * Kernel rules: syscall arguments against the syscall table (Tetragon's pkg/syscallinfo model), per-kernel feature
 * rules, and findings grouped over the kernel set.
 */
import { checkPolicy } from '../../lib/check';

const syscall = (call: string, args: object[], extra: object = {}) => ({
  apiVersion: 'cilium.io/v1alpha1',
  kind: 'TracingPolicy',
  metadata: { name: 'p' },
  spec: { kprobes: [{ call, syscall: true, args, ...extra }] },
});

describe('syscall arguments against the syscall table', () => {
  test('filename on sys_execve arg 0 reads a const char * as a struct filename: warned once, not per kernel', () => {
    const findings = checkPolicy(syscall('sys_execve', [{ index: 0, type: 'filename' }])).filter((f) => f.ruleId === 'kernel-arg-type');
    expect(findings).toHaveLength(1);
    expect(findings[0].kernels).toBeUndefined();
    expect(findings[0].message).toContain(
      'argument 0 (filename) is declared filename but sys_execve(const char *filename, const char *const *argv, const char *const *envp) has const char * there',
    );
    expect(findings[0].message).toContain('garbage');
    expect(checkPolicy(syscall('sys_execve', [{ index: 0, type: 'string' }])).filter((f) => f.severity !== 'info')).toStrictEqual([]);
  });

  test("syscalls that the kernels' BTF does not describe are checked too (connect: sockaddr at 1)", () => {
    expect(checkPolicy(syscall('sys_connect', [{ index: 1, type: 'sockaddr' }])).filter((f) => f.severity !== 'info')).toStrictEqual([]);
    const [f] = checkPolicy(syscall('sys_connect', [{ index: 1, type: 'file' }])).filter((x) => x.ruleId === 'kernel-arg-type');
    expect(f.message).toContain('struct sockaddr *');
    const [beyond] = checkPolicy(syscall('sys_connect', [{ index: 4, type: 'int' }])).filter((x) => x.ruleId === 'kernel-arg-index');
    expect(beyond.message).toContain('index 4 is beyond sys_connect(int fd, struct sockaddr *uservaddr, int addrlen)');
  });
});

describe('kernel features, per kernel', () => {
  const dup = {
    apiVersion: 'cilium.io/v1alpha1',
    kind: 'TracingPolicy',
    metadata: { name: 'dup' },
    spec: {
      kprobes: [
        { call: 'security_file_open', syscall: false, args: [{ index: 0, type: 'file' }] },
        { call: 'security_file_open', syscall: false, args: [{ index: 0, type: 'file' }] },
      ],
    },
  };

  test('the same call twice is an error only where kprobe_multi is used (Debian 13 and sid), named in one finding', () => {
    const [f, ...rest] = checkPolicy(dup).filter((x) => x.ruleId === 'duplicate-call');
    expect(rest).toStrictEqual([]);
    expect(f.kernels).toStrictEqual(['debian-13-6.12', 'debian-sid-7.2']);
    expect(f.message).toContain('kprobe_multi, which attaches each symbol once, is used on kernels debian-13-6.12, debian-sid-7.2');
    expect(checkPolicy(dup, { kernels: ['debian-12-6.1'] }).filter((x) => x.severity === 'error')).toStrictEqual([]);
    // disable-kprobe-multi lifts it everywhere
    const off = { ...dup, spec: { ...dup.spec, options: [{ name: 'disable-kprobe-multi', value: 'true' }] } };
    expect(checkPolicy(off).filter((x) => x.severity === 'error')).toStrictEqual([]);
  });

  test('more than 8 Postfix filters across the kprobes: an error only where kprobe_multi shares one program (refused by the real agent on sid)', () => {
    const calls = [
      'sys_unlinkat',
      'sys_renameat',
      'sys_renameat2',
      'sys_symlinkat',
      'sys_linkat',
      'sys_mkdirat',
      'sys_rmdir',
      'sys_truncate',
      'sys_chmod',
    ];
    const postfixes = (n: number) => ({
      apiVersion: 'cilium.io/v1alpha1',
      kind: 'TracingPolicy',
      metadata: { name: 'p' },
      spec: {
        kprobes: calls.slice(0, n).map((call) => ({
          call,
          syscall: true,
          args: [{ index: 0, type: 'string' }],
          selectors: [{ matchArgs: [{ index: 0, operator: 'Postfix', values: ['_history'] }] }],
        })),
      },
    });
    const slots = (p: unknown, kernels?: string[]) =>
      checkPolicy(p, kernels ? { kernels } : {}).filter((x) => x.ruleId === 'string-map-slots');
    const [f, ...rest] = slots(postfixes(9));
    expect(rest).toStrictEqual([]);
    expect(f.severity).toBe('error');
    expect(f.kernels).toStrictEqual(['debian-13-6.12', 'debian-sid-7.2']);
    expect(f.message).toContain('9 postfix filters');
    expect(slots(postfixes(8))).toStrictEqual([]);
    expect(slots(postfixes(9), ['debian-12-6.1'])).toStrictEqual([]);
    const off = postfixes(9);
    (off.spec as Record<string, unknown>).options = [{ name: 'disable-kprobe-multi', value: '1' }];
    expect(slots(off)).toStrictEqual([]);
  });

  test('Override on security_* without disable-kprobe-multi: same kernels; Override on a syscall: every Debian kernel', () => {
    const override = (call: string, sys: boolean) => ({
      apiVersion: 'cilium.io/v1alpha1',
      kind: 'TracingPolicy',
      metadata: { name: 'o' },
      spec: {
        podSelector: { matchLabels: { app: 'x' } },
        kprobes: [
          {
            call,
            syscall: sys,
            args: [{ index: 0, type: sys ? 'int' : 'file' }],
            selectors: [{ matchActions: [{ action: 'Override', argError: -1 }] }],
          },
        ],
      },
    });
    expect(
      checkPolicy(override('security_file_open', false))
        .filter((f) => f.severity === 'error')
        .map((f) => [f.ruleId, f.kernels]),
    ).toStrictEqual([['override-kprobe-multi', ['debian-13-6.12', 'debian-sid-7.2']]]);
    expect(
      checkPolicy(override('sys_dup', true))
        .filter((f) => f.severity === 'error')
        .map((f) => [f.ruleId, f.kernels]),
    ).toStrictEqual([['override-unsupported', ['debian-11-5.10', 'debian-12-6.1', 'debian-13-6.12', 'debian-sid-7.2']]]);
  });

  test('the oldest kernel of the set decides the Equal string limit (510 bytes before 5.11)', () => {
    const long = {
      apiVersion: 'cilium.io/v1alpha1',
      kind: 'TracingPolicy',
      metadata: { name: 'l' },
      spec: {
        kprobes: [
          {
            call: 'security_file_open',
            syscall: false,
            args: [{ index: 0, type: 'file' }],
            selectors: [{ matchArgs: [{ index: 0, operator: 'Equal', values: ['/' + 'a'.repeat(599)] }] }],
          },
        ],
      },
    };
    const [f] = checkPolicy(long).filter((x) => x.ruleId === 'string-length');
    expect(f.message).toContain('longer than the 510 bytes supported on kernels from 5.10');
    expect(checkPolicy(long, { kernels: ['debian-12-6.1'] }).filter((x) => x.ruleId === 'string-length')).toStrictEqual([]);
  });
});
