/**
 * `matchArgs` / `matchReturnArgs` operators, evaluated the way Tetragon's BPF filters do
 * (`bpf/process/types/basic.h`) with values parsed the way the agent writes them (`pkg/selectors/kernel.go`).
 */
import { EventArg } from './event';
import {
  FILE_TYPE_BITS, capabilityMask, familyNumber, policyCapabilityMask, parseGoInt, parseIp, parsePrefix, prefixContains, protocolNumber,
  tcpStateNumber, toSigned, toUnsigned,
} from './_values';

/** Outcome of one filter. `load-error`: Tetragon would refuse the policy; `event-problem`: the event lacks data. */
export type FilterOutcome =
  | { readonly kind: 'pass'; readonly detail: string }
  | { readonly kind: 'fail'; readonly detail: string }
  | { readonly kind: 'load-error'; readonly detail: string }
  | { readonly kind: 'event-problem'; readonly detail: string };

const pass = (detail: string): FilterOutcome => ({ kind: 'pass', detail });
const fail = (detail: string): FilterOutcome => ({ kind: 'fail', detail });
const loadError = (detail: string): FilterOutcome => ({ kind: 'load-error', detail });
const problem = (detail: string): FilterOutcome => ({ kind: 'event-problem', detail });

/** Width and signedness of integer argument types as the BPF comparisons treat them. */
interface IntType {
  /** Bits read from the argument. */
  readonly bits: number;
  /** Bits a selector value is stored in. */
  readonly storeBits: number;
  /** Whether GT/LT/InRange compare signed (`is_signed_type`: only int, int32 and int64). */
  readonly signed: boolean;
  /** Whether the agent parses values as signed (`ParseInt`) rather than unsigned (`ParseUint`). */
  readonly parseSigned: boolean;
}

const INT_TYPES: Readonly<Record<string, IntType>> = {
  'int': { bits: 32, storeBits: 32, signed: true, parseSigned: true },
  'int32': { bits: 32, storeBits: 32, signed: true, parseSigned: true },
  'sint32': { bits: 32, storeBits: 32, signed: true, parseSigned: true },
  'uint32': { bits: 32, storeBits: 32, signed: false, parseSigned: false },
  // size_t is read as 64 bits but filtered by the 32-bit code path.
  'size_t': { bits: 32, storeBits: 32, signed: false, parseSigned: true },
  'int64': { bits: 64, storeBits: 64, signed: true, parseSigned: true },
  'sint64': { bits: 64, storeBits: 64, signed: true, parseSigned: true },
  'long': { bits: 64, storeBits: 64, signed: true, parseSigned: true },
  'uint64': { bits: 64, storeBits: 64, signed: false, parseSigned: false },
  'ulong': { bits: 64, storeBits: 64, signed: false, parseSigned: false },
  'syscall64': { bits: 64, storeBits: 64, signed: false, parseSigned: true },
  // 8 and 16-bit types compare unsigned in BPF even when declared signed.
  'int16': { bits: 16, storeBits: 32, signed: false, parseSigned: true },
  'sint16': { bits: 16, storeBits: 32, signed: false, parseSigned: true },
  'uint16': { bits: 16, storeBits: 32, signed: false, parseSigned: false },
  'int8': { bits: 8, storeBits: 32, signed: false, parseSigned: true },
  'sint8': { bits: 8, storeBits: 32, signed: false, parseSigned: true },
  'uint8': { bits: 8, storeBits: 32, signed: false, parseSigned: false },
};

const CAP_TYPES = ['kernel_cap_t', 'cap_inheritable', 'cap_permitted', 'cap_effective'];
const PATH_TYPES = ['file', 'path', 'dentry', 'fd', 'linux_binprm'];
const STRING_TYPES = ['string', 'char_buf', 'char_iovec', 'data_loc', 'net_device'];
const SOCK_TYPES = ['sock', 'skb', 'socket'];

/** Longest string the Equal hash maps hold on 5.11+ kernels; longer arguments never compare Equal. */
const STRING_EQUAL_MAX = 4094;
/** An argument is cut to this many bytes before a Prefix lookup. */
const PREFIX_ARG_MAX = 255;
/** Prefix values may not be longer than this. */
const PREFIX_VALUE_MAX = 256;
/** Postfix values must be shorter than this. */
const POSTFIX_VALUE_MAX = 128;

