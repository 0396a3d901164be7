/**
 * The event model of the simulator: one kernel call as Tetragon's BPF code would see it,
 * described as plain data (TypeScript objects or one JSON object per line).
 *
 * A `SimulatedEvent` names the hook (`kprobe:<function>`, `lsm:<hook>`, `tracepoint:<subsystem>/<event>`),
 * the argument values by the kernel function's argument index, and the process that made the call.
 */
import { show } from '../private/problems';

/** File types understood by the `FileType`/`NotFileType` operators (the short names Tetragon accepts). */
export type FileTypeName = 'reg' | 'dir' | 'lnk' | 'chr' | 'blk' | 'fifo' | 'sock';

/**
 * A `struct file *`, `struct path *` or `struct dentry *` argument, as resolved by Tetragon's d_path walk:
 * the absolute path as seen from the process's root (inside a container: the container view), after
 * symlinks were followed by the kernel.
 */
export interface FileArg {
  readonly kind: 'file' | 'path';
  /** Absolute path as d_path renders it; `''` for an anonymous file (pipe, socket, memfd). */
  readonly path: string;
  /** File type from the inode mode. @default 'reg' */
  readonly fileType?: FileTypeName;
}

/** An `fd` argument: the descriptor number and the path Tetragon tracked for it. */
export interface FdArg {
  readonly kind: 'fd';
  readonly fd: number;
  readonly path: string;
}

/** A `struct linux_binprm *` argument: the file being executed (the script, then its interpreter). */
export interface LinuxBinprmArg {
  readonly kind: 'linux_binprm';
  readonly path: string;
}

/** A `char *` string (`string`, `char_buf`, `char_iovec`, `data_loc`, `net_device`, `filename`). */
export interface StringArg {
  readonly kind: 'string';
  readonly value: string;
}

/** Any integer argument (`int`, `uint32`, `int64`, `size_t`, `syscall64`, ...). Strings allow 64-bit and hex values. */
export interface IntArg {
  readonly kind: 'int';
  readonly value: number | string;
}

/** Address families the simulator knows by name; numbers are accepted too. */
export type SocketFamily = 'AF_UNIX' | 'AF_INET' | 'AF_INET6' | 'AF_NETLINK' | 'AF_PACKET' | 'AF_VSOCK' | number;

/** A `struct sock *`, `struct sk_buff *` or `struct socket *` argument (the 5-tuple and TCP state). */
export interface SockArg {
  readonly kind: 'sock';
  /** @default 'AF_INET' */
  readonly family?: SocketFamily;
  /** `IPPROTO_TCP`, `IPPROTO_UDP`, ... or a number. @default 'IPPROTO_TCP' */
  readonly protocol?: string | number;
  /** Socket type, informative only (`SOCK_STREAM`). */
  readonly type?: string;
  readonly saddr?: string;
  readonly daddr?: string;
  readonly sport?: number;
  readonly dport?: number;
  /** `TCP_SYN_SENT`, `TCP_ESTABLISHED`, ... or a number. */
  readonly state?: string | number;
}

/** A `struct sockaddr *` argument (the address passed to connect/bind). */
export interface SockaddrArg {
  readonly kind: 'sockaddr';
  /** @default 'AF_INET' */
  readonly family?: SocketFamily;
  readonly addr?: string;
  readonly port?: number;
}

/** A `struct sockaddr_un *` argument (a Unix socket path as the caller wrote it, not resolved). */
export interface SockaddrUnArg {
  readonly kind: 'sockaddr_un';
  readonly path: string;
}

/** A capability set (`kernel_cap_t`, `cap_effective`, `cap_permitted`, `cap_inheritable`): names or a 64-bit mask. */
export interface CapabilitiesArg {
  readonly kind: 'capabilities';
  readonly value: readonly string[] | number | string;
}

/** An argument Tetragon reads for the event but cannot filter on (`cred`, `user_namespace`, `module`, `bpf_attr`, ...). */
export interface OpaqueArg {
  readonly kind: 'cred' | 'opaque';
  readonly value?: unknown;
}

