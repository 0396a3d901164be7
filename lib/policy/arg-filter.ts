import { isIP } from 'node:net';
import { LIMITS } from '../model/limits';
import { SOCKADDR_OPERATORS } from '../model/private/vocabulary';
import { Problems, show } from '../private/problems';
import { Arg, ArgKind } from './argument';

/**
 * matchArgs / matchReturnArgs operators.
 * @see https://tetragon.io/docs/concepts/tracing-policy/selectors/#arguments-filter
 */
export enum ArgOperator {
  EQUAL = 'Equal',
  NOT_EQUAL = 'NotEqual',
  PREFIX = 'Prefix',
  NOT_PREFIX = 'NotPrefix',
  POSTFIX = 'Postfix',
  NOT_POSTFIX = 'NotPostfix',
  GREATER_THAN = 'GT',
  LESS_THAN = 'LT',
  MASK = 'Mask',
  IN_RANGE = 'InRange',
  NOT_IN_RANGE = 'NotInRange',
  FILE_TYPE = 'FileType',
  NOT_FILE_TYPE = 'NotFileType',
  SPORT = 'SPort',
  NOT_SPORT = 'NotSPort',
  DPORT = 'DPort',
  NOT_DPORT = 'NotDPort',
  SADDR = 'SAddr',
  NOT_SADDR = 'NotSAddr',
  DADDR = 'DAddr',
  NOT_DADDR = 'NotDAddr',
  PROTOCOL = 'Protocol',
  FAMILY = 'Family',
  STATE = 'State',
  CAPABILITIES_GAINED = 'CapabilitiesGained',
}

/** File types for `FileType` filters. */
export enum FileType {
  REGULAR = 'reg',
  DIRECTORY = 'dir',
  SYMLINK = 'lnk',
  BLOCK_DEVICE = 'blk',
  CHAR_DEVICE = 'chr',
  FIFO = 'fifo',
  SOCKET = 'sock',
}

/** Socket operators take `sock` arguments, and `sockaddr` ones for the operators Tetragon allows there. */
const socket = (op: ArgOperator): readonly ArgKind[] => (SOCKADDR_OPERATORS.has(op) ? ['sock', 'sockaddr'] : ['sock']);

/** Which argument kinds each operator accepts (Tetragon's `parseMatchArg`). */
const ACCEPTS: Record<ArgOperator, readonly ArgKind[]> = {
  Equal: ['string', 'file', 'int', 'cap'],
  NotEqual: ['string', 'file', 'int', 'cap'],
  Prefix: ['string', 'file', 'dentry'],
  NotPrefix: ['string', 'file', 'dentry'],
  Postfix: ['string', 'file', 'dentry'],
  NotPostfix: ['string', 'file', 'dentry'],
  GT: ['int'],
  LT: ['int'],
  Mask: ['int', 'cap'],
  InRange: ['int'],
  NotInRange: ['int'],
  FileType: ['file'],
  NotFileType: ['file'],
  SPort: socket(ArgOperator.SPORT),
  NotSPort: socket(ArgOperator.NOT_SPORT),
  DPort: socket(ArgOperator.DPORT),
  NotDPort: socket(ArgOperator.NOT_DPORT),
  SAddr: socket(ArgOperator.SADDR),
  NotSAddr: socket(ArgOperator.NOT_SADDR),
  DAddr: socket(ArgOperator.DADDR),
  NotDAddr: socket(ArgOperator.NOT_DADDR),
  Protocol: socket(ArgOperator.PROTOCOL),
  Family: socket(ArgOperator.FAMILY),
  State: socket(ArgOperator.STATE),
  CapabilitiesGained: ['cap'],
};

const NUMERIC_KINDS: readonly ArgKind[] = ['int', 'cap'];
const PORT_OPS = new Set<ArgOperator>([ArgOperator.SPORT, ArgOperator.NOT_SPORT, ArgOperator.DPORT, ArgOperator.NOT_DPORT]);
const ADDR_OPS = new Set<ArgOperator>([ArgOperator.SADDR, ArgOperator.NOT_SADDR, ArgOperator.DADDR, ArgOperator.NOT_DADDR]);

