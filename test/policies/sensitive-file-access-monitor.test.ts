import { SensitiveFileAccessMonitor } from '../../lib';
import { validateAgainstCrd } from '../../lib/private/crd-schema';
import { kprobe, newChart, policyNamed, synth } from '../support/synth';

function render(props = {}) {
  const chart = newChart();
  new SensitiveFileAccessMonitor(chart, 'Files', props);
  return policyNamed(synth(chart), 'sensitive-file-access-monitor');
}

const valuesOf = (selector: any) => selector.matchArgs.map((m: any) => [m.index, m.operator, m.values]);

describe('SensitiveFileAccessMonitor', () => {
  test('hooks opens, writes, mmaps and truncations on security_* functions with explicit types', () => {
    const policy = render();
    expect(policy.spec.kprobes.map((k: any) => [k.call, k.syscall, k.args.map((a: any) => a.type)])).toStrictEqual([
      ['security_file_open', false, ['file']],
      ['security_file_permission', false, ['file', 'int']],
      ['security_mmap_file', false, ['file', 'ulong']],
      ['security_path_truncate', false, ['path']],
      ['security_file_truncate', false, ['file']],
      ['security_path_rename', false, ['dentry', 'dentry']],
    ]);
    // the new name of a rename: Postfix on the watched files and suffixes, Prefix on the directories (not the tokens)
    const rename = kprobe(policy, 'security_path_rename');
    expect(rename.selectors.map(valuesOf)).toStrictEqual([
      [
        [
          3,
          'Postfix',
          [
            ...SensitiveFileAccessMonitor.DEFAULT_FILES,
            ...SensitiveFileAccessMonitor.DEFAULT_WRITE_ONLY_FILES,
            ...SensitiveFileAccessMonitor.DEFAULT_SUFFIXES,
          ],
        ],
      ],
      [[3, 'Prefix', [...SensitiveFileAccessMonitor.DEFAULT_PREFIXES]]],
    ]);
    // security_file_truncate exists from 6.2 only.
    expect(kprobe(policy, 'security_file_truncate').ignore).toStrictEqual({ callNotFound: true });
    expect(kprobe(policy, 'security_file_open').ignore).toBeUndefined();
    expect(validateAgainstCrd(policy)).toStrictEqual([]);
  });

  test('opens: Equal, Prefix and Postfix in separate selectors, covering both service-account token paths', () => {
    const open = kprobe(render(), 'security_file_open');
    expect(open.selectors.map(valuesOf)).toStrictEqual([
      [[0, 'Equal', ['/etc/shadow', '/etc/gshadow', '/etc/sudoers', '/etc/shadow-', '/etc/gshadow-']]],
      [
        [
          0,
          'Prefix',
          [
            '/etc/sudoers.d/',
            '/etc/ssh/ssh_host_',
            '/root/.ssh/',
            '/run/secrets/kubernetes.io/serviceaccount/',
            '/var/run/secrets/kubernetes.io/serviceaccount/',
          ],
        ],
      ],
      [
        [
          0,
          'Postfix',
          [
            '/.ssh/id_rsa',
            '/.ssh/id_dsa',
            '/.ssh/id_ecdsa',
            '/.ssh/id_ed25519',
            '/.ssh/id_ecdsa_sk',
            '/.ssh/id_ed25519_sk',
            '/.ssh/authorized_keys',
            '/.ssh/authorized_keys2',
          ],
        ],
      ],
    ]);
    expect(open.selectors.every((s: any) => s.matchActions[0].rateLimit === '1m')).toBe(true);
  });

  test('/etc/passwd and /etc/group are reported on writes only (MAY_WRITE bit), never on open', () => {
    const policy = render();
    const permission = kprobe(policy, 'security_file_permission');
    expect(permission.selectors.map(valuesOf)).toStrictEqual([
      [
        [0, 'Equal', ['/etc/passwd', '/etc/group']],
        [1, 'Mask', ['2']],
      ],
    ]);
    const opened = kprobe(policy, 'security_file_open').selectors.flatMap((s: any) => s.matchArgs.flatMap((m: any) => m.values));
    expect(opened).not.toContain('/etc/passwd');
    // Truncating them is still reported.
    expect(kprobe(policy, 'security_path_truncate').selectors[0].matchArgs[0].values).toContain('/etc/passwd');
  });

  test('lists extend, tokens can be left out, and trusted binaries narrow every selector', () => {
    const policy = render({
      files: [...SensitiveFileAccessMonitor.DEFAULT_FILES, '/etc/pam.conf'],
      watchServiceAccountTokens: false,
      trustedBinaries: ['/usr/sbin/backup-agent'],
    });
    const open = kprobe(policy, 'security_file_open');
    expect(open.selectors[0].matchArgs[0].values).toContain('/etc/pam.conf');
    expect(open.selectors[1].matchArgs[0].values).toStrictEqual(['/etc/sudoers.d/', '/etc/ssh/ssh_host_', '/root/.ssh/']);
    for (const hook of policy.spec.kprobes) {
      for (const selector of hook.selectors)
        expect(selector.matchBinaries).toStrictEqual([{ operator: 'NotIn', values: ['/usr/sbin/backup-agent'] }]);
    }
  });

  test('a relative path in the watch list fails with the field and the fix', () => {
    expect(() => render({ files: ['etc/shadow'] })).toThrow(
      /test\/Files\/Policy: invalid TracingPolicy[\s\S]*security_file_open\)\.selectors\[0\]\.matchArgs\[0\]\.values\[0\]: got "etc\/shadow"; file and path arguments are absolute paths/,
    );
  });
});
