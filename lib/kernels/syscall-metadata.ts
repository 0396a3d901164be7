/**
 * Reads the system call prototypes a kernel records for its syscall tracepoints (`CONFIG_FTRACE_SYSCALLS`): every
 * `SYSCALL_DEFINEn` leaves a `struct syscall_metadata` with the name and the declared type and name of each argument.
 * These are the facts Tetragon's own syscall table (`pkg/syscallinfo`) holds, and what it type-checks the arguments
 * of a `syscall: true` kprobe against.
 *
 * Works on an ELF vmlinux without a symbol table (what a distribution's bzImage decompresses to): the structures are
 * recognised by their shape in `.data`, pointing at `sys_*` names in `.rodata`, with `syscall_nr` still -1 (filled in
 * at boot) and an empty `enter_fields` list that points at itself.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundledKernelDir } from './kernel-table';

/** One syscall argument as the kernel declares it. */
export interface SyscallArg {
  /** C type, e.g. `const char *` (`__user` and other annotations expand to nothing). */
  readonly type: string;
  /** Parameter name, e.g. `filename`. */
  readonly name: string;
}

/** Syscall prototypes by name without the `sys_` prefix (`execve`). */
export type SyscallTable = ReadonlyMap<string, readonly SyscallArg[]>;

interface Section {
  readonly name: string;
  readonly addr: bigint;
  readonly offset: number;
  readonly size: number;
}

function sections(elf: Buffer): Section[] {
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46)
    throw new Error('not an ELF image (decompress the vmlinuz first, see scripts/kernel-tables.sh)');
  if (elf[4] !== 2 || elf[5] !== 1) throw new Error('only 64-bit little-endian ELF kernels are supported');
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const shentsize = elf.readUInt16LE(0x3a);
  const shnum = elf.readUInt16LE(0x3c);
  const shstrndx = elf.readUInt16LE(0x3e);
  const raw = (i: number) => {
    const at = shoff + i * shentsize;
    return {
      name: elf.readUInt32LE(at),
      addr: elf.readBigUInt64LE(at + 16),
      offset: Number(elf.readBigUInt64LE(at + 24)),
      size: Number(elf.readBigUInt64LE(at + 32)),
    };
  };
  const names = raw(shstrndx);
  const out: Section[] = [];
  for (let i = 0; i < shnum; i++) {
    const h = raw(i);
    const start = names.offset + h.name;
    out.push({ name: elf.toString('latin1', start, elf.indexOf(0, start)), addr: h.addr, offset: h.offset, size: h.size });
  }
  return out;
}

/** Reads the syscall metadata of an ELF vmlinux. @throws when none is found (a kernel without CONFIG_FTRACE_SYSCALLS). */
export function parseSyscallMetadata(bytes: Uint8Array): SyscallTable {
  const elf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const all = sections(elf);
  const data = all.find((s) => s.name === '.data');
  const rodata = all.find((s) => s.name === '.rodata');
  if (!data || !rodata) throw new Error('ELF image has no .data or .rodata section');
  const within = (s: Section, addr: bigint, len = 1) => addr >= s.addr && addr + BigInt(len) <= s.addr + BigInt(s.size);
  const at = (s: Section, addr: bigint) => s.offset + Number(addr - s.addr);
  const cstring = (addr: bigint): string | undefined => {
    if (!within(rodata, addr)) return undefined;
    const start = at(rodata, addr);
    const end = elf.indexOf(0, start);
    return end < 0 || end - start > 200 ? undefined : elf.toString('latin1', start, end);
  };
  const pointers = (addr: bigint, n: number): bigint[] | undefined => {
    if (!within(data, addr, 8 * n)) return undefined;
    const o = at(data, addr);
    return Array.from({ length: n }, (_, i) => elf.readBigUInt64LE(o + 8 * i));
  };
  const found = new Map<string, SyscallArg[]>();
  for (let o = 0; o + 48 <= data.size; o += 8) {
    const base = data.offset + o;
    const nr = elf.readInt32LE(base + 8);
    const nb = elf.readInt32LE(base + 12);
    if (nr !== -1 || nb < 0 || nb > 6) continue;
    const self = data.addr + BigInt(o);
    // enter_fields = LIST_HEAD_INIT(itself): next and prev point at the list head.
    if (elf.readBigUInt64LE(base + 32) !== self + 32n || elf.readBigUInt64LE(base + 40) !== self + 32n) continue;
    const name = cstring(elf.readBigUInt64LE(base));
    if (!name || !/^sys_[a-z0-9_]+$/.test(name)) continue;
    const types = nb ? pointers(elf.readBigUInt64LE(base + 16), nb) : [];
    const names = nb ? pointers(elf.readBigUInt64LE(base + 24), nb) : [];
    if (!types || !names) continue;
    const args = types.map((t, i) => ({ type: cstring(t), name: cstring(names[i]) }));
    if (args.some((a) => a.type === undefined || a.name === undefined)) continue;
    const key = name.slice(4);
    if (!found.has(key))
      found.set(
        key,
        args.map((a) => ({ type: a.type!, name: a.name! })),
      );
  }
  if (found.size === 0) throw new Error('no syscall metadata found (kernel built without CONFIG_FTRACE_SYSCALLS?)');
  return new Map([...found].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * Merges the tables of several kernels, newest first: a syscall takes the prototype of the first table that has it,
 * so syscalls that only older kernels have are kept (as Tetragon's own table keeps them).
 */
export function mergeSyscallTables(newestFirst: readonly SyscallTable[]): SyscallTable {
  const out = new Map<string, readonly SyscallArg[]>();
  for (const t of newestFirst) for (const [k, v] of t) if (!out.has(k)) out.set(k, v);
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** File name of the bundled syscall table in `kernels/`. */
export const SYSCALL_TABLE_FILE = 'syscalls.json';

/** Serializes a syscall table as JSON with one syscall per line (stable, diffable). */
export function encodeSyscallTable(table: SyscallTable): string {
  const rows = [...table].map(([k, args]) => `  ${JSON.stringify(k)}: ${JSON.stringify(args.map((a) => [a.type, a.name]))}`);
  return `{\n "format": 1,\n "syscalls": {\n${rows.join(',\n')}\n }\n}\n`;
}

/** Reads a table written by {@link encodeSyscallTable}. */
export function readSyscallTable(text: string): SyscallTable {
  const doc = JSON.parse(text) as { format: number; syscalls: Record<string, [string, string][]> };
  if (doc.format !== 1) throw new Error(`unsupported syscall table format ${String(doc.format)}`);
  return new Map(Object.entries(doc.syscalls).map(([k, v]) => [k, v.map(([type, name]) => ({ type, name }))]));
}

let bundled: SyscallTable | undefined;

/**
 * The syscall prototypes shipped in `kernels/syscalls.json` (read from the bundled Debian kernels by
 * `scripts/kernel-tables.sh`): the model of Tetragon's own table, which is the same for every kernel.
 */
export function bundledSyscallTable(): SyscallTable {
  bundled ??= readSyscallTable(readFileSync(join(bundledKernelDir(), SYSCALL_TABLE_FILE), 'utf8'));
  return bundled;
}
