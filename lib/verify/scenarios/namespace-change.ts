/**
 * namespace-change: `sys_setns(fd, nstype)` and `sys_unshare(flags)` with user, mount or cgroup flags, from pods
 * (pod selector `{}`) whose mount namespace is not the host's. runc joins and creates namespaces for every
 * container start and exec, before the process is in the container's cgroup: that must stay silent.
 */
import { NamespaceChangeDetection } from '../../detections/namespace-change-detection';
import { SimulatedEvent, SimulatedProcess } from '../../simulate/event';
import { KnownLimit, Scenario } from '../scenario';
import { family, kprobe, runcProcess, sys } from './private/support';

const CLONE_NEWNS = 0x00020000;
const CLONE_NEWCGROUP = 0x02000000;
const CLONE_NEWUTS = 0x04000000;
const CLONE_NEWIPC = 0x08000000;
const CLONE_NEWUSER = 0x10000000;
const CLONE_NEWPID = 0x20000000;
const CLONE_NEWNET = 0x40000000;

const setns = (fd: number, nstype: number, p: SimulatedProcess): SimulatedEvent => kprobe(sys('setns'), [fd, nstype], p);
const unshare = (flags: number, p: SimulatedProcess): SimulatedEvent =>
  kprobe(sys('unshare'), [{ kind: 'int', value: `0x${flags.toString(16)}` }], p, { name: `unshare(0x${flags.toString(16)})` });

/** What a pod-less variant of the policy (mount-namespace filter only) would report of runc's own work. */
const podLessRunc = (what: string): KnownLimit => ({
  side: 'agent',
  reason: `Only when the agent runs a pod-less variant of this pod-scoped policy: runc ${what} from inside the container's mount namespace before the process enters the container's cgroup, where a Kubernetes node's pod filter does not yet know it.`,
});

export const NAMESPACE_CHANGE_SCENARIOS: Scenario[] = family('namespace-change', {
  catch: [
    {
      id: 'nsenter-pid1-mount-namespace',
      summary: "`nsenter -t 1 -m`: setns into PID 1's mount namespace (the node's, in a hostPID pod)",
      trigger: { argv: ['vt-unshare', 'setns', '/proc/1/ns/mnt', 'mnt'], place: 'container' },
      events: (p) => [setns(3, CLONE_NEWNS, p)],
    },
    {
      id: 'setns-any-type',
      summary: "An implant joining PID 1's network namespace through /proc/1/ns/net with nstype 0",
      trigger: { argv: ['vt-unshare', 'setns', '/proc/1/ns/net', '0'], place: 'container' },
      events: (p) => [setns(3, 0, p)],
    },
    {
      id: 'unshare-user-mount-cgroup',
      summary: '`unshare -UrmC` before mounting cgroupfs (CVE-2022-0492), as uid 1000',
      trigger: { argv: ['vt-unshare', 'unshare', 'user,mnt,cgroup'], place: 'container', uid: 1000 },
      events: (p) => [unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWCGROUP, p)],
    },
    {
      id: 'unshare-mount',
      summary: '`unshare -m` (a new mount namespace) from a root container',
      trigger: { argv: ['vt-unshare', 'unshare', 'mnt'], place: 'container' },
      events: (p) => [unshare(CLONE_NEWNS, p)],
    },
  ],
  ignore: [
    {
      id: 'host-setns-network',
      summary: '`ip netns exec` on the node itself: setns into a network namespace (host process)',
      trigger: { argv: ['vt-unshare', 'setns', '/proc/self/ns/net', 'net'] },
      events: (p) => [setns(3, CLONE_NEWNET, p)],
    },
    {
      id: 'sandbox-pid-net',
      summary: 'A browser sandbox creating PID and network namespaces (no user, mount or cgroup flag)',
      trigger: { argv: ['vt-unshare', 'unshare', 'pid,net'], place: 'container' },
      events: (p) => [unshare(CLONE_NEWPID | CLONE_NEWNET, p)],
    },
    {
      id: 'unshare-files',
      summary: 'unshare of file descriptors only (CLONE_FILES), as Go and glibc posix_spawn do',
      trigger: { argv: ['vt-unshare', 'unshare', 'files'], place: 'container' },
      events: (p) => [unshare(0x400, p)],
    },
    {
      id: 'trusted-sandbox',
      summary: 'bubblewrap, added to trustedBinaries, creating a user namespace',
      trigger: { argv: ['vt-unshare', 'unshare', 'user'], place: 'container', binaryPath: '/usr/bin/bwrap' },
      // Extending the default list keeps the runtimes trusted: runc joins the container's cgroup namespace at every exec.
      props: { trustedBinaries: [...NamespaceChangeDetection.DEFAULT_TRUSTED_BINARIES, '/usr/bin/bwrap'] },
      events: (p) => [unshare(CLONE_NEWUSER, p)],
    },
    {
      id: 'runc-run-container-start',
      summary: 'A container start (runc run): runc creates the namespaces, the cgroup namespace last, from inside the new mount namespace',
      trigger: { argv: ['true'], place: 'container', start: 'run' },
      events: () => [
        unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID, runcProcess(false)),
        unshare(CLONE_NEWCGROUP, runcProcess(true)),
      ],
      knownLimit: podLessRunc('unshares the cgroup namespace'),
    },
    {
      id: 'runc-exec-root',
      summary: 'runc exec into a running container: setns into its ipc, uts, net, pid, mount and cgroup namespaces, in that order',
      trigger: { argv: ['true'], place: 'container', start: 'exec' },
      events: () => runcExecJoins(),
      knownLimit: podLessRunc('joins the cgroup namespace'),
    },
    {
      id: 'runc-exec-user',
      summary: 'runc exec --user 1000:1000 (the same joins)',
      trigger: { argv: ['true'], place: 'container', start: 'exec', uid: 1000 },
      events: () => runcExecJoins(),
      knownLimit: podLessRunc('joins the cgroup namespace'),
    },
    {
      id: 'container-entrypoint-shell',
      summary: 'A container whose entrypoint is `sh -c` starting (runc run)',
      trigger: { argv: ['sh', '-c', 'true'], place: 'container', start: 'run' },
      events: () => [
        unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID, runcProcess(false)),
        unshare(CLONE_NEWCGROUP, runcProcess(true)),
      ],
      knownLimit: podLessRunc('unshares the cgroup namespace'),
    },
  ],
});

/** runc 1.1 joins in this order (user first when present); the mount namespace before the cgroup one. */
function runcExecJoins(): SimulatedEvent[] {
  const outside = runcProcess(false);
  return [
    setns(5, CLONE_NEWIPC, outside),
    setns(6, CLONE_NEWUTS, outside),
    setns(7, CLONE_NEWNET, outside),
    setns(8, CLONE_NEWPID, outside),
    setns(9, CLONE_NEWNS, outside),
    setns(10, CLONE_NEWCGROUP, runcProcess(true)),
  ];
}
