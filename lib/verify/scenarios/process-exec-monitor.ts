/**
 * process-exec-monitor: `sys_execve` and `sys_execveat` whose return value is -EACCES, -EPERM or -ENOEXEC
 * (`return: true`, `matchReturnArgs`). Successful execs and PATH searches (ENOENT) stay silent.
 */
import { SimulatedEvent, SimulatedProcess } from '../../simulate/event';
import { Scenario } from '../scenario';
import { family, kprobe, runcProcess, str, sys } from './private/support';

const execve = (filename: string, ret: number, p: SimulatedProcess): SimulatedEvent =>
  kprobe(sys('execve'), [str(filename)], p, { name: `execve ${filename} = ${ret}`, returnValue: { kind: 'int', value: ret } });

export const PROCESS_EXEC_MONITOR_SCENARIOS: Scenario[] = family('process-exec-monitor', {
  catch: [
    {
      id: 'noexec-mount',
      summary: 'Running a dropped payload from a noexec mount (EACCES, -13)',
      trigger: {
        argv: ['vt-exec', 'execve', '/tmp/vt-noexec/.x/kworkerd'],
        setup: [
          'mkdir -p /tmp/vt-noexec && mount -t tmpfs -o noexec tmpfs /tmp/vt-noexec',
          'mkdir -p /tmp/vt-noexec/.x && cp /bin/busybox /tmp/vt-noexec/.x/kworkerd',
        ],
      },
      events: (p) => [execve('/tmp/vt-noexec/.x/kworkerd', -13, p)],
    },
    {
      id: 'not-executable',
      summary: 'Running a downloaded file that lacks the exec bit (EACCES, -13)',
      trigger: {
        argv: ['vt-exec', 'execve', '/tmp/vt-download'],
        setup: ['cp /bin/busybox /tmp/vt-download && chmod 644 /tmp/vt-download'],
      },
      events: (p) => [execve('/tmp/vt-download', -13, p)],
    },
    {
      id: 'lsm-denied',
      summary: 'An exec an LSM refuses: Landlock here, which answers EACCES (-13) as AppArmor does',
      trigger: { argv: ['vt-exec', 'landlocked', '/bin/busybox', 'true'] },
      events: (p) => [execve('/bin/busybox', -13, p)],
      knownLimit: {
        side: 'agent',
        kernels: ['debian-11'],
        reason:
          'Landlock arrived in Linux 5.13: on 5.10 the trigger cannot make an LSM refuse the exec (it exits 3), so there is no call to report.',
      },
    },
    {
      id: 'wrong-format',
      summary: 'A miner the kernel cannot run (not a known executable format: ENOEXEC, -8)',
      trigger: { argv: ['vt-exec', 'execve', '/tmp/xmrig'], setup: ['printf "not a program\\n" > /tmp/xmrig && chmod 755 /tmp/xmrig'] },
      events: (p) => [execve('/tmp/xmrig', -8, p)],
    },
    {
      id: 'memfd-exec-refused',
      summary: 'A fileless exec through execveat of a memfd that lost its exec permission (EACCES, -13)',
      trigger: { argv: ['vt-exec', 'memfd-noexec', '/bin/busybox', 'true'] },
      events: (p) => [kprobe(sys('execveat'), [3, str('')], p, { returnValue: { kind: 'int', value: -13 } })],
    },
  ],
  ignore: [
    {
      id: 'successful-exec',
      summary: 'A successful exec (return 0)',
      trigger: { argv: ['vt-exec', 'execve', '/bin/true'] },
      events: (p) => [execve('/bin/true', 0, p)],
    },
    {
      id: 'path-search',
      summary: 'A shell searching PATH (ENOENT, -2, for each directory tried)',
      trigger: { argv: ['vt-exec', 'execve', '/usr/local/sbin/ls'] },
      events: (p) => [execve('/usr/local/sbin/ls', -2, p)],
    },
    {
      id: 'successful-memfd-exec',
      summary: "A successful fileless exec of a memfd (the fileless-exec detection's business, not this policy's)",
      trigger: { argv: ['vt-exec', 'memfd', '/bin/busybox', 'true'] },
      events: (p) => [kprobe(sys('execveat'), [3, str('')], p, { returnValue: { kind: 'int', value: 0 } })],
    },
    {
      id: 'runc-exec',
      summary: 'A runc exec that succeeds (a kubelet probe)',
      trigger: { argv: ['true'], place: 'container', start: 'exec' },
      events: () => [execve('/bin/true', 0, runcProcess(true))],
    },
  ],
});