/** The canonical operator name for the spellings Tetragon accepts (`SelectorOp`). */
export function canonicalOperator(op: string): string | undefined {
  const table: Record<string, string> = {
    gt: 'GT', GT: 'GT', GreaterThan: 'GT', lt: 'LT', LT: 'LT', LessThan: 'LT', eq: 'Equal', Equal: 'Equal', neq: 'NotEqual',
    NotEqual: 'NotEqual', In: 'In', NotIn: 'NotIn', prefix: 'Prefix', Prefix: 'Prefix', notprefix: 'NotPrefix', NotPrefix: 'NotPrefix',
    postfix: 'Postfix', Postfix: 'Postfix', notpostfix: 'NotPostfix', NotPostfix: 'NotPostfix', InMap: 'InMap', NotInMap: 'NotInMap',
    mask: 'Mask', Mask: 'Mask', saddr: 'SAddr', Saddr: 'SAddr', SAddr: 'SAddr', daddr: 'DAddr', Daddr: 'DAddr', DAddr: 'DAddr',
    notsaddr: 'NotSAddr', NotSaddr: 'NotSAddr', NotSAddr: 'NotSAddr', notdaddr: 'NotDAddr', NotDaddr: 'NotDAddr', NotDAddr: 'NotDAddr',
    sport: 'SPort', Sport: 'SPort', SPort: 'SPort', dport: 'DPort', Dport: 'DPort', DPort: 'DPort', protocol: 'Protocol',
    Protocol: 'Protocol', notsport: 'NotSPort', NotSport: 'NotSPort', NotSPort: 'NotSPort', notdport: 'NotDPort', NotDport: 'NotDPort',
    NotDPort: 'NotDPort', sportpriv: 'SPortPriv', SportPriv: 'SPortPriv', SPortPriv: 'SPortPriv', dportpriv: 'DPortPriv',
    DportPriv: 'DPortPriv', DPortPriv: 'DPortPriv', notsportpriv: 'NotSPortPriv', NotSportPriv: 'NotSPortPriv',
    NotSPortPriv: 'NotSPortPriv', notdportpriv: 'NotDPortPriv', NotDportPriv: 'NotDPortPriv', NotDPortPriv: 'NotDPortPriv',
    family: 'Family', Family: 'Family', state: 'State', State: 'State', CapabilitiesGained: 'CapabilitiesGained',
    InRange: 'InRange', NotInRange: 'NotInRange', SubString: 'SubString', SubStringIgnCase: 'SubStringIgnCase',
    CelExpr: 'CelExpr', FileType: 'FileType', NotFileType: 'NotFileType',
  };
  return table[op];
}

/** A kprobe/tracepoint/LSM argument declaration from the policy. */
export interface SpecArg {
  readonly index: number;
  readonly type: string;
  readonly label?: string;
}

/** A `matchArgs`/`matchReturnArgs` entry as written in the policy. */
export interface ArgFilter {
  readonly index?: number;
  readonly args?: readonly number[];
  readonly operator: string;
  readonly values?: readonly (string | number)[];
}

/** Normalized event argument: the shorthand forms resolved against the declared type. */
type Resolved =
  | { kind: 'path'; path: string; fileType: string }
  | { kind: 'string'; value: string }
  | { kind: 'int'; value: bigint }
  | { kind: 'sock'; family: number; protocol: number; saddr?: string; daddr?: string; sport: number; dport: number; state?: number }
  | { kind: 'sockaddr'; family: number; addr?: string; port: number }
  | { kind: 'sockaddr_un'; path: string }
  | { kind: 'caps'; value: bigint }
  | { kind: 'opaque' };

function show(v: unknown): string {
  return JSON.stringify(v);
}

