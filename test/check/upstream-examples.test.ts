import { parseAllDocuments } from 'yaml';
import { checkPolicy } from '../../lib/check';
import { listReference, readReference } from '../support/reference';

const EXAMPLES = 'tetragon/v1.7.0/examples';
const load = (name: string) => parseAllDocuments(readReference(`${EXAMPLES}/${name}`)).map((d: any) => d.toJS())[0];
const brief = (name: string, ruleId?: string) => checkPolicy(load(name))
  .filter((f) => !ruleId || f.ruleId === ruleId)
  .map((f) => `${f.severity} ${f.ruleId} ${f.kernel ?? '-'} ${f.field}`);

describe("Tetragon's own examples on the Debian kernels", () => {
  test('every example is checked without an exception, and most load everywhere', () => {
    // given all upstream example policies
    const files = listReference(EXAMPLES).filter((f) => /\.ya?ml$/.test(f));
    expect(files.length).toBeGreaterThan(50);
    // when each is checked on the bundled kernels
    const withErrors = files.filter((f) => checkPolicy(parseAllDocuments(readReference(f))[0].toJS())
      .some((x) => x.severity === 'error')).map((f) => f.slice(EXAMPLES.length + 1));
    // then only the known-broken ones have errors
    expect(withErrors).toStrictEqual([
      'policylibrary/egress.yaml',
      'policylibrary/privileges/privileges-raise.yaml',
      'policylibrary/privileges/privileges-setuid-root.yaml',
      'tracingpolicy/cves/cve-2023-2640-overlayfs-ubuntu.yaml',
      'tracingpolicy/dev_queue_xmit.yaml',
      'tracingpolicy/host-changes/monitor-signed-kernel-modules.yaml',
      'tracingpolicy/lsm_bprm_check.yaml',
      'tracingpolicy/modules-nohost.yaml',
      'tracingpolicy/override-security.yaml',
      'tracingpolicy/process-credentials/process-creds-changed.yaml',
      'tracingpolicy/security-socket-connect-block-others.yaml',
      'tracingpolicy/stack_traces.yaml',
    ]);
  });

  test('dev_queue_xmit is gone from BTF since 6.12 (it became an inline wrapper)', () => {
    expect(brief('tracingpolicy/dev_queue_xmit.yaml', 'kernel-missing-function')).toStrictEqual([
      'error kernel-missing-function debian-13-6.12 spec.kprobes[0].call',
      'error kernel-missing-function debian-sid-7.2 spec.kprobes[0].call',
    ]);
  });

  test('override_creds and revert_creds are missing on 7.2 only', () => {
    expect(brief('tracingpolicy/process-credentials/process-creds-changed.yaml', 'kernel-missing-function')).toStrictEqual([
      'error kernel-missing-function debian-sid-7.2 spec.kprobes[1].call',
      'error kernel-missing-function debian-sid-7.2 spec.kprobes[2].call',
    ]);
  });

  test('kfree_skb_reason is missing on 5.10 (added in 5.17) and no longer in BTF on 6.12 and 7.2', () => {
    expect(brief('tracingpolicy/stack_traces.yaml', 'kernel-missing-function').map((s) => s.split(' ')[2]))
      .toStrictEqual(['debian-11-5.10', 'debian-13-6.12', 'debian-sid-7.2']);
  });

  test('security_inode_copy_up_xattr gained a dentry first argument in 6.12: the string arg now reads a struct', () => {
    const findings = checkPolicy(load('tracingpolicy/cves/cve-2023-2640-overlayfs-ubuntu.yaml'));
    const types = findings.filter((f) => f.ruleId === 'kernel-arg-type');
    expect(types.map((f) => f.kernel)).toStrictEqual(['debian-13-6.12', 'debian-sid-7.2']);
    expect(types[0].message).toContain('struct dentry *');
    expect(types[0].message).toContain('garbage');
    // and the Override on a security_* function needs kprobe_multi disabled
    expect(findings.filter((f) => f.ruleId === 'override-kprobe-multi')).toHaveLength(1);
  });

  test('security_bpf_map_alloc / security_bpf_map_create are skipped where missing, thanks to ignore.callNotFound', () => {
    expect(brief('policylibrary/bpf.yaml', 'kernel-ignored-missing')).toStrictEqual([
      'info kernel-ignored-missing debian-13-6.12 spec.kprobes[2].call',
      'info kernel-ignored-missing debian-sid-7.2 spec.kprobes[2].call',
      'info kernel-ignored-missing debian-11-5.10 spec.kprobes[3].call',
      'info kernel-ignored-missing debian-12-6.1 spec.kprobes[3].call',
    ]);
  });

  test('security_mmap_file prot is unsigned long, declared uint32 (Tetragon warns too)', () => {
    const f = brief('tracingpolicy/filename_monitoring.yaml', 'kernel-arg-type');
    expect(f).toHaveLength(4);
    expect(f[0]).toBe('warning kernel-arg-type debian-11-5.10 spec.kprobes[1].args[1].type');
  });

  test('fine examples pass clean: sys_setuid, tcp-connect-only-local-addrs, lsm_file_open', () => {
    expect(brief('tracingpolicy/sys_setuid.yaml').filter((s) => !s.startsWith('info'))).toStrictEqual([]);
    expect(brief('tracingpolicy/lsm_file_open.yaml')).toStrictEqual([]);
    // it kills non-local connections, so the checker points out that it enforces
    expect(brief('tracingpolicy/tcp-connect-only-local-addrs.yaml')).toStrictEqual(['info enforcing-policy - spec.options']);
  });
});
