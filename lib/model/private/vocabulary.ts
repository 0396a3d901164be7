/**
 * Tetragon's vocabulary for a TracingPolicy, taken from the generated CRD types and grouped the way Tetragon v1.7.0
 * reads it: hook kinds, operators, actions, argument types. One place, so the checker, the simulator and the
 * constructs cannot drift apart.
 */
import * as crd from '../../../imports/cilium.io';

/** The hook sections of a spec, in the order Tetragon looks at them. */
export const HOOK_KINDS = [
  'kprobes',
  'tracepoints',
  'lsmhooks',
  'uprobes',
  'usdts',
  'fentries',
] as const satisfies readonly (keyof crd.TracingPolicySpec)[];
export type HookKind = (typeof HOOK_KINDS)[number];

/** Kinds a TracingPolicy CRD serves. */
export const POLICY_KINDS: ReadonlySet<string> = new Set(['TracingPolicy', 'TracingPolicyNamespaced']);

/** A matchArgs/matchData/matchReturnArgs operator as the CRD spells it. */
export type Operator = `${crd.TracingPolicySpecKprobesSelectorsMatchArgsOperator}`;

/** Operators the CRD accepts (`ArgSelector.Operator` enum). */
export const OPERATORS: ReadonlySet<string> = new Set<string>(Object.values(crd.TracingPolicySpecKprobesSelectorsMatchArgsOperator));

/** CRD spellings that Tetragon reads as another operator (`SelectorOp`). */
const OPERATOR_ALIASES: Partial<Record<Operator, Operator>> = { GreaterThan: 'GT', LessThan: 'LT' };

/**
 * The operator a matchArgs entry names, with the CRD's aliases folded (`GreaterThan` is `GT`); undefined for a
 * spelling the CRD refuses (`prefix`, `lt`): the API server never lets such a policy reach Tetragon.
 */
export function canonicalOperator(op: unknown): Operator | undefined {
  if (typeof op !== 'string' || !OPERATORS.has(op)) return undefined;
  return OPERATOR_ALIASES[op as Operator] ?? (op as Operator);
}

/** Operators whose match is negated (`NotEqual`, `NotPrefix`, ...). */
export function isNegated(op: Operator): boolean {
  return op.startsWith('Not');
}

/** A matchActions/matchReturnActions action as the CRD spells it. */
export type ActionName = `${crd.TracingPolicySpecKprobesSelectorsMatchActionsAction}`;

const ACTION_BY_LOWERCASE: ReadonlyMap<string, ActionName> = new Map(
  Object.values(crd.TracingPolicySpecKprobesSelectorsMatchActionsAction).map((a) => [a.toLowerCase(), a as ActionName]),
);

/**
 * The action an entry names, as Tetragon reads it (case-insensitively, `actionTypeTable`); undefined for an
 * unknown action. The CRD takes only its own spellings, which the schema rule reports.
 */
export function canonicalAction(action: unknown): ActionName | undefined {
  return typeof action === 'string' ? ACTION_BY_LOWERCASE.get(action.toLowerCase()) : undefined;
}

/**
 * The actions that enforce: a policy without one is pinned to monitor-only, and `policy-mode: monitor` keeps them
 * from acting (pkg/selectors/kernel.go `HasEnforcementAction`; bpf/process/generic_calls.h `do_action` checks the
 * mode for each of them, `Set` included).
 */
export const ENFORCING_ACTIONS: ReadonlySet<ActionName> = new Set<ActionName>(['Sigkill', 'Signal', 'Override', 'NotifyEnforcer', 'Set']);

/** The actions an LSM hook supports (pkg/sensors/tracing/genericlsm.go `isValidLsmSelectors`). */
export const LSM_ACTIONS: ReadonlySet<ActionName> = new Set<ActionName>(['Post', 'NoPost', 'Sigkill', 'Signal', 'Override']);

/** matchBinaries/matchParentBinaries operators as the CRD spells them. */
export type BinaryOperator = `${crd.TracingPolicySpecKprobesSelectorsMatchBinariesOperator}`;
export const BINARY_OPERATORS: ReadonlySet<string> = new Set<string>(
  Object.values(crd.TracingPolicySpecKprobesSelectorsMatchBinariesOperator),
);

