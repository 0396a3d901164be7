/**
 * shell-access-monitor: `sys_execve(filename)` and `sys_execveat(dirfd, filename)` whose filename, as the
 * caller wrote it, names a shell, from a mount namespace other than the host's. The kprobe reads the user
 * string at the call's entry, so an exec that then fails (no bash in a busybox image) is reported too.
 */
import { SimulatedEvent, SimulatedProcess } from '../../simulate/event';
import { Scenario } from '../scenario';
import { AT_FDCWD, family, kprobe, runcProcess, str, sys } from './private/support';

const execve = (filename: string, p: SimulatedProcess): SimulatedEvent =>
  kprobe(sys('execve'), [str(filename)], p, { name: `execve ${filename}` });

export const SHELL_ACCESS_MONITOR_SCENARIOS: Scenario[] = family('shell-access-monitor', {
  catch: [
    {
      id: 'interactive-shell-exec',
      summary: "`kubectl exec -it web -- sh`: runc exec starts /bin/sh inside the container's mount namespace",
      trigger: { argv: ['sh'], place: 'container', start: 'exec' },
      events: () => [execve('/bin/sh', runcProcess(true))],
    },
    {
      id: 'web-shell',
      summary: 'A web shell: the application (uid 33) running `sh -c id` through /bin/sh, a symlink to busybox',
      trigger: { argv: ['vt-exec', 'execve', '/bin/sh', '-c', 'id'], place: 'container', uid: 33 },
      events: (p) => [execve('/bin/sh', p)],
    },
    {
      id: 'reverse-shell-bash',
      summary: 'A reverse shell spawned as /bin/bash (absent from a busybox image: the exec fails after the hook)',
      trigger: { argv: ['vt-exec', 'execve', '/bin/bash', '-i'], place: 'container', uid: 1000 },
      events: (p) => [execve('/bin/bash', p)],
    },
    {
      id: 'bare-shell-name',
      summary: 'execve("sh") with a bare name, from /bin as the working directory',
      trigger: { argv: ['vt-exec', '-C', '/bin', 'execve', 'sh', '-c', 'true'], place: 'container' },
      events: (p) => [execve('sh', p)],
    },
    {
      id: 'execveat-zsh',
      summary: 'execveat(AT_FDCWD, "/usr/bin/zsh") (absent: fails after the hook)',
      trigger: { argv: ['vt-exec', 'execveat', '/usr/bin/zsh'], place: 'container' },
      events: (p) => [kprobe(sys('execveat'), [AT_FDCWD, str('/usr/bin/zsh')], p)],
    },
    {
      id: 'busybox-direct',
      summary: '`busybox sh` called directly: the exec names /bin/busybox',
      trigger: { argv: ['vt-exec', 'execve', '/bin/busybox', 'sh', '-c', 'true'], place: 'container' },
      events: (p) => [execve('/bin/busybox', p)],
    },
    {
      id: 'shell-through-renamed-symlink',
      summary: 'A shell started through a symlink of another name (ln -s /bin/sh /tmp/vt-shell; /tmp/vt-shell)',
      trigger: { argv: ['vt-exec', 'execve', '/tmp/vt-shell', '-c', 'true'], setup: ['ln -sf /bin/sh /tmp/vt-shell'] },
      props: { containersOnly: false },
      events: (p) => [execve('/tmp/vt-shell', p)],
      knownLimit: {
        side: 'policy',
        reason:
          'The policy matches the name given to exec, not the file it resolves to, so a shell under another name (a symlink or a copy) is not seen; the /tmp exec and crypto-miner detections compare the resolved file instead.',
      },
    },
  ],
  ignore: [
    {
      id: 'node-login-shell',
      summary: "An administrator's shell on the node (host mount namespace)",
      trigger: { argv: ['vt-exec', 'execve', '/bin/sh', '-c', 'true'] },
      events: (p) => [execve('/bin/sh', p)],
    },
    {
      id: 'application-binary',
      summary: 'The application starting its own binaries (/bin/ls)',
      trigger: { argv: ['vt-exec', 'execve', '/bin/ls', '/'], place: 'container' },
      events: (p) => [execve('/bin/ls', p)],
    },
    {
      id: 'ssh-client',
      summary: 'ssh, whose name ends in "sh" but not "/sh" (absent: fails after the hook)',
      trigger: { argv: ['vt-exec', 'execve', '/usr/bin/ssh'], place: 'container' },
      events: (p) => [execve('/usr/bin/ssh', p)],
    },
    {
      id: 'shell-named-script',
      summary: 'A script whose name ends in "sh" (/app/bin/finish)',
      trigger: { argv: ['vt-exec', 'execve', '/app/bin/finish'], place: 'container' },
      events: (p) => [execve('/app/bin/finish', p)],
    },
    {
      id: 'runc-exec-non-shell',
      summary: 'runc exec of a program that is not a shell',
      trigger: { argv: ['true'], place: 'container', start: 'exec' },
      events: () => [execve('/bin/true', runcProcess(true))],
    },
    {
      id: 'runc-run-non-shell',
      summary: 'A container start whose entrypoint is not a shell',
      trigger: { argv: ['true'], place: 'container', start: 'run' },
      events: () => [execve('/bin/true', runcProcess(true))],
    },
    {
      id: 'container-entrypoint-shell',
      summary: 'A container whose entrypoint is `sh -c` starting: routine, yet the same exec as an interactive shell',
      trigger: { argv: ['sh', '-c', 'true'], place: 'container', start: 'run' },
      events: () => [execve('/bin/sh', runcProcess(true))],
      knownLimit: {
        side: 'policy',
        reason:
          'runc makes the same execve("/bin/sh") inside the container\'s mount namespace for an entrypoint `sh -c` as for `kubectl exec -- sh`; nothing in the call separates an image\'s entrypoint script from an interactive session, so images whose entrypoint is a shell report once per container start (documented noise).',
      },
    },
  ],
});
