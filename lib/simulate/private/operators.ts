/**
 * `matchArgs` / `matchReturnArgs` operators, evaluated the way Tetragon's BPF filters do
 * (`bpf/process/types/basic.h`) with values parsed the way the agent writes them (`pkg/selectors/kernel.go`).
 *
 * Only policies that load reach this code: whether Tetragon refuses a filter is the policy checker's question.
 */
import { LIMITS } from '../../model/limits';
import { ArgDeclaration, ArgFilterView, filterTarget } from '../../model/private/policy-reader';
import {
  CAPABILITY_TYPES,
  FAMILIES,
  FILE_TYPE_BITS,
  INTEGER_TYPES,
  IntegerType,
  Operator,
  RESOLVED_PATH_TYPES,
  isNegated,
} from '../../model/private/vocabulary';
import { show } from '../../private/problems';
import { EventArg } from '../event';
import {
  capabilityMask,
  familyNumber,
  policyCapabilityMask,
  parseGoInt,
  parseIp,
  parsePrefix,
  prefixContains,
  protocolNumber,
  tcpStateNumber,
  toSigned,
  toUnsigned,
} from './values';

/**
 * Outcome of one filter. `event-problem`: the event lacks data the filter reads; `unmodeled`: the simulator cannot
 * evaluate the filter. Both leave the result inconclusive.
 */
export type FilterOutcome =
  | { readonly kind: 'pass'; readonly detail: string }
  | { readonly kind: 'fail'; readonly detail: string }
  | { readonly kind: 'event-problem'; readonly detail: string }
  | { readonly kind: 'unmodeled'; readonly detail: string };

export const pass = (detail: string): FilterOutcome => ({ kind: 'pass', detail });
export const fail = (detail: string): FilterOutcome => ({ kind: 'fail', detail });
export const problem = (detail: string): FilterOutcome => ({ kind: 'event-problem', detail });
export const unmodeled = (detail: string): FilterOutcome => ({ kind: 'unmodeled', detail });

/** Event argument shapes: strings (`char *` and friends) and sockets with a 5-tuple. */
const STRING_TYPES = ['string', 'char_buf', 'char_iovec', 'data_loc', 'net_device'];
const SOCK_TYPES = ['sock', 'skb', 'socket'];
/** The string operators (Tetragon's string maps and prefix/postfix tries). */
const STRING_OPERATORS: readonly Operator[] = ['Equal', 'NotEqual', 'Prefix', 'NotPrefix', 'Postfix', 'NotPostfix'];
/** A privileged port is below this (`SPortPriv`, ...). */
const FIRST_UNPRIVILEGED_PORT = 1024;
/** Largest range the simulator expands into a set (Tetragon writes every value of a range into its map). */
const MAX_SIMULATED_RANGE = 1_000_000n;

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

