/**
 * privilege-escalation-monitor: set*id calls to root at the internal `__sys_set*id(ids...)` functions,
 * `security_capset(new, old, effective, inheritable, permitted)` gaining a capability, and `create_user_ns`
 * without CAP_SYS_ADMIN. Container starts and execs by runc make the same calls and must stay silent.
 */
import { SimulatedEvent, SimulatedProcess } from '../../simulate/event';
import { Scenario } from '../scenario';
import { ALL_CAPS, RUNC_SPEC_CAPS, caps, family, kprobe, runcProcess } from './private/support';

const ids = (fn: string, values: readonly number[], p: SimulatedProcess): SimulatedEvent =>
  kprobe(
    `__sys_${fn}`,
    values.map((v) => ({ kind: 'int' as const, value: v })),
    p,
    { name: `${fn}(${values.join(', ')})` },
  );

/** security_capset: arg 1 is the old credentials (the policy resolves their effective set), 2 and 4 the requested sets. */
const capset = (old: readonly string[], effective: readonly string[], permitted: readonly string[], p: SimulatedProcess): SimulatedEvent =>
  kprobe('security_capset', { 1: caps(old), 2: caps(effective), 3: caps([]), 4: caps(permitted) }, p);

const without = (set: readonly string[], ...drop: string[]) => set.filter((c) => !drop.includes(c));
const NBS = 'CAP_NET_BIND_SERVICE';

/** What runc 1.1's init does in a new container or an exec as root: nsexec's stage 2, then the Go init. */
const runcAsRoot = (): SimulatedEvent[] => {
  const init = runcProcess(true);
  return [
    ids('setuid', [0], init),
    ids('setgid', [0], init),
    ids('setgid', [0], init),
    ids('setuid', [0], init),
    capset(ALL_CAPS, RUNC_SPEC_CAPS, RUNC_SPEC_CAPS, init),
  ];
};

