/**
 * proc-environ-read: `security_file_open(file)` with Prefix `/proc/` AND Postfix `/environ` on the path the
 * kernel resolved (/proc/self and task paths resolve to /proc/<pid>/...), in containers.
 */
import { SimulatedEvent, SimulatedProcess } from '../../simulate/event';
import { Scenario } from '../scenario';
import { family, file, kprobe } from './private/support';

const open = (path: string, p: SimulatedProcess): SimulatedEvent => kprobe('security_file_open', [file(path)], p, { name: `open ${path}` });

export const PROC_ENVIRON_READ_SCENARIOS: Scenario[] = family('proc-environ-read', {
  catch: [
    {
      id: 'pid1-environ',
      summary: '`cat /proc/1/environ` in a pod',
      trigger: { argv: ['cat', '/proc/1/environ'], place: 'container' },
      events: (p) => [open('/proc/1/environ', p)],
    },
    {
      id: 'grep-environ',
      summary: "A script opening another process's environment (open(2) of /proc/1/environ)",
      trigger: { argv: ['vt-file', 'open', '/proc/1/environ'], place: 'container' },
      events: (p) => [open('/proc/1/environ', p)],
    },
    {
      id: 'thread-environ',
      summary: "A thread's environ (/proc/1/task/1/environ)",
      trigger: { argv: ['vt-file', 'open', '/proc/1/task/1/environ'], place: 'container' },
      events: (p) => [open('/proc/1/task/1/environ', p)],
    },
  ],
  ignore: [
    {
      id: 'proc-status',
      summary: '`ps` reading /proc/1/status',
      trigger: { argv: ['cat', '/proc/1/status'], place: 'container' },
      events: (p) => [open('/proc/1/status', p)],
    },
    {
      id: 'environ-elsewhere',
      summary: 'A file named environ outside /proc (/app/config/environ)',
      trigger: { argv: ['vt-file', 'append', '-p', '/app/config/environ', 'vt'], place: 'container' },
      events: (p) => [open('/app/config/environ', p)],
    },
    {
      id: 'proc-cmdline',
      summary: 'Reading /proc/1/cmdline',
      trigger: { argv: ['cat', '/proc/1/cmdline'], place: 'container' },
      events: (p) => [open('/proc/1/cmdline', p)],
    },
    {
      id: 'node-process',
      summary: 'A process manager on the node reading an environment (host process)',
      trigger: { argv: ['cat', '/proc/1/environ'] },
      events: (p) => [open('/proc/1/environ', p)],
    },
    {
      id: 'trusted-binary',
      summary: 'htop, listed in trustedBinaries, in a pod',
      trigger: { argv: ['vt-file', 'open', '/proc/1/environ'], place: 'container', binaryPath: '/usr/bin/htop' },
      props: { trustedBinaries: ['/usr/bin/htop'] },
      events: (p) => [open('/proc/1/environ', p)],
    },
  ],
});
