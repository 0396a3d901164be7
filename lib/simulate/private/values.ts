/**
 * Value tables and parsers shared by the simulator: Go-style integer parsing (Tetragon parses selector
 * values with `strconv.ParseInt(v, 0, n)`), capability, family, protocol, TCP state and file type constants,
 * and IP prefix matching.
 */

import { capabilityBit } from '../../model/capability';
import { FAMILIES, PROTOCOLS, TCP_STATES } from '../../model/private/vocabulary';

/** Linux capability names by number (`include/uapi/linux/capability.h`), for describing processes and in messages. */
export const CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

/** The capabilities a container runtime (containerd, CRI-O, Docker) grants a root container by default. */
export const RUNTIME_DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/**
 * Host namespace inodes used for `host_ns`. The kernel gives the initial UTS, IPC, user, PID, cgroup and time
 * namespaces fixed inode numbers (`PROC_*_INIT_INO`); the initial mount and network namespaces get the first
 * dynamically allocated ones, which are the values below on most systems.
 */
export const DEFAULT_HOST_NAMESPACES: Readonly<Record<string, number>> = {
  ipc: 4026531839,
  uts: 4026531838,
  user: 4026531837,
  pid: 4026531836,
  pidForChildren: 4026531836,
  cgroup: 4026531835,
  time: 4026531834,
  timeForChildren: 4026531834,
  mnt: 4026531841,
  net: 4026531840,
};

/**
 * Parses an integer like Go's `strconv.ParseInt(s, 0, 64)` / `ParseUint`: optional sign, `0x`, `0o`, `0b` or
 * a leading `0` (octal), underscores only after a base prefix.
 * @returns the value, or a message saying why the text is not an integer
 */
export function parseGoInt(text: string): bigint | string {
  let s = text;
  let neg = false;
  if (s.startsWith('+') || s.startsWith('-')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  let base = 10;
  let digits = s;
  let prefixed = false;
  if (/^0[xX]/.test(s)) {
    base = 16;
    digits = s.slice(2);
    prefixed = true;
  } else if (/^0[bB]/.test(s)) {
    base = 2;
    digits = s.slice(2);
    prefixed = true;
  } else if (/^0[oO]/.test(s)) {
    base = 8;
    digits = s.slice(2);
    prefixed = true;
  } else if (/^0\d/.test(s)) {
    base = 8;
    digits = s.slice(1);
    prefixed = true;
  }
  if (prefixed) digits = digits.replace(/^_/, '').replace(/([0-9a-fA-F])_(?=[0-9a-fA-F])/g, '$1');
  const valid = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[base]!;
  if (!valid.test(digits)) return `'${text}' is not an integer (Go syntax: 42, -1, 0x1f, 0o17, 017, 0b101)`;
  let v = 0n;
  for (const c of digits.toLowerCase()) v = v * BigInt(base) + BigInt(parseInt(c, 16));
  return neg ? -v : v;
}

/** Two's complement truncation to `bits` bits, unsigned. */
export function toUnsigned(v: bigint, bits: number): bigint {
  return BigInt.asUintN(bits, v);
}

/** Two's complement truncation to `bits` bits, signed. */
export function toSigned(v: bigint, bits: number): bigint {
  return BigInt.asIntN(bits, v);
}

/**
 * A capability mask from the names describing a process or an event argument: Linux names (`CAP_DAC_OVERRIDE`) and
 * the names Tetragon's events print (`DAC_OVERRIDE`) are both accepted. Unknown names are reported.
 */
export function capabilityMask(names: readonly string[]): bigint | string {
  let mask = 0n;
  for (const raw of names) {
    const name = raw.trim().toUpperCase();
    const bit = CAPABILITIES.indexOf(name === 'DAC_OVERRIDE' ? 'CAP_DAC_OVERRIDE' : name);
    if (bit < 0) return `unknown capability '${raw}'; expected a CAP_* name such as CAP_SYS_ADMIN`;
    mask |= 1n << BigInt(bit);
  }
  return mask;
}

/** A capability mask from a policy's values, read the way Tetragon v1.7.0 reads them (`DAC_OVERRIDE`, not `CAP_DAC_OVERRIDE`). */
export function policyCapabilityMask(names: readonly string[]): bigint | string {
  let mask = 0n;
  for (const raw of names) {
    const bit = capabilityBit(raw);
    if (typeof bit === 'string') return bit;
    mask |= 1n << BigInt(bit);
  }
  return mask;
}

/** Names of the capabilities set in a mask, for messages. */
export function capabilityNames(mask: bigint): string[] {
  return CAPABILITIES.filter((_, i) => (mask >> BigInt(i)) & 1n);
}

/** A parsed IP address: the family and the address as a big integer. */
export interface IpValue {
  readonly v6: boolean;
  readonly value: bigint;
}

/** Parses an IPv4 or IPv6 literal. */
export function parseIp(text: string): IpValue | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
    const parts = text.split('.').map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { v6: false, value: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n) };
  }
  if (!text.includes(':')) return undefined;
  let s = text;
  let tail: bigint[] = [];
  const v4 = /(\d{1,3}(\.\d{1,3}){3})$/.exec(s);
  if (v4) {
    const ip4 = parseIp(v4[1]);
    if (!ip4) return undefined;
    tail = [ip4.value >> 16n, ip4.value & 0xffffn];
    s = s.slice(0, -v4[1].length) + (s.endsWith('::' + v4[1]) ? '' : '0');
    if (s.endsWith(':0')) s = s.slice(0, -2);
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string): bigint[] | undefined => {
    if (h === '') return [];
    const groups = h.split(':');
    if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
    return groups.map((g) => BigInt(parseInt(g, 16)));
  };
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  if (!head || !rest) return undefined;
  const known = head.length + rest.length + tail.length;
  if (halves.length === 1 && known !== 8) return undefined;
  if (known > 8) return undefined;
  const groups = [...head, ...Array(halves.length === 2 ? 8 - known : 0).fill(0n), ...rest, ...tail];
  return { v6: true, value: groups.reduce((acc, g) => (acc << 16n) | g, 0n) };
}

