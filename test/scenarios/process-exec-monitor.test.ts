/**
 * process-exec-monitor: exec attempts the kernel refuses (successful execs are process_exec events already).
 * return: true on sys_execve, so the event carries the syscall's return value (a negative errno).
 */
import { ProcessExecMonitor } from '../../lib/policies/process-exec-monitor';
import { SimulatedEvent, hostProcess, podProcess, synthPolicy } from './_support';

const policy = synthPolicy((chart) => new ProcessExecMonitor(chart, 'exec'));
const execve = (filename: string, ret: number, caller = podProcess('/bin/sh')): SimulatedEvent => ({
  name: `execve ${filename} = ${ret}`,
  hook: 'kprobe:__x64_sys_execve',
  args: [{ kind: 'string', value: filename }],
  returnValue: { kind: 'int', value: ret },
  process: caller,
});

describe('process-exec-monitor catches', () => {
  test('running a dropped payload from a noexec /dev/shm (EACCES, -13)', () => {
    expect(policy).toMatchEvent(execve('/dev/shm/.x/kworkerd', -13));
  });

  test('an exec blocked by AppArmor or an LSM (EPERM, -1)', () => {
    expect(policy).toMatchEvent(execve('/usr/bin/nc', -1, podProcess('/usr/bin/python3')));
  });

  test('a miner built for another architecture (ENOEXEC, -8)', () => {
    expect(policy).toMatchEvent(execve('/tmp/xmrig', -8));
  });

  test('the same through execveat (fileless exec of a memfd refused, EACCES)', () => {
    expect(policy).toMatchEvent({
      hook: 'kprobe:__x64_sys_execveat',
      args: [
        { kind: 'int', value: 3 },
        { kind: 'string', value: '' },
      ],
      returnValue: -13,
      process: podProcess('/usr/bin/python3'),
    });
  });
});

describe('process-exec-monitor stays quiet for', () => {
  test('a successful exec (return 0)', () => {
    expect(policy).not.toMatchEvent(execve('/usr/bin/ls', 0));
  });

  test('a shell searching PATH (ENOENT, -2, for each directory tried)', () => {
    expect(policy).not.toMatchEvent(execve('/usr/local/sbin/ls', -2));
  });

  test('a kubelet probe exec that succeeds on the node', () => {
    expect(policy).not.toMatchEvent(execve('/usr/bin/cat', 0, hostProcess('/usr/bin/runc')));
  });
});