/** The operator of matchPIDs, matchNamespaces, matchCapabilities and their change filters. */
export type SetOperator = `${crd.TracingPolicySpecKprobesSelectorsMatchNamespacesOperator}`;
export const SET_OPERATORS: ReadonlySet<string> = new Set<string>(
  Object.values(crd.TracingPolicySpecKprobesSelectorsMatchNamespacesOperator),
);

/** A namespace kind as the CRD spells it (`Mnt`, `PidForChildren`). */
export type NamespaceName = `${crd.TracingPolicySpecKprobesSelectorsMatchNamespacesNamespace}`;

const NAMESPACE_BY_LOWERCASE: ReadonlyMap<string, NamespaceName> = new Map(
  Object.values(crd.TracingPolicySpecKprobesSelectorsMatchNamespacesNamespace).map((n) => [n.toLowerCase(), n as NamespaceName]),
);

/** The namespace kind a name stands for, as Tetragon reads it (case-insensitively, `namespaceTypeTable`). */
export function canonicalNamespace(name: unknown): NamespaceName | undefined {
  return typeof name === 'string' ? NAMESPACE_BY_LOWERCASE.get(name.toLowerCase()) : undefined;
}

/** A capability set as the CRD spells it. */
export type CapabilitySetName = `${crd.TracingPolicySpecKprobesSelectorsMatchCapabilitiesType}`;

/** An argument type as the CRD spells it (`KProbeArg.Type` enum). */
export type ArgType = `${crd.TracingPolicySpecKprobesArgsType}`;

/** Argument types the CRD accepts. */
export const ARG_TYPES: ReadonlySet<string> = new Set<string>(Object.values(crd.TracingPolicySpecKprobesArgsType));

/** The argument type as written, if the CRD knows it. */
export function knownArgType(type: unknown): ArgType | undefined {
  return typeof type === 'string' && ARG_TYPES.has(type) ? (type as ArgType) : undefined;
}

// Argument types as Tetragon groups them when it writes a selector (pkg/selectors/kernel.go, parseMatchArg).

/** Types whose Equal/NotEqual values go to string hash maps (`writeMatchStrings`). */
export const STRING_MAP_TYPES: ReadonlySet<string> = new Set<ArgType>([
  'fd',
  'file',
  'path',
  'string',
  'char_buf',
  'linux_binprm',
  'data_loc',
  'net_device',
  'sockaddr_un',
]);

/** Types with Prefix/Postfix semantics (the ones a string is read for). */
export const STRING_READ_TYPES: ReadonlySet<string> = new Set<string>([...STRING_MAP_TYPES, 'filename', 'dentry']);

/** Types read as a path the kernel resolved with d_path (always absolute). */
export const RESOLVED_PATH_TYPES: ReadonlySet<string> = new Set<ArgType>(['file', 'path', 'fd', 'linux_binprm', 'dentry']);

/** How Tetragon parses (`writeMatchValues`) and BPF compares (`filter_*ty`) the values of an integer type. */
export interface IntegerType {
  /** Bits read from the argument. */
  readonly bits: number;
  /** Bits a selector value is stored in. */
  readonly storeBits: number;
  /** Whether GT/LT/InRange compare signed (`is_signed_type`: only int, int32 and int64). */
  readonly signed: boolean;
  /** Whether the agent parses values as signed (`ParseInt`) rather than unsigned (`ParseUint`). */
  readonly parseSigned: boolean;
}

const int = (bits: number, storeBits: number, signed: boolean, parseSigned: boolean): IntegerType => ({
  bits,
  storeBits,
  signed,
  parseSigned,
});

/** The integer argument types. */
export const INTEGER_TYPES: Readonly<Partial<Record<string, IntegerType>>> = {
  int: int(32, 32, true, true),
  int32: int(32, 32, true, true),
  sint32: int(32, 32, true, true),
  uint32: int(32, 32, false, false),
  // size_t is read as 64 bits but filtered by the 32-bit code path.
  size_t: int(32, 32, false, true),
  int64: int(64, 64, true, true),
  sint64: int(64, 64, true, true),
  long: int(64, 64, true, true),
  uint64: int(64, 64, false, false),
  ulong: int(64, 64, false, false),
  syscall64: int(64, 64, false, true),
  // 8 and 16-bit types compare unsigned in BPF even when declared signed.
  int16: int(16, 32, false, true),
  sint16: int(16, 32, false, true),
  uint16: int(16, 32, false, false),
  int8: int(8, 32, false, true),
  sint8: int(8, 32, false, true),
  uint8: int(8, 32, false, false),
};