/** Resolves an event argument against the declared type, or explains the mismatch. */
export function resolveArg(arg: EventArg, type: string): Resolved | string {
  const t = type;
  if (PATH_TYPES.includes(t)) {
    if (typeof arg === 'string') return { kind: 'path', path: arg, fileType: 'reg' };
    if (typeof arg === 'object' && ['file', 'path', 'fd', 'linux_binprm'].includes(arg.kind)) {
      const a = arg as { path: string; fileType?: string };
      return { kind: 'path', path: a.path, fileType: a.fileType ?? 'reg' };
    }
    return `the policy declares type '${t}', which needs a path ({"kind":"${t === 'fd' ? 'fd' : 'file'}","path":...} or a string), got ${show(arg)}`;
  }
  if (STRING_TYPES.includes(t) || t === 'filename') {
    if (typeof arg === 'string') return { kind: 'string', value: arg };
    if (typeof arg === 'object' && arg.kind === 'string') return { kind: 'string', value: arg.value };
    return `the policy declares type '${t}', which needs a string ({"kind":"string","value":...} or a string), got ${show(arg)}`;
  }
  if (INT_TYPES[t]) {
    const raw = typeof arg === 'number' ? arg : (typeof arg === 'object' && arg.kind === 'int') ? arg.value : undefined;
    if (raw === undefined) return `the policy declares type '${t}', which needs an integer ({"kind":"int","value":...} or a number), got ${show(arg)}`;
    const v = typeof raw === 'number' ? BigInt(raw) : parseGoInt(raw.trim());
    if (typeof v === 'string') return v;
    return { kind: 'int', value: v };
  }
  if (CAP_TYPES.includes(t)) {
    if (typeof arg === 'object' && arg.kind === 'capabilities') {
      const v = Array.isArray(arg.value) ? capabilityMask(arg.value) : typeof arg.value === 'number' ? BigInt(arg.value) : parseGoInt(String(arg.value));
      if (typeof v === 'string') return v;
      return { kind: 'caps', value: v };
    }
    if (typeof arg === 'number') return { kind: 'caps', value: BigInt(arg) };
    return `the policy declares type '${t}', which needs a capability set ({"kind":"capabilities","value":["CAP_SYS_ADMIN"]}), got ${show(arg)}`;
  }
  if (SOCK_TYPES.includes(t)) {
    if (typeof arg !== 'object' || arg.kind !== 'sock') return `the policy declares type '${t}', which needs {"kind":"sock",...}, got ${show(arg)}`;
    const family = familyNumber(arg.family ?? 'AF_INET');
    const protocol = protocolNumber(arg.protocol ?? 'IPPROTO_TCP');
    const state = arg.state === undefined ? undefined : tcpStateNumber(arg.state);
    if (family === undefined) return `unknown family ${show(arg.family)}`;
    if (protocol === undefined) return `unknown protocol ${show(arg.protocol)}`;
    if (arg.state !== undefined && state === undefined) return `unknown TCP state ${show(arg.state)}`;
    return { kind: 'sock', family, protocol, saddr: arg.saddr, daddr: arg.daddr, sport: arg.sport ?? 0, dport: arg.dport ?? 0, state };
  }
  if (t === 'sockaddr') {
    if (typeof arg !== 'object' || arg.kind !== 'sockaddr') return `the policy declares type 'sockaddr', which needs {"kind":"sockaddr",...}, got ${show(arg)}`;
    const family = familyNumber(arg.family ?? 'AF_INET');
    if (family === undefined) return `unknown family ${show(arg.family)}`;
    return { kind: 'sockaddr', family, addr: arg.addr, port: arg.port ?? 0 };
  }
  if (t === 'sockaddr_un') {
    if (typeof arg === 'string') return { kind: 'sockaddr_un', path: arg };
    if (typeof arg === 'object' && arg.kind === 'sockaddr_un') return { kind: 'sockaddr_un', path: arg.path };
    return `the policy declares type 'sockaddr_un', which needs {"kind":"sockaddr_un","path":...}, got ${show(arg)}`;
  }
  return { kind: 'opaque' };
}

function describe(r: Resolved): string {
  switch (r.kind) {
    case 'path': return `${show(r.path)}${r.fileType !== 'reg' ? ` (${r.fileType})` : ''}`;
    case 'string': return show(r.value);
    case 'int': return r.value.toString();
    case 'caps': return `0x${r.value.toString(16)}`;
    case 'sock': return `${r.saddr ?? '?'}:${r.sport} -> ${r.daddr ?? '?'}:${r.dport} (family ${r.family}, protocol ${r.protocol}${r.state !== undefined ? `, state ${r.state}` : ''})`;
    case 'sockaddr': return `${r.addr ?? '?'}:${r.port} (family ${r.family})`;
    case 'sockaddr_un': return show(r.path);
    default: return '(opaque)';
  }
}

