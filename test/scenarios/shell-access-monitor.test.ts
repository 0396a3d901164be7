/**
 * shell-access-monitor: shells started in containers. The kprobe on sys_execve reads the filename the caller
 * passed (arg 0, a user string), so what counts is the path given to exec, not the resolved binary.
 */
import { ShellAccessMonitor } from '../../lib/policies/shell-access-monitor';
import { SimulatedEvent, hostProcess, podProcess, synthPolicy } from './_support';

const policy = synthPolicy((chart) => new ShellAccessMonitor(chart, 'shells'));
/** execve(filename, ...) made by `caller`: the event's process is the caller, before the new image replaces it. */
const execve = (filename: string, caller = podProcess('/usr/sbin/nginx')): SimulatedEvent => ({
  name: `execve ${filename}`,
  hook: 'kprobe:__x64_sys_execve',
  args: [{ kind: 'string', value: filename }],
  process: caller,
});

describe('shell-access-monitor catches', () => {
  test("`kubectl exec -it web -- /bin/bash` (runc execs the shell inside the container's mount namespace)", () => {
    expect(policy).toMatchEvent(execve('/bin/bash', podProcess('/usr/bin/runc', { nsPid: 0 })));
  });

  test('a web shell: php-fpm running `sh -c id` through /bin/sh', () => {
    expect(policy).toMatchEvent(execve('/bin/sh', podProcess('/usr/local/sbin/php-fpm', { uid: 33 })));
  });

  test('a reverse shell spawned by python (`pty.spawn("/bin/bash")`)', () => {
    expect(policy).toMatchEvent(execve('/bin/bash', podProcess('/usr/bin/python3.11', { uid: 1000 })));
  });

  test('execvp("sh") with a bare name, and execveat of /usr/bin/zsh', () => {
    expect(policy).toMatchEvent(execve('sh', podProcess('/usr/bin/make')));
    expect(policy).toMatchEvent({
      hook: 'kprobe:__x64_sys_execveat',
      args: [
        { kind: 'int', value: -100 },
        { kind: 'string', value: '/usr/bin/zsh' },
      ],
      process: podProcess('/usr/bin/node'),
    });
  });
});

describe('shell-access-monitor stays quiet for', () => {
  test("an administrator's login shell on the node (host mount namespace)", () => {
    expect(policy).not.toMatchEvent(execve('/bin/bash', hostProcess('/usr/sbin/sshd')));
  });

  test('the application starting its own binaries', () => {
    expect(policy).not.toMatchEvent(execve('/usr/sbin/nginx', podProcess('/usr/bin/runc')));
    expect(policy).not.toMatchEvent(execve('/usr/local/bin/python3', podProcess('/usr/bin/runc')));
  });

  test('ssh and a shell-named script that is not a shell (`/usr/bin/ssh`, `/app/bin/finish`)', () => {
    expect(policy).not.toMatchEvent(execve('/usr/bin/ssh', podProcess('/usr/bin/git')));
    expect(policy).not.toMatchEvent(execve('/app/bin/finish', podProcess('/usr/bin/node')));
  });
});