/**
 * One argument value. Shorthands: a bare number is an `int`, a bare string is a path for `file`, `path`,
 * `fd` and `linux_binprm` arguments and a string value for string arguments.
 */
export type EventArg =
  | FileArg
  | FdArg
  | LinuxBinprmArg
  | StringArg
  | IntArg
  | SockArg
  | SockaddrArg
  | SockaddrUnArg
  | CapabilitiesArg
  | OpaqueArg
  | string
  | number;

/** Linux namespace kinds as `matchNamespaces` names them (lower camel case here). */
export const NAMESPACE_KINDS = ['uts', 'ipc', 'mnt', 'pid', 'pidForChildren', 'net', 'time', 'timeForChildren', 'cgroup', 'user'] as const;
/** A Linux namespace kind. */
export type NamespaceKind = (typeof NAMESPACE_KINDS)[number];

/** Capability sets of a process. Names are `CAP_*` constants. */
export interface CapabilitySets {
  readonly effective?: readonly string[];
  readonly permitted?: readonly string[];
  readonly inheritable?: readonly string[];
}

/** The container of a pod process. */
export interface SimulatedContainer {
  readonly name?: string;
  /**
   * Image reference, e.g. `docker.io/library/nginx:1.27`; its repository (`docker.io/library/nginx`) feeds `containerSelector`
   * key `repo`.
   */
  readonly image?: string;
  /** Image repository, when it should differ from what `image` gives. */
  readonly repo?: string;
}

/** The Kubernetes pod of a process. A process without `pod` runs on the host. */
export interface SimulatedPod {
  readonly namespace: string;
  readonly name?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly container?: SimulatedContainer;
}

/** The parent (and further ancestors) of the process. */
export interface SimulatedAncestor {
  /** Binary as executed (`process.binary` of the parent in events). */
  readonly binary?: string;
  /** Resolved executable (`mm->exe_file`), which `matchParentBinaries` compares. @default binary */
  readonly exe?: string;
  readonly pid?: number;
  /** PID inside the process's PID namespace. */
  readonly nsPid?: number;
}

/** The process that made the call. */
export interface SimulatedProcess {
  /**
   * The binary as executed: the path given to exec, made absolute, symlinks not resolved. This is what
   * `process.binary` shows in Tetragon events (`/bin/sh`).
   */
  readonly binary: string;
  /**
   * The resolved executable (`mm->exe_file`), which `matchBinaries` compares on kernels with large BPF
   * programs (5.3+): `/bin/sh` may be `/usr/bin/dash`, a script is its interpreter. @default binary
   */
  readonly exe?: string;
  readonly arguments?: string;
  /** Host PID (thread group id). @default 1000 */
  readonly pid?: number;
  /** PID in the process's own PID namespace. @default pid for host processes, required for `isNamespacePID` filters in pods */
  readonly nsPid?: number;
  /** Effective user id. @default 0 */
  readonly uid?: number;
  /** The pod; leave out for a host process. */
  readonly pod?: SimulatedPod;
  /**
   * Whether the process runs in the host's namespaces (hostPID, hostNetwork, ... all at once).
   * @default true for host processes, false for pod processes
   */
  readonly hostNamespaces?: boolean;
  /** Namespace inodes, or `'host'` for the host's, per kind; overrides `hostNamespaces` per kind. */
  readonly namespaces?: Readonly<Partial<Record<NamespaceKind, number | 'host'>>>;
  /** Namespaces recorded at exec time, for `matchNamespaceChanges`. @default the current namespaces */
  readonly namespacesAtExec?: Readonly<Partial<Record<NamespaceKind, number | 'host'>>>;
  /**
   * Capabilities. @default all capabilities for uid 0 on the host, the container runtime's default set for uid 0
   * in a pod, none otherwise
   */
  readonly capabilities?: CapabilitySets;
  /** Capabilities recorded at exec time, for `matchCapabilityChanges`. @default the current capabilities */
  readonly capabilitiesAtExec?: CapabilitySets;
  /** Depth of the process's PID namespace (0 = host). @default 0 on the host, 1 in a pod */
  readonly pidNamespaceLevel?: number;
  /** Ancestors above the parent, nearest first (for `followForks` and `followChildren`). */
  readonly ancestors?: readonly SimulatedAncestor[];
}

