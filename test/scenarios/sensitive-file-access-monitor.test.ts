/**
 * sensitive-file-access-monitor: credential files, SSH keys and service-account tokens.
 * Hooks get the kernel's arguments: security_file_open(file), security_file_permission(file, mask)
 * with MAY_WRITE = 2 and MAY_READ = 4, security_mmap_file(file, prot, flags), security_path_truncate(path).
 */
import { SensitiveFileAccessMonitor } from '../../lib/policies/sensitive-file-access-monitor';
import { SimulatedEvent, hostProcess, podProcess, synthPolicy } from './_support';

const policy = synthPolicy((chart) => new SensitiveFileAccessMonitor(chart, 'files'));
const open = (path: string, process = podProcess('/usr/bin/cat'), fileType?: 'reg' | 'dir'): SimulatedEvent => ({
  name: `open ${path}`,
  hook: 'kprobe:security_file_open',
  args: [{ kind: 'file', path, ...(fileType ? { fileType } : {}) }],
  process,
});
const permission = (path: string, mask: number, process = podProcess('/usr/bin/cat')): SimulatedEvent => ({
  name: `${mask === 2 ? 'write' : 'read'} ${path}`,
  hook: 'kprobe:security_file_permission',
  args: [
    { kind: 'file', path },
    { kind: 'int', value: mask },
  ],
  process,
});

describe('sensitive-file-access-monitor catches', () => {
  test('an attacker in a pod running `cat /etc/shadow`', () => {
    expect(policy).toMatchEvent(open('/etc/shadow'));
  });

  test("`cat /proc/self/root/etc/shadow`: d_path resolves the kernel's path to /etc/shadow", () => {
    expect(policy).toMatchEvent(open('/etc/shadow', podProcess('/usr/bin/cat', { arguments: '/proc/self/root/etc/shadow' })));
  });

  test('stealing the service-account token through the ..data symlink (resolved to the timestamped file)', () => {
    expect(policy).toMatchEvent(
      open('/run/secrets/kubernetes.io/serviceaccount/..2026_05_04_08_00_02.123456789/token', podProcess('/usr/bin/curl')),
    );
  });

  test('planting a key: `echo key >> /root/.ssh/authorized_keys` opens under /root/.ssh/', () => {
    expect(policy).toMatchEvent(open('/root/.ssh/authorized_keys', podProcess('/bin/busybox', { binary: '/bin/sh', exe: '/bin/busybox' })));
  });

  test("copying a user's private key (`scp ~dev/.ssh/id_ed25519`)", () => {
    expect(policy).toMatchEvent(open('/home/dev/.ssh/id_ed25519', hostProcess('/usr/bin/scp', { uid: 1001 })));
  });

  test('adding a root account: a write (MAY_WRITE = 2) to /etc/passwd', () => {
    expect(policy).toMatchEvent(permission('/etc/passwd', 2, podProcess('/bin/sh', { exe: '/usr/bin/dash' })));
  });

  test('a sudoers drop-in written by an attacker', () => {
    expect(policy).toMatchEvent(open('/etc/sudoers.d/99-backdoor', hostProcess('/usr/bin/tee')));
  });

  test('mapping /etc/shadow into memory instead of reading it', () => {
    expect(policy).toMatchEvent({
      hook: 'kprobe:security_mmap_file',
      args: [
        { kind: 'file', path: '/etc/shadow' },
        { kind: 'int', value: 1 },
        { kind: 'int', value: 2 },
      ],
      process: podProcess('/usr/bin/python3'),
    });
  });

  test('truncating /etc/passwd (`: > /etc/passwd` on a kernel with security_path_truncate)', () => {
    expect(policy).toMatchEvent({
      hook: 'kprobe:security_path_truncate',
      args: [{ kind: 'path', path: '/etc/passwd' }],
      process: podProcess('/bin/sh'),
    });
  });
});

