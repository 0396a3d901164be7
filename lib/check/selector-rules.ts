import { capabilityBit } from '../policy/process-filter';
import { CheckOptions, FindingSink, HookRef, arr, obj, show, str } from './finding';

// Argument types as Tetragon groups them when it writes a selector (pkg/selectors/kernel.go, parseMatchArg).
/** Types whose Equal/NotEqual values go to string hash maps. */
const STRING_LIKE = new Set(['fd', 'file', 'path', 'string', 'char_buf', 'linux_binprm', 'data_loc', 'net_device', 'sockaddr_un']);
/** Types with Prefix/Postfix semantics (the ones a string is read for). */
const PREFIX_OK = new Set([...STRING_LIKE, 'filename', 'dentry']);
/** Numeric types and how writeMatchValues parses them: [signed, bits]. */
const NUMERIC: Record<string, [boolean, number]> = {
  int: [true, 32], sint32: [true, 32], int32: [true, 32], size_t: [true, 32], sint16: [true, 32], int16: [true, 32],
  sint8: [true, 32], int8: [true, 32], uint32: [false, 32], uint16: [false, 32], uint8: [false, 32],
  sint64: [true, 64], int64: [true, 64], long: [true, 64], syscall64: [true, 64], uint64: [false, 64], ulong: [false, 64],
};
const CAP_TYPES = new Set(['kernel_cap_t', 'cap_inheritable', 'cap_permitted', 'cap_effective']);
/** Argument types the CRD accepts (`KProbeArg.Type` enum). */
const ARG_TYPES = new Set(('auto int sint8 int8 uint8 sint16 int16 uint16 uint32 sint32 int32 ulong uint64 size_t long sint64 int64 char_buf '
  + 'char_iovec skb sock sockaddr socket sockaddr_un string fd file filename path nop bpf_attr perf_event bpf_map user_namespace capability '
  + 'kiocb iov_iter cred const_buf load_info module syscall64 kernel_cap_t cap_inheritable cap_permitted cap_effective linux_binprm data_loc '
  + 'net_device bpf_cmd dentry bpf_prog').split(' '));
/** matchArgs operators the CRD accepts (`ArgSelector.Operator` enum). */
const OPERATORS = new Set(('Equal NotEqual Prefix NotPrefix Postfix NotPostfix GreaterThan LessThan GT LT Mask SPort NotSPort SPortPriv '
  + 'NotSportPriv DPort NotDPort DPortPriv NotDPortPriv SAddr NotSAddr DAddr NotDAddr Protocol Family State InMap NotInMap '
  + 'CapabilitiesGained InRange NotInRange SubString SubStringIgnCase CelExpr FileType NotFileType').split(' '));
/** Types read as a path the kernel resolved with d_path (always absolute). */
const RESOLVED_PATHS = new Set(['file', 'path', 'fd', 'linux_binprm', 'dentry']);
const SOCK_TYPES = new Set(['sock', 'skb', 'sockaddr', 'socket', 'sockaddr_un']);
const PORT_OPS = new Set(['SPort', 'DPort', 'NotSPort', 'NotDPort', 'Protocol', 'Family', 'State']);
const ADDR_OPS = new Set(['SAddr', 'DAddr', 'NotSAddr', 'NotDAddr']);
const PRIV_OPS = new Set(['SPortPriv', 'DPortPriv', 'NotSportPriv', 'NotDPortPriv']);
const RANGE_INT = new Set(['int', 'sint64', 'int64', 'long', 'sint32', 'int32', 'sint16', 'int16', 'sint8', 'int8', 'syscall64', 'size_t',
  'uint64', 'ulong', 'uint32', 'uint16', 'uint8']);
const FILE_TYPES = new Set(['sock', 'socket', 'lnk', 'link', 'reg', 'regular', 'blk', 'block', 'dir', 'chr', 'char', 'fifo', 'pipe']);