/** One kernel call to run through policies. */
export interface SimulatedEvent {
  /** A label for reports. @default '#<position>' */
  readonly name?: string;
  /** `kprobe:<function>` (the kernel symbol, e.g. `__x64_sys_setuid`), `lsm:<hook>` or `tracepoint:<subsystem>/<event>`. */
  readonly hook: string;
  /** Argument values by the function's argument index (an array or an object with numeric keys). */
  readonly args?: readonly (EventArg | null)[] | Readonly<Record<string, EventArg>>;
  /** The function's return value, for hooks with `return: true` and `matchReturnArgs`. */
  readonly returnValue?: number | string | EventArg;
  readonly process: SimulatedProcess;
  readonly parent?: SimulatedAncestor;
  /**
   * The expected outcome, for `cdk8s-tetragon simulate` (its verdict and exit status): `'match'` (a policy reports
   * the event), `'no-match'` (none does), or `{ actions: [...] }` (those actions take effect, e.g. `['Sigkill']`).
   * The jest matcher ignores it: there the matcher you call states the expectation.
   * @default - none: every conclusive result passes
   */
  readonly expect?: EventExpectation;
}

/** What an event is expected to do: be reported, not be reported, or trigger these actions. */
export type EventExpectation = 'match' | 'no-match' | { readonly actions: readonly string[] };

/** Hook kinds an event can name. */
export type HookKind = 'kprobe' | 'lsm' | 'tracepoint';

/** A parsed hook reference. */
export interface HookRef {
  readonly kind: HookKind;
  /** Function, LSM hook, or `subsystem/event`. */
  readonly name: string;
}

/** Thrown for an event that is not well-formed; names the event (and line) and the field. */
export class EventFormatError extends Error {
  constructor(
    public readonly where: string,
    public readonly field: string,
    detail: string,
  ) {
    super(`${where}: ${field}: ${detail}`);
    this.name = 'EventFormatError';
  }
}

const ARG_KINDS = [
  'file',
  'path',
  'fd',
  'linux_binprm',
  'string',
  'int',
  'sock',
  'sockaddr',
  'sockaddr_un',
  'capabilities',
  'cred',
  'opaque',
];
const FILE_TYPES = ['reg', 'dir', 'lnk', 'chr', 'blk', 'fifo', 'sock'];
const EVENT_KEYS = ['name', 'hook', 'args', 'returnValue', 'process', 'parent', 'expect'];
const PROCESS_KEYS = [
  'binary',
  'exe',
  'arguments',
  'pid',
  'nsPid',
  'uid',
  'pod',
  'hostNamespaces',
  'namespaces',
  'namespacesAtExec',
  'capabilities',
  'capabilitiesAtExec',
  'pidNamespaceLevel',
  'ancestors',
];
const ANCESTOR_KEYS = ['binary', 'exe', 'pid', 'nsPid'];
const POD_KEYS = ['namespace', 'name', 'labels', 'container'];
const CONTAINER_KEYS = ['name', 'image', 'repo'];
const CAPSET_KEYS = ['effective', 'permitted', 'inheritable'];

