import { parseAllDocuments } from 'yaml';
import { checkPolicy } from '../../lib/check';
import { listReference, readReference } from '../support/reference';

const EXAMPLES = 'tetragon/v1.7.0/examples';
const load = (name: string) => parseAllDocuments(readReference(`${EXAMPLES}/${name}`)).map((d: any) => d.toJS())[0];
const brief = (name: string, ruleId?: string) =>
  checkPolicy(load(name))
    .filter((f) => !ruleId || f.ruleId === ruleId)
    .map((f) => `${f.severity} ${f.ruleId} ${f.kernels?.join(',') ?? '-'} ${f.field}`);

describe("Tetragon's own examples on the Debian kernels", () => {
  test('every example is checked without an exception, and most load everywhere', () => {
    // given all upstream example policies
    const files = listReference(EXAMPLES).filter((f) => /\.ya?ml$/.test(f));
    expect(files.length).toBeGreaterThan(50);
    // when each is checked on the bundled kernels
    const withErrors = files
      .filter((f) => checkPolicy(parseAllDocuments(readReference(f))[0].toJS()).some((x) => x.severity === 'error'))
      .map((f) => f.slice(EXAMPLES.length + 1));
    // then only the known-broken ones have errors
    expect(withErrors).toStrictEqual([
      'policylibrary/egress.yaml',
      'policylibrary/library.yaml', // its first document is the loader policy: 5.19+
      'policylibrary/privileges/privileges-raise.yaml',
      'policylibrary/privileges/privileges-setuid-root.yaml',
      'tracingpolicy/cves/cve-2023-2640-overlayfs-ubuntu.yaml',
      'tracingpolicy/dev_queue_xmit.yaml',
      'tracingpolicy/hardlink-override.yaml', // Override on a syscall: no Debian kernel has bpf_override_return
      'tracingpolicy/host-changes/monitor-signed-kernel-modules.yaml',
      'tracingpolicy/killer.yaml', // the enforcer on syscalls needs bpf_override_return or fmod_ret on syscalls
      'tracingpolicy/loader.yaml',
      'tracingpolicy/lsm_bprm_check.yaml',
      'tracingpolicy/modules-nohost.yaml',
      'tracingpolicy/override-security.yaml',
      'tracingpolicy/process-credentials/process-creds-changed.yaml',
      'tracingpolicy/security-socket-connect-block-others.yaml',
      'tracingpolicy/stack_traces.yaml',
      'tracingpolicy/symlink-override.yaml',
    ]);
  });

  test('dev_queue_xmit is gone from BTF since 6.12 (it became an inline wrapper)', () => {
    expect(brief('tracingpolicy/dev_queue_xmit.yaml', 'kernel-missing-function')).toStrictEqual([
      'error kernel-missing-function debian-13-6.12,debian-sid-7.2 spec.kprobes[0].call',
    ]);
  });

  test('override_creds and revert_creds are missing on 7.2 only', () => {
    expect(brief('tracingpolicy/process-credentials/process-creds-changed.yaml', 'kernel-missing-function')).toStrictEqual([
      'error kernel-missing-function debian-sid-7.2 spec.kprobes[1].call',
      'error kernel-missing-function debian-sid-7.2 spec.kprobes[2].call',
    ]);
  });

  test('kfree_skb_reason is missing on 5.10 (added in 5.17) and no longer in BTF on 6.12 and 7.2', () => {
    expect(brief('tracingpolicy/stack_traces.yaml', 'kernel-missing-function').map((s) => s.split(' ')[2])).toStrictEqual([
      'debian-11-5.10,debian-13-6.12,debian-sid-7.2',
    ]);
  });

  test('security_inode_copy_up_xattr gained a dentry first argument in 6.12: the string arg now reads a struct', () => {
    const findings = checkPolicy(load('tracingpolicy/cves/cve-2023-2640-overlayfs-ubuntu.yaml'));
    const types = findings.filter((f) => f.ruleId === 'kernel-arg-type');
    expect(types.map((f) => f.kernels)).toStrictEqual([['debian-13-6.12', 'debian-sid-7.2']]);
    expect(types[0].message).toContain('struct dentry *');
    expect(types[0].message).toContain('garbage');
    // and the Override on a security_* function needs kprobe_multi disabled, which only 6.12 and 7.2 use
    const multi = findings.filter((f) => f.ruleId === 'override-kprobe-multi');
    expect(multi.map((f) => f.kernels)).toStrictEqual([['debian-13-6.12', 'debian-sid-7.2']]);
    expect(multi[0].message).toContain('kprobe_multi is used on kernels debian-13-6.12, debian-sid-7.2');
  });

  test('security_bpf_map_alloc / security_bpf_map_create are skipped where missing, thanks to ignore.callNotFound', () => {
    expect(brief('policylibrary/bpf.yaml', 'kernel-ignored-missing')).toStrictEqual([
      'info kernel-ignored-missing debian-13-6.12,debian-sid-7.2 spec.kprobes[2].call',
      'info kernel-ignored-missing debian-11-5.10,debian-12-6.1 spec.kprobes[3].call',
    ]);
  });

  test('security_mmap_file prot is unsigned long, declared uint32 (Tetragon warns too)', () => {
    const f = brief('tracingpolicy/filename_monitoring.yaml', 'kernel-arg-type');
    expect(f).toStrictEqual([
      'warning kernel-arg-type debian-11-5.10,debian-12-6.1,debian-13-6.12,debian-sid-7.2 spec.kprobes[1].args[1].type',
    ]);
  });

  test('fine examples pass clean: sys_setuid, tcp-connect-only-local-addrs, lsm_file_open', () => {
    expect(brief('tracingpolicy/sys_setuid.yaml').filter((s) => !s.startsWith('info'))).toStrictEqual([]);
    // Debian 11 builds the BPF LSM but leaves it out of its default LSM list
    expect(brief('tracingpolicy/lsm_file_open.yaml')).toStrictEqual(['warning lsm-not-default debian-11-5.10 spec.lsmhooks[0].hook']);
    // it kills non-local connections, so the checker points out that it enforces; and it lists 127.0.0.1 without
    // ::ffff:127.0.0.1, so a dual-stack client connecting to the IPv4 loopback is killed too
    expect(brief('tracingpolicy/tcp-connect-only-local-addrs.yaml')).toStrictEqual([
      'warning ipv4-mapped - spec.kprobes[0].selectors[0].matchArgs[0].values',
      'info enforcing-policy - spec.options',
    ]);
  });

  test('kernel features decide: Override on a syscall fails on every Debian kernel, the loader before 5.19', () => {
    expect(brief('tracingpolicy/symlink-override.yaml', 'override-unsupported')).toStrictEqual([
      'error override-unsupported debian-11-5.10,debian-12-6.1,debian-13-6.12,debian-sid-7.2 spec.kprobes[0].selectors[0].matchActions[0]',
    ]);
    expect(brief('tracingpolicy/loader.yaml')).toStrictEqual(['error loader-kernel debian-11-5.10 spec.loader']);
    // the enforcer falls back to fmod_ret on syscalls, which needs CONFIG_FUNCTION_ERROR_INJECTION (off on Debian too)
    expect(brief('tracingpolicy/killer.yaml', 'enforcer-unsupported')).toHaveLength(1);
  });
});
