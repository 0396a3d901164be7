/**
 * The noise of a real container runtime, as scenarios: a container start and `runc exec`, with and without a
 * user switch, and a container whose entrypoint is a shell, for every runc the verifier carries. Policies
 * that do not promise to report container starts must stay silent on them; the shell monitor reports an
 * exec'd shell, and an entrypoint shell too (the kernel call is the same; the Loki alert separates them).
 *
 * The events describe what runc does in the kernel (measured with Tetragon on Debian 12's runc 1.1.5 and
 * sid's 1.3.6): runc init switches ids and capabilities and joins or creates namespaces; Tetragon reports
 * those calls with `process.binary` `/usr/sbin/runc` because runc init's children are cloned with
 * CLONE_PARENT and carry the identity of `runc run`/`runc exec`.
 */
import { SimulatedEvent, SimulatedProcess } from '../simulate/event';
import { ALL_CAPABILITIES, RUNC_SPEC_CAPABILITIES } from './runtime';
import { GUEST_RUNC, Scenario, Trigger } from './scenario';

const RUNC = GUEST_RUNC;
const ALL_CAPS = [...ALL_CAPABILITIES];
const CONTAINER_CAPS = [...RUNC_SPEC_CAPABILITIES];
/** Namespace inodes of the guest's container (any value other than the host's). */
const CONTAINER_NS = { mnt: 4026532300, pid: 4026532301, net: 4026532302, ipc: 4026532303, uts: 4026532304, cgroup: 4026532305 };

/** runc init as Tetragon reports it: root, runc's path, in the container's namespaces once it has joined them. */
function runcInit(inContainer: boolean, uid = 0): SimulatedProcess {
  return { binary: RUNC, uid, pid: 4242, ...(inContainer ? { hostNamespaces: false, namespaces: CONTAINER_NS } : {}) };
}

const call = (name: string, hook: string, args: SimulatedEvent['args'], process: SimulatedProcess): SimulatedEvent => ({
  name,
  hook,
  args,
  process,
});
const ints = (...values: number[]) => values.map((value) => ({ kind: 'int' as const, value }));
const caps = (oldEffective: string[], effective: string[]) => ({
  1: { kind: 'capabilities' as const, value: oldEffective },
  2: { kind: 'capabilities' as const, value: effective },
  3: { kind: 'capabilities' as const, value: [] },
  4: { kind: 'capabilities' as const, value: effective },
});

/** What runc does in the kernel for one action. */
interface RuntimeAction {
  readonly what: string;
  readonly summary: string;
  readonly trigger: (runtime: string) => Trigger;
  readonly events: readonly SimulatedEvent[];
  /** Whether the shell monitor reports it (a shell runs in the container). */
  readonly shell: boolean;
}

const CLONE_NEWNS = 0x00020000;
const CLONE_NEWCGROUP = 0x02000000;
const CLONE_NEWUTS = 0x04000000;
const CLONE_NEWIPC = 0x08000000;
const CLONE_NEWPID = 0x20000000;
const CLONE_NEWNET = 0x40000000;

const mount = (source: string, target: string, flags: number): SimulatedEvent =>
  call(
    `runc init mounts ${source}`,
    'kprobe:security_sb_mount',
    {
      0: { kind: 'string', value: source },
      1: { kind: 'path', path: `/verify/ctr/rootfs${target}`, fileType: 'dir' },
      2: { kind: 'string', value: source },
      3: { kind: 'int', value: flags },
    },
    runcInit(true),
  );
// runc 1.2 and later check procfs through the new mount API at every start and exec.
const fsopenProc = call(
  'runc init opens a proc file-system context',
  'kprobe:__x64_sys_fsopen',
  { 0: { kind: 'string', value: 'proc' }, 1: { kind: 'int', value: 1 } },
  runcInit(true),
);
const ids = (uid: number): SimulatedEvent[] => [
  call(`runc init setgid(${uid})`, 'kprobe:__sys_setgid', ints(uid), runcInit(true)),
  call(`runc init setuid(${uid})`, 'kprobe:__sys_setuid', ints(uid), runcInit(true)),
  // After a switch to a non-root user the effective set is empty; capset raises the container's set again.
  call(
    'runc init capset to the container set',
    'kprobe:security_capset',
    caps(uid === 0 ? ALL_CAPS : [], CONTAINER_CAPS),
    runcInit(true, uid),
  ),
];

const startCalls: SimulatedEvent[] = [
  call(
    'runc init unshares the container namespaces but cgroup',
    'kprobe:__x64_sys_unshare',
    ints(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET),
    runcInit(false),
  ),
  mount('proc', '/proc', 0),
  mount('sysfs', '/sys', 15),
  fsopenProc,
  // Measured with runc 1.1.5: the cgroup namespace is unshared last, inside the new mount namespace.
  call('runc init unshares the cgroup namespace', 'kprobe:__x64_sys_unshare', ints(CLONE_NEWCGROUP), runcInit(true)),
  ...ids(0),
];
const execCalls = (uid: number): SimulatedEvent[] => [
  fsopenProc,
  // Measured with runc 1.1.5 and 1.3.6: the cgroup namespace is joined after the mount namespace.
  call('runc init joins the container cgroup namespace', 'kprobe:__x64_sys_setns', ints(13, CLONE_NEWCGROUP), runcInit(true)),
  ...ids(uid),
];