/** Go's strconv.ParseInt/ParseUint(v, base, bits) acceptance, including base-0 prefixes and underscores. */
export function parsesAsGoInt(v: string, signed: boolean, bits: number, base0 = true): boolean {
  const m = /^([+-]?)(.*)$/.exec(v)!;
  if (m[1] && !signed) return false;
  let body = m[2];
  let radix = 10;
  if (base0) {
    if (/^0[xX]/.test(body)) { radix = 16; body = body.slice(2); } else if (/^0[bB]/.test(body)) { radix = 2; body = body.slice(2); } else if (/^0[oO]/.test(body)) { radix = 8; body = body.slice(2); } else if (/^0[0-9_]/.test(body)) { radix = 8; body = body.slice(1); }
    if (radix !== 10 || v.replace(/^[+-]/, '').startsWith('0')) body = body.replace(/^_/, '');
    if (radix !== 10 && /__|_$/.test(body)) return false;
    if (radix !== 10) body = body.replace(/_/g, '');
  }
  const digits = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[radix]!;
  if (!digits.test(body)) return false;
  const n = BigInt((radix === 16 ? '0x' : radix === 8 ? '0o' : radix === 2 ? '0b' : '') + body) * (m[1] === '-' ? -1n : 1n);
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  const min = signed ? -(1n << BigInt(bits - 1)) : 0n;
  return n >= min && n <= max;
}

function isAddr(v: string): boolean {
  const [ip, bits, extra] = v.split('/');
  if (extra !== undefined) return false;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (v4) {
    if (v4.slice(1).some((o) => Number(o) > 255)) return false;
    return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= 32);
  }
  if (!/^[0-9a-fA-F:.]+$/.test(ip) || !ip.includes(':') || (ip.match(/::/g) ?? []).length > 1) return false;
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= 128);
}

/** The IPv4-mapped IPv6 form of an IPv4 address or CIDR (`10.0.0.0/8` → `::ffff:10.0.0.0/104`). */
function mappedForm(v4: string): string {
  const [ip, bits] = v4.split('/');
  return bits === undefined ? `::ffff:${ip}` : `::ffff:${ip}/${96 + Number(bits)}`;
}

/** Whether `value` is the IPv4-mapped form of `v4` (as written by people: `::ffff:` in any case, with or without the length). */
function sameMapped(value: string, v4: string): boolean {
  return value.toLowerCase() === mappedForm(v4) || (!v4.includes('/') && value.toLowerCase() === `::ffff:${v4}/128`)
    || (v4.endsWith('/32') && value.toLowerCase() === `::ffff:${v4.slice(0, -3)}`);
}

/** Byte length as Tetragon measures strings. */
function bytes(v: string): number {
  return Buffer.byteLength(v, 'utf8');
}

function equalLimit(minKernel: string | undefined): number {
  const [maj, min] = (minKernel ?? '5.11').split('.').map(Number);
  const v = maj * 1000 + (min || 0);
  return v >= 5011 ? 4096 : v >= 5004 ? 510 : 144;
}

/** Checks the selectors of one hook: counts, matchArgs/matchData, actions, binaries, namespaces, capabilities. */
export function checkSelectors(sink: FindingSink, hook: HookRef, options: CheckOptions): void {
  const selectors = arr(hook.spec.selectors);
  const at = (sel: number | undefined, field: string) => ({ hook: hook.label, selector: sel, field: `${hook.path}.${field}` });
  // pkg/selectors/kernel.go createKernelSelectorState: MaxSelectors = 5.
  if (selectors.length > 5) {
    sink.add('max-selectors', at(undefined, 'selectors'), `${selectors.length} selectors given, at most 5 are allowed`);
  }
  const args = arr(hook.spec.args).map((a) => obj(a) ?? {});
  const data = arr(hook.spec.data).map((a) => obj(a) ?? {});
  selectors.forEach((s, i) => checkSelector(sink, hook, obj(s) ?? {}, i, `selectors[${i}]`, args, data, options));
}