/** Capability-set types: numeric operators take masks or names, and CapabilitiesGained compares two of them. */
export const CAPABILITY_TYPES: ReadonlySet<string> = new Set<ArgType>([
  'kernel_cap_t',
  'cap_inheritable',
  'cap_permitted',
  'cap_effective',
]);

/** Socket types: the socket operators apply. */
export const SOCKET_TYPES: ReadonlySet<string> = new Set<ArgType>(['sock', 'skb', 'sockaddr', 'socket', 'sockaddr_un']);

/** Port, protocol, family and state operators (`writeMatchRangesInMap` on sockets). */
export const PORT_OPERATORS: ReadonlySet<string> = new Set<Operator>([
  'SPort',
  'DPort',
  'NotSPort',
  'NotDPort',
  'Protocol',
  'Family',
  'State',
]);
/** Address operators (`writeMatchAddrsInMap`). */
export const ADDRESS_OPERATORS: ReadonlySet<string> = new Set<Operator>(['SAddr', 'DAddr', 'NotSAddr', 'NotDAddr']);
/** Privileged-port operators (no values). */
export const PRIVILEGED_PORT_OPERATORS: ReadonlySet<string> = new Set<Operator>(['SPortPriv', 'DPortPriv', 'NotSportPriv', 'NotDPortPriv']);

/** The operators a `sockaddr` argument supports: its source address and port, and the family. */
export const SOCKADDR_OPERATORS: ReadonlySet<string> = new Set<Operator>([
  'SAddr',
  'NotSAddr',
  'SPort',
  'NotSPort',
  'SPortPriv',
  'NotSportPriv',
  'Family',
]);

/**
 * Why Tetragon refuses a socket operator on an argument type (pkg/selectors/kernel.go `parseMatchArg`), or undefined
 * when it takes it. Only for the port, address and privileged-port operators.
 */
export function socketOperatorProblem(op: Operator, type: string): string | undefined {
  const addressLike = ADDRESS_OPERATORS.has(op) || PRIVILEGED_PORT_OPERATORS.has(op);
  const accepts = addressLike ? SOCKET_TYPES.has(type) && type !== 'sockaddr_un' : SOCKET_TYPES.has(type);
  if (!accepts)
    return `socket operators only apply to sock, skb, socket and sockaddr${PORT_OPERATORS.has(op) ? ' (and Family on sockaddr_un)' : ''}`;
  if (type === 'sockaddr_un' && op !== 'Family') return 'sockaddr_un only supports Family and the string operators';
  if (type === 'sockaddr' && !SOCKADDR_OPERATORS.has(op)) {
    const ops = [...SOCKADDR_OPERATORS];
    return `sockaddr only supports ${ops.slice(0, -1).join(', ')} and ${ops[ops.length - 1]}`;
  }
  return undefined;
}

/** File type names the FileType operators accept, with their `S_IF*` bits (Tetragon's `fileTypeTable`). */
export const FILE_TYPE_BITS: Readonly<Record<string, number>> = {
  sock: 0o140000,
  socket: 0o140000,
  lnk: 0o120000,
  link: 0o120000,
  reg: 0o100000,
  regular: 0o100000,
  blk: 0o060000,
  block: 0o060000,
  dir: 0o040000,
  chr: 0o020000,
  char: 0o020000,
  fifo: 0o010000,
  pipe: 0o010000,
};

