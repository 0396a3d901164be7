/**
 * log-clearing: `security_path_truncate(path)` (truncate(2), and O_TRUNC and ftruncate(2) before 6.2),
 * `security_file_truncate(file)` (O_TRUNC and ftruncate(2) from 6.2) under /var/log/, and
 * `security_path_unlink(dir, dentry)` whose directory is /var/log or below; logrotate and journald trusted.
 */
import { SimulatedEvent, SimulatedProcess } from '../../simulate/event';
import { Scenario } from '../scenario';
import { family, file, kprobe, pathArg } from './private/support';

/** O_TRUNC and ftruncate(2) reach a different hook before and after Linux 6.2. */
const truncated = (path: string, p: SimulatedProcess): SimulatedEvent[] => [
  kprobe('security_path_truncate', [pathArg(path)], p, { name: `truncate ${path} (before 6.2)` }),
  kprobe('security_file_truncate', [file(path)], p, { name: `truncate ${path} (6.2 on)` }),
];
const unlink = (dir: string, p: SimulatedProcess): SimulatedEvent =>
  kprobe('security_path_unlink', [pathArg(dir, 'dir'), null], p, { name: `unlink in ${dir}` });
const create = (path: string) => `mkdir -p ${path.slice(0, path.lastIndexOf('/'))} && echo vt >> ${path}`;

export const LOG_CLEARING_SCENARIOS: Scenario[] = family('log-clearing', {
  catch: [
    {
      id: 'redirect-truncate',
      summary: '`> /var/log/auth.log` (O_TRUNC)',
      trigger: { argv: ['vt-file', 'trunc-open', '/var/log/auth.log'], setup: [create('/var/log/auth.log')] },
      events: (p) => truncated('/var/log/auth.log', p),
    },
    {
      id: 'truncate-in-pod',
      summary: "A pod emptying its web server's log (/var/log/nginx/access.log)",
      trigger: {
        argv: ['vt-file', 'append', '-p', '/var/log/nginx/access.log', 'vt', '--', 'trunc-open', '/var/log/nginx/access.log'],
        place: 'container',
      },
      events: (p) => truncated('/var/log/nginx/access.log', p),
    },
    {
      id: 'truncate-tool',
      summary: '`truncate -s 0 /var/log/wtmp` (open, then ftruncate)',
      trigger: { argv: ['truncate', '-s', '0', '/var/log/wtmp'], setup: [create('/var/log/wtmp')] },
      events: (p) => truncated('/var/log/wtmp', p),
    },
    {
      id: 'rm-log',
      summary: '`rm /var/log/vt-secure.log` (a file directly in /var/log)',
      trigger: { argv: ['rm', '-f', '/var/log/vt-secure.log'], setup: [create('/var/log/vt-secure.log')] },
      events: (p) => [unlink('/var/log', p)],
    },
    {
      id: 'rm-log-in-subdirectory',
      summary: 'A pod deleting a log in a subdirectory (/var/log/apache2/error.log)',
      trigger: {
        argv: ['vt-file', 'append', '-p', '/var/log/apache2/error.log', 'vt', '--', 'unlink', '/var/log/apache2/error.log'],
        place: 'container',
      },
      events: (p) => [unlink('/var/log/apache2', p)],
    },
  ],
  ignore: [
    {
      id: 'logrotate',
      summary: 'logrotate removing a rotated log (trusted by default)',
      trigger: {
        argv: ['vt-file', 'unlink', '/var/log/vt-rotated.log.1'],
        binaryPath: '/usr/sbin/logrotate',
        setup: [create('/var/log/vt-rotated.log.1')],
      },
      events: (p) => [unlink('/var/log', p)],
    },
    {
      id: 'journald-vacuum',
      summary: 'journald vacuuming an old journal file (trusted by default)',
      trigger: {
        argv: ['vt-file', 'unlink', '/var/log/journal/4f1c/system@vt.journal'],
        binaryPath: '/usr/lib/systemd/systemd-journald',
        setup: [create('/var/log/journal/4f1c/system@vt.journal')],
      },
      events: (p) => [unlink('/var/log/journal/4f1c', p)],
    },
    {
      id: 'truncate-elsewhere',
      summary: 'A build truncating its own log in /tmp',
      trigger: { argv: ['vt-file', 'truncate', '/tmp/build.log'], setup: [create('/tmp/build.log')] },
      events: (p) => [kprobe('security_path_truncate', [pathArg('/tmp/build.log')], p)],
    },
    {
      id: 'unlink-elsewhere',
      summary: 'apt removing a list under /var/lib/apt/lists',
      trigger: { argv: ['rm', '-f', '/var/lib/apt/lists/vt-list'], setup: [create('/var/lib/apt/lists/vt-list')] },
      events: (p) => [unlink('/var/lib/apt/lists', p)],
    },
    {
      id: 'lookalike-directory',
      summary: 'A file removed from /var/logger (not /var/log/)',
      trigger: { argv: ['rm', '-f', '/var/logger/vt-file'], setup: [create('/var/logger/vt-file')] },
      events: (p) => [unlink('/var/logger', p)],
    },
  ],
});