/** Address families for `Family` filters. */
export enum AddressFamily {
  INET = 'AF_INET',
  INET6 = 'AF_INET6',
  UNIX = 'AF_UNIX',
}
/** IP protocols for `Protocol` filters. */
export enum IpProtocol {
  TCP = 'IPPROTO_TCP',
  UDP = 'IPPROTO_UDP',
  ICMP = 'IPPROTO_ICMP',
}

/** A port (`443`) or an inclusive range (`'1024:65535'`). */
export type PortSpec = number | string;

/** Options of the address filters (`daddr`, `notDaddr`, `saddr`, `notSaddr`). */
export interface AddressFilterOptions {
  /**
   * Add the IPv4-mapped form of every IPv4 address or CIDR (`10.0.0.0/8` also as `::ffff:10.0.0.0/104`). Tetragon
   * compares the address of an `AF_INET6` socket only with the IPv6 values, and a dual-stack client (an IPv6
   * socket) reaching an IPv4 peer holds it as `::ffff:a.b.c.d`: without the mapped form it slips through an
   * IPv4-only filter. Not applied to `skb` arguments, whose packets carry the IPv4 addresses themselves.
   * @default true
   */
  readonly ipv4Mapped?: boolean;
}

/**
 * Each IPv4 address or CIDR followed by nothing else, plus its IPv4-mapped IPv6 form (`::ffff:a.b.c.d/96+n`),
 * without duplicates. Values that are not valid IPv4 are kept as they are.
 */
export function withIpv4Mapped(cidrs: readonly string[]): string[] {
  const mapped = cidrs.flatMap((c) => {
    const [address, length, ...rest] = c.split('/');
    if (rest.length > 0 || isIP(address) !== 4 || cidrProblem(c)) return [];
    return [length === undefined ? `::ffff:${address}` : `::ffff:${address}/${96 + Number(length)}`];
  });
  return [...new Set([...cidrs, ...mapped])];
}

/**
 * One entry of a selector's `matchArgs` (or `matchReturnArgs`): an operator applied to a declared argument.
 * Factories are typed so that an operator only accepts arguments it works on.
 *
 * @example
 * ArgFilter.prefix(Arg.file(0), ['/etc/sudoers.d/'])
 * ArgFilter.equal(Arg.int(1), [2])              // MAY_WRITE
 * ArgFilter.notDaddr(Arg.sock(0), ['127.0.0.0/8'])
 */