describe('sensitive-file-access-monitor catches replacement by rename (no write to the file itself)', () => {
  const rename = (from: string, to: string, process = hostProcess('/usr/sbin/useradd')): SimulatedEvent => ({
    name: `rename ${from} -> ${to}`,
    hook: 'kprobe:security_path_rename',
    args: { 1: from, 3: to },
    process,
  });

  test('`useradd` writing /etc/passwd+ and renaming it over /etc/passwd (shadow-utils), and /etc/shadow+ likewise', () => {
    expect(policy).toMatchEvent(rename('/etc/passwd+', '/etc/passwd'));
    expect(policy).toMatchEvent(rename('/etc/shadow+', '/etc/shadow', podProcess('/usr/sbin/chpasswd')));
  });

  test('an editor saving authorized_keys through a temporary file, and visudo installing /etc/sudoers.d/ rules', () => {
    expect(policy).toMatchEvent(rename('/root/.ssh/.authorized_keys.swp', '/root/.ssh/authorized_keys', podProcess('/usr/bin/vim')));
    expect(policy).toMatchEvent(rename('/etc/sudoers.d/ops.tmp', '/etc/sudoers.d/ops', hostProcess('/usr/sbin/visudo')));
  });

  test('but not renames of other files (a log rotated, a package file installed)', () => {
    expect(policy).not.toMatchEvent(rename('/var/log/syslog', '/var/log/syslog.1', hostProcess('/usr/sbin/logrotate')));
    expect(policy).not.toMatchEvent(rename('/etc/passwd', '/etc/passwd-', hostProcess('/usr/sbin/useradd')));
  });
});

describe('sensitive-file-access-monitor stays quiet for', () => {
  test('nginx reading /etc/passwd for its worker user (MAY_READ = 4)', () => {
    expect(policy).not.toMatchEvent(permission('/etc/passwd', 4, podProcess('/usr/sbin/nginx')));
  });

  test('`id` opening /etc/passwd and /etc/group for name lookups', () => {
    expect(policy).not.toMatchEvent(open('/etc/passwd', podProcess('/usr/bin/id', { uid: 1000 })));
    expect(policy).not.toMatchEvent(open('/etc/group', podProcess('/usr/bin/id', { uid: 1000 })));
  });

  test('reading a public key or known_hosts', () => {
    expect(policy).not.toMatchEvent(open('/home/dev/.ssh/id_ed25519.pub', hostProcess('/usr/bin/ssh-copy-id', { uid: 1001 })));
    expect(policy).not.toMatchEvent(open('/home/dev/.ssh/known_hosts', hostProcess('/usr/bin/ssh', { uid: 1001 })));
  });

  test('resolv.conf, hosts and a shadow backup elsewhere', () => {
    expect(policy).not.toMatchEvent(open('/etc/resolv.conf'));
    expect(policy).not.toMatchEvent(open('/etc/hosts'));
    expect(policy).not.toMatchEvent(open('/var/backups/shadow.bak'));
  });

  test('a write to /etc/hostname', () => {
    expect(policy).not.toMatchEvent(permission('/etc/hostname', 2));
  });
});

describe('sensitive-file-access-monitor narrowing', () => {
  test("trustedBinaries silences the backup agent but not an attacker's cat", () => {
    const narrowed = synthPolicy((chart) => new SensitiveFileAccessMonitor(chart, 'files', { trustedBinaries: ['/usr/local/bin/restic'] }));
    expect(narrowed).not.toMatchEvent(open('/etc/shadow', hostProcess('/usr/local/bin/restic')));
    expect(narrowed).toMatchEvent(open('/etc/shadow', hostProcess('/usr/bin/cat')));
    // A trusted name on another path is not trusted: matchBinaries compares the resolved executable.
    expect(narrowed).toMatchEvent(open('/etc/shadow', podProcess('/tmp/restic')));
  });

  test('watchServiceAccountTokens: false stops token reads but still catches /etc/shadow', () => {
    const quiet = synthPolicy((chart) => new SensitiveFileAccessMonitor(chart, 'files', { watchServiceAccountTokens: false }));
    expect(quiet).not.toMatchEvent(open('/var/run/secrets/kubernetes.io/serviceaccount/token', podProcess('/coredns')));
    expect(quiet).toMatchEvent(open('/etc/shadow'));
  });
});