/** Resolves an event argument against the declared type, or explains the mismatch. */
export function resolveArg(arg: EventArg, type: string): Resolved | string {
  const t = type;
  if (RESOLVED_PATH_TYPES.has(t)) {
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
  if (INTEGER_TYPES[t]) {
    const raw = typeof arg === 'number' ? arg : typeof arg === 'object' && arg.kind === 'int' ? arg.value : undefined;
    if (raw === undefined)
      return `the policy declares type '${t}', which needs an integer ({"kind":"int","value":...} or a number), got ${show(arg)}`;
    const v = typeof raw === 'number' ? BigInt(raw) : parseGoInt(raw.trim());
    if (typeof v === 'string') return v;
    return { kind: 'int', value: v };
  }
  if (CAPABILITY_TYPES.has(t)) {
    if (typeof arg === 'object' && arg.kind === 'capabilities') {
      const v = Array.isArray(arg.value)
        ? capabilityMask(arg.value)
        : typeof arg.value === 'number'
          ? BigInt(arg.value)
          : parseGoInt(String(arg.value));
      if (typeof v === 'string') return v;
      return { kind: 'caps', value: v };
    }
    if (typeof arg === 'number') return { kind: 'caps', value: BigInt(arg) };
    return `the policy declares type '${t}', which needs a capability set ({"kind":"capabilities","value":["CAP_SYS_ADMIN"]}), got ${show(arg)}`;
  }
  if (SOCK_TYPES.includes(t)) {
    if (typeof arg !== 'object' || arg.kind !== 'sock')
      return `the policy declares type '${t}', which needs {"kind":"sock",...}, got ${show(arg)}`;
    const family = familyNumber(arg.family ?? 'AF_INET');
    const protocol = protocolNumber(arg.protocol ?? 'IPPROTO_TCP');
    const state = arg.state === undefined ? undefined : tcpStateNumber(arg.state);
    if (family === undefined) return `unknown family ${show(arg.family)}`;
    if (protocol === undefined) return `unknown protocol ${show(arg.protocol)}`;
    if (arg.state !== undefined && state === undefined) return `unknown TCP state ${show(arg.state)}`;
    return { kind: 'sock', family, protocol, saddr: arg.saddr, daddr: arg.daddr, sport: arg.sport ?? 0, dport: arg.dport ?? 0, state };
  }
  if (t === 'sockaddr') {
    if (typeof arg !== 'object' || arg.kind !== 'sockaddr')
      return `the policy declares type 'sockaddr', which needs {"kind":"sockaddr",...}, got ${show(arg)}`;
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
    case 'path':
      return `${show(r.path)}${r.fileType !== 'reg' ? ` (${r.fileType})` : ''}`;
    case 'string':
      return show(r.value);
    case 'int':
      return r.value.toString();
    case 'caps':
      return `0x${r.value.toString(16)}`;
    case 'sock':
      return `${r.saddr ?? '?'}:${r.sport} -> ${r.daddr ?? '?'}:${r.dport} (family ${r.family}, protocol ${r.protocol}${r.state !== undefined ? `, state ${r.state}` : ''})`;
    case 'sockaddr':
      return `${r.addr ?? '?'}:${r.port} (family ${r.family})`;
    case 'sockaddr_un':
      return show(r.path);
    default:
      return '(opaque)';
  }
}

/** String comparison as BPF does it; the operator is one of `STRING_OPERATORS`. */
function stringOp(op: Operator, arg: string, vals: readonly string[], isString: boolean): boolean {
  const buf = Buffer.from(arg, 'utf8');
  switch (op) {
    case 'Equal':
    case 'NotEqual': {
      const wanted = vals.map((v) => (isString && v.endsWith('\0') ? v.slice(0, -1) : v));
      if (buf.length > LIMITS.equalArgumentLength) return false;
      return wanted.some((w) => Buffer.from(w, 'utf8').equals(buf));
    }
    case 'Prefix':
    case 'NotPrefix': {
      if (buf.length === 0) return false;
      const cut = buf.subarray(0, LIMITS.prefixLength);
      return vals.some((v) => {
        const vb = Buffer.from(v, 'utf8');
        return vb.length <= cut.length && cut.subarray(0, vb.length).equals(vb);
      });
    }
    default: {
      if (buf.length === 0) return false;
      return vals.some((v) => {
        const vb = Buffer.from(v, 'utf8');
        return vb.length <= buf.length && buf.subarray(buf.length - vb.length).equals(vb);
      });
    }
  }
}

/** A value as the agent parses it for an integer type (validated by the policy checker). */
function intValue(v: string): bigint {
  const parsed = parseGoInt(v.trim());
  return typeof parsed === 'bigint' ? parsed : 0n;
}

function numericOp(op: Operator, arg: bigint, t: IntegerType, vals: readonly string[]): FilterOutcome {
  const argU = toUnsigned(arg, t.bits);
  const cmpArg = t.signed ? toSigned(arg, t.bits) : argU;
  switch (op) {
    case 'Equal':
    case 'NotEqual':
    case 'Mask':
    case 'GT':
    case 'LT': {
      const parsed = vals.map(intValue);
      if (op === 'Equal' || op === 'NotEqual') {
        const hit = parsed.some((w) => toUnsigned(w, t.storeBits) === argU);
        return (op === 'Equal') === hit
          ? pass(`${arg} ${hit ? 'is' : 'is not'} one of [${vals.join(', ')}]`)
          : fail(`${arg} ${hit ? 'is' : 'is not'} one of [${vals.join(', ')}]`);
      }
      if (op === 'Mask') {
        const hit = parsed.some((w) => (argU & toUnsigned(w, t.storeBits)) !== 0n);
        return hit
          ? pass(`0x${argU.toString(16)} has a bit of [${vals.join(', ')}] set`)
          : fail(`0x${argU.toString(16)} has none of the bits [${vals.join(', ')}] set`);
      }
      const hit = parsed.some((w) => {
        const cw = t.signed ? toSigned(w, t.storeBits) : toUnsigned(w, t.storeBits);
        return op === 'GT' ? cmpArg > cw : cmpArg < cw;
      });
      const rel = op === 'GT' ? 'greater' : 'less';
      return hit ? pass(`${cmpArg} is ${rel} than one of [${vals.join(', ')}]`) : fail(`${cmpArg} is not ${rel} than ${vals.join(' or ')}`);
    }
    case 'InRange':
    case 'NotInRange': {
      let inAny = false;
      for (const v of vals) {
        const [lo, hi] = v.split(':').map(intValue);
        const w = t.bits === 64 ? 64 : 32;
        const clo = t.signed ? toSigned(lo, w) : toUnsigned(lo, w);
        const chi = t.signed ? toSigned(hi, w) : toUnsigned(hi, w);
        if (clo <= cmpArg && cmpArg <= chi) inAny = true;
      }
      const d = `${cmpArg} ${inAny ? 'is' : 'is not'} in [${vals.join(', ')}]`;
      return (op === 'InRange') === inAny ? pass(d) : fail(d);
    }
    case 'InMap':
    case 'NotInMap': {
      const set = new Set<bigint>();
      for (const v of vals) {
        if (v.startsWith('list:')) return unmodeled(`${op} with '${v}' reads a policy list; the simulator does not model lists in values`);
        const r = rangeValues(v);
        if (typeof r === 'string') return unmodeled(r);
        for (const x of r) set.add(toUnsigned(x, 64));
      }
      const hit = set.has(argU);
      const d = `${arg} ${hit ? 'is' : 'is not'} in the map [${vals.join(', ')}]`;
      return (op === 'InMap') === hit ? pass(d) : fail(d);
    }
    default:
      return unmodeled(`operator ${op} on an integer argument`);
  }
}

/** Expands `a:b` ranges (base 10, as `writeRangeInMap` parses) into values; a single value is `a:a`. */
function rangeValues(v: string): bigint[] | string {
  const parts = v.split(':').map((p) => BigInt(p.trim()));
  let [lo, hi] = [parts[0], parts[1] ?? parts[0]];
  if (lo > hi) [lo, hi] = [hi, lo];
  if (hi - lo > MAX_SIMULATED_RANGE) return `range ${v} is too large to simulate`;
  const out: bigint[] = [];
  for (let x = lo; x <= hi; x++) out.push(x);
  return out;
}

/** The ports, protocols, families or states a socket filter lists (names as Tetragon spells them, numbers, ranges). */
function portSet(vals: readonly string[], op: Operator): Set<number> | string {
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
    const r = rangeValues(v);
    if (typeof r === 'string') return `${op} ${r}`;
    for (const x of r) set.add(Number(x));
  }
  return set;
}