export class ArgFilter {
  /** Value equals one of `values` (strings for string-like arguments, integers for numbers). */
  public static equal(arg: Arg<'string' | 'file' | 'int' | 'cap'>, values: readonly (string | number)[]): ArgFilter {
    return new ArgFilter(arg, ArgOperator.EQUAL, values.map(String));
  }
  /** Value equals none of `values`. */
  public static notEqual(arg: Arg<'string' | 'file' | 'int' | 'cap'>, values: readonly (string | number)[]): ArgFilter {
    return new ArgFilter(arg, ArgOperator.NOT_EQUAL, values.map(String));
  }
  /** String starts with one of `values` (at most 256 characters each). */
  public static prefix(arg: Arg<'string' | 'file' | 'dentry'>, values: readonly string[]): ArgFilter {
    return new ArgFilter(arg, ArgOperator.PREFIX, values);
  }
  /** String starts with none of `values`. */
  public static notPrefix(arg: Arg<'string' | 'file' | 'dentry'>, values: readonly string[]): ArgFilter {
    return new ArgFilter(arg, ArgOperator.NOT_PREFIX, values);
  }
  /** String ends with one of `values` (at most 127 characters each). */
  public static postfix(arg: Arg<'string' | 'file' | 'dentry'>, values: readonly string[]): ArgFilter {
    return new ArgFilter(arg, ArgOperator.POSTFIX, values);
  }
  /** String ends with none of `values`. */
  public static notPostfix(arg: Arg<'string' | 'file' | 'dentry'>, values: readonly string[]): ArgFilter {
    return new ArgFilter(arg, ArgOperator.NOT_POSTFIX, values);
  }
  /** Number is greater than `value`. */
  public static greaterThan(arg: Arg<'int'>, value: number | string): ArgFilter {
    return new ArgFilter(arg, ArgOperator.GREATER_THAN, [String(value)]);
  }
  /** Number is less than `value`. */
  public static lessThan(arg: Arg<'int'>, value: number | string): ArgFilter {
    return new ArgFilter(arg, ArgOperator.LESS_THAN, [String(value)]);
  }
  /** Number has any bit of one of `masks` set (e.g. `0x200` for O_TRUNC). */
  public static mask(arg: Arg<'int' | 'cap'>, masks: readonly (number | string)[]): ArgFilter {
    return new ArgFilter(arg, ArgOperator.MASK, masks.map(String));
  }
  /** Number lies in one of the inclusive ranges `[min, max]`. */
  public static inRange(arg: Arg<'int'>, ranges: readonly (readonly [number, number])[]): ArgFilter {
    return new ArgFilter(
      arg,
      ArgOperator.IN_RANGE,
      ranges.map(([a, b]) => `${a}:${b}`),
    );
  }
  /** The file or path is of one of these types. */
  public static fileType(arg: Arg<'file'>, types: readonly FileType[]): ArgFilter {
    return new ArgFilter(arg, ArgOperator.FILE_TYPE, types);
  }
  /** The file or path is of none of these types. */
  public static notFileType(arg: Arg<'file'>, types: readonly FileType[]): ArgFilter {
    return new ArgFilter(arg, ArgOperator.NOT_FILE_TYPE, types);
  }
  /** Destination port is one of `ports` (numbers or `'a:b'` ranges). */
  public static dport(arg: Arg<'sock'>, ports: readonly PortSpec[]): ArgFilter {
    return new ArgFilter(arg, ArgOperator.DPORT, ports.map(String));
  }
  /** Destination port is none of `ports`. */
  public static notDport(arg: Arg<'sock'>, ports: readonly PortSpec[]): ArgFilter {
    return new ArgFilter(arg, ArgOperator.NOT_DPORT, ports.map(String));
  }
  /** Source port is one of `ports`. */
  public static sport(arg: Arg<'sock' | 'sockaddr'>, ports: readonly PortSpec[]): ArgFilter {
    return new ArgFilter(arg, ArgOperator.SPORT, ports.map(String));
  }
  /**
   * Destination address is in one of `cidrs` (IPv4 or IPv6, a bare address means /32 or /128). IPv4 values also
   * get their IPv4-mapped form unless `options.ipv4Mapped` is false.
   */
  public static daddr(arg: Arg<'sock'>, cidrs: readonly string[], options: AddressFilterOptions = {}): ArgFilter {
    return new ArgFilter(arg, ArgOperator.DADDR, addresses(arg, cidrs, options));
  }
  /** Destination address is in none of `cidrs` (IPv4 values also in their IPv4-mapped form, see {@link ArgFilter.daddr}). */
  public static notDaddr(arg: Arg<'sock'>, cidrs: readonly string[], options: AddressFilterOptions = {}): ArgFilter {
    return new ArgFilter(arg, ArgOperator.NOT_DADDR, addresses(arg, cidrs, options));
  }
  /**
   * Source address (for `sockaddr`: the address in the struct) is in one of `cidrs` (IPv4 values also in their
   * IPv4-mapped form, see {@link ArgFilter.daddr}).
   */
  public static saddr(arg: Arg<'sock' | 'sockaddr'>, cidrs: readonly string[], options: AddressFilterOptions = {}): ArgFilter {
    return new ArgFilter(arg, ArgOperator.SADDR, addresses(arg, cidrs, options));
  }
  /** Source address is in none of `cidrs` (IPv4 values also in their IPv4-mapped form, see {@link ArgFilter.daddr}). */
  public static notSaddr(arg: Arg<'sock' | 'sockaddr'>, cidrs: readonly string[], options: AddressFilterOptions = {}): ArgFilter {
    return new ArgFilter(arg, ArgOperator.NOT_SADDR, addresses(arg, cidrs, options));
  }
  /** Address family is one of `families`. */
  public static family(arg: Arg<'sock' | 'sockaddr'>, families: readonly AddressFamily[]): ArgFilter {
    return new ArgFilter(arg, ArgOperator.FAMILY, families);
  }
  /** Protocol is one of `protocols`. */
  public static protocol(arg: Arg<'sock'>, protocols: readonly IpProtocol[]): ArgFilter {
    return new ArgFilter(arg, ArgOperator.PROTOCOL, protocols);
  }

