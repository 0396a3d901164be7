/**
 * Builders of the scenario catalog: the process that runs a trigger as the simulator sees it, event and
 * argument shorthands, and the runc processes whose calls make up a container start or exec.
 */
import { EventArg, SimulatedEvent, SimulatedProcess, SocketFamily } from '../../../simulate/event';
import { CAPABILITIES } from '../../../simulate/private/values';
import { GUEST_BUSYBOX, GUEST_RUNC, GUEST_TRIGGER_DIR, KnownLimit, Scenario, Trigger, VERIFY_POD } from '../../scenario';

/** The busybox applets the catalog's triggers start (`argv[0]`). */
export const BUSYBOX_APPLETS: readonly string[] = ['cat', 'id', 'ln', 'ls', 'mv', 'rm', 'sh', 'true', 'truncate'];

/** Every capability (what root holds on the node and in a privileged container). */
export const ALL_CAPS: readonly string[] = CAPABILITIES;
/** The capabilities of a `runc spec` container, bounding, effective, permitted and ambient alike. */
export const RUNC_SPEC_CAPS: readonly string[] = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];

/** Namespace inodes of the runc container (cgroup stays the host's until runc's init unshares it). */
const CONTAINER_NS = { mnt: 4026532301, uts: 4026532302, ipc: 4026532303, pid: 4026532304, pidForChildren: 4026532304, net: 4026532306 };

/** AT_FDCWD as the *at system calls receive it. */
export const AT_FDCWD = -100;
/** `MAY_WRITE` and `MAY_READ` in the mask of `security_file_permission`. */
export const MAY_WRITE = 2;
export const MAY_READ = 4;

/** The process that runs a trigger's program (`argv[0]`), with the identity, ids and pod its place gives it. */
export function triggerProcess(trigger: Trigger): SimulatedProcess {
  const program = trigger.argv[0];
  const place = trigger.place ?? 'host';
  const uid = trigger.uid ?? 0;
  let binary: string;
  let exe: string | undefined;
  if (trigger.binaryPath) binary = trigger.binaryPath;
  else if (program.startsWith('vt-')) binary = `${GUEST_TRIGGER_DIR}/${program}`;
  else if (program.startsWith('/')) binary = program;
  else {
    // A busybox applet: runc looks it up in the container's PATH; on the node busybox runs it through /proc/self/exe.
    binary = place === 'host' ? '/proc/self/exe' : `/bin/${program}`;
    exe = GUEST_BUSYBOX;
  }
  const base: SimulatedProcess = { binary, ...(exe ? { exe } : {}), arguments: trigger.argv.slice(1).join(' '), uid };
  if (place === 'host') return uid === 0 ? base : { ...base, capabilities: {} };
  // runc gives the spec's capabilities as ambient ones too, so a non-root container process keeps them.
  const caps = place === 'privileged-container' ? ALL_CAPS : RUNC_SPEC_CAPS;
  return { ...base, pod: VERIFY_POD, nsPid: 7, capabilities: { effective: caps, permitted: caps } };
}

/** runc's processes during a container start or exec, as Tetragon names them: runc init's children are cloned
 * with CLONE_PARENT and carry the identity of `runc run` or `runc exec` (measured with runc 1.1). They are not
 * yet in the container's cgroup when they join its namespaces, so no pod is known for them. */
export function runcProcess(inContainerNamespaces: boolean, capabilities?: readonly string[]): SimulatedProcess {
  return {
    binary: GUEST_RUNC,
    uid: 0,
    ...(inContainerNamespaces ? { namespaces: CONTAINER_NS } : {}),
    ...(capabilities ? { capabilities: { effective: capabilities, permitted: capabilities } } : {}),
  };
}

/** A kprobe event. */
export function kprobe(
  fn: string,
  args: SimulatedEvent['args'],
  process: SimulatedProcess,
  extra: Partial<SimulatedEvent> = {},
): SimulatedEvent {
  return { hook: `kprobe:${fn}`, ...(args ? { args } : {}), process, ...extra };
}

/** The x86_64 symbol of a system call. */
export function sys(name: string): string {
  return `__x64_sys_${name}`;
}

/** A `struct file *` argument. */
export function file(path: string, fileType?: 'reg' | 'dir' | 'chr' | 'blk' | 'lnk'): EventArg {
  return { kind: 'file', path, ...(fileType ? { fileType } : {}) };
}

/** A `struct path *` argument. */
export function pathArg(path: string, fileType?: 'reg' | 'dir'): EventArg {
  return { kind: 'path', path, ...(fileType ? { fileType } : {}) };
}

/** A `struct linux_binprm *` argument. */
export function binprm(path: string): EventArg {
  return { kind: 'linux_binprm', path };
}

/** A string argument. */
export function str(value: string): EventArg {
  return { kind: 'string', value };
}

/** A capability set argument. */
export function caps(names: readonly string[]): EventArg {
  return { kind: 'capabilities', value: names };
}

/** A `struct sockaddr *` argument; the family follows the address. */
export function sockaddr(addr: string, port: number): EventArg {
  return { kind: 'sockaddr', family: addr.includes(':') ? 'AF_INET6' : 'AF_INET', addr, port };
}

/** The sockaddr length connect(2) passes for an address. */
export function sockaddrLen(addr: string): number {
  return addr.includes(':') ? 28 : 16;
}

/** A TCP socket in `tcp_connect`: the guest's source address, the destination, state SYN_SENT. */
export function tcpSock(daddr: string, dport: number, state = 'TCP_SYN_SENT'): EventArg {
  const v6 = daddr.includes(':');
  // A dual-stack (IPv4-mapped) destination keeps an AF_INET6 socket; tcp_connect runs inside tcp_v4_connect,
  // before the IPv6 source address is set from the IPv4 one, so Tetragon reads it as "::".
  const saddr = !v6
    ? daddr.startsWith('127.')
      ? '127.0.0.1'
      : '10.0.2.15'
    : daddr === '::1'
      ? '::1'
      : daddr.startsWith('::ffff:')
        ? '::'
        : 'fec0::15';
  const family: SocketFamily = v6 ? 'AF_INET6' : 'AF_INET';
  return { kind: 'sock', family, protocol: 'IPPROTO_TCP', type: 'SOCK_STREAM', saddr, daddr, sport: 41234, dport, state };
}

/** One scenario of a family, before the policy name and the process are filled in. */
export interface ScenarioSpec {
  /** The part of the id after `<policy>/`. */
  readonly id: string;
  readonly summary: string;
  readonly trigger: Trigger;
  /** The events, given the process that runs the trigger's program. */
  readonly events: (process: SimulatedProcess) => readonly SimulatedEvent[];
  readonly knownLimit?: KnownLimit;
  readonly props?: Readonly<Record<string, unknown>>;
}

/** The scenarios of one policy: what it must catch and what it must ignore. */
export function family(
  policy: string,
  specs: { readonly catch: readonly ScenarioSpec[]; readonly ignore: readonly ScenarioSpec[] },
): Scenario[] {
  const make =
    (expect: 'catch' | 'ignore') =>
    (s: ScenarioSpec): Scenario => ({
      id: `${policy}/${s.id}`,
      policy,
      expect,
      summary: s.summary,
      trigger: s.trigger,
      events: s.events(triggerProcess(s.trigger)).map((e, i) => (e.name ? e : { ...e, name: `${s.id}#${i + 1}` })),
      ...(s.knownLimit ? { knownLimit: s.knownLimit } : {}),
      ...(s.props ? { props: s.props } : {}),
    });
  return [...specs.catch.map(make('catch')), ...specs.ignore.map(make('ignore'))];
}