/** Parses `kprobe:fn`, `lsm:hook` or `tracepoint:subsys/event`. */
export function parseHook(hook: string): HookRef | string {
  const m = /^(kprobe|lsm|tracepoint):(.+)$/.exec(hook);
  if (!m) return `'${hook}' is not a hook; expected 'kprobe:<function>', 'lsm:<hook>' or 'tracepoint:<subsystem>/<event>'`;
  const kind = m[1] as HookKind;
  if (kind === 'tracepoint' && !/^[^/\s]+\/[^/\s]+$/.test(m[2])) {
    return `'${hook}': a tracepoint is named 'tracepoint:<subsystem>/<event>', e.g. 'tracepoint:syscalls/sys_enter_openat'`;
  }
  if (/\s/.test(m[2])) return `'${hook}' contains white space`;
  return { kind, name: m[2] };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function check(cond: boolean, where: string, field: string, detail: string): asserts cond {
  if (!cond) throw new EventFormatError(where, field, detail);
}

function unknownKeys(obj: Record<string, unknown>, allowed: string[], where: string, field: string): void {
  for (const key of Object.keys(obj)) {
    check(allowed.includes(key), where, field ? `${field}.${key}` : key, `unknown field; allowed: ${allowed.join(', ')}`);
  }
}

function optType(obj: Record<string, unknown>, key: string, type: 'string' | 'number' | 'boolean', where: string, field: string): void {
  if (obj[key] === undefined) return;
  check(typeof obj[key] === type, where, `${field}.${key}`, `expected a ${type}, got ${show(obj[key])}`);
  if (type === 'number') check(Number.isInteger(obj[key]), where, `${field}.${key}`, `expected an integer, got ${obj[key]}`);
}

function checkIntLike(v: unknown, where: string, field: string): void {
  check(
    (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?(0x[0-9a-f]+|0o?[0-7]+|0b[01]+|\d+)$/i.test(v.trim())),
    where,
    field,
    `expected an integer (a number, or a string such as "0x10" or "18446744073709551615"), got ${show(v)}`,
  );
}

function checkArg(arg: unknown, where: string, field: string): void {
  if (arg === null) return;
  if (typeof arg === 'string') return;
  if (typeof arg === 'number') {
    check(Number.isInteger(arg), where, field, `expected an integer, got ${arg}`);
    return;
  }
  check(
    isObject(arg),
    where,
    field,
    `expected an argument object such as {"kind":"file","path":"/etc/shadow"}, a string or an integer, got ${show(arg)}`,
  );
  const kind = arg.kind;
  check(
    typeof kind === 'string' && ARG_KINDS.includes(kind),
    where,
    `${field}.kind`,
    `expected one of ${ARG_KINDS.join(', ')}, got ${show(kind)}`,
  );
  const allowed: Record<string, string[]> = {
    file: ['path', 'fileType'],
    path: ['path', 'fileType'],
    fd: ['fd', 'path'],
    linux_binprm: ['path'],
    string: ['value'],
    int: ['value'],
    sock: ['family', 'protocol', 'type', 'saddr', 'daddr', 'sport', 'dport', 'state'],
    sockaddr: ['family', 'addr', 'port'],
    sockaddr_un: ['path'],
    capabilities: ['value'],
    cred: ['value'],
    opaque: ['value'],
  };
  unknownKeys(arg, ['kind', ...allowed[kind]], where, field);
  switch (kind) {
    case 'file':
    case 'path':
    case 'fd':
    case 'linux_binprm':
    case 'sockaddr_un':
      check(typeof arg.path === 'string', where, `${field}.path`, `expected a string path, got ${show(arg.path)}`);
      if (kind === 'fd') check(Number.isInteger(arg.fd), where, `${field}.fd`, `expected an integer file descriptor, got ${show(arg.fd)}`);
      if (arg.fileType !== undefined) {
        check(
          FILE_TYPES.includes(arg.fileType as string),
          where,
          `${field}.fileType`,
          `expected one of ${FILE_TYPES.join(', ')}, got ${show(arg.fileType)}`,
        );
      }
      break;
    case 'string':
      check(typeof arg.value === 'string', where, `${field}.value`, `expected a string, got ${show(arg.value)}`);
      break;
    case 'int':
      checkIntLike(arg.value, where, `${field}.value`);
      break;
    case 'sock':
    case 'sockaddr':
      for (const k of ['sport', 'dport', 'port']) {
        if (arg[k] !== undefined) {
          check(
            Number.isInteger(arg[k]) && (arg[k] as number) >= 0 && (arg[k] as number) <= 65535,
            where,
            `${field}.${k}`,
            `expected a port 0-65535, got ${show(arg[k])}`,
          );
        }
      }
      for (const k of ['saddr', 'daddr', 'addr']) {
        if (arg[k] !== undefined)
          check(
            typeof arg[k] === 'string' && isIpAddress(arg[k] as string),
            where,
            `${field}.${k}`,
            `expected an IPv4 or IPv6 address, got ${show(arg[k])}`,
          );
      }
      for (const k of ['family', 'protocol', 'state']) {
        if (arg[k] !== undefined)
          check(
            typeof arg[k] === 'string' || Number.isInteger(arg[k]),
            where,
            `${field}.${k}`,
            `expected a name or a number, got ${show(arg[k])}`,
          );
      }
      break;
    case 'capabilities': {
      const v = arg.value;
      if (Array.isArray(v)) {
        v.forEach((c, i) =>
          check(
            typeof c === 'string' && /^(CAP_[A-Z_]+|DAC_OVERRIDE)$/.test(c),
            where,
            `${field}.value[${i}]`,
            `expected a capability name such as CAP_SYS_ADMIN, got ${show(c)}`,
          ),
        );
      } else {
        checkIntLike(v, where, `${field}.value`);
      }
      break;
    }
    default:
      break;
  }
}

/** Whether a string is a literal IPv4 or IPv6 address. */
export function isIpAddress(s: string): boolean {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) return s.split('.').every((p) => Number(p) <= 255);
  return s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s) && (s.match(/::/g) ?? []).length <= 1;
}