  /**
   * The new capability set holds a capability the old one did not (needs kernel 5.3+). Tetragon compares two
   * declared capability arguments, e.g. the old effective set (`Arg.capabilities(1, ArgType.CAP_EFFECTIVE,
   * { resolve: 'cap_effective' })` on `security_capset`'s old credentials) and the new one (argument 2).
   */
  public static capabilitiesGained(oldSet: Arg<'cap'>, newSet: Arg<'cap'>): ArgFilter {
    return new ArgFilter(oldSet, ArgOperator.CAPABILITIES_GAINED, [], newSet);
  }

  private constructor(
    /** The declared argument this filter reads. */
    public readonly arg: Arg,
    /** The operator. */
    public readonly operator: ArgOperator,
    /** The values, as Tetragon reads them (strings). */
    public readonly values: readonly string[],
    /** The second argument of a two-argument operator (CapabilitiesGained: the new set). */
    public readonly secondArg?: Arg,
  ) {}

  /** @internal */
  public _validate(field: string, problems: Problems): void {
    const op = this.operator;
    const kind = this.arg.kind;
    if (!ACCEPTS[op]?.includes(kind)) {
      const fits = (Object.keys(ACCEPTS) as ArgOperator[]).filter((o) => ACCEPTS[o].includes(kind));
      problems.add(
        `${field}.operator`,
        `${op} does not work on a ${this.arg.type} argument (index ${this.arg.index}); ` +
          (fits.length ? `operators for ${this.arg.type}: ${fits.join(', ')}` : `${this.arg.type} arguments cannot be filtered`),
      );
      return;
    }
    if (op === ArgOperator.CAPABILITIES_GAINED) {
      if (!this.secondArg || this.secondArg.kind !== 'cap')
        problems.add(`${field}.args`, 'CapabilitiesGained compares two capability-set arguments: the old set, then the new one');
      return;
    }
    if (this.arg.type === 'sockaddr_un' && (op === ArgOperator.POSTFIX || op === ArgOperator.NOT_POSTFIX)) {
      problems.add(
        `${field}.operator`,
        `${op} on a sockaddr_un argument loads but never matches (Tetragon's BPF filter for sockaddr_un has no Postfix case); use Equal or Prefix`,
      );
      return;
    }
    if (this.values.length === 0) {
      problems.add(`${field}.values`, `${op} needs at least one value`);
      return;
    }
    const numeric = NUMERIC_KINDS.includes(kind) && op !== ArgOperator.IN_RANGE;
    if (numeric && this.values.length > LIMITS.numericValuesPerFilter) {
      problems.add(
        `${field}.values`,
        `${this.values.length} values given; Tetragon takes at most ${LIMITS.numericValuesPerFilter} per numeric ${op} filter: split them over several selectors`,
      );
    }
    if (op === ArgOperator.IN_RANGE && this.values.length > LIMITS.numericValuesPerFilter) {
      problems.add(`${field}.values`, `${this.values.length} ranges given; at most ${LIMITS.numericValuesPerFilter} per InRange filter`);
    }
    this.values.forEach((value, i) => {
      const problem = this.valueProblem(value, numeric);
      if (problem) problems.add(`${field}.values[${i}]`, `got ${show(value)}; ${problem}`);
    });
  }