function values(f: ArgFilter): string[] {
  return (f.values ?? []).map((v) => String(v));
}

function stringOp(op: string, arg: string, vals: string[], isString: boolean, allowPostfix = true): FilterOutcome | boolean {
  const buf = Buffer.from(arg, 'utf8');
  switch (op) {
    case 'Equal': case 'NotEqual': {
      const wanted = vals.map((v) => (isString && v.endsWith('\0') ? v.slice(0, -1) : v));
      if (buf.length > STRING_EQUAL_MAX) return false;
      return wanted.some((w) => Buffer.from(w, 'utf8').equals(buf));
    }
    case 'Prefix': case 'NotPrefix': {
      for (const v of vals) if (Buffer.byteLength(v) > PREFIX_VALUE_MAX) return loadError(`Prefix value ${show(v)} is longer than ${PREFIX_VALUE_MAX} characters`);
      if (buf.length === 0) return false;
      const cut = buf.subarray(0, PREFIX_ARG_MAX);
      return vals.some((v) => {
        const vb = Buffer.from(v, 'utf8');
        return vb.length <= cut.length && cut.subarray(0, vb.length).equals(vb);
      });
    }
    case 'Postfix': case 'NotPostfix': {
      if (!allowPostfix) return false;
      for (const v of vals) if (Buffer.byteLength(v) >= POSTFIX_VALUE_MAX) return loadError(`Postfix value ${show(v)} is longer than ${POSTFIX_VALUE_MAX - 1} characters`);
      if (buf.length === 0) return false;
      return vals.some((v) => {
        const vb = Buffer.from(v, 'utf8');
        return vb.length <= buf.length && buf.subarray(buf.length - vb.length).equals(vb);
      });
    }
    default:
      return loadError(`operator ${op} is not supported on string arguments`);
  }
}

const NEGATED = ['NotEqual', 'NotPrefix', 'NotPostfix', 'NotFileType'];

function intValue(v: string, t: IntType, op: string): bigint | string {
  const parsed = parseGoInt(v.trim());
  if (typeof parsed === 'string') return parsed;
  const lo = t.parseSigned ? -(1n << BigInt(t.storeBits - 1)) : 0n;
  const hi = t.parseSigned ? (1n << BigInt(t.storeBits - 1)) - 1n : (1n << BigInt(t.storeBits)) - 1n;
  if (parsed < lo || parsed > hi) return `value ${show(v)} is out of range for ${op} on this type (${lo}..${hi})`;
  return parsed;
}