/** Address families by the names Tetragon takes in `Family` values (pkg/reader/network, Linux `AF_*`). */
export const FAMILIES: Readonly<Record<string, number>> = {
  AF_UNSPEC: 0,
  AF_UNIX: 1,
  AF_INET: 2,
  AF_AX25: 3,
  AF_IPX: 4,
  AF_APPLETALK: 5,
  AF_NETROM: 6,
  AF_BRIDGE: 7,
  AF_ATMPVC: 8,
  AF_X25: 9,
  AF_INET6: 10,
  AF_ROSE: 11,
  AF_DECnet: 12,
  AF_NETBEUI: 13,
  AF_SECURITY: 14,
  AF_KEY: 15,
  AF_NETLINK: 16,
  AF_PACKET: 17,
  AF_ASH: 18,
  AF_ECONET: 19,
  AF_ATMSVC: 20,
  AF_RDS: 21,
  AF_IRDA: 23,
  AF_PPPOX: 24,
  AF_WANPIPE: 25,
  AF_LLC: 26,
  AF_IB: 27,
  AF_MPLS: 28,
  AF_CAN: 29,
  AF_TIPC: 30,
  AF_BLUETOOTH: 31,
  AF_IUCV: 32,
  AF_RXRPC: 33,
  AF_ISDN: 34,
  AF_PHONET: 35,
  AF_IEEE802154: 36,
  AF_CAIF: 37,
  AF_ALG: 38,
  AF_NFC: 39,
  AF_VSOCK: 40,
  AF_KCM: 41,
  AF_QIPCRTR: 42,
  AF_SMC: 43,
  AF_XDP: 44,
  AF_MCTP: 45,
};

/** IP protocols by the names Tetragon takes in `Protocol` values (pkg/reader/network). */
export const PROTOCOLS: Readonly<Record<string, number>> = {
  IPPROTO_IP: 0,
  IPPROTO_ICMP: 1,
  IPPROTO_IGMP: 2,
  IPPROTO_IPIP: 4,
  IPPROTO_TCP: 6,
  IPPROTO_EGP: 8,
  IPPROTO_PUP: 12,
  IPPROTO_UDP: 17,
  IPPROTO_IDP: 22,
  IPPROTO_TP: 29,
  IPPROTO_DCCP: 33,
  IPPROTO_IPV6: 41,
  IPPROTO_RSVP: 46,
  IPPROTO_GRE: 47,
  IPPROTO_ESP: 50,
  IPPROTO_AH: 51,
  IPPROTO_MTP: 92,
  IPPROTO_BEETPH: 94,
  IPPROTO_ENCAP: 98,
  IPPROTO_PIM: 103,
  IPPROTO_COMP: 108,
  IPPROTO_SCTP: 132,
  IPPROTO_UDPLITE: 136,
  IPPROTO_MPLS: 137,
  IPPROTO_ETHERNET: 143,
  IPPROTO_RAW: 255,
  IPPROTO_MPTCP: 262,
};

/** TCP states by the names Tetragon takes in `State` values (pkg/reader/network, `include/net/tcp_states.h`). */
export const TCP_STATES: Readonly<Record<string, number>> = {
  TCP_ESTABLISHED: 1,
  TCP_SYN_SENT: 2,
  TCP_SYN_RECV: 3,
  TCP_FIN_WAIT1: 4,
  TCP_FIN_WAIT2: 5,
  TCP_TIME_WAIT: 6,
  TCP_CLOSE: 7,
  TCP_CLOSE_WAIT: 8,
  TCP_LAST_ACK: 9,
  TCP_LISTEN: 10,
  TCP_CLOSING: 11,
  TCP_NEW_SYN_RECV: 12,
};

/** The names a `Protocol`, `Family` or `State` value may use instead of a number (matched exactly, as Tetragon does). */
export const NAMED_VALUES: Readonly<Partial<Record<Operator, Readonly<Record<string, number>>>>> = {
  Protocol: PROTOCOLS,
  Family: FAMILIES,
  State: TCP_STATES,
};

/** Architecture prefixes of syscall symbols (`__x64_sys_openat`). */
export const ARCH_PREFIXES = ['__x64_', '__arm64_', '__ia32_'] as const;

/** A call without its architecture prefix (`__x64_sys_openat` → `sys_openat`). */
export function withoutArchPrefix(call: string): string {
  return ARCH_PREFIXES.reduce((c, p) => (c.startsWith(p) ? c.slice(p.length) : c), call);
}

/** Whether a call carries an architecture prefix. */
export function hasArchPrefix(call: string): boolean {
  return ARCH_PREFIXES.some((p) => call.startsWith(p));
}

/** Values Go's strconv.ParseBool takes, and those that mean true. */
export const GO_BOOLS: ReadonlySet<string> = new Set(['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False']);
export const GO_TRUE: ReadonlySet<string> = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

/** The spec.options names Tetragon v1.7.0 knows (pkg/sensors/tracing/options.go); others are ignored silently. */
export const KNOWN_OPTIONS = ['disable-kprobe-multi', 'disable-uprobe-multi', 'override-method', 'policy-mode'] as const;
