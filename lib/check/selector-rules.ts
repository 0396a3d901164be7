import * as crd from '../../imports/cilium.io';
import { atLeast, VERSION_GATES } from '../kernels/kernel-features';
import { capabilityBit } from '../model/capability';
import { LIMITS } from '../model/limits';
import { ActionView, ArgDeclaration, ArgFilterView, HookView, SelectorView, arr, filterTarget, str } from '../model/private/policy-reader';
import {
  ADDRESS_OPERATORS,
  ARG_TYPES,
  CAPABILITY_TYPES,
  FILE_TYPE_BITS,
  INTEGER_TYPES,
  NAMED_VALUES,
  PORT_OPERATORS,
  PRIVILEGED_PORT_OPERATORS,
  RESOLVED_PATH_TYPES,
  SOCKET_TYPES,
  STRING_MAP_TYPES,
  STRING_READ_TYPES,
  isNegated,
  socketOperatorProblem,
} from '../model/private/vocabulary';
import { CheckOptions, FindingSink, brief } from './finding';

const FILE_TYPES = Object.keys(FILE_TYPE_BITS);
const NAMESPACE_NAMES: readonly string[] = Object.values(crd.TracingPolicySpecKprobesSelectorsMatchNamespacesNamespace);

/** Go's strconv.ParseInt/ParseUint(v, base, bits) acceptance, including base-0 prefixes and underscores. */
export function parsesAsGoInt(v: string, signed: boolean, bits: number, base0 = true): boolean {
  const m = /^([+-]?)(.*)$/.exec(v)!;
  if (m[1] && !signed) return false;
  let body = m[2];
  let radix = 10;
  if (base0) {
    if (/^0[xX]/.test(body)) {
      radix = 16;
      body = body.slice(2);
    } else if (/^0[bB]/.test(body)) {
      radix = 2;
      body = body.slice(2);
    } else if (/^0[oO]/.test(body)) {
      radix = 8;
      body = body.slice(2);
    } else if (/^0[0-9_]/.test(body)) {
      radix = 8;
      body = body.slice(1);
    }
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

/** Whether `value` is the IPv4-mapped form of `v4` (as written by people: `::ffff:` in upper or lower case, with or without the length). */
function sameMapped(value: string, v4: string): boolean {
  return (
    value.toLowerCase() === mappedForm(v4) ||
    (!v4.includes('/') && value.toLowerCase() === `::ffff:${v4}/128`) ||
    (v4.endsWith('/32') && value.toLowerCase() === `::ffff:${v4.slice(0, -3)}`)
  );
}

/** Byte length as Tetragon measures strings. */
function bytes(v: string): number {
  return Buffer.byteLength(v, 'utf8');
}

/** The longest Equal string Tetragon takes on the oldest kernel a policy must load on. */
function equalLimit(minKernel: string | undefined): number {
  const kernel = minKernel ?? VERSION_GATES.longStrings;
  return LIMITS.equalStringLengthByKernel.find((e) => atLeast(kernel, e.from))!.bytes;
}

type At = (field: string) => { hook?: string; selector?: number; field: string };

/** Checks the selectors of one hook: counts, matchArgs/matchData, actions, binaries, namespaces, capabilities. */
export function checkSelectors(sink: FindingSink, hook: HookView, options: CheckOptions): void {
  const selectors = hook.selectors;
  // pkg/selectors/kernel.go createKernelSelectorState: MaxSelectors.
  if (selectors.length > LIMITS.selectorsPerHook) {
    sink.add(
      'max-selectors',
      { hook: hook.label, field: `${hook.path}.selectors` },
      `${selectors.length} selectors given, at most ${LIMITS.selectorsPerHook} are allowed`,
    );
  }
  selectors.forEach((s, i) => checkSelector(sink, hook, s, i, `selectors[${i}]`, options));
}

/** Checks one selector (also used for macros, with `hook` and `index` undefined). */
export function checkSelector(
  sink: FindingSink,
  hook: HookView | undefined,
  sel: SelectorView,
  index: number | undefined,
  base: string,
  options: CheckOptions,
): void {
  const prefix = hook ? `${hook.path}.` : 'spec.';
  const at: At = (field) => ({ hook: hook?.label, selector: index, field: `${prefix}${base}.${field}` });
  const { matchArgs, matchData } = sel;
  // pkg/selectors/kernel.go ParseMatchArgs: up to 5 filters with large programs (>= 5.3).
  if (matchArgs.length + matchData.length > LIMITS.matchArgsPerSelector) {
    sink.add(
      'max-match-args',
      at('matchArgs'),
      `${matchArgs.length} matchArgs + ${matchData.length} matchData filters given, at most ${LIMITS.matchArgsPerSelector} are allowed in one selector`,
    );
  }
  if (hook) {
    matchArgs.forEach((m, j) => checkMatchArg(sink, m, `matchArgs[${j}]`, hook.args, 'args', at, options, hook));
    matchData.forEach((m, j) => checkMatchArg(sink, m, `matchData[${j}]`, hook.data, 'data', at, options, hook, true));
    const ret = hook.returnArg;
    if (ret)
      sel.matchReturnArgs.forEach((m, j) =>
        checkMatchArg(sink, { ...m, index: ret.index }, `matchReturnArgs[${j}]`, [ret], 'returnArg', at, options, hook),
      );
  }

  checkActions(sink, sel.matchActions, 'matchActions', at);
  checkActions(sink, sel.matchReturnActions, 'matchReturnActions', at);

  for (const field of ['matchBinaries', 'matchParentBinaries'] as const) {
    const list = sel[field];
    // ParseMatchBinaries: only a single matchBinaries per selector.
    if (list.length > LIMITS.binaryFiltersPerSelector)
      sink.add(
        'match-binaries',
        at(field),
        `${list.length} ${field} entries given, only one per selector is supported`,
        'Put all paths into one entry, or use another selector',
      );
    if (field === 'matchParentBinaries' && list.length > 0)
      sink.add('match-parent-binaries', at(field), 'matchParentBinaries only loads when the agent runs with --parents-map-enabled');
    list.forEach((e, j) => {
      const op = str(e.operatorText) ?? '';
      if (!e.operator) {
        sink.add(
          'match-binaries',
          at(`${field}[${j}].operator`),
          `${operatorText(e.operatorText)}; allowed: In, NotIn, Prefix, NotPrefix, Postfix, NotPostfix`,
        );
      }
      if (e.followChildren && op !== 'In' && op !== 'NotIn') {
        sink.add(
          'match-binaries',
          at(`${field}[${j}].followChildren`),
          `followChildren is only implemented for In/NotIn, not ${brief(op)}`,
          'Drop followChildren or use In/NotIn',
        );
      }
      e.values.forEach((s, k) => {
        // read_exe/d_path: the executable's path is absolute; a relative value never matches (NotIn: never excludes).
        if (['In', 'NotIn', 'Prefix', 'NotPrefix'].includes(op) && s !== '' && !s.startsWith('/')) {
          sink.add(
            'relative-path',
            at(`${field}[${j}].values[${k}]`),
            `${brief(s)} is not an absolute path, and ${field} compares the executable's absolute path: it ${op.startsWith('Not') ? 'never excludes anything' : 'never matches'}`,
            `Write the absolute path, e.g. ${brief('/usr/bin/' + s.replace(/^\.?\/*/, ''))}, or use Postfix ${brief('/' + s.replace(/^\.?\/*/, ''))}`,
          );
        }
        const prefix = op === 'Prefix' || op === 'NotPrefix';
        const limit = prefix
          ? LIMITS.prefixLengthAccepted
          : op === 'Postfix' || op === 'NotPostfix'
            ? LIMITS.postfixLength
            : LIMITS.binaryPathLength;
        if (bytes(s) > limit)
          sink.add(
            'match-binaries',
            at(`${field}[${j}].values[${k}]`),
            `path of ${bytes(s)} bytes is longer than the ${limit} supported for ${op}`,
          );
        else if (prefix && bytes(s) > LIMITS.prefixLength)
          neverMatches(
            sink,
            at(`${field}[${j}].values[${k}]`),
            op,
            `a ${bytes(s)}-byte prefix: BPF compares paths of at most ${LIMITS.prefixLength} bytes`,
          );
      });
    });
  }

  const namespaces = sel.matchNamespaces;
  // ParseMatchNamespaces: up to 10 filters with large programs.
  if (namespaces.length > LIMITS.namespaceFiltersPerSelector)
    sink.add(
      'match-namespaces',
      at('matchNamespaces'),
      `${namespaces.length} filters given, at most ${LIMITS.namespaceFiltersPerSelector} are allowed`,
    );
  namespaces.forEach((e, j) => {
    if (!e.operator)
      sink.add('match-namespaces', at(`matchNamespaces[${j}].operator`), `${operatorText(e.operatorText)}; allowed: In, NotIn`);
    const values = arr(e.spec.values);
    if (values.length > LIMITS.namespaceValuesPerFilter)
      sink.add(
        'match-namespaces',
        at(`matchNamespaces[${j}].values`),
        `${values.length} values given, at most ${LIMITS.namespaceValuesPerFilter} per filter`,
        'Split the values over two matchNamespaces filters',
      );
    values.forEach((v, k) => {
      if (v !== 'host_ns' && !parsesAsGoInt(String(v), false, 32, false)) {
        sink.add(
          'match-namespaces',
          at(`matchNamespaces[${j}].values[${k}]`),
          `value ${brief(v)} is neither a namespace inode number nor "host_ns"`,
        );
      }
    });
  });

  for (const field of ['matchCapabilities', 'matchCapabilityChanges'] as const) {
    sel[field].forEach((e, j) => {
      if (!e.operator) sink.add('match-capabilities', at(`${field}[${j}].operator`), `${operatorText(e.operatorText)}; allowed: In, NotIn`);
      e.values.forEach((v, k) => {
        const bit = capabilityBit(v);
        if (typeof bit === 'string')
          sink.add(
            'match-capabilities',
            at(`${field}[${j}].values[${k}]`),
            bit,
            "Use Tetragon's names: CAP_SYS_ADMIN, CAP_NET_RAW, ..., and DAC_OVERRIDE (no CAP_ prefix)",
          );
      });
    });
  }

  const nsChanges = sel.matchNamespaceChanges;
  if (nsChanges.length > LIMITS.namespaceChangeFiltersPerSelector)
    sink.add('match-namespace-changes', at('matchNamespaceChanges'), `${nsChanges.length} filters given, only one is supported`);
  nsChanges.forEach((e, j) => {
    if (!e.operator)
      sink.add(
        'match-namespace-changes',
        at(`matchNamespaceChanges[${j}].operator`),
        `${operatorText(e.operatorText)}; allowed: In, NotIn`,
      );
    // ParseMatchNamespaceChange: each value names a namespace kind.
    e.namespaces.forEach((ns, k) => {
      if (!ns)
        sink.add(
          'match-namespace-changes',
          at(`matchNamespaceChanges[${j}].values[${k}]`),
          `${brief(e.values[k])} is not a namespace Tetragon knows; allowed: ${NAMESPACE_NAMES.join(', ')}`,
        );
    });
  });
}

/** "operator is missing" or "operator X is not supported". */
function operatorText(op: unknown): string {
  return op === undefined || op === null || op === '' ? 'operator is missing' : `operator ${brief(op)} is not supported`;
}

/** A filter Tetragon loads but whose BPF side cannot match: the positive operator never holds, the negated one always. */
function neverMatches(sink: FindingSink, at: { hook?: string; selector?: number; field: string }, op: string, why: string): void {
  const negated = op.startsWith('Not');
  sink.add('never-matches', at, `${op} loads but ${negated ? 'always holds' : 'never matches'}: ${why}`);
}

function checkActions(sink: FindingSink, actions: readonly ActionView[], field: string, at: At): void {
  // ParseMatchActions: at most 3 actions per selector.
  if (actions.length > LIMITS.actionsPerSelector)
    sink.add('max-actions', at(field), `${actions.length} actions given, at most ${LIMITS.actionsPerSelector} are allowed`);
  actions.forEach((a, j) => {
    const e = a.spec;
    const isPost = a.action === 'Post';
    // ParseMatchAction / parseRateLimit.
    if (e.rateLimit !== undefined) {
      const rl = String(e.rateLimit);
      if (!isPost) sink.add('rate-limit', at(`${field}[${j}].rateLimit`), `rateLimit can only be used on Post, not on ${a.text}`);
      else if (!/^\d+[smhSMH]?$/.test(rl) || !parsesAsGoInt(rl.replace(/[smhSMH]$/, ''), false, 32, false)) {
        sink.add(
          'rate-limit',
          at(`${field}[${j}].rateLimit`),
          `rateLimit ${brief(e.rateLimit)} is invalid; write N, Ns, Nm or Nh (e.g. "1m")`,
        );
      }
    }
    if (e.rateLimitScope !== undefined && !['thread', 'process', 'global'].includes(String(e.rateLimitScope))) {
      sink.add(
        'rate-limit',
        at(`${field}[${j}].rateLimitScope`),
        `rateLimitScope ${brief(e.rateLimitScope)} is invalid; allowed: thread, process, global`,
      );
    }
    // preValidateKprobe: stack traces only along Post.
    if ((e.kernelStackTrace === true || e.userStackTrace === true) && !isPost) {
      sink.add('stack-trace-post-only', at(`${field}[${j}]`), `kernelStackTrace/userStackTrace set on ${a.text}; they only work with Post`);
    }
  });
}

function checkMatchArg(
  sink: FindingSink,
  m: ArgFilterView,
  field: string,
  sig: readonly ArgDeclaration[],
  sigName: string,
  at: At,
  options: CheckOptions,
  hook: HookView,
  isData = false,
): void {
  if (m.operator === 'CelExpr') return; // compiled to BPF by pkg/celbpf; not modelled here
  const declared = filterTarget(m, sig, { byPosition: isData, tracepoint: hook.kind === 'tracepoints' });
  if (!declared) {
    if (m.args.length > 0) {
      sink.add(
        'match-args-index',
        at(`${field}.args[0]`),
        `args[0] = ${brief(arr(m.spec.args)[0])} but the hook declares ${sig.length} ${sigName}`,
      );
    } else {
      const have = sig.map((a) => a.index);
      sink.add(
        'match-args-index',
        at(`${field}.index`),
        `index ${m.index} is not read by the hook (declared ${sigName} indexes: ${have.length ? have.join(', ') : 'none'})`,
      );
    }
    return;
  }
  const ty = declared.type;
  const op = m.operator;
  // A missing or unknown operator, or an unknown type, is a schema error already (the CRD's enums).
  if (!op || !ARG_TYPES.has(ty)) return;
  const opText = str(m.operatorText) ?? op; // as written: GreaterThan is GT
  const values = m.values;
  if (RESOLVED_PATH_TYPES.has(ty) && ['Equal', 'NotEqual', 'Prefix', 'NotPrefix'].includes(op)) {
    values.forEach((v, k) => {
      if (v !== '' && !v.startsWith('/')) {
        sink.add(
          'relative-path',
          at(`${field}.values[${k}]`),
          `${brief(v)} is not an absolute path, but a ${ty} argument is the path the kernel resolved, which always starts with "/": ${opText} ${isNegated(op) ? 'always holds' : 'never matches'}`,
          `Write the absolute path, e.g. ${brief('/' + v.replace(/^\.?\/*/, ''))}, or use Postfix`,
        );
      }
    });
  }
  const bad = (detail: string) => sink.add('operator-type', at(`${field}.operator`), `${opText} on argument of type ${ty}: ${detail}`);
  const badValue = (k: number, detail: string) => sink.add('value-syntax', at(`${field}.values[${k}]`), detail);
  const tooMany = (limit: number) => {
    if (values.length > limit)
      sink.add('max-values', at(`${field}.values`), `${opText} on ${ty} has ${values.length} values; at most ${limit} are supported`);
  };
  const integer = INTEGER_TYPES[ty];

  switch (op) {
    case 'InRange':
    case 'NotInRange': {
      if (!integer) {
        bad('range operators only apply to integer types');
        return;
      }
      tooMany(LIMITS.numericValuesPerFilter);
      // writeMatchValuesRange: bounds parse as 64-bit; 32-bit types store them in 32 bits.
      const max32 = (1n << 32n) - 1n;
      values.forEach((v, k) => {
        const parts = v.split(':');
        if (parts.length !== 2 || !parts.every((p) => parsesAsGoInt(p, integer.parseSigned, 64)))
          badValue(k, `range ${brief(v)} is invalid; write "min:max"`);
        else if (integer.storeBits === 32 && parts.some((p) => goInt(p) > max32))
          badValue(k, `range ${brief(v)} exceeds 32 bits, the width of ${ty} ("range out of range")`);
      });
      return;
    }
    case 'InMap':
    case 'NotInMap':
      if (!integer) {
        bad('InMap/NotInMap only apply to integer types');
        return;
      }
      values.forEach((v, k) => {
        if (v.startsWith('list:')) return;
        const parts = v.split(':');
        if (parts.length > 2 || !parts.every((p) => parsesAsGoInt(p, integer.parseSigned, 64, false)))
          badValue(k, `value ${brief(v)} is not a decimal number or "min:max" range`);
      });
      return;
    case 'SubString':
    case 'SubStringIgnCase':
      if (ty !== 'string' && ty !== 'char_buf') bad('substring operators only apply to string and char_buf');
      if (hook.kind !== 'uprobes')
        sink.add('substring-kprobe', at(`${field}.operator`), `${opText} is only wired for uprobes in Tetragon 1.7.0`);
      if (values.length > LIMITS.substringValues)
        sink.add('max-values', at(`${field}.values`), `${values.length} substrings given, at most ${LIMITS.substringValues}`);
      values.forEach((v, k) => {
        if (bytes(v) > LIMITS.substringLength)
          sink.add(
            'string-length',
            at(`${field}.values[${k}]`),
            `substring of ${bytes(v)} bytes; it must be shorter than ${LIMITS.substringLength + 1}`,
          );
      });
      return;
    case 'Equal':
    case 'NotEqual':
      if (ty === 'dentry') {
        bad('Tetragon writes no string map for dentry and refuses it ("MatchArgs type dentry unsupported"); use Prefix or Postfix');
        return;
      }
      if (STRING_MAP_TYPES.has(ty)) {
        const limit = equalLimit(options.minKernel);
        values.forEach((v, k) => {
          if (bytes(v) > limit)
            sink.add(
              'string-length',
              at(`${field}.values[${k}]`),
              `${opText} value of ${bytes(v)} bytes is longer than the ${limit} bytes supported on kernels from ${options.minKernel ?? VERSION_GATES.longStrings}`,
            );
        });
        return;
      }
      checkNumericValues(ty, opText, values, bad, badValue, tooMany);
      return;
    case 'Prefix':
    case 'NotPrefix':
    case 'Postfix':
    case 'NotPostfix': {
      if (!STRING_READ_TYPES.has(ty)) {
        bad('prefix/postfix operators compare strings; this argument is not read as a string');
        return;
      }
      const post = op.endsWith('Postfix');
      const limit = post ? LIMITS.postfixLength : LIMITS.prefixLengthAccepted;
      values.forEach((v, k) => {
        if (bytes(v) > limit)
          sink.add(
            'string-length',
            at(`${field}.values[${k}]`),
            `${opText} value of ${bytes(v)} bytes is longer than the ${limit} supported`,
          );
        else if (!post && bytes(v) > LIMITS.prefixLength)
          neverMatches(
            sink,
            at(`${field}.values[${k}]`),
            opText,
            `a ${bytes(v)}-byte prefix: BPF compares at most ${LIMITS.prefixLength} bytes of the argument`,
          );
      });
      // basic.h filter_sockaddr_un has cases for Equal, Prefix (and their negations) and Family only.
      if (post && ty === 'sockaddr_un')
        neverMatches(sink, at(`${field}.operator`), opText, 'the BPF filter for sockaddr_un has no Postfix case');
      return;
    }
    case 'FileType':
    case 'NotFileType':
      if (ty !== 'file' && ty !== 'path') {
        bad('FileType operators only apply to file and path');
        return;
      }
      tooMany(LIMITS.numericValuesPerFilter);
      values.forEach((v, k) => {
        if (!FILE_TYPES.includes(v)) badValue(k, `unknown file type ${brief(v)}; allowed: ${FILE_TYPES.join(', ')}`);
      });
      return;
    case 'CapabilitiesGained': {
      const second = filterTarget(m, sig, {}, 1);
      // basic.h filter_arg_1: gained = (old ^ new) & new, with old = args[0] and new = args[1].
      if (m.args.length !== 2)
        bad('CapabilitiesGained needs args: [old, new], the positions of two capability arguments (the old set first)');
      else if (!CAPABILITY_TYPES.has(ty) || !second || !CAPABILITY_TYPES.has(second.type))
        bad('CapabilitiesGained needs two capability-typed arguments (kernel_cap_t, cap_effective, cap_permitted, cap_inheritable)');
      return;
    }
    default:
      break;
  }
  if (PORT_OPERATORS.has(op) || ADDRESS_OPERATORS.has(op) || PRIVILEGED_PORT_OPERATORS.has(op)) {
    const refused = socketOperatorProblem(op, ty);
    if (refused) {
      bad(refused);
      return;
    }
    if (ADDRESS_OPERATORS.has(op)) {
      values.forEach((v, k) => {
        if (!isAddr(v)) badValue(k, `${brief(v)} is not an IP address or CIDR`);
      });
      // basic.h filter_addr_map: an AF_INET6 socket's address is looked up in the IPv6 values only.
      const unmapped = ty === 'skb' ? [] : values.filter((v) => isAddr(v) && !v.includes(':') && !values.some((w) => sameMapped(w, v)));
      if (unmapped.length > 0) {
        sink.add(
          'ipv4-mapped',
          at(`${field}.values`),
          `${opText} lists IPv4 ${unmapped.length === 1 ? 'value' : 'values'} ${unmapped
            .slice(0, 3)
            .map((v) => brief(v))
            .join(', ')}${unmapped.length > 3 ? ', ...' : ''} ` +
            `without the IPv4-mapped form (${mappedForm(unmapped[0])}): Tetragon compares an IPv6 socket's address only with IPv6 values, so a dual-stack client reaching these addresses ${isNegated(op) ? 'is not excluded' : 'is not matched'}`,
        );
      }
    }
    if (PORT_OPERATORS.has(op)) {
      // writeRangeInMap: a name Tetragon knows (exactly as it spells it), else a decimal number or range.
      const names = NAMED_VALUES[op];
      values.forEach((v, k) => {
        const parts = v.split(':');
        if (
          !(names && Object.prototype.hasOwnProperty.call(names, v)) &&
          (parts.length > 2 || !parts.every((p) => parsesAsGoInt(p, false, 64, false)))
        )
          badValue(
            k,
            `${brief(v)} is not a number, a "min:max" range${names ? ' or a name such as IPPROTO_TCP, AF_INET, TCP_SYN_SENT' : ''}`,
          );
      });
    }
    return;
  }
  // GT, LT, Mask and the rest go through writeMatchValues.
  checkNumericValues(ty, opText, values, bad, badValue, tooMany);
}

/** The value of an integer Go accepts (base 0). */
function goInt(v: string): bigint {
  const neg = v.startsWith('-');
  const body = v.replace(/^[+-]/, '').replace(/_/g, '');
  const n = /^0[0-7]+$/.test(body)
    ? BigInt('0o' + body.slice(1))
    : BigInt(
        body
          .replace(/^0([oO])/, '0o')
          .replace(/^0([bB])/, '0b')
          .replace(/^0([xX])/, '0x'),
      );
  return neg ? -n : n;
}

function checkNumericValues(
  ty: string,
  op: string,
  values: readonly string[],
  bad: (d: string) => void,
  badValue: (k: number, d: string) => void,
  tooMany: (n: number) => void,
): void {
  if (SOCKET_TYPES.has(ty) || ty === 'net_device') {
    bad(`sock, socket, skb, sockaddr and net_device do not support ${op}`);
    return;
  }
  const integer = INTEGER_TYPES[ty];
  if (!integer && !CAPABILITY_TYPES.has(ty)) {
    bad(`${op} compares numbers and ${ty} is not a numeric type`);
    return;
  }
  tooMany(LIMITS.numericValuesPerFilter);
  values.forEach((v, k) => {
    if (integer) {
      if (!parsesAsGoInt(v, integer.parseSigned, integer.storeBits))
        badValue(
          k,
          `${brief(v)} is not a ${integer.parseSigned ? 'signed' : 'unsigned'} ${integer.storeBits}-bit number (Go base-0 syntax: "12", "0x1f", "0o17")`,
        );
    } else if (!parsesAsGoInt(v, false, 64)) {
      const why = v
        .split(',')
        .map((c) => capabilityBit(c))
        .find((b): b is string => typeof b === 'string');
      if (why) badValue(k, `${brief(v)} is neither a capability mask nor a comma-separated list of capability names: ${why}`);
    }
  });
}
