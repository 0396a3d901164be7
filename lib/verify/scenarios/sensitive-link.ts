/**
 * sensitive-link: `security_inode_symlink(dir, dentry, old_name)` with the link's target Equal to a credential
 * file or sensitive directory, and `sys_linkat`/`sys_link` with the hardlink's source Equal to a credential
 * file. The link syscalls are hooked at their entry, so a hardlink refused later (EXDEV, EPERM) is reported.
 */
import { SimulatedEvent, SimulatedProcess } from '../../simulate/event';
import { Scenario } from '../scenario';
import { AT_FDCWD, family, kprobe, str, sys } from './private/support';

const symlink = (target: string, p: SimulatedProcess): SimulatedEvent =>
  kprobe('security_inode_symlink', [null, null, str(target)], p, { name: `symlink to ${target}` });
const linkat = (oldname: string, newname: string, p: SimulatedProcess): SimulatedEvent =>
  kprobe(sys('linkat'), [AT_FDCWD, str(oldname), AT_FDCWD, str(newname), 0], p, { name: `linkat ${oldname}` });
const link = (oldname: string, newname: string, p: SimulatedProcess): SimulatedEvent =>
  kprobe(sys('link'), [str(oldname), str(newname)], p, { name: `link ${oldname}` });

export const SENSITIVE_LINK_SCENARIOS: Scenario[] = family('sensitive-link', {
  catch: [
    {
      id: 'symlink-shadow',
      summary: '`ln -s /etc/shadow /tmp/vt-shadow` in a pod',
      trigger: { argv: ['ln', '-sf', '/etc/shadow', '/tmp/vt-shadow'], place: 'container' },
      events: (p) => [symlink('/etc/shadow', p)],
    },
    {
      id: 'symlink-root-directory',
      summary: 'A symlink to /root on the node',
      trigger: { argv: ['ln', '-sf', '/root', '/tmp/vt-root'] },
      events: (p) => [symlink('/root', p)],
    },
    {
      id: 'symlinkat-shadow',
      summary: 'symlinkat(2) to /etc/shadow (as coreutils ln does)',
      trigger: { argv: ['vt-file', 'symlinkat', '/etc/shadow', '/tmp/vt-shadow-at'], setup: ['rm -f /tmp/vt-shadow-at'] },
      events: (p) => [symlink('/etc/shadow', p)],
    },
    {
      id: 'hardlink-shadow',
      summary: 'A hardlink of /etc/shadow with linkat(2)',
      trigger: { argv: ['vt-file', 'linkat', '/etc/shadow', '/tmp/vt-shadow-hard'] },
      events: (p) => [linkat('/etc/shadow', '/tmp/vt-shadow-hard', p)],
    },
    {
      id: 'hardlink-sudoers-legacy',
      summary: 'A hardlink of /etc/sudoers with link(2)',
      trigger: { argv: ['vt-file', 'link', '/etc/sudoers', '/tmp/vt-sudoers-hard'] },
      events: (p) => [link('/etc/sudoers', '/tmp/vt-sudoers-hard', p)],
    },
  ],
  ignore: [
    {
      id: 'alternatives-symlink',
      summary: 'update-alternatives linking an interpreter',
      trigger: { argv: ['ln', '-sf', '/usr/bin/python3.12', '/tmp/vt-python3'] },
      events: (p) => [symlink('/usr/bin/python3.12', p)],
    },
    {
      id: 'library-symlink',
      summary: 'A relative library symlink (libssl.so.3)',
      trigger: { argv: ['ln', '-sf', 'libssl.so.3', '/tmp/vt-libssl.so'], place: 'container' },
      events: (p) => [symlink('libssl.so.3', p)],
    },
    {
      id: 'config-symlink',
      summary: 'Enabling a web server site (a symlink into /etc/nginx)',
      trigger: { argv: ['ln', '-sf', '/etc/nginx/sites-available/default', '/tmp/vt-site'], place: 'container' },
      events: (p) => [symlink('/etc/nginx/sites-available/default', p)],
    },
    {
      id: 'hardlink-data',
      summary: 'A hardlink of an application file',
      trigger: {
        argv: ['vt-file', 'linkat', '/var/lib/app/data.db', '/tmp/vt-data.db'],
        setup: ['mkdir -p /var/lib/app && echo vt > /var/lib/app/data.db'],
      },
      events: (p) => [linkat('/var/lib/app/data.db', '/tmp/vt-data.db', p)],
    },
    {
      id: 'hardlink-lookalike',
      summary: 'A hardlink of /etc/shadow-backup (not /etc/shadow)',
      trigger: { argv: ['vt-file', 'link', '/etc/shadow-backup', '/tmp/vt-shadow-backup'] },
      events: (p) => [link('/etc/shadow-backup', '/tmp/vt-shadow-backup', p)],
    },
  ],
});