function numericOp(op: string, arg: bigint, t: IntType, f: ArgFilter): FilterOutcome {
  const vals = values(f);
  const argU = toUnsigned(arg, t.bits);
  const cmpArg = t.signed ? toSigned(arg, t.bits) : argU;
  switch (op) {
    case 'Equal': case 'NotEqual': case 'Mask': case 'GT': case 'LT': {
      if (vals.length > 4) return loadError(`${op} takes at most 4 values (got ${vals.length}); use InMap/NotInMap for longer lists`);
      const parsed: bigint[] = [];
      for (const v of vals) {
        const p = intValue(v, t, op);
        if (typeof p === 'string') return loadError(p);
        parsed.push(p);
      }
      if (op === 'Equal' || op === 'NotEqual') {
        const hit = parsed.some((w) => toUnsigned(w, t.storeBits) === argU);
        return (op === 'Equal') === hit ? pass(`${arg} ${hit ? 'is' : 'is not'} one of [${vals.join(', ')}]`) : fail(`${arg} ${hit ? 'is' : 'is not'} one of [${vals.join(', ')}]`);
      }
      if (op === 'Mask') {
        const hit = parsed.some((w) => (argU & toUnsigned(w, t.storeBits)) !== 0n);
        return hit ? pass(`0x${argU.toString(16)} has a bit of [${vals.join(', ')}] set`) : fail(`0x${argU.toString(16)} has none of the bits [${vals.join(', ')}] set`);
      }
      const hit = parsed.some((w) => {
        const cw = t.signed ? toSigned(w, t.storeBits) : toUnsigned(w, t.storeBits);
        return op === 'GT' ? cmpArg > cw : cmpArg < cw;
      });
      const rel = op === 'GT' ? 'greater' : 'less';
      return hit ? pass(`${cmpArg} is ${rel} than one of [${vals.join(', ')}]`) : fail(`${cmpArg} is not ${rel} than any of [${vals.join(', ')}]`);
    }
    case 'InRange': case 'NotInRange': {
      if (vals.length > 4) return loadError(`${op} takes at most 4 ranges (got ${vals.length})`);
      let inAny = false;
      for (const v of vals) {
        const parts = v.split(':');
        if (parts.length !== 2) return loadError(`${op} value ${show(v)} must be 'min:max'`);
        const lo = parseGoInt(parts[0].trim());
        const hi = parseGoInt(parts[1].trim());
        if (typeof lo === 'string') return loadError(lo);
        if (typeof hi === 'string') return loadError(hi);
        const w = t.bits === 64 ? 64 : 32;
        if (w === 32 && (lo > 0xffffffffn || hi > 0xffffffffn)) return loadError(`range ${v} exceeds 32 bits`);
        const clo = t.signed ? toSigned(lo, w) : toUnsigned(lo, w);
        const chi = t.signed ? toSigned(hi, w) : toUnsigned(hi, w);
        if (clo <= cmpArg && cmpArg <= chi) inAny = true;
      }
      const d = `${cmpArg} ${inAny ? 'is' : 'is not'} in [${vals.join(', ')}]`;
      return (op === 'InRange') === inAny ? pass(d) : fail(d);
    }
    case 'InMap': case 'NotInMap': {
      const set = new Set<bigint>();
      for (const v of vals) {
        if (v.startsWith('list:')) return loadError(`${op} with '${v}' reads a policy list; the simulator does not model lists in values`);
        const r = rangeValues(v, t.parseSigned);
        if (typeof r === 'string') return loadError(r);
        for (const x of r) set.add(toUnsigned(x, 64));
      }
      const hit = set.has(argU);
      const d = `${arg} ${hit ? 'is' : 'is not'} in the map [${vals.join(', ')}]`;
      return (op === 'InMap') === hit ? pass(d) : fail(d);
    }
    default:
      return loadError(`operator ${op} is not supported on integer arguments`);
  }
}

/** Expands `a:b` ranges (base 10, as `writeRangeInMap` parses) into values; a single value is `a:a`. */
function rangeValues(v: string, signed: boolean): bigint[] | string {
  const parts = v.split(':');
  if (parts.length > 2) return `value ${show(v)}: a range is 'min:max'`;
  if (parts.some((p) => !(signed ? /^[+-]?\d+$/ : /^\+?\d+$/).test(p.trim()))) return `value ${show(v)} is not a decimal integer or range`;
  let lo = BigInt(parts[0].trim());
  let hi = BigInt((parts[1] ?? parts[0]).trim());
  if (lo > hi) [lo, hi] = [hi, lo];
  if (hi - lo > 1_000_000n) return `range ${v} is too large to simulate`;
  const out: bigint[] = [];
  for (let x = lo; x <= hi; x++) out.push(x);
  return out;
}

function portSet(vals: string[], op: string): Set<number> | string {
  const set = new Set<number>();
  for (const v of vals) {
    let one: number | undefined;
    if (op === 'Protocol') one = protocolNumber(v);
    if (op === 'Family') one = familyNumber(v);
    if (op === 'State') one = tcpStateNumber(v);
    if (one !== undefined && !v.includes(':')) {
      set.add(one);
      continue;
    }
    const r = rangeValues(v, false);
    if (typeof r === 'string') return `${op} ${r}`;
    for (const x of r) set.add(Number(x));
  }
  return set;
}