  private valueProblem(value: string, numeric: boolean): string | undefined {
    const op = this.operator;
    if (numeric) {
      return /^-?(0x[0-9a-fA-F]+|0o?[0-7]+|[0-9]+)$/.test(value) ? undefined : 'expected an integer (decimal or 0x hex)';
    }
    if (op === ArgOperator.IN_RANGE) {
      const m = /^(-?\d+):(-?\d+)$/.exec(value);
      return m && Number(m[1]) <= Number(m[2]) ? undefined : "expected an inclusive range 'min:max' with min <= max";
    }
    if (PORT_OPS.has(op)) return portProblem(value);
    if (ADDR_OPS.has(op)) return cidrProblem(value);
    if (op === ArgOperator.FILE_TYPE || op === ArgOperator.NOT_FILE_TYPE) {
      return (Object.values(FileType) as string[]).includes(value) ? undefined : `expected one of ${Object.values(FileType).join(', ')}`;
    }
    if (op === ArgOperator.FAMILY || op === ArgOperator.PROTOCOL || op === ArgOperator.STATE) return undefined;
    // String operators.
    if (value === '') return 'an empty string matches nothing useful; remove it';
    if (
      (this.arg.kind === 'file' || this.arg.kind === 'dentry') &&
      (op === ArgOperator.EQUAL || op === ArgOperator.NOT_EQUAL || op === ArgOperator.PREFIX || op === ArgOperator.NOT_PREFIX) &&
      !value.startsWith('/')
    ) {
      return `file and path arguments are absolute paths resolved by the kernel; write it as an absolute path such as ${show('/' + value.replace(/^\.?\/*/, ''))}`;
    }
    if ((op === ArgOperator.PREFIX || op === ArgOperator.NOT_PREFIX) && Buffer.byteLength(value) > LIMITS.prefixLength) {
      return `${Buffer.byteLength(value)} bytes; Prefix values are at most ${LIMITS.prefixLength} (Tetragon accepts ${LIMITS.prefixLengthAccepted}, but its BPF side compares at most ${LIMITS.prefixLength} bytes, so a longer prefix never matches)`;
    }
    if ((op === ArgOperator.POSTFIX || op === ArgOperator.NOT_POSTFIX) && value.length > LIMITS.postfixLength) {
      return `${value.length} characters; Postfix values are at most ${LIMITS.postfixLength}`;
    }
    if ((op === ArgOperator.EQUAL || op === ArgOperator.NOT_EQUAL) && value.length > LIMITS.equalStringLength) {
      return `${value.length} characters; Equal strings are at most ${LIMITS.equalStringLength} (510 on kernels before 5.11)`;
    }
    return undefined;
  }

  /**
   * @param specArgs the hook's arguments in rendered order: two-argument operators name them by position there
   * @internal
   */
  public _render(specArgs: readonly Arg[] = []): Record<string, unknown> {
    if (this.secondArg) {
      const position = (a: Arg) => specArgs.findIndex((s) => s.sameAs(a));
      return { args: [position(this.arg), position(this.secondArg)], operator: this.operator };
    }
    return { index: this.arg.index, operator: this.operator, values: [...this.values] };
  }
}

/** The values of an address filter: with the IPv4-mapped forms unless switched off or the argument is an skb. */
function addresses(arg: Arg, cidrs: readonly string[], options: AddressFilterOptions): string[] {
  return options.ipv4Mapped === false || arg.type === 'skb' ? [...cidrs] : withIpv4Mapped(cidrs);
}

/** Why a port spec is invalid, or undefined. */
export function portProblem(value: string): string | undefined {
  const valid = (p: string) => /^\d+$/.test(p) && Number(p) >= 0 && Number(p) <= 65535;
  const parts = value.split(':');
  if (parts.length === 1 && valid(parts[0])) return undefined;
  if (parts.length === 2 && valid(parts[0]) && valid(parts[1]) && Number(parts[0]) <= Number(parts[1])) return undefined;
  return "expected a port 0-65535 or a range 'low:high'";
}

/** Why a CIDR (or bare IP address) is invalid, or undefined. */
export function cidrProblem(value: string): string | undefined {
  const [address, length, ...rest] = value.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return 'expected an IPv4 or IPv6 address or CIDR such as 10.0.0.0/8 or fd00::/8';
  if (length === undefined) return undefined;
  const max = version === 4 ? 32 : 128;
  if (!/^\d+$/.test(length) || Number(length) > max) return `prefix length must be 0-${max} for IPv${version}`;
  return undefined;
}
