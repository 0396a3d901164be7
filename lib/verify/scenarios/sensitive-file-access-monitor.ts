/**
 * sensitive-file-access-monitor: `security_file_open(file)`, `security_mmap_file(file, prot)` and the truncate
 * hooks on credential files, SSH keys and service-account tokens; `security_file_permission(file, mask)` with
 * MAY_WRITE on /etc/passwd and /etc/group. Paths are the kernel's d_path of the opened file (symlinks
 * followed). Every `write(2)` passes `security_file_permission` with MAY_WRITE (2) only, `O_APPEND` or not.
 */
import { SimulatedEvent, SimulatedProcess } from '../../simulate/event';
import { Scenario } from '../scenario';
import { MAY_READ, MAY_WRITE, family, file, kprobe, pathArg } from './private/support';

const open = (path: string, p: SimulatedProcess): SimulatedEvent => kprobe('security_file_open', [file(path)], p, { name: `open ${path}` });
const permission = (path: string, mask: number, p: SimulatedProcess): SimulatedEvent =>
  kprobe('security_file_permission', [file(path), mask], p, { name: `${mask === MAY_WRITE ? 'write' : 'read'} ${path}` });
/** `cat`: an open, then a read. */
const cat = (path: string, p: SimulatedProcess): SimulatedEvent[] => [open(path, p), permission(path, MAY_READ, p)];
/** An append or a write: the open, then the write. */
const write = (path: string, p: SimulatedProcess): SimulatedEvent[] => [open(path, p), permission(path, MAY_WRITE, p)];
/** O_TRUNC and ftruncate(2) reach security_path_truncate before Linux 6.2 and security_file_truncate from 6.2 on. */
const ftruncate = (path: string, p: SimulatedProcess): SimulatedEvent[] => [
  kprobe('security_path_truncate', [pathArg(path)], p, { name: `truncate ${path} (before 6.2)` }),
  kprobe('security_file_truncate', [file(path)], p, { name: `truncate ${path} (6.2 on)` }),
];

const TOKEN_DIR = '/run/secrets/kubernetes.io/serviceaccount';
const TOKEN_FILE = `${TOKEN_DIR}/..2026_05_04_08_00_02.123456789/token`;
const TOKEN_SETUP = [
  `mkdir -p ${TOKEN_DIR}/..2026_05_04_08_00_02.123456789 && echo vt-token > ${TOKEN_FILE}`,
  `ln -sfn ..2026_05_04_08_00_02.123456789 ${TOKEN_DIR}/..data && ln -sfn ..data/token ${TOKEN_DIR}/token`,
];
const DEV_KEYS = [
  'mkdir -p /home/dev/.ssh',
  'for f in id_ed25519 id_ed25519.pub known_hosts; do echo vt > /home/dev/.ssh/$f; done',
  'chown -R 1001:1001 /home/dev',
];
const RESTIC = { trustedBinaries: ['/usr/local/bin/restic'] };