/** Checks one selector (also used for macros, with `index` undefined). */
export function checkSelector(sink: FindingSink, hook: HookRef | undefined, sel: Record<string, unknown>, index: number | undefined,
  base: string, args: Record<string, unknown>[], data: Record<string, unknown>[], options: CheckOptions): void {
  const prefix = hook ? `${hook.path}.` : 'spec.';
  const at = (field: string) => ({ hook: hook?.label, selector: index, field: `${prefix}${base}.${field}` });
  const matchArgs = arr(sel.matchArgs);
  const matchData = arr(sel.matchData);
  // pkg/selectors/kernel.go ParseMatchArgs: up to 5 filters with large programs (>= 5.3).
  if (matchArgs.length + matchData.length > 5) {
    sink.add('max-match-args', at('matchArgs'), `${matchArgs.length} matchArgs + ${matchData.length} matchData filters given, at most 5 are allowed in one selector`);
  }
  matchArgs.forEach((m, j) => checkMatchArg(sink, obj(m) ?? {}, `matchArgs[${j}]`, args, 'args', at, options, hook));
  matchData.forEach((m, j) => checkMatchArg(sink, obj(m) ?? {}, `matchData[${j}]`, data, 'data', at, options, hook, true));
  arr(sel.matchReturnArgs).forEach((m, j) => {
    const ret = obj(hook?.spec.returnArg);
    if (ret) checkMatchArg(sink, { ...(obj(m) ?? {}), index: ret.index ?? 0 }, `matchReturnArgs[${j}]`, [ret], 'returnArg', at, options, hook);
  });

  checkActions(sink, arr(sel.matchActions), 'matchActions', at);
  checkActions(sink, arr(sel.matchReturnActions), 'matchReturnActions', at);

  for (const field of ['matchBinaries', 'matchParentBinaries'] as const) {
    const list = arr(sel[field]);
    // ParseMatchBinaries: only a single matchBinaries per selector.
    if (list.length > 1) sink.add('match-binaries', at(field), `${list.length} ${field} entries given, only one per selector is supported`, 'Put all paths into one entry, or use another selector');
    if (field === 'matchParentBinaries' && list.length > 0) sink.add('match-parent-binaries', at(field), 'matchParentBinaries only loads when the agent runs with --parents-map-enabled');
    list.forEach((b, j) => {
      const e = obj(b) ?? {};
      const op = str(e.operator) ?? '';
      if (!['In', 'NotIn', 'Prefix', 'NotPrefix', 'Postfix', 'NotPostfix'].includes(op)) {
        sink.add('match-binaries', at(`${field}[${j}].operator`), `${operatorText(e.operator)}; allowed: In, NotIn, Prefix, NotPrefix, Postfix, NotPostfix`);
      }
      if (e.followChildren === true && op !== 'In' && op !== 'NotIn') {
        sink.add('match-binaries', at(`${field}[${j}].followChildren`), `followChildren is only implemented for In/NotIn, not ${show(op)}`, 'Drop followChildren or use In/NotIn');
      }
      arr(e.values).forEach((v, k) => {
        const s = String(v);
        // read_exe/d_path: the executable's path is absolute; a relative value never matches (NotIn: never excludes).
        if (['In', 'NotIn', 'Prefix', 'NotPrefix'].includes(op) && s !== '' && !s.startsWith('/')) {
          sink.add('relative-path', at(`${field}[${j}].values[${k}]`), `${show(s)} is not an absolute path, and ${field} compares the executable's absolute path: it ${op.startsWith('Not') ? 'never excludes anything' : 'never matches'}`,
            `Write the absolute path, e.g. ${show('/usr/bin/' + s.replace(/^\.?\/*/, ''))}, or use Postfix ${show('/' + s.replace(/^\.?\/*/, ''))}`);
        }
        const limit = op === 'Prefix' || op === 'NotPrefix' ? 256 : op === 'Postfix' || op === 'NotPostfix' ? 127 : 255;
        if (bytes(s) > limit) sink.add('match-binaries', at(`${field}[${j}].values[${k}]`), `path of ${bytes(s)} bytes is longer than the ${limit} supported for ${op}`);
        else if (limit === 256 && bytes(s) === 256) neverMatches(sink, at(`${field}[${j}].values[${k}]`), op, 'a 256-byte prefix: BPF compares paths of at most 255 bytes');
      });
    });
  }

  const namespaces = arr(sel.matchNamespaces);
  // ParseMatchNamespaces: up to 10 filters with large programs.
  if (namespaces.length > 10) sink.add('match-namespaces', at('matchNamespaces'), `${namespaces.length} filters given, at most 10 are allowed`);
  namespaces.forEach((n, j) => {
    const e = obj(n) ?? {};
    if (!['In', 'NotIn'].includes(str(e.operator) ?? '')) sink.add('match-namespaces', at(`matchNamespaces[${j}].operator`), `${operatorText(e.operator)}; allowed: In, NotIn`);
    const values = arr(e.values);
    if (values.length > 4) sink.add('match-namespaces', at(`matchNamespaces[${j}].values`), `${values.length} values given, at most 4 per filter`, 'Split the values over two matchNamespaces filters');
    values.forEach((v, k) => {
      if (v !== 'host_ns' && !parsesAsGoInt(String(v), false, 32, false)) {
        sink.add('match-namespaces', at(`matchNamespaces[${j}].values[${k}]`), `value ${show(v)} is neither a namespace inode number nor "host_ns"`);
      }
    });
  });

  for (const field of ['matchCapabilities', 'matchCapabilityChanges'] as const) {
    arr(sel[field]).forEach((c, j) => {
      const e = obj(c) ?? {};
      if (!['In', 'NotIn'].includes(str(e.operator) ?? '')) sink.add('match-capabilities', at(`${field}[${j}].operator`), `${operatorText(e.operator)}; allowed: In, NotIn`);
      arr(e.values).forEach((v, k) => {
        const bit = capabilityBit(String(v));
        if (typeof bit === 'string') sink.add('match-capabilities', at(`${field}[${j}].values[${k}]`), bit, 'Use Tetragon\'s names: CAP_SYS_ADMIN, CAP_NET_RAW, ..., and DAC_OVERRIDE (no CAP_ prefix)');
      });
    });
  }

  const nsChanges = arr(sel.matchNamespaceChanges);
  if (nsChanges.length > 1) sink.add('match-namespace-changes', at('matchNamespaceChanges'), `${nsChanges.length} filters given, only one is supported`);
  nsChanges.forEach((c, j) => {
    const e = obj(c) ?? {};
    if (!['In', 'NotIn'].includes(str(e.operator) ?? '')) sink.add('match-namespace-changes', at(`matchNamespaceChanges[${j}].operator`), `${operatorText(e.operator)}; allowed: In, NotIn`);
  });
}