function addrOp(op: Operator, vals: readonly string[], family: number, addr: string | undefined): FilterOutcome {
  const prefixes = vals.map(parsePrefix).filter((p) => typeof p !== 'string');
  const v6 = family === FAMILIES.AF_INET6;
  if (family !== FAMILIES.AF_INET && !v6) return fail(`family ${family} is neither AF_INET nor AF_INET6, so ${op} never matches`);
  if (addr === undefined) return problem(`${op} needs the address, which the event does not give`);
  const ip = parseIp(addr);
  if (!ip) return problem(`${show(addr)} is not an IP address`);
  if (ip.v6 !== v6) return problem(`${show(addr)} does not fit family ${v6 ? 'AF_INET6' : 'AF_INET'}`);
  const hit = prefixes.some((p) => prefixContains(p, ip));
  const d = `${addr} ${hit ? 'is' : 'is not'} in [${vals.join(', ')}]`;
  return isNegated(op) !== hit ? pass(d) : fail(d);
}

/** Socket operators on `sock`, `skb`, `socket` and `sockaddr` (which of them a type takes is the checker's rule). */
function sockOp(op: Operator, r: Resolved, type: string, vals: readonly string[]): FilterOutcome {
  const family = r.kind === 'sock' || r.kind === 'sockaddr' ? r.family : 0;
  const sport = r.kind === 'sock' ? r.sport : r.kind === 'sockaddr' ? r.port : 0;
  const dport = r.kind === 'sock' ? r.dport : 0;
  const saddr = r.kind === 'sock' ? r.saddr : r.kind === 'sockaddr' ? r.addr : undefined;
  const daddr = r.kind === 'sock' ? r.daddr : undefined;
  const privileged = (what: string, port: number, wanted: boolean): FilterOutcome => {
    const is = port < FIRST_UNPRIVILEGED_PORT;
    const d = is
      ? `${what} ${port} is privileged (< ${FIRST_UNPRIVILEGED_PORT})`
      : `${what} ${port} is not privileged (< ${FIRST_UNPRIVILEGED_PORT})`;
    return is === wanted ? pass(d) : fail(d);
  };
  switch (op) {
    case 'SAddr':
    case 'NotSAddr':
      return addrOp(op, vals, family, saddr);
    case 'DAddr':
    case 'NotDAddr':
      return addrOp(op, vals, family, daddr);
    case 'SPortPriv':
      return privileged('source port', sport, true);
    case 'NotSportPriv':
      return privileged('source port', sport, false);
    case 'DPortPriv':
      return privileged('destination port', dport, true);
    case 'NotDPortPriv':
      return privileged('destination port', dport, false);
    case 'SPort':
    case 'NotSPort':
    case 'DPort':
    case 'NotDPort':
    case 'Protocol':
    case 'Family':
    case 'State': {
      const set = portSet(vals, op);
      if (typeof set === 'string') return unmodeled(set);
      let actual: number | undefined;
      let what = '';
      if (op.endsWith('SPort')) {
        actual = sport;
        what = 'source port';
      }
      if (op.endsWith('DPort')) {
        actual = dport;
        what = 'destination port';
      }
      if (op === 'Protocol') {
        actual = r.kind === 'sock' ? r.protocol : 0;
        what = 'protocol';
      }
      if (op === 'Family') {
        actual = family;
        what = 'family';
      }
      if (op === 'State') {
        if (type === 'skb' || r.kind !== 'sock')
          return fail(`State is only read from sock and socket arguments; on ${type} it never matches`);
        if (r.state === undefined) return problem('State needs the socket state, which the event does not give (add "state")');
        actual = r.state;
        what = 'state';
      }
      const hit = set.has(actual!);
      const d = `${what} ${actual} ${hit ? 'is' : 'is not'} in [${vals.join(', ')}]`;
      return isNegated(op) !== hit ? pass(d) : fail(d);
    }
    default:
      return unmodeled(`operator ${op} on a ${type} argument`);
  }
}