/** A parsed address or CIDR value from a selector. */
export interface IpPrefix {
  readonly v6: boolean;
  readonly value: bigint;
  readonly bits: number;
}

/** Parses `1.2.3.4`, `10.0.0.0/8`, `2001:db8::/32` like Go's `netip.ParsePrefix`/`ParseAddr`. */
export function parsePrefix(text: string): IpPrefix | string {
  const [addr, len, extra] = text.split('/');
  if (extra !== undefined) return `'${text}' is not an IP address or CIDR`;
  const ip = parseIp(addr);
  if (!ip) return `'${text}' is not an IP address or CIDR`;
  const max = ip.v6 ? 128 : 32;
  if (len === undefined) return { ...ip, bits: max };
  if (!/^\d+$/.test(len) || Number(len) > max) return `'${text}': prefix length must be 0-${max}`;
  return { ...ip, bits: Number(len) };
}

/** Whether an address lies in a prefix (same family only). */
export function prefixContains(prefix: IpPrefix, ip: IpValue): boolean {
  if (prefix.v6 !== ip.v6) return false;
  const width = prefix.v6 ? 128 : 32;
  const shift = BigInt(width - prefix.bits);
  return prefix.value >> shift === ip.value >> shift;
}

/** A name table keyed in upper case, for events, which may spell names in either case. */
function byUpperCase(table: Readonly<Record<string, number>>, aliases: Readonly<Record<string, number>> = {}): ReadonlyMap<string, number> {
  return new Map(Object.entries({ ...table, ...aliases }).map(([k, v]) => [k.toUpperCase(), v]));
}

const FAMILY_NUMBERS = byUpperCase(FAMILIES, { AF_LOCAL: FAMILIES.AF_UNIX });
const PROTOCOL_NUMBERS = byUpperCase(PROTOCOLS);
const TCP_STATE_NUMBERS = byUpperCase(TCP_STATES);

function numberOf(table: ReadonlyMap<string, number>, v: string | number): number | undefined {
  if (typeof v === 'number') return v;
  if (/^\d+$/.test(v)) return Number(v);
  return table.get(v.toUpperCase());
}

/** Resolves a family name or number. */
export function familyNumber(v: string | number): number | undefined {
  return numberOf(FAMILY_NUMBERS, v);
}

/** Resolves a protocol name or number. */
export function protocolNumber(v: string | number): number | undefined {
  return numberOf(PROTOCOL_NUMBERS, v);
}

/** Resolves a TCP state name or number. */
export function tcpStateNumber(v: string | number): number | undefined {
  return numberOf(TCP_STATE_NUMBERS, v);
}

/** The repository part of an image reference (`registry/path/name` without tag or digest). */
export function imageRepo(image: string): string {
  const noDigest = image.split('@')[0];
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}