function checkNamespaces(v: unknown, where: string, field: string): void {
  check(isObject(v), where, field, `expected an object of namespace inodes, got ${show(v)}`);
  for (const [k, inode] of Object.entries(v)) {
    check(
      (NAMESPACE_KINDS as readonly string[]).includes(k),
      where,
      `${field}.${k}`,
      `unknown namespace; allowed: ${NAMESPACE_KINDS.join(', ')}`,
    );
    check(
      inode === 'host' || (Number.isInteger(inode) && (inode as number) > 0),
      where,
      `${field}.${k}`,
      `expected an inode number or 'host', got ${show(inode)}`,
    );
  }
}

function checkCapSets(v: unknown, where: string, field: string): void {
  check(isObject(v), where, field, `expected {effective, permitted, inheritable} lists, got ${show(v)}`);
  unknownKeys(v, CAPSET_KEYS, where, field);
  for (const [k, list] of Object.entries(v)) {
    check(Array.isArray(list), where, `${field}.${k}`, `expected a list of capability names, got ${show(list)}`);
    (list as unknown[]).forEach((c, i) =>
      check(
        typeof c === 'string' && /^(CAP_[A-Z_]+|DAC_OVERRIDE)$/.test(c),
        where,
        `${field}.${k}[${i}]`,
        `expected a capability name such as CAP_SYS_ADMIN, got ${show(c)}`,
      ),
    );
  }
}

function checkAncestor(v: unknown, where: string, field: string): void {
  check(isObject(v), where, field, `expected an object, got ${show(v)}`);
  unknownKeys(v, ANCESTOR_KEYS, where, field);
  optType(v, 'binary', 'string', where, field);
  optType(v, 'exe', 'string', where, field);
  optType(v, 'pid', 'number', where, field);
  optType(v, 'nsPid', 'number', where, field);
}

/**
 * Checks that a value is a well-formed `SimulatedEvent` and returns it typed.
 * @param where names the event in errors, e.g. `events.jsonl:3`
 * @throws EventFormatError naming the field, the value and what is allowed
 */