/**
 * Evaluates one `matchArgs` entry against the event's arguments.
 * @param declared the hook's declared arguments (or `[returnArg]` for matchReturnArgs)
 * @param argAt returns the event's value for a function argument index (undefined when absent)
 */
export function evaluateArgFilter(
  f: ArgFilterView,
  declared: readonly ArgDeclaration[],
  argAt: (index: number) => EventArg | undefined,
  tracepoint = false,
): FilterOutcome {
  const op = f.operator;
  if (!op) return unmodeled(`operator ${show(f.operatorText)}`);
  if (op === 'CelExpr' || op === 'SubString' || op === 'SubStringIgnCase') {
    return unmodeled(`operator ${op} is not modeled by the simulator`);
  }
  const decl = filterTarget(f, declared, { tracepoint });
  if (!decl) return unmodeled(`the filter reads no declared argument (index ${f.index})`);
  const raw = argAt(decl.index);
  if (raw === undefined || raw === null) {
    return problem(`the event gives no value for argument index ${decl.index} (${decl.type}), which this filter reads`);
  }
  const r = resolveArg(raw, decl.type);
  if (typeof r === 'string') return problem(`argument index ${decl.index}: ${r}`);
  const vals = f.values;
  const label = `arg ${decl.index} (${decl.type}) ${describe(r)}`;
  const wrap = (res: boolean, opText: string): FilterOutcome => {
    const matched = isNegated(op) ? !res : res;
    const d = `${label} ${res ? 'matches' : 'does not match'} ${opText.replace(/^Not/, '')} [${vals.map((v) => show(v)).join(', ')}]`;
    return matched ? pass(d) : fail(d);
  };

  if (op === 'CapabilitiesGained') {
    const second = filterTarget(f, declared, {}, 1);
    if (!second) return unmodeled('CapabilitiesGained without its second argument');
    const raw2 = argAt(second.index);
    if (raw2 === undefined || raw2 === null) return problem(`the event gives no value for argument index ${second.index} (${second.type})`);
    const r2 = resolveArg(raw2, second.type);
    if (typeof r2 === 'string') return problem(`argument index ${second.index}: ${r2}`);
    if (r.kind !== 'caps' || r2.kind !== 'caps') return unmodeled('CapabilitiesGained on arguments that are not capability sets');
    const gained = (r.value ^ r2.value) & r2.value;
    return gained !== 0n
      ? pass(`capabilities gained: 0x${gained.toString(16)}`)
      : fail(`no capability gained (old 0x${r.value.toString(16)}, new 0x${r2.value.toString(16)})`);
  }

  switch (r.kind) {
    case 'path': {
      if (op === 'FileType' || op === 'NotFileType') {
        const hit = vals.some((v) => FILE_TYPE_BITS[v] === FILE_TYPE_BITS[r.fileType]);
        return wrap(hit, op);
      }
      if (!STRING_OPERATORS.includes(op)) return unmodeled(`operator ${op} on a ${decl.type} argument`);
      // An anonymous file (no path) matches no path comparison, negated ones included.
      if (r.path === '') return fail(`${label} has no path, so no path operator matches (negated ones neither)`);
      return wrap(stringOp(op, r.path, vals, false), op);
    }
    case 'string': {
      // basic.h filter_arg: no case for filename, so a filter on it passes every call.
      if (decl.type === 'filename')
        return pass(`${label}: Tetragon's BPF side has no filter for filename arguments, so ${op} passes every call`);
      if (!STRING_OPERATORS.includes(op)) return unmodeled(`operator ${op} on a ${decl.type} argument`);
      return wrap(stringOp(op, r.value, vals, decl.type === 'string'), op);
    }
    case 'int': {
      const o = numericOp(op, r.value, INTEGER_TYPES[decl.type]!, vals);
      return o.kind === 'pass' || o.kind === 'fail' ? { ...o, detail: `arg ${decl.index} (${decl.type}): ${o.detail}` } : o;
    }
    case 'caps': {
      if (op === 'Equal' || op === 'NotEqual' || op === 'Mask') {
        const masks = vals.map((v) => {
          const n = parseGoInt(v.trim());
          const m = typeof n === 'bigint' ? toUnsigned(n, 64) : policyCapabilityMask(v.split(','));
          return typeof m === 'bigint' ? m : 0n;
        });
        const hit = op === 'Mask' ? masks.some((m) => (r.value & m) !== 0n) : masks.some((m) => m === r.value);
        const d = `${label} ${op === 'Mask' ? 'has' : 'is'}${hit ? '' : ' not'} ${op === 'Mask' ? 'a bit of' : 'one of'} [${vals.join(', ')}]`;
        return (op === 'NotEqual') !== hit ? pass(d) : fail(d);
      }
      return numericOp(op, r.value, { bits: 64, storeBits: 64, signed: false, parseSigned: false }, vals);
    }
    case 'sock':
    case 'sockaddr':
      return sockOp(op, r, decl.type, vals);
    case 'sockaddr_un': {
      if (op === 'Family') {
        const set = portSet(vals, 'Family');
        if (typeof set === 'string') return unmodeled(set);
        return set.has(FAMILIES.AF_UNIX)
          ? pass('family AF_UNIX is listed')
          : fail(`family AF_UNIX (${FAMILIES.AF_UNIX}) is not in [${vals.join(', ')}]`);
      }
      // The BPF filter has no Postfix branch for sockaddr_un: it never matches, negated or not.
      if (op === 'Postfix' || op === 'NotPostfix') return fail(`${op} is not implemented for sockaddr_un in BPF and never matches`);
      if (!STRING_OPERATORS.includes(op)) return unmodeled(`operator ${op} on a sockaddr_un argument`);
      return wrap(stringOp(op, r.path, vals, false), op);
    }
    default:
      return unmodeled(`a filter on a ${decl.type} argument`);
  }
}
