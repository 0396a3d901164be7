/**
 * A small reader for the BPF Type Format (BTF): just enough to list every kernel function with the
 * types of its parameters and its return type, which is what Tetragon itself checks a kprobe
 * against before loading it.
 *
 * Input is either raw BTF (`/sys/kernel/btf/vmlinux` on a node) or an ELF `vmlinux` whose `.BTF`
 * section holds it (a distribution kernel image after decompression).
 *
 * @see https://docs.kernel.org/bpf/btf.html for the format.
 */

/** A Buffer view of the bytes (no copy): the public signatures take plain Uint8Arrays. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** BTF kinds, numbered as in `include/uapi/linux/btf.h`. */
const enum Kind {
  VOID = 0,
  INT = 1,
  PTR = 2,
  ARRAY = 3,
  STRUCT = 4,
  UNION = 5,
  ENUM = 6,
  FWD = 7,
  TYPEDEF = 8,
  VOLATILE = 9,
  CONST = 10,
  RESTRICT = 11,
  FUNC = 12,
  FUNC_PROTO = 13,
  VAR = 14,
  DATASEC = 15,
  FLOAT = 16,
  DECL_TAG = 17,
  TYPE_TAG = 18,
  ENUM64 = 19,
}

const BTF_MAGIC = 0xeb9f;

interface BtfType {
  readonly kind: Kind;
  readonly name: string;
  /** Referenced type id (PTR, TYPEDEF, CONST, ..., FUNC, FUNC_PROTO return), or the size (INT, ENUM, ...). */
  readonly ref: number;
  readonly kindFlag: boolean;
  /** FUNC_PROTO parameters as [name, type id]; a variadic tail is type id 0 with an empty name. */
  readonly params?: ReadonlyArray<readonly [string, number]>;
  /** ARRAY element count. */
  readonly nelems?: number;
}

/** One kernel function's prototype, types written as C declarations without the declared name. */
export interface FunctionPrototype {
  /** Return type, e.g. `int`, `long int`, `struct sock *`. */
  readonly ret: string;
  /** Parameter types by position, e.g. `['struct file *']`; `...` marks a variadic tail. */
  readonly params: string[];
}

/** The functions of one BTF blob, by name (the first FUNC record wins, as in cilium/ebpf's lookup). */
export type FunctionTable = Map<string, FunctionPrototype>;

/**
 * Finds the BTF blob in a file's bytes: the file itself when it starts with the BTF magic (raw BTF
 * as in `/sys/kernel/btf/vmlinux`), else the `.BTF` section of a 64- or 32-bit ELF image.
 * @throws when the bytes are neither.
 */
export function findBtf(bytes: Uint8Array): Uint8Array {
  const data = asBuffer(bytes);
  if (data.length >= 4 && data.readUInt16LE(0) === BTF_MAGIC) return data;
  if (data.length >= 4 && data.readUInt16BE(0) === BTF_MAGIC) {
    throw new Error('big-endian BTF is not supported');
  }
  if (data.length >= 64 && data.readUInt32BE(0) === 0x7f454c46) return elfSection(data, '.BTF');
  throw new Error('not BTF (no 0xeB9F magic) and not an ELF image; for a vmlinuz, decompress it first (see scripts/kernel-tables.sh)');
}

function elfSection(elf: Buffer, wanted: string): Buffer {
  const is64 = elf[4] === 2;
  if (elf[5] !== 1) throw new Error('only little-endian ELF images are supported');
  const u = (off: number, size: 2 | 4 | 8): number =>
    size === 2 ? elf.readUInt16LE(off) : size === 4 ? elf.readUInt32LE(off) : Number(elf.readBigUInt64LE(off));
  const shoff = is64 ? u(0x28, 8) : u(0x20, 4);
  const shentsize = u(is64 ? 0x3a : 0x2e, 2);
  const shnum = u(is64 ? 0x3c : 0x30, 2);
  const shstrndx = u(is64 ? 0x3e : 0x32, 2);
  const header = (i: number) => {
    const at = shoff + i * shentsize;
    return is64
      ? { name: u(at, 4), offset: u(at + 24, 8), size: u(at + 32, 8) }
      : { name: u(at, 4), offset: u(at + 16, 4), size: u(at + 20, 4) };
  };
  const names = header(shstrndx);
  for (let i = 0; i < shnum; i++) {
    const h = header(i);
    const start = names.offset + h.name;
    const end = elf.indexOf(0, start);
    if (elf.toString('latin1', start, end) === wanted) return elf.subarray(h.offset, h.offset + h.size);
  }
  throw new Error(`ELF image has no ${wanted} section (kernel built without CONFIG_DEBUG_INFO_BTF?)`);
}