export function validateEvent(value: unknown, where = 'event'): SimulatedEvent {
  check(isObject(value), where, '(event)', `expected a JSON object, got ${show(value)}`);
  unknownKeys(value, EVENT_KEYS, where, '');
  optType(value, 'name', 'string', where, '(event)');
  check(
    typeof value.hook === 'string',
    where,
    'hook',
    `required; expected 'kprobe:<function>', 'lsm:<hook>' or 'tracepoint:<subsystem>/<event>', got ${show(value.hook)}`,
  );
  const hook = parseHook(value.hook);
  check(typeof hook !== 'string', where, 'hook', hook as string);
  if (value.expect !== undefined) {
    const e = value.expect;
    const ok =
      e === 'match' ||
      e === 'no-match' ||
      (isObject(e) &&
        Object.keys(e).join() === 'actions' &&
        Array.isArray(e.actions) &&
        e.actions.length > 0 &&
        e.actions.every((a) => typeof a === 'string' && a !== ''));
    check(ok, where, 'expect', `expected "match", "no-match" or {"actions": ["Sigkill", ...]}, got ${show(e)}`);
  }
  if (value.args !== undefined) {
    if (Array.isArray(value.args)) {
      value.args.forEach((a, i) => checkArg(a, where, `args[${i}]`));
    } else {
      check(isObject(value.args), where, 'args', `expected a list or an object keyed by argument index, got ${show(value.args)}`);
      for (const [k, a] of Object.entries(value.args)) {
        check(/^[0-9]$/.test(k), where, `args.${k}`, 'argument keys are function argument indexes 0-9');
        checkArg(a, where, `args.${k}`);
      }
    }
  }
  if (value.returnValue !== undefined) checkArg(value.returnValue, where, 'returnValue');
  const p = value.process;
  check(isObject(p), where, 'process', `required; expected an object with at least "binary", got ${show(p)}`);
  unknownKeys(p, PROCESS_KEYS, where, 'process');
  check(
    typeof p.binary === 'string' && p.binary.startsWith('/'),
    where,
    'process.binary',
    `required; expected an absolute path, got ${show(p.binary)}`,
  );
  if (p.exe !== undefined)
    check(typeof p.exe === 'string' && p.exe.startsWith('/'), where, 'process.exe', `expected an absolute path, got ${show(p.exe)}`);
  optType(p, 'arguments', 'string', where, 'process');
  for (const k of ['pid', 'nsPid', 'uid', 'pidNamespaceLevel']) optType(p, k, 'number', where, 'process');
  optType(p, 'hostNamespaces', 'boolean', where, 'process');
  if (p.namespaces !== undefined) checkNamespaces(p.namespaces, where, 'process.namespaces');
  if (p.namespacesAtExec !== undefined) checkNamespaces(p.namespacesAtExec, where, 'process.namespacesAtExec');
  if (p.capabilities !== undefined) checkCapSets(p.capabilities, where, 'process.capabilities');
  if (p.capabilitiesAtExec !== undefined) checkCapSets(p.capabilitiesAtExec, where, 'process.capabilitiesAtExec');
  if (p.ancestors !== undefined) {
    check(Array.isArray(p.ancestors), where, 'process.ancestors', `expected a list, got ${show(p.ancestors)}`);
    p.ancestors.forEach((a, i) => checkAncestor(a, where, `process.ancestors[${i}]`));
  }
  if (p.pod !== undefined) {
    const pod = p.pod;
    check(isObject(pod), where, 'process.pod', `expected an object, got ${show(pod)}`);
    unknownKeys(pod, POD_KEYS, where, 'process.pod');
    check(
      typeof pod.namespace === 'string' && pod.namespace.length > 0,
      where,
      'process.pod.namespace',
      `required for a pod process, got ${show(pod.namespace)}`,
    );
    optType(pod, 'name', 'string', where, 'process.pod');
    if (pod.labels !== undefined) {
      check(
        isObject(pod.labels) && Object.values(pod.labels).every((l) => typeof l === 'string'),
        where,
        'process.pod.labels',
        `expected an object of string labels, got ${show(pod.labels)}`,
      );
    }
    if (pod.container !== undefined) {
      check(isObject(pod.container), where, 'process.pod.container', `expected an object, got ${show(pod.container)}`);
      unknownKeys(pod.container, CONTAINER_KEYS, where, 'process.pod.container');
      for (const k of CONTAINER_KEYS) optType(pod.container, k, 'string', where, 'process.pod.container');
    }
  }
  if (value.parent !== undefined) checkAncestor(value.parent, where, 'parent');
  return value as unknown as SimulatedEvent;
}

/**
 * Parses JSON Lines text: one event object per line; blank lines and lines starting with `#` are skipped.
 * @param source names the file in errors
 * @throws EventFormatError naming `<source>:<line>` and the field
 */
export function parseEventsJsonl(text: string, source = 'events'): SimulatedEvent[] {
  const events: SimulatedEvent[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const where = `${source}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (e) {
      throw new EventFormatError(where, '(line)', `not valid JSON (${(e as Error).message}); each line must hold one event object`);
    }
    const event = validateEvent(value, where);
    events.push(event.name === undefined ? { ...event, name: where } : event);
  });
  return events;
}
