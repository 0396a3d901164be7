/**
 * privilege-escalation-monitor: setuid/setgid to root, capability raises and user namespaces without CAP_SYS_ADMIN.
 * The internal __sys_set*id functions take the requested ids (uid_t, -1 for "unchanged"); security_capset takes
 * (new cred, old cred, effective, inheritable, permitted).
 */
import { PrivilegeEscalationMonitor } from '../../lib/policies/privilege-escalation-monitor';
import { SimulatedEvent, hostProcess, podProcess, synthPolicy } from './_support';

const policy = synthPolicy((chart) => new PrivilegeEscalationMonitor(chart, 'privs'));
const ids = (fn: string, values: number[], process = podProcess('/tmp/exploit', { uid: 1000 })): SimulatedEvent => ({
  name: `${fn}(${values.join(', ')})`,
  hook: `kprobe:${fn}`,
  args: values.map((v) => ({ kind: 'int' as const, value: v })),
  process,
});
// Argument 1 is the old credentials; the policy resolves their effective set, so the event gives that set there.
const capset = (
  oldEffective: string[],
  effective: string[],
  permitted: string[],
  process = podProcess('/tmp/exploit', { uid: 1000 }),
): SimulatedEvent => ({
  name: `capset ${oldEffective.join(',') || '(none)'} -> ${effective.join(',') || '(none)'}`,
  hook: 'kprobe:security_capset',
  args: {
    1: { kind: 'capabilities', value: oldEffective },
    2: { kind: 'capabilities', value: effective },
    3: { kind: 'capabilities', value: [] },
    4: { kind: 'capabilities', value: permitted },
  },
  process,
});

describe('privilege-escalation-monitor catches', () => {
  test('a SUID exploit calling setuid(0)', () => {
    expect(policy).toMatchEvent(ids('__sys_setuid', [0]));
  });

  test('setresuid(-1, 0, -1): only the effective uid becomes root', () => {
    expect(policy).toMatchEvent(ids('__sys_setresuid', [-1, 0, -1]));
  });

  test('setgid(0) to join the root group', () => {
    expect(policy).toMatchEvent(ids('__sys_setgid', [0]));
  });

  test('capset raising CAP_SYS_ADMIN back into the effective set', () => {
    expect(policy).toMatchEvent(capset([], ['CAP_SYS_ADMIN'], ['CAP_SYS_ADMIN']));
  });

  test('capset adding CAP_SYS_PTRACE next to capabilities it already had', () => {
    expect(policy).toMatchEvent(
      capset(['CAP_NET_BIND_SERVICE'], ['CAP_NET_BIND_SERVICE', 'CAP_SYS_PTRACE'], ['CAP_NET_BIND_SERVICE', 'CAP_SYS_PTRACE']),
    );
  });

  test('`unshare -Ur` by an unprivileged process creating a user namespace', () => {
    expect(policy).toMatchEvent({ hook: 'kprobe:create_user_ns', process: podProcess('/usr/bin/unshare', { uid: 1000 }) });
  });

  test('sudo on the node becoming root', () => {
    expect(policy).toMatchEvent(ids('__sys_setresuid', [0, 0, 0], hostProcess('/usr/bin/sudo', { uid: 1000 })));
  });
});

describe('privilege-escalation-monitor stays quiet for', () => {
  test('nginx workers dropping to their user (setgid(101), setuid(101))', () => {
    expect(policy).not.toMatchEvent(ids('__sys_setgid', [101], podProcess('/usr/sbin/nginx')));
    expect(policy).not.toMatchEvent(ids('__sys_setuid', [101], podProcess('/usr/sbin/nginx')));
  });

  test('a daemon dropping every capability (capset to empty sets)', () => {
    expect(policy).not.toMatchEvent(capset(['CAP_SETUID', 'CAP_SETGID'], [], [], podProcess('/usr/bin/redis-server')));
  });

  test('nginx keeping only CAP_NET_BIND_SERVICE (a drop, not a gain)', () => {
    expect(policy).not.toMatchEvent(
      capset(
        ['CAP_NET_BIND_SERVICE', 'CAP_SETUID', 'CAP_SETGID'],
        ['CAP_NET_BIND_SERVICE'],
        ['CAP_NET_BIND_SERVICE'],
        podProcess('/usr/sbin/nginx'),
      ),
    );
  });

  test('setresuid(1000, 1000, 1000) by a login session', () => {
    expect(policy).not.toMatchEvent(ids('__sys_setresuid', [1000, 1000, 1000], hostProcess('/usr/sbin/sshd')));
  });

  test('a root container runtime on the node creating a user namespace (it holds CAP_SYS_ADMIN)', () => {
    expect(policy).not.toMatchEvent({ hook: 'kprobe:create_user_ns', process: hostProcess('/usr/bin/runc') });
  });
});