/** "operator is missing" or "operator X is not supported". */
function operatorText(op: unknown): string {
  return op === undefined || op === null || op === '' ? 'operator is missing' : `operator ${show(op)} is not supported`;
}

/** A filter Tetragon loads but whose BPF side cannot match: the positive operator never holds, the negated one always. */
function neverMatches(sink: FindingSink, at: { hook?: string; selector?: number; field: string }, op: string, why: string): void {
  const negated = op.startsWith('Not');
  sink.add('never-matches', at, `${op} loads but ${negated ? 'always holds' : 'never matches'}: ${why}`);
}

function checkActions(sink: FindingSink, actions: unknown[], field: string, at: (f: string) => { hook?: string; selector?: number; field: string }): void {
  // ParseMatchActions: at most 3 actions per selector.
  if (actions.length > 3) sink.add('max-actions', at(field), `${actions.length} actions given, at most 3 are allowed`);
  actions.forEach((a, j) => {
    const e = obj(a) ?? {};
    const action = str(e.action) ?? '';
    const isPost = action.toLowerCase() === 'post';
    // ParseMatchAction / parseRateLimit.
    if (e.rateLimit !== undefined) {
      const rl = String(e.rateLimit);
      if (!isPost) sink.add('rate-limit', at(`${field}[${j}].rateLimit`), `rateLimit can only be used on Post, not on ${action}`);
      else if (!/^\d+[smhSMH]?$/.test(rl) || !parsesAsGoInt(rl.replace(/[smhSMH]$/, ''), false, 32, false)) {
        sink.add('rate-limit', at(`${field}[${j}].rateLimit`), `rateLimit ${show(e.rateLimit)} is invalid; write N, Ns, Nm or Nh (e.g. "1m")`);
      }
    }
    if (e.rateLimitScope !== undefined && !['thread', 'process', 'global'].includes(String(e.rateLimitScope))) {
      sink.add('rate-limit', at(`${field}[${j}].rateLimitScope`), `rateLimitScope ${show(e.rateLimitScope)} is invalid; allowed: thread, process, global`);
    }
    // preValidateKprobe: stack traces only along Post.
    if ((e.kernelStackTrace === true || e.userStackTrace === true) && !isPost) {
      sink.add('stack-trace-post-only', at(`${field}[${j}]`), `kernelStackTrace/userStackTrace set on ${action}; they only work with Post`);
    }
  });
}