export const PRIVILEGE_ESCALATION_MONITOR_SCENARIOS: Scenario[] = family('privilege-escalation-monitor', {
  catch: [
    {
      id: 'setuid-root',
      summary: 'A SUID exploit calling setuid(0) as uid 1000 (refused with EPERM; the call is what counts)',
      trigger: { argv: ['vt-setid', 'setuid', '0'], uid: 1000 },
      events: (p) => [ids('setuid', [0], p)],
    },
    {
      id: 'setresuid-effective-root',
      summary: 'setresuid(-1, 0, -1): only the effective uid asked to become root',
      trigger: { argv: ['vt-setid', 'setresuid', '-1', '0', '-1'], uid: 1000 },
      events: (p) => [ids('setresuid', [-1, 0, -1], p)],
    },
    {
      id: 'setgid-root',
      summary: 'setgid(0) to join the root group',
      trigger: { argv: ['vt-setid', 'setgid', '0'], uid: 1000 },
      events: (p) => [ids('setgid', [0], p)],
    },
    {
      id: 'setfsuid-root',
      summary: 'setfsuid(0): file-system root only, the quiet variant',
      trigger: { argv: ['vt-setid', 'setfsuid', '0'], uid: 1000 },
      events: (p) => [ids('setfsuid', [0], p)],
    },
    {
      id: 'setuid-root-in-container',
      summary: 'A process running as uid 1000 in a container calling setuid(0)',
      trigger: { argv: ['vt-setid', 'setuid', '0'], place: 'container', uid: 1000 },
      events: (p) => [ids('setuid', [0], p)],
    },
    {
      id: 'sudo-on-node',
      summary: 'sudo on the node becoming root: setresuid(0, 0, 0) from /usr/bin/sudo',
      trigger: { argv: ['vt-setid', 'setresuid', '0', '0', '0'], binaryPath: '/usr/bin/sudo', uid: 1000 },
      events: (p) => [ids('setresuid', [0, 0, 0], p)],
    },
    {
      id: 'capset-raise-sys-admin',
      summary: 'capset raising CAP_SYS_ADMIN back into the effective set (first dropped, not reported; then raised)',
      trigger: { argv: ['vt-capset', 'all-SYS_ADMIN/all', 'all/all'] },
      events: (p) => [
        capset(ALL_CAPS, without(ALL_CAPS, 'CAP_SYS_ADMIN'), ALL_CAPS, p),
        capset(without(ALL_CAPS, 'CAP_SYS_ADMIN'), ALL_CAPS, ALL_CAPS, p),
      ],
    },
    {
      id: 'capset-add-ptrace',
      summary: 'capset adding CAP_SYS_PTRACE next to CAP_NET_BIND_SERVICE, which it already had',
      trigger: {
        argv: ['vt-capset', 'NET_BIND_SERVICE/NET_BIND_SERVICE,SYS_PTRACE', 'NET_BIND_SERVICE,SYS_PTRACE/NET_BIND_SERVICE,SYS_PTRACE'],
      },
      events: (p) => [
        capset(ALL_CAPS, [NBS], [NBS, 'CAP_SYS_PTRACE'], p),
        capset([NBS], [NBS, 'CAP_SYS_PTRACE'], [NBS, 'CAP_SYS_PTRACE'], p),
      ],
    },
    {
      id: 'unshare-user-namespace-unprivileged',
      summary: '`unshare -U` by uid 1000: a user namespace in which it becomes root',
      trigger: { argv: ['vt-unshare', 'unshare', 'user'], uid: 1000 },
      events: (p) => [kprobe('create_user_ns', undefined, p)],
    },
    {
      id: 'clone-user-namespace-unprivileged',
      summary: 'clone(CLONE_NEWUSER) by uid 1000: the same through clone, which the namespace-change detection misses',
      trigger: { argv: ['vt-unshare', 'clone', 'user'], uid: 1000 },
      events: (p) => [kprobe('create_user_ns', undefined, p)],
    },
    {
      id: 'unshare-user-namespace-in-container',
      summary: "unshare(CLONE_NEWUSER) in a container without CAP_SYS_ADMIN (refused in runc's chroot after the hook)",
      trigger: { argv: ['vt-unshare', 'unshare', 'user'], place: 'container' },
      events: (p) => [kprobe('create_user_ns', undefined, p)],
    },
  ],
  ignore: [
    {
      id: 'daemon-drops-to-user',
      summary: 'nginx workers dropping to their user: setgid(101), setuid(101)',
      trigger: { argv: ['vt-setid', 'setgid', '101', 'setuid', '101'], place: 'container' },
      events: (p) => [ids('setgid', [101], p), ids('setuid', [101], p)],
    },
    {
      id: 'capset-drop-all',
      summary: 'A daemon dropping every capability (capset to empty sets)',
      trigger: { argv: ['vt-capset', 'none/none'] },
      events: (p) => [capset(ALL_CAPS, [], [], p)],
    },
    {
      id: 'capset-keep-net-bind-service',
      summary: 'nginx keeping only CAP_NET_BIND_SERVICE: two drops, no gain',
      trigger: {
        argv: ['vt-capset', 'NET_BIND_SERVICE,SETUID,SETGID/NET_BIND_SERVICE,SETUID,SETGID', 'NET_BIND_SERVICE/NET_BIND_SERVICE'],
      },
      events: (p) => {
        const three = [NBS, 'CAP_SETUID', 'CAP_SETGID'];
        return [capset(ALL_CAPS, three, three, p), capset(three, [NBS], [NBS], p)];
      },
    },
    {
      id: 'job-to-user',
      summary: 'cron starting a job as its user: setresuid(1000, 1000, 1000) by root',
      trigger: { argv: ['vt-setid', 'setresuid', '1000', '1000', '1000'], binaryPath: '/usr/sbin/cron' },
      events: (p) => [ids('setresuid', [1000, 1000, 1000], p)],
    },
    {
      id: 'user-namespace-with-sys-admin',
      summary: 'A root process on the node (holding CAP_SYS_ADMIN) creating a user namespace',
      trigger: { argv: ['vt-unshare', 'unshare', 'user'] },
      events: (p) => [kprobe('create_user_ns', undefined, p)],
    },
    {
      id: 'runc-run-container-start',
      summary: "A container start (runc run): runc's init switches to root and sets the container's capabilities",
      trigger: { argv: ['true'], place: 'container', start: 'run' },
      events: runcAsRoot,
    },
    {
      id: 'runc-exec-root',
      summary: 'runc exec as root into a running container',
      trigger: { argv: ['true'], place: 'container', start: 'exec' },
      events: runcAsRoot,
    },
    {
      id: 'runc-exec-user',
      summary:
        "runc exec --user 1000:1000: after setuid(1000) the effective set is empty, so applying the container's capabilities is a raise",
      trigger: { argv: ['true'], place: 'container', start: 'exec', uid: 1000 },
      events: () => {
        const init = runcProcess(true);
        return [
          ids('setuid', [0], init),
          ids('setgid', [0], init),
          ids('setgid', [1000], init),
          ids('setuid', [1000], init),
          capset([], RUNC_SPEC_CAPS, RUNC_SPEC_CAPS, init),
        ];
      },
    },
    {
      id: 'container-entrypoint-shell',
      summary: 'A container whose entrypoint is `sh -c` starting (runc run)',
      trigger: { argv: ['sh', '-c', 'true'], place: 'container', start: 'run' },
      events: runcAsRoot,
    },
  ],
});