function parseTypes(btf: Buffer): BtfType[] {
  if (btf.readUInt16LE(0) !== BTF_MAGIC) throw new Error('bad BTF magic');
  const hdrLen = btf.readUInt32LE(4);
  const typeOff = hdrLen + btf.readUInt32LE(8);
  const typeLen = btf.readUInt32LE(12);
  const strOff = hdrLen + btf.readUInt32LE(16);
  const strLen = btf.readUInt32LE(20);
  if (typeOff + typeLen > btf.length || strOff + strLen > btf.length) throw new Error('truncated BTF');
  const str = (off: number): string => {
    if (off === 0) return '';
    const start = strOff + off;
    return btf.toString('latin1', start, btf.indexOf(0, start));
  };
  const types: BtfType[] = [{ kind: Kind.VOID, name: 'void', ref: 0, kindFlag: false }];
  let p = typeOff;
  const end = typeOff + typeLen;
  while (p < end) {
    const nameOff = btf.readUInt32LE(p);
    const info = btf.readUInt32LE(p + 4);
    const ref = btf.readUInt32LE(p + 8);
    p += 12;
    const vlen = info & 0xffff;
    const kind = ((info >>> 24) & 0x1f) as Kind;
    const kindFlag = info >>> 31 === 1;
    const name = str(nameOff);
    switch (kind) {
      case Kind.INT:
        p += 4;
        types.push({ kind, name, ref, kindFlag });
        break;
      case Kind.ARRAY:
        types.push({ kind, name, ref: btf.readUInt32LE(p), kindFlag, nelems: btf.readUInt32LE(p + 8) });
        p += 12;
        break;
      case Kind.STRUCT:
      case Kind.UNION:
        p += 12 * vlen;
        types.push({ kind, name, ref, kindFlag });
        break;
      case Kind.ENUM:
        p += 8 * vlen;
        types.push({ kind, name, ref, kindFlag });
        break;
      case Kind.ENUM64:
        p += 12 * vlen;
        types.push({ kind, name, ref, kindFlag });
        break;
      case Kind.FUNC_PROTO: {
        const params: Array<readonly [string, number]> = [];
        for (let i = 0; i < vlen; i++, p += 8) params.push([str(btf.readUInt32LE(p)), btf.readUInt32LE(p + 4)]);
        types.push({ kind, name, ref, kindFlag, params });
        break;
      }
      case Kind.VAR:
      case Kind.DECL_TAG:
        p += 4;
        types.push({ kind, name, ref, kindFlag });
        break;
      case Kind.DATASEC:
        p += 12 * vlen;
        types.push({ kind, name, ref, kindFlag });
        break;
      case Kind.PTR:
      case Kind.FWD:
      case Kind.TYPEDEF:
      case Kind.VOLATILE:
      case Kind.CONST:
      case Kind.RESTRICT:
      case Kind.FUNC:
      case Kind.FLOAT:
      case Kind.TYPE_TAG:
        types.push({ kind, name, ref, kindFlag });
        break;
      default:
        throw new Error(`unknown BTF kind ${kind} at type id ${types.length}`);
    }
  }
  return types;
}

/**
 * Writes a type as a C declaration without a declarator name: `const struct path *`, `char **`,
 * `int (*)(unsigned int)`. Enums that are not 4-byte unsigned carry their width, as Tetragon
 * compares enums by width and sign (`enum foo /s64/`).
 */
function typeString(types: BtfType[], id: number, depth = 0): string {
  if (depth > 20) return '?';
  const t = types[id];
  if (!t) return '?';
  switch (t.kind) {
    case Kind.VOID:
      return 'void';
    case Kind.INT:
    case Kind.FLOAT:
    case Kind.TYPEDEF:
      return t.name;
    case Kind.STRUCT:
      return `struct ${t.name || '{...}'}`;
    case Kind.UNION:
      return `union ${t.name || '{...}'}`;
    case Kind.FWD:
      return `${t.kindFlag ? 'union' : 'struct'} ${t.name}`;
    case Kind.ENUM:
    case Kind.ENUM64: {
      const base = `enum ${t.name || '{...}'}`;
      const signed = t.kindFlag;
      return !signed && t.ref === 4 ? base : `${base} /${signed ? 's' : 'u'}${t.ref * 8}/`;
    }
    case Kind.CONST:
    case Kind.VOLATILE:
    case Kind.RESTRICT: {
      const q = t.kind === Kind.CONST ? 'const' : t.kind === Kind.VOLATILE ? 'volatile' : 'restrict';
      const inner = types[t.ref];
      // A qualified pointer is written after the star (`char *const`), anything else before the type.
      if (inner && inner.kind === Kind.PTR) return `${typeString(types, t.ref, depth + 1)}${q}`;
      return `${q} ${typeString(types, t.ref, depth + 1)}`;
    }
    case Kind.TYPE_TAG:
      return typeString(types, t.ref, depth + 1);
    case Kind.PTR: {
      const target = types[t.ref];
      if (target?.kind === Kind.FUNC_PROTO) {
        const params = (target.params ?? []).map(([, pid]) => (pid === 0 ? '...' : typeString(types, pid, depth + 1)));
        return `${typeString(types, target.ref, depth + 1)} (*)(${params.join(', ')})`;
      }
      const inner = typeString(types, t.ref, depth + 1);
      return inner.endsWith('*') ? `${inner}*` : `${inner} *`;
    }
    case Kind.ARRAY:
      return `${typeString(types, t.ref, depth + 1)}[${t.nelems ?? ''}]`;
    case Kind.FUNC_PROTO:
      return 'function';
    default:
      return '?';
  }
}

/**
 * Every FUNC record of a BTF blob with its prototype. When one name has several FUNC records
 * (static functions in different files), the first one is kept, which is the one Tetragon's BTF
 * lookup validates against.
 */
export function parseBtfFunctions(btfOrElf: Uint8Array): FunctionTable {
  let types: BtfType[];
  try {
    types = parseTypes(asBuffer(findBtf(btfOrElf)));
  } catch (e) {
    // Reads past the end: the headers describe more data than the file holds.
    if ((e as Error).name === 'RangeError')
      throw new Error(`the data ends before what its headers describe (${btfOrElf.length} bytes): the file is truncated or not BTF`);
    throw e;
  }
  const out: FunctionTable = new Map();
  for (const t of types) {
    if (t.kind !== Kind.FUNC || out.has(t.name)) continue;
    const proto = types[t.ref];
    if (!proto || proto.kind !== Kind.FUNC_PROTO) continue;
    out.set(t.name, {
      ret: typeString(types, proto.ref),
      params: (proto.params ?? []).map(([, pid]) => (pid === 0 ? '...' : typeString(types, pid))),
    });
  }
  return out;
}