export const SENSITIVE_FILE_ACCESS_MONITOR_SCENARIOS: Scenario[] = family('sensitive-file-access-monitor', {
  catch: [
    {
      id: 'cat-shadow',
      summary: '`cat /etc/shadow`',
      trigger: { argv: ['cat', '/etc/shadow'] },
      events: (p) => cat('/etc/shadow', p),
    },
    {
      id: 'shadow-through-proc-root',
      summary: "`cat /proc/self/root/etc/shadow`: d_path resolves the kernel's path to /etc/shadow",
      trigger: { argv: ['cat', '/proc/self/root/etc/shadow'] },
      events: (p) => cat('/etc/shadow', p),
    },
    {
      id: 'service-account-token',
      summary: 'Stealing the service-account token through the ..data symlink (resolved to the timestamped file)',
      trigger: { argv: ['cat', `${TOKEN_DIR}/token`], setup: TOKEN_SETUP },
      events: (p) => cat(TOKEN_FILE, p),
    },
    {
      id: 'plant-authorized-key',
      summary: 'Planting a key in a container: `echo key >> /root/.ssh/authorized_keys`',
      trigger: {
        argv: ['vt-file', 'append', '-p', '/root/.ssh/authorized_keys', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHZ0 vt'],
        place: 'container',
      },
      events: (p) => write('/root/.ssh/authorized_keys', p),
    },
    {
      id: 'copy-user-private-key',
      summary: "Copying a user's private key (~dev/.ssh/id_ed25519) as that user",
      trigger: { argv: ['cat', '/home/dev/.ssh/id_ed25519'], uid: 1001, setup: DEV_KEYS },
      events: (p) => cat('/home/dev/.ssh/id_ed25519', p),
    },
    {
      id: 'append-root-account',
      summary: 'Adding a root account by appending to /etc/passwd from a shell (`echo ... >> /etc/passwd`)',
      trigger: { argv: ['sh', '-c', 'echo "vt-backdoor:x:0:0::/root:/bin/sh" >> /etc/passwd'] },
      events: (p) => write('/etc/passwd', p),
    },
    {
      id: 'sudoers-drop-in',
      summary: 'A sudoers drop-in written by an attacker',
      trigger: { argv: ['vt-file', 'append', '-p', '/etc/sudoers.d/99-backdoor', 'ALL ALL=(ALL) NOPASSWD: ALL'] },
      events: (p) => write('/etc/sudoers.d/99-backdoor', p),
    },
    {
      id: 'mmap-shadow',
      summary: 'Mapping /etc/shadow into memory instead of reading it (PROT_READ, MAP_PRIVATE)',
      trigger: { argv: ['vt-file', 'mmap', '/etc/shadow'] },
      events: (p) => [
        open('/etc/shadow', p),
        kprobe('security_mmap_file', [file('/etc/shadow'), { kind: 'int', value: 1 }, { kind: 'int', value: 2 }], p),
      ],
    },
    {
      id: 'truncate-passwd',
      summary: 'truncate(2) of /etc/passwd (to its own length here: the call is what counts)',
      trigger: { argv: ['vt-file', 'truncate', '/etc/passwd', 'keep'] },
      events: (p) => [kprobe('security_path_truncate', [pathArg('/etc/passwd')], p)],
    },
    {
      id: 'ftruncate-shadow',
      summary: 'ftruncate(2) of /etc/shadow (to its own length)',
      trigger: { argv: ['vt-file', 'ftruncate', '/etc/shadow', 'keep'] },
      events: (p) => [open('/etc/shadow', p), ...ftruncate('/etc/shadow', p)],
    },
    {
      id: 'shadow-utils-replace-shadow',
      summary: 'chpasswd-style rewrite of /etc/shadow the shadow-utils way: read it, write /etc/shadow-, rename /etc/shadow+ over it',
      trigger: { argv: ['vt-file', 'replace', '/etc/shadow', 'vt-backdoor:!:19000::::::'] },
      events: (p) => [...cat('/etc/shadow', p), ...write('/etc/shadow-', p), ...write('/etc/shadow+', p)],
    },
    {
      id: 'shadow-utils-replace-passwd',
      summary: 'useradd/usermod/chsh changing /etc/passwd the shadow-utils way: write /etc/passwd+ and rename it over /etc/passwd',
      trigger: { argv: ['vt-file', 'replace', '/etc/passwd', 'vt-backdoor:x:0:0::/root:/bin/sh'] },
      events: (p) => [
        ...cat('/etc/passwd', p),
        ...write('/etc/passwd-', p),
        ...write('/etc/passwd+', p),
        // security_path_rename(old_dir, old_dentry, new_dir, new_dentry, flags): the new name is the account database.
        kprobe('security_path_rename', [pathArg('/etc'), file('/etc/passwd+'), pathArg('/etc'), file('/etc/passwd')], p, {
          name: 'rename /etc/passwd+ over /etc/passwd',
        }),
      ],
    },
    {
      id: 'untrusted-copy-of-trusted-name',
      summary: 'A binary named like a trusted one but elsewhere (/tmp/restic) reading /etc/shadow',
      trigger: { argv: ['vt-file', 'open', '/etc/shadow'], binaryPath: '/tmp/restic' },
      props: RESTIC,
      events: (p) => cat('/etc/shadow', p),
    },
    {
      id: 'shadow-without-token-watch',
      summary: '/etc/shadow is still reported with watchServiceAccountTokens: false',
      trigger: { argv: ['cat', '/etc/shadow'] },
      props: { watchServiceAccountTokens: false },
      events: (p) => cat('/etc/shadow', p),
    },
  ],
  ignore: [
    {
      id: 'read-passwd',
      summary: 'A daemon reading /etc/passwd for its worker user (MAY_READ)',
      trigger: { argv: ['cat', '/etc/passwd'] },
      events: (p) => cat('/etc/passwd', p),
    },
    {
      id: 'id-name-lookups',
      summary: '`id` opening /etc/passwd and /etc/group for name lookups, as uid 1000',
      trigger: { argv: ['id'], uid: 1000 },
      events: (p) => [...cat('/etc/passwd', p), ...cat('/etc/group', p)],
    },
    {
      id: 'public-key-and-known-hosts',
      summary: 'Reading a public key and known_hosts',
      trigger: { argv: ['cat', '/home/dev/.ssh/id_ed25519.pub', '/home/dev/.ssh/known_hosts'], uid: 1001, setup: DEV_KEYS },
      events: (p) => [...cat('/home/dev/.ssh/id_ed25519.pub', p), ...cat('/home/dev/.ssh/known_hosts', p)],
    },
    {
      id: 'hosts-and-backup-elsewhere',
      summary: '/etc/hosts and a shadow backup outside the watched paths',
      trigger: {
        argv: ['cat', '/etc/hosts', '/var/backups/shadow.bak'],
        setup: ['mkdir -p /var/backups && echo vt > /var/backups/shadow.bak'],
      },
      events: (p) => [...cat('/etc/hosts', p), ...cat('/var/backups/shadow.bak', p)],
    },
    {
      id: 'write-hostname',
      summary: 'A write to /etc/hostname',
      trigger: { argv: ['vt-file', 'rewrite', '/etc/hostname'], setup: ['[ -e /etc/hostname ] || echo verify > /etc/hostname'] },
      events: (p) => write('/etc/hostname', p),
    },
    {
      id: 'trusted-backup-agent',
      summary: 'The backup agent listed in trustedBinaries (/usr/local/bin/restic) reading /etc/shadow',
      trigger: { argv: ['vt-file', 'open', '/etc/shadow'], binaryPath: '/usr/local/bin/restic' },
      props: RESTIC,
      events: (p) => cat('/etc/shadow', p),
    },
    {
      id: 'token-without-token-watch',
      summary: 'A service-account token read with watchServiceAccountTokens: false',
      trigger: { argv: ['cat', `${TOKEN_DIR}/token`], setup: TOKEN_SETUP },
      props: { watchServiceAccountTokens: false },
      events: (p) => cat(TOKEN_FILE, p),
    },
  ],
});