const shellInContainer = (argv: string): SimulatedEvent => ({
  name: "the container's shell is executed",
  hook: 'kprobe:__x64_sys_execve',
  args: [{ kind: 'string', value: '/bin/sh' }],
  returnValue: 0,
  process: { binary: RUNC, arguments: argv, uid: 0, pid: 4243, hostNamespaces: false, namespaces: CONTAINER_NS },
});

const ACTIONS: readonly RuntimeAction[] = [
  {
    what: 'container-start',
    summary: 'a container starts (runc run) with a non-shell entrypoint',
    shell: false,
    trigger: (runtime) => ({ argv: ['true'], place: 'container', start: 'run', runtime }),
    events: startCalls,
  },
  {
    what: 'exec',
    summary: 'runc exec runs a command in a running container as root',
    shell: false,
    trigger: (runtime) => ({ argv: ['true'], place: 'container', start: 'exec', runtime }),
    events: execCalls(0),
  },
  {
    what: 'exec-as-user',
    summary: 'runc exec --user 1000:1000 runs a command in a running container',
    shell: false,
    trigger: (runtime) => ({ argv: ['id'], place: 'container', start: 'exec', uid: 1000, gid: 1000, runtime }),
    events: execCalls(1000),
  },
  {
    what: 'shell-entrypoint',
    summary: 'a container whose entrypoint is sh -c starts',
    shell: true,
    trigger: (runtime) => ({ argv: ['sh', '-c', 'exit 0'], place: 'container', start: 'run', runtime }),
    events: [...startCalls, shellInContainer('run --no-pivot')],
  },
  {
    what: 'exec-shell',
    summary: 'runc exec starts a shell in a running container (kubectl exec -- sh)',
    shell: true,
    trigger: (runtime) => ({ argv: ['sh', '-c', 'true'], place: 'container', start: 'exec', runtime }),
    events: [...execCalls(0), shellInContainer('exec')],
  },
];

/** The runtime actions, in report order. */
export const RUNTIME_ACTIONS: readonly string[] = ACTIONS.map((a) => a.what);

/** The runc suite and action of a runtime scenario id (`<policy>/runc-<suite>-<action>`), or undefined for others. */
export function runtimeScenarioParts(id: string): { policy: string; suite: string; action: string } | undefined {
  const m = /^(.+)\/runc-([a-z]+)-(.+)$/.exec(id);
  return m && RUNTIME_ACTIONS.includes(m[3]) ? { policy: m[1], suite: m[2], action: m[3] } : undefined;
}

/** The policy that reports shells in containers. */
const SHELL_MONITOR = 'shell-access-monitor';

/** The policies runtime scenarios are written for when no list is given. */
export const RUNTIME_POLICIES = ['privilege-escalation-monitor', 'namespace-change', SHELL_MONITOR] as const;

/**
 * Measured with runc 1.1.5 and 1.3.6: the entrypoint shell is reported with `process.in_init_tree: true`, an
 * exec'd one with `false`; the kernel call is the same, so only the Loki alert can tell them apart.
 */
const ENTRYPOINT_SHELL_LIMIT = {
  side: 'policy' as const,
  reason:
    'runc makes the same execve("/bin/sh") in the container\'s mount namespace for an entrypoint `sh -c` as for `kubectl exec -- sh`, so the monitor reports one event per such container start; the event carries process.in_init_tree: true (an exec\'d shell: false), which the Loki alert TetragonInteractiveShellInContainer uses to leave entrypoints out.',
};

/**
 * The runtime scenarios for the given runc suites (`bookworm`, `sid`), for every policy named: each must stay
 * silent on container starts and execs; the shell monitor reports an exec'd shell, and reports an entrypoint
 * shell as a documented limit.
 */
export function runtimeScenarios(runtimes: readonly string[], policies: readonly string[] = RUNTIME_POLICIES): Scenario[] {
  const out: Scenario[] = [];
  for (const runtime of runtimes) {
    for (const a of ACTIONS) {
      for (const policy of policies) {
        const shellMonitor = policy === SHELL_MONITOR && a.shell;
        const reports = shellMonitor && a.what === 'exec-shell';
        out.push({
          id: `${policy}/runc-${runtime}-${a.what}`,
          policy,
          expect: reports ? 'catch' : 'ignore',
          summary: `${a.summary} (runc of Debian ${runtime})`,
          trigger: a.trigger(runtime),
          events: a.events,
          ...(shellMonitor && !reports ? { knownLimit: ENTRYPOINT_SHELL_LIMIT } : {}),
        });
      }
    }
  }
  return out;
}
