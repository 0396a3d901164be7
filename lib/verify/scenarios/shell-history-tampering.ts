/**
 * shell-history-tampering: the name argument of `sys_unlinkat`, `sys_unlink`, `sys_renameat2`, `sys_renameat`,
 * `sys_rename` (old name) and `sys_symlinkat` (new name) ending in `_history` or `/.histfile`, and the truncate
 * hooks on such a resolved path. The syscalls are hooked at their entry, on the name as the caller wrote it.
 */
import { SimulatedEvent, SimulatedProcess } from '../../simulate/event';
import { Scenario } from '../scenario';
import { AT_FDCWD, family, file, kprobe, pathArg, str, sys } from './private/support';

const create = (path: string) => `mkdir -p ${path.slice(0, path.lastIndexOf('/'))} && echo vt >> ${path}`;
const truncated = (path: string, p: SimulatedProcess): SimulatedEvent[] => [
  kprobe('security_path_truncate', [pathArg(path)], p, { name: `truncate ${path} (before 6.2)` }),
  kprobe('security_file_truncate', [file(path)], p, { name: `truncate ${path} (6.2 on)` }),
];

export const SHELL_HISTORY_TAMPERING_SCENARIOS: Scenario[] = family('shell-history-tampering', {
  catch: [
    {
      id: 'rm-history',
      summary: '`rm -f /root/.bash_history` (unlink(2))',
      trigger: { argv: ['rm', '-f', '/root/.bash_history'], setup: [create('/root/.bash_history')] },
      events: (p) => [kprobe(sys('unlink'), [str('/root/.bash_history')], p)],
    },
    {
      id: 'unlinkat-history-in-pod',
      summary: 'Deleting .bash_history in a pod with unlinkat(2)',
      trigger: {
        argv: ['vt-file', 'append', '-p', '/root/.bash_history', 'vt', '--', 'unlinkat', '/root/.bash_history'],
        place: 'container',
      },
      events: (p) => [kprobe(sys('unlinkat'), [AT_FDCWD, str('/root/.bash_history'), 0], p)],
    },
    {
      id: 'renameat2-zsh-history',
      summary: 'Moving .zsh_history away with renameat2(2) (mv of coreutils)',
      trigger: { argv: ['vt-file', 'renameat2', '/root/.zsh_history', '/tmp/vt-z'], setup: [create('/root/.zsh_history')] },
      events: (p) => [kprobe(sys('renameat2'), [AT_FDCWD, str('/root/.zsh_history'), AT_FDCWD, str('/tmp/vt-z'), 0], p)],
    },
    {
      id: 'mv-history',
      summary: '`mv /root/.python_history /tmp/vt-p` (busybox mv: rename(2))',
      trigger: { argv: ['mv', '/root/.python_history', '/tmp/vt-p'], setup: [create('/root/.python_history')] },
      events: (p) => [kprobe(sys('rename'), [str('/root/.python_history'), str('/tmp/vt-p')], p)],
    },
    {
      id: 'truncate-history',
      summary: '`> /home/dev/.bash_history` (O_TRUNC)',
      trigger: { argv: ['vt-file', 'trunc-open', '/home/dev/.bash_history'], setup: [create('/home/dev/.bash_history')] },
      events: (p) => truncated('/home/dev/.bash_history', p),
    },
    {
      id: 'symlinkat-dev-null',
      summary: '`ln -sf /dev/null ~/.bash_history` with symlinkat(2) (coreutils ln)',
      trigger: { argv: ['vt-file', 'symlinkat', '/dev/null', '/root/.bash_history'], setup: ['rm -f /root/.bash_history'] },
      events: (p) => [kprobe(sys('symlinkat'), [str('/dev/null'), AT_FDCWD, str('/root/.bash_history')], p)],
    },
    {
      id: 'symlink-dev-null',
      summary: "The same with symlink(2), as busybox ln and Python's os.symlink on x86_64 do",
      trigger: { argv: ['vt-file', 'symlink', '/dev/null', '/root/.bash_history'], setup: ['rm -f /root/.bash_history'] },
      events: (p) => [kprobe(sys('symlink'), [str('/dev/null'), str('/root/.bash_history')], p)],
    },
  ],
  ignore: [
    {
      id: 'shell-saves-history',
      summary: 'bash saving history through a temporary file renamed onto .bash_history',
      trigger: {
        argv: ['vt-file', 'renameat', '/root/.bash_history-01234.tmp', '/root/.bash_history'],
        setup: [create('/root/.bash_history-01234.tmp')],
      },
      events: (p) => [kprobe(sys('renameat'), [AT_FDCWD, str('/root/.bash_history-01234.tmp'), AT_FDCWD, str('/root/.bash_history')], p)],
    },
    {
      id: 'other-deletion',
      summary: 'pip deleting a build file',
      trigger: { argv: ['vt-file', 'unlinkat', '/tmp/pip-build-x/setup.py'], setup: [create('/tmp/pip-build-x/setup.py')] },
      events: (p) => [kprobe(sys('unlinkat'), [AT_FDCWD, str('/tmp/pip-build-x/setup.py'), 0], p)],
    },
    {
      id: 'truncate-other-file',
      summary: 'An application truncating its history.db',
      trigger: { argv: ['vt-file', 'ftruncate', '/var/lib/app/history.db'], setup: [create('/var/lib/app/history.db')] },
      events: (p) => truncated('/var/lib/app/history.db', p),
    },
    {
      id: 'other-symlink',
      summary: 'update-alternatives creating a symlink with symlinkat(2)',
      trigger: {
        argv: ['vt-file', 'symlinkat', '/usr/bin/vim.basic', '/tmp/vt-alternatives-vi'],
        setup: ['rm -f /tmp/vt-alternatives-vi'],
      },
      events: (p) => [kprobe(sys('symlinkat'), [str('/usr/bin/vim.basic'), AT_FDCWD, str('/tmp/vt-alternatives-vi')], p)],
    },
  ],
});