function addrOp(op: string, vals: string[], family: number, addr: string | undefined): FilterOutcome {
  const prefixes = [];
  for (const v of vals) {
    const p = parsePrefix(v);
    if (typeof p === 'string') return loadError(`${op}: ${p}`);
    prefixes.push(p);
  }
  const negated = op.startsWith('Not');
  if (family !== 2 && family !== 10) return fail(`family ${family} is neither AF_INET nor AF_INET6, so ${op} never matches`);
  if (addr === undefined) return problem(`${op} needs the address, which the event does not give`);
  const ip = parseIp(addr);
  if (!ip) return problem(`${show(addr)} is not an IP address`);
  if (ip.v6 !== (family === 10)) return problem(`${show(addr)} does not fit family ${family === 10 ? 'AF_INET6' : 'AF_INET'}`);
  const hit = prefixes.some((p) => prefixContains(p, ip));
  const d = `${addr} ${hit ? 'is' : 'is not'} in [${vals.join(', ')}]`;
  return negated !== hit ? pass(d) : fail(d);
}

function sockOp(op: string, r: Resolved, type: string, f: ArgFilter): FilterOutcome {
  const vals = values(f);
  const isSockaddr = r.kind === 'sockaddr';
  if (isSockaddr && ['DAddr', 'NotDAddr', 'DPort', 'NotDPort', 'DPortPriv', 'NotDPortPriv', 'Protocol', 'State'].includes(op)) {
    return loadError(`sockaddr only supports [Not]SAddr, [Not]SPort[Priv] and Family (got ${op})`);
  }
  const family = r.kind === 'sock' || r.kind === 'sockaddr' ? r.family : 0;
  const sport = r.kind === 'sock' ? r.sport : r.kind === 'sockaddr' ? r.port : 0;
  const dport = r.kind === 'sock' ? r.dport : 0;
  const saddr = r.kind === 'sock' ? r.saddr : r.kind === 'sockaddr' ? r.addr : undefined;
  const daddr = r.kind === 'sock' ? r.daddr : undefined;
  switch (op) {
    case 'SAddr': case 'NotSAddr': return addrOp(op, vals, family, saddr);
    case 'DAddr': case 'NotDAddr': return addrOp(op, vals, family, daddr);
    case 'SPortPriv': return sport < 1024 ? pass(`source port ${sport} < 1024`) : fail(`source port ${sport} is not privileged (< 1024)`);
    case 'NotSPortPriv': return sport >= 1024 ? pass(`source port ${sport} >= 1024`) : fail(`source port ${sport} is privileged (< 1024)`);
    case 'DPortPriv': return dport < 1024 ? pass(`destination port ${dport} < 1024`) : fail(`destination port ${dport} is not privileged (< 1024)`);
    case 'NotDPortPriv': return dport >= 1024 ? pass(`destination port ${dport} >= 1024`) : fail(`destination port ${dport} is privileged (< 1024)`);
    case 'SPort': case 'NotSPort': case 'DPort': case 'NotDPort': case 'Protocol': case 'Family': case 'State': {
      const set = portSet(vals, op);
      if (typeof set === 'string') return loadError(set);
      let actual: number | undefined;
      let what = '';
      if (op.endsWith('SPort')) { actual = sport; what = 'source port'; }
      if (op.endsWith('DPort')) { actual = dport; what = 'destination port'; }
      if (op === 'Protocol') { actual = r.kind === 'sock' ? r.protocol : 0; what = 'protocol'; }
      if (op === 'Family') { actual = family; what = 'family'; }
      if (op === 'State') {
        if (type === 'skb' || r.kind !== 'sock') return fail(`State is only read from sock and socket arguments; on ${type} it never matches`);
        if (r.state === undefined) return problem('State needs the socket state, which the event does not give (add "state")');
        actual = r.state;
        what = 'state';
      }
      const hit = set.has(actual!);
      const negated = op.startsWith('Not');
      const d = `${what} ${actual} ${hit ? 'is' : 'is not'} in [${vals.join(', ')}]`;
      return negated !== hit ? pass(d) : fail(d);
    }
    default:
      return loadError(`operator ${op} is not supported on ${type} arguments`);
  }
}