function checkMatchArg(sink: FindingSink, m: Record<string, unknown>, field: string, sig: Record<string, unknown>[], sigName: string,
  at: (f: string) => { hook?: string; selector?: number; field: string }, options: CheckOptions, hook: HookRef | undefined,
  isData = false): void {
  const op = str(m.operator) ?? '';
  if (op === 'CelExpr') return; // compiled to BPF by pkg/celbpf; not modelled here
  if (!hook) return; // a macro: argument types are known only where it is used
  // argIndexType: matchArgs `index` names a declared arg by its `index` (matchData by position), or `args[0]` by position.
  const argsPos = arr(m.args);
  let declared: Record<string, unknown> | undefined;
  if (argsPos.length > 0) {
    declared = sig[Number(argsPos[0])];
    if (!declared) { sink.add('match-args-index', at(`${field}.args[0]`), `args[0] = ${show(argsPos[0])} but the hook declares ${sig.length} ${sigName}`); return; }
  } else {
    const idx = Number(m.index ?? 0);
    declared = isData ? sig[idx] : sig.find((a) => Number(a.index ?? 0) === idx);
    // generictracepoint.go rewrites a matching field index to the arg position; an index that matches
    // no field is left as is and then names the arg at that position.
    if (!declared && hook.kind === 'tracepoints') declared = sig[idx];
    if (!declared) {
      const have = sig.map((a) => Number(a.index ?? 0));
      sink.add('match-args-index', at(`${field}.index`), `index ${idx} is not read by the hook (declared ${sigName} indexes: ${have.length ? have.join(', ') : 'none'})`);
      return;
    }
  }
  const ty = str(declared.type) ?? 'auto';
  // A missing or unknown operator, or an unknown type, is a schema error already (the CRD's enums).
  if (!OPERATORS.has(op) || !ARG_TYPES.has(ty)) return;
  const values = arr(m.values).map(String);
  if (RESOLVED_PATHS.has(ty) && ['Equal', 'NotEqual', 'Prefix', 'NotPrefix'].includes(op)) {
    values.forEach((v, k) => {
      if (v !== '' && !v.startsWith('/')) {
        sink.add('relative-path', at(`${field}.values[${k}]`), `${show(v)} is not an absolute path, but a ${ty} argument is the path the kernel resolved, which always starts with "/": ${op} ${op.startsWith('Not') ? 'always holds' : 'never matches'}`,
          `Write the absolute path, e.g. ${show('/' + v.replace(/^\.?\/*/, ''))}, or use Postfix`);
      }
    });
  }
  const bad = (detail: string) => sink.add('operator-type', at(`${field}.operator`), `${op} on argument of type ${ty}: ${detail}`);
  const badValue = (k: number, detail: string) => sink.add('value-syntax', at(`${field}.values[${k}]`), detail);
  const tooMany = (limit: number) => {
    if (values.length > limit) sink.add('max-values', at(`${field}.values`), `${op} on ${ty} has ${values.length} values; at most ${limit} are supported`);
  };
  const numeric = NUMERIC[ty];

  switch (op) {
    case 'InRange': case 'NotInRange':
      if (!RANGE_INT.has(ty)) { bad('range operators only apply to integer types'); return; }
      tooMany(4);
      values.forEach((v, k) => {
        const parts = v.split(':');
        const signed = NUMERIC[ty][0];
        if (parts.length !== 2 || !parts.every((p) => parsesAsGoInt(p, signed, 64))) badValue(k, `range ${show(v)} is invalid; write "min:max"`);
      });
      return;
    case 'InMap': case 'NotInMap':
      if (!numeric) { bad('InMap/NotInMap only apply to integer types'); return; }
      values.forEach((v, k) => {
        if (v.startsWith('list:')) return;
        const parts = v.split(':');
        if (parts.length > 2 || !parts.every((p) => parsesAsGoInt(p, numeric[0], 64, false))) badValue(k, `value ${show(v)} is not a decimal number or "min:max" range`);
      });
      return;
    case 'SubString': case 'SubStringIgnCase':
      if (ty !== 'string' && ty !== 'char_buf') bad('substring operators only apply to string and char_buf');
      if (hook.kind !== 'uprobes') sink.add('substring-kprobe', at(`${field}.operator`), `${op} is only wired for uprobes in Tetragon 1.7.0`);
      if (values.length > 100) sink.add('max-values', at(`${field}.values`), `${values.length} substrings given, at most 100`);
      values.forEach((v, k) => { if (bytes(v) >= 100) sink.add('string-length', at(`${field}.values[${k}]`), `substring of ${bytes(v)} bytes; it must be shorter than 100`); });
      return;
    case 'Equal': case 'NotEqual':
      if (ty === 'dentry') { bad('Tetragon writes no string map for dentry and refuses it ("MatchArgs type dentry unsupported"); use Prefix or Postfix'); return; }
      if (STRING_LIKE.has(ty)) {
        const limit = equalLimit(options.minKernel);
        values.forEach((v, k) => {
          if (bytes(v) > limit) sink.add('string-length', at(`${field}.values[${k}]`), `${op} value of ${bytes(v)} bytes is longer than the ${limit} bytes supported on kernels from ${options.minKernel ?? '5.11'}`);
        });
        return;
      }
      checkNumericValues(ty, op, values, bad, badValue, tooMany);
      return;
    case 'Prefix': case 'NotPrefix': case 'Postfix': case 'NotPostfix': {
      if (!PREFIX_OK.has(ty)) { bad('prefix/postfix operators compare strings; this argument is not read as a string'); return; }
      const post = op.endsWith('Postfix');
      const limit = post ? 127 : 256;
      values.forEach((v, k) => {
        if (bytes(v) > limit) sink.add('string-length', at(`${field}.values[${k}]`), `${op} value of ${bytes(v)} bytes is longer than the ${limit} supported`);
        else if (!post && bytes(v) === 256) neverMatches(sink, at(`${field}.values[${k}]`), op, 'a 256-byte prefix: BPF compares at most 255 bytes of the argument');
      });
      // basic.h filter_sockaddr_un has cases for Equal, Prefix (and their negations) and Family only.
      if (post && ty === 'sockaddr_un') neverMatches(sink, at(`${field}.operator`), op, 'the BPF filter for sockaddr_un has no Postfix case');
      return;
    }
    case 'FileType': case 'NotFileType':
      if (ty !== 'file' && ty !== 'path') { bad('FileType operators only apply to file and path'); return; }
      tooMany(4);
      values.forEach((v, k) => { if (!FILE_TYPES.has(v)) badValue(k, `unknown file type ${show(v)}; allowed: ${[...FILE_TYPES].join(', ')}`); });
      return;
    case 'CapabilitiesGained': {
      const second = argsPos.length === 2 ? sig[Number(argsPos[1])] : undefined;
      // basic.h filter_arg_1: gained = (old ^ new) & new, with old = args[0] and new = args[1].
      if (argsPos.length !== 2) bad('CapabilitiesGained needs args: [old, new], the positions of two capability arguments (the old set first)');
      else if (!CAP_TYPES.has(ty) || !second || !CAP_TYPES.has(str(second.type) ?? '')) bad('CapabilitiesGained needs two capability-typed arguments (kernel_cap_t, cap_effective, cap_permitted, cap_inheritable)');
      return;
    }
    default:
      break;
  }
  if (PORT_OPS.has(op) || ADDR_OPS.has(op) || PRIV_OPS.has(op)) {
    const sockOk = ADDR_OPS.has(op) || PRIV_OPS.has(op) ? SOCK_TYPES.has(ty) && ty !== 'sockaddr_un' : SOCK_TYPES.has(ty);
    if (!sockOk) { bad(`socket operators only apply to sock, skb, socket and sockaddr${PORT_OPS.has(op) ? ' (and Family on sockaddr_un)' : ''}`); return; }
    if (ty === 'sockaddr_un' && op !== 'Family') { bad('sockaddr_un only supports Family and the string operators'); return; }
    if (ty === 'sockaddr' && ['DPort', 'NotDPort', 'Protocol', 'State', 'DAddr', 'NotDAddr', 'DPortPriv', 'NotDPortPriv'].includes(op)) {
      bad('sockaddr only supports SAddr, NotSAddr, SPort, NotSPort, SPortPriv, NotSportPriv and Family'); return;
    }
    if (ADDR_OPS.has(op)) {
      values.forEach((v, k) => { if (!isAddr(v)) badValue(k, `${show(v)} is not an IP address or CIDR`); });
      // basic.h filter_addr_map: an AF_INET6 socket's address is looked up in the IPv6 values only.
      const unmapped = ty === 'skb' ? [] : values.filter((v) => isAddr(v) && !v.includes(':') && !values.some((w) => sameMapped(w, v)));
      if (unmapped.length > 0) {
        sink.add('ipv4-mapped', at(`${field}.values`), `${op} lists IPv4 ${unmapped.length === 1 ? 'value' : 'values'} ${unmapped.slice(0, 3).map((v) => show(v)).join(', ')}${unmapped.length > 3 ? ', ...' : ''} `
          + `without the IPv4-mapped form (${mappedForm(unmapped[0])}): Tetragon compares an IPv6 socket's address only with IPv6 values, so a dual-stack client reaching these addresses ${op.startsWith('Not') ? 'is not excluded' : 'is not matched'}`);
      }
    }
    if (PORT_OPS.has(op)) {
      values.forEach((v, k) => {
        const named = ['Protocol', 'Family', 'State'].includes(op) && /^[A-Z][A-Z0-9_]+$/.test(v);
        const parts = v.split(':');
        if (!named && (parts.length > 2 || !parts.every((p) => parsesAsGoInt(p, false, 64, false)))) badValue(k, `${show(v)} is not a number, a "min:max" range${['Protocol', 'Family', 'State'].includes(op) ? ' or a name such as IPPROTO_TCP, AF_INET, TCP_SYN_SENT' : ''}`);
      });
    }
    return;
  }
  // GT, LT, Mask and the rest go through writeMatchValues.
  checkNumericValues(ty, op, values, bad, badValue, tooMany);
}

function checkNumericValues(ty: string, op: string, values: string[], bad: (d: string) => void,
  badValue: (k: number, d: string) => void, tooMany: (n: number) => void): void {
  if (SOCK_TYPES.has(ty) || ty === 'net_device') { bad(`sock, socket, skb, sockaddr and net_device do not support ${op}`); return; }
  const numeric = NUMERIC[ty];
  if (!numeric && !CAP_TYPES.has(ty)) { bad(`${op} compares numbers and ${ty} is not a numeric type`); return; }
  tooMany(4);
  values.forEach((v, k) => {
    if (numeric) {
      if (!parsesAsGoInt(v, numeric[0], numeric[1])) badValue(k, `${show(v)} is not a ${numeric[0] ? 'signed' : 'unsigned'} ${numeric[1]}-bit number (Go base-0 syntax: "12", "0x1f", "0o17")`);
    } else if (!parsesAsGoInt(v, false, 64)) {
      const why = v.split(',').map((c) => capabilityBit(c)).find((b): b is string => typeof b === 'string');
      if (why) badValue(k, `${show(v)} is neither a capability mask nor a comma-separated list of capability names: ${why}`);
    }
  });
}