/** Looks up the declared argument a filter refers to: `args[0]` (spec position) wins over `index` (function argument). */
export function filterTarget(f: ArgFilter, spec: readonly SpecArg[], position = 0): { pos: number; arg: SpecArg } | string {
  if (f.args && f.args.length > position) {
    const pos = f.args[position];
    if (pos >= spec.length) return `args[${position}] = ${pos} points past the ${spec.length} declared arguments`;
    return { pos, arg: spec[pos] };
  }
  if (position > 0) return `needs args[${position}]`;
  const pos = spec.findIndex((a) => a.index === (f.index ?? 0));
  if (pos < 0) return `index ${f.index ?? 0} is not among the declared arguments (indexes ${spec.map((a) => a.index).join(', ') || 'none'})`;
  return { pos, arg: spec[pos] };
}

/**
 * Evaluates one `matchArgs` entry against the event's arguments.
 * @param argAt returns the event's value for a function argument index (undefined when absent)
 */
export function evaluateArgFilter(f: ArgFilter, spec: readonly SpecArg[], argAt: (index: number) => EventArg | undefined): FilterOutcome {
  const op = canonicalOperator(f.operator);
  if (!op) return loadError(`unknown operator '${f.operator}'`);
  if (op === 'CelExpr' || op === 'SubString' || op === 'SubStringIgnCase') {
    return loadError(`operator ${op} is not modeled by the simulator`);
  }
  const target = filterTarget(f, spec);
  if (typeof target === 'string') return loadError(target);
  const { arg: decl } = target;
  const raw = argAt(decl.index);
  if (raw === undefined || raw === null) {
    return problem(`the event gives no value for argument index ${decl.index} (${decl.type}), which this filter reads`);
  }
  const r = resolveArg(raw, decl.type);
  if (typeof r === 'string') return problem(`argument index ${decl.index}: ${r}`);
  const vals = values(f);
  const label = `arg ${decl.index} (${decl.type}) ${describe(r)}`;
  const wrap = (res: FilterOutcome | boolean, negated: boolean, opText: string): FilterOutcome => {
    if (typeof res !== 'boolean') return res;
    const matched = negated ? !res : res;
    const d = `${label} ${res ? 'matches' : 'does not match'} ${opText.replace(/^Not/, '')} [${vals.map((v) => show(v)).join(', ')}]`;
    return matched ? pass(d) : fail(d);
  };

  if (op === 'CapabilitiesGained') {
    if (!CAP_TYPES.includes(decl.type)) return loadError('CapabilitiesGained needs capability-typed arguments');
    const second = filterTarget(f, spec, 1);
    if (typeof second === 'string') return loadError(`CapabilitiesGained requires two args (old and new capability sets): ${second}`);
    if (!CAP_TYPES.includes(second.arg.type)) return loadError('CapabilitiesGained needs capability-typed arguments');
    const raw2 = argAt(second.arg.index);
    if (raw2 === undefined || raw2 === null) return problem(`the event gives no value for argument index ${second.arg.index} (${second.arg.type})`);
    const r2 = resolveArg(raw2, second.arg.type);
    if (typeof r2 === 'string') return problem(`argument index ${second.arg.index}: ${r2}`);
    const oldCaps = (r as { value: bigint }).value;
    const newCaps = (r2 as { value: bigint }).value;
    const gained = (oldCaps ^ newCaps) & newCaps;
    return gained !== 0n ? pass(`capabilities gained: 0x${gained.toString(16)}`) : fail(`no capability gained (old 0x${oldCaps.toString(16)}, new 0x${newCaps.toString(16)})`);
  }

  switch (r.kind) {
    case 'path': {
      if (op === 'FileType' || op === 'NotFileType') {
        if (!['file', 'path'].includes(decl.type)) return loadError(`${op} works on file and path arguments only (declared ${decl.type})`);
        if (vals.length > 4) return loadError(`${op} takes at most 4 values`);
        const bits: number[] = [];
        for (const v of vals) {
          if (FILE_TYPE_BITS[v] === undefined) return loadError(`unknown file type '${v}'; allowed: ${Object.keys(FILE_TYPE_BITS).join(', ')}`);
          bits.push(FILE_TYPE_BITS[v]);
        }
        const hit = bits.includes(FILE_TYPE_BITS[r.fileType]);
        return wrap(hit, op === 'NotFileType', op);
      }
      if (!['Equal', 'NotEqual', 'Prefix', 'NotPrefix', 'Postfix', 'NotPostfix'].includes(op)) {
        return loadError(`operator ${op} is not supported on ${decl.type} arguments`);
      }
      // kernel.go parseMatchArg: Equal writes string maps for file, path, fd, ... but not dentry, which then falls to
      // writeMatchValues and is refused ("MatchArgs type dentry unsupported").
      if (decl.type === 'dentry' && (op === 'Equal' || op === 'NotEqual')) return loadError(`MatchArgs type dentry unsupported: ${op} is refused on dentry arguments (Prefix and Postfix work)`);
      // An anonymous file (no path) matches no path comparison, negated ones included.
      if (r.path === '') return fail(`${label} has no path, so no path operator matches (negated ones neither)`);
      return wrap(stringOp(op, r.path, vals, false), NEGATED.includes(op), op);
    }
    case 'string': {
      if (decl.type === 'filename') return loadError('arguments of type filename cannot be filtered; use string');
      if (!['Equal', 'NotEqual', 'Prefix', 'NotPrefix', 'Postfix', 'NotPostfix'].includes(op)) {
        return loadError(`operator ${op} is not supported on ${decl.type} arguments`);
      }
      return wrap(stringOp(op, r.value, vals, decl.type === 'string'), NEGATED.includes(op), op);
    }
    case 'int': {
      const o = numericOp(op, r.value, INT_TYPES[decl.type], f);
      return o.kind === 'pass' || o.kind === 'fail' ? { ...o, detail: `arg ${decl.index} (${decl.type}): ${o.detail}` } : o;
    }
    case 'caps': {
      if (!['Equal', 'NotEqual', 'Mask', 'GT', 'LT', 'InMap', 'NotInMap'].includes(op)) return loadError(`operator ${op} is not supported on ${decl.type}`);
      if (['Equal', 'NotEqual', 'Mask'].includes(op)) {
        if (vals.length > 4) return loadError(`${op} takes at most 4 values`);
        const masks: bigint[] = [];
        for (const v of vals) {
          const n = parseGoInt(v.trim());
          const m = typeof n === 'bigint' ? toUnsigned(n, 64) : policyCapabilityMask(v.split(','));
          if (typeof m === 'string') return loadError(`capability mask ${show(v)}: ${m}`);
          masks.push(m);
        }
        const hit = op === 'Mask' ? masks.some((m) => (r.value & m) !== 0n) : masks.some((m) => m === r.value);
        const d = `${label} ${op === 'Mask' ? 'has' : 'is'}${hit ? '' : ' not'} ${op === 'Mask' ? 'a bit of' : 'one of'} [${vals.join(', ')}]`;
        return (op === 'NotEqual') !== hit ? pass(d) : fail(d);
      }
      return numericOp(op, r.value, { bits: 64, storeBits: 64, signed: false, parseSigned: false }, f);
    }
    case 'sock': case 'sockaddr':
      if (['Equal', 'NotEqual', 'Prefix', 'NotPrefix', 'Postfix', 'NotPostfix', 'Mask', 'GT', 'LT'].includes(op)) {
        return loadError(`MatchArgs type ${decl.type} does not support operator ${op}`);
      }
      return sockOp(op, r, decl.type, f);
    case 'sockaddr_un': {
      if (op === 'Family') {
        const set = portSet(vals, 'Family');
        if (typeof set === 'string') return loadError(set);
        return set.has(1) ? pass('family AF_UNIX is listed') : fail(`family AF_UNIX (1) is not in [${vals.join(', ')}]`);
      }
      if (!['Equal', 'NotEqual', 'Prefix', 'NotPrefix', 'Postfix', 'NotPostfix'].includes(op)) {
        return loadError('sockaddr_un only supports Family and string operators (Equal, NotEqual, Prefix, NotPrefix)');
      }
      // The BPF filter has no Postfix branch for sockaddr_un: it never matches, negated or not.
      if (op === 'Postfix' || op === 'NotPostfix') return fail(`${op} is not implemented for sockaddr_un in BPF and never matches`);
      return wrap(stringOp(op, r.path, vals, false), NEGATED.includes(op), op);
    }
    default:
      return loadError(`MatchArgs type ${decl.type} cannot be filtered (Tetragon refuses the policy)`);
  }
}
