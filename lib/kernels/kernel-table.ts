import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, constants as zlibConstants } from 'node:zlib';
import { FunctionPrototype, FunctionTable, parseBtfFunctions } from './btf';
import { KernelFeatures } from './kernel-features';

/**
 * The kernel functions of one kernel build, as far as Tetragon's load-time checks need them:
 * which functions exist in BTF and the types of their parameters.
 */
export interface KernelTable {
  /** Short name, e.g. `debian-12-6.1`. */
  readonly name: string;
  /** Where the table came from (distribution, package, version). */
  readonly describe: string;
  /** Number of functions in the table. */
  readonly size: number;
  /** What the kernel's config says about the features that decide loading; empty when unknown. */
  readonly features: KernelFeatures;
  /** The prototype of a function, or `undefined` when the kernel's BTF has no such function. */
  lookup(fn: string): FunctionPrototype | undefined;
}

export type { FunctionPrototype } from './btf';

/** File name suffix of a serialized table (a JSON header line and brotli-compressed parts, see `encodeKernelTable`). */
export const TABLE_SUFFIX = '.json.br';

/**
 * Serialized form, format 4: looking a function up decompresses only the part that holds it (a few kilobytes), so a
 * synth that checks a handful of hooks against every bundled kernel reads no table whole.
 * Line 1: `{"format":4,"name":...,"describe":...,"features":{...},"functions":N,"types":BYTES,"blocks":[[FIRST,BYTES],...]}`;
 * then, each brotli-compressed on its own: the types part (JSON array of the distinct type strings), then the blocks
 * in order (up to {@link BLOCK_ROWS} rows `name<TAB>ret,param,param`, as indexes into the types, sorted by name;
 * FIRST is a block's first name).
 * Formats 2 and 3 (still read) are one brotli stream: the header line (`features` from format 3), the types line and
 * every row.
 */
interface TableHeader {
  readonly format: 2 | 3 | 4;
  readonly name: string;
  readonly describe: string;
  readonly features?: KernelFeatures;
  /** Format 4: the number of functions, the compressed size of the types part, each block's first name and size. */
  readonly functions?: number;
  readonly types?: number;
  readonly blocks?: ReadonlyArray<readonly [string, number]>;
}

/** The table format this version writes; the reader also accepts the formats listed in `READABLE_FORMATS`. */
export const TABLE_FORMAT = 4;
const READABLE_FORMATS = [2, 3, 4];
/** Rows per block of a format 4 table: small enough to decompress in microseconds, large enough to compress well. */
const BLOCK_ROWS = 512;
const BROTLI_MAX = { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_LGWIN]: 24 } };
const HEADER_START = Buffer.from('{"format":');

class MapKernelTable implements KernelTable {
  constructor(
    public readonly name: string,
    public readonly describe: string,
    private readonly fns: FunctionTable,
    public readonly features: KernelFeatures = {},
  ) {}
  public get size(): number {
    return this.fns.size;
  }
  public lookup(fn: string): FunctionPrototype | undefined {
    return this.fns.get(fn);
  }
}

/** Finds `fn` among sorted `name<TAB>ids` rows (starting at the given offsets) and decodes its prototype. */
function searchRows(text: string, starts: readonly number[], types: readonly string[], fn: string): FunctionPrototype | undefined {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const start = starts[mid];
    const tab = text.indexOf('\t', start);
    const name = text.slice(start, tab);
    if (name === fn) {
      const nl = text.indexOf('\n', tab);
      const ids = text
        .slice(tab + 1, nl < 0 ? undefined : nl)
        .split(',')
        .map(Number);
      return { ret: types[ids[0]], params: ids.slice(1).map((i) => types[i]) };
    }
    if (name < fn) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/** Offsets of the non-empty lines of `text` from `from` on. */
function lineStarts(text: string, from: number): number[] {
  const starts: number[] = [];
  for (let pos = from; pos < text.length;) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    if (end > pos) starts.push(pos);
    pos = end + 1;
  }
  return starts;
}

/** A format 2 or 3 table: decompressed whole, looked up by binary search over the rows (no per-function objects). */
class EncodedKernelTable implements KernelTable {
  private readonly starts: number[];
  constructor(
    public readonly name: string,
    public readonly describe: string,
    public readonly features: KernelFeatures,
    private readonly types: string[],
    private readonly text: string,
    firstRow: number,
  ) {
    this.starts = lineStarts(text, firstRow);
  }
  public get size(): number {
    return this.starts.length;
  }
  public lookup(fn: string): FunctionPrototype | undefined {
    return searchRows(this.text, this.starts, this.types, fn);
  }
}

/** A format 4 table: each lookup decompresses (once) the block that may hold the function, and the types on first hit. */
class IndexedKernelTable implements KernelTable {
  public readonly name: string;
  public readonly describe: string;
  public readonly features: KernelFeatures;
  public readonly size: number;
  private readonly firsts: string[];
  /** Byte offsets in `data`: the types part, then each block, then the end. */
  private readonly offsets: number[];
  private readonly blocks = new Map<number, { text: string; starts: number[] }>();
  /** Prototypes looked up so far: the checks of one synth ask for the same few functions many times. */
  private readonly found = new Map<string, FunctionPrototype | undefined>();
  private types?: string[];

  constructor(
    header: TableHeader,
    private readonly data: Uint8Array,
    bodyStart: number,
  ) {
    this.name = header.name;
    this.describe = header.describe;
    this.features = header.features ?? {};
    this.size = header.functions ?? 0;
    const blocks = header.blocks ?? [];
    this.firsts = blocks.map(([first]) => first);
    this.offsets = [bodyStart, bodyStart + (header.types ?? 0)];
    for (const [, bytes] of blocks) this.offsets.push(this.offsets[this.offsets.length - 1] + bytes);
    if (this.offsets[this.offsets.length - 1] !== data.length) {
      throw new Error(
        `kernel table ${header.name} is truncated or damaged (${data.length} bytes, the header describes ${this.offsets[this.offsets.length - 1]})`,
      );
    }
  }

  public lookup(fn: string): FunctionPrototype | undefined {
    if (!this.found.has(fn)) this.found.set(fn, this.search(fn));
    const proto = this.found.get(fn);
    return proto && { ret: proto.ret, params: [...proto.params] };
  }

  private search(fn: string): FunctionPrototype | undefined {
    // The last block whose first name is not after fn.
    let lo = 0;
    let hi = this.firsts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.firsts[mid] <= fn) lo = mid;
      else hi = mid - 1;
    }
    if (this.firsts.length === 0 || this.firsts[lo] > fn) return undefined;
    let block = this.blocks.get(lo);
    if (!block) {
      const text = this.part(lo + 1);
      block = { text, starts: lineStarts(text, 0) };
      // A damaged block must not read as a kernel without these functions: it has to hold its rows, from its first name.
      const rows = Math.min(BLOCK_ROWS, this.size - lo * BLOCK_ROWS);
      if (block.starts.length !== rows || !text.startsWith(`${this.firsts[lo]}\t`)) {
        throw new Error(
          `kernel table ${this.name} is damaged (block ${lo} of ${this.firsts.length}); rebuild it with \`cdk8s-tetragon kernel add\``,
        );
      }
      this.blocks.set(lo, block);
    }
    this.types ??= JSON.parse(this.part(0)) as string[];
    return searchRows(block.text, block.starts, this.types, fn);
  }

  /** Part i decompressed: 0 is the types, i > 0 block i - 1. */
  private part(i: number): string {
    try {
      return brotliDecompressSync(this.data.subarray(this.offsets[i], this.offsets[i + 1])).toString('utf8');
    } catch (e) {
      throw new Error(
        `kernel table ${this.name} is damaged (${i ? `block ${i - 1} of ${this.firsts.length}` : 'type list'}: ${(e as Error).message}); rebuild it with \`cdk8s-tetragon kernel add\``,
      );
    }
  }
}

/** A kernel table over an in-memory function list (tests, or a table built on the fly from BTF). */
export function kernelTableOf(
  name: string,
  describe: string,
  functions: Record<string, FunctionPrototype> | FunctionTable,
  features: KernelFeatures = {},
): KernelTable {
  const map = functions instanceof Map ? functions : new Map(Object.entries(functions));
  return new MapKernelTable(name, describe, map, features);
}

/** Serializes a table deterministically (sorted names, types interned in first-use order), in format 4. */
export function encodeKernelTable(name: string, describe: string, functions: FunctionTable, features: KernelFeatures = {}): Uint8Array {
  const typeIndex = new Map<string, number>();
  const types: string[] = [];
  const intern = (t: string) => {
    let i = typeIndex.get(t);
    if (i === undefined) {
      i = types.length;
      types.push(t);
      typeIndex.set(t, i);
    }
    return i;
  };
  const names = [...functions.keys()].sort();
  const rows = names.map((fn) => {
    const p = functions.get(fn)!;
    return `${fn}\t${[intern(p.ret), ...p.params.map(intern)].join(',')}\n`;
  });
  const compress = (text: string) => brotliCompressSync(Buffer.from(text), BROTLI_MAX);
  const typesPart = compress(JSON.stringify(types));
  const blocks: Buffer[] = [];
  const index: Array<[string, number]> = [];
  for (let i = 0; i < rows.length; i += BLOCK_ROWS) {
    blocks.push(compress(rows.slice(i, i + BLOCK_ROWS).join('')));
    index.push([names[i], blocks[blocks.length - 1].length]);
  }
  const header: TableHeader = {
    format: TABLE_FORMAT,
    name,
    describe,
    features: sortedFeatures(features),
    functions: names.length,
    types: typesPart.length,
    blocks: index,
  };
  return Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), typesPart, ...blocks]);
}

/** Reads a serialized table (any format in `READABLE_FORMATS`); a format 4 table is decompressed part by part on use. */
export function decodeKernelTable(data: Uint8Array): KernelTable {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (bytes.subarray(0, HEADER_START.length).equals(HEADER_START)) {
    const end = bytes.indexOf(0x0a);
    const header = JSON.parse(bytes.subarray(0, end).toString('utf8')) as TableHeader;
    checkFormat(header, [4]);
    return new IndexedKernelTable(header, bytes, end + 1);
  }
  const text = brotliDecompressSync(bytes).toString('utf8');
  const first = text.indexOf('\n');
  const second = text.indexOf('\n', first + 1);
  const header = JSON.parse(text.slice(0, first)) as TableHeader;
  checkFormat(header, [2, 3]);
  return new EncodedKernelTable(
    header.name,
    header.describe,
    header.features ?? {},
    JSON.parse(text.slice(first + 1, second)) as string[],
    text,
    second + 1,
  );
}

function checkFormat(header: TableHeader, layout: number[]): void {
  if (!READABLE_FORMATS.includes(header.format)) {
    throw new Error(
      `unsupported kernel table format ${String(header.format)} (this version reads ${READABLE_FORMATS.join(', ').replace(/, (\d+)$/, ' and $1')}); rebuild it with \`cdk8s-tetragon kernel add\``,
    );
  }
  if (!layout.includes(header.format))
    throw new Error(
      `kernel table ${header.name}: format ${header.format} in the wrong layout; the file is damaged, rebuild it with \`cdk8s-tetragon kernel add\``,
    );
}

/** Features with keys in a fixed order, so the serialized header is deterministic. */
function sortedFeatures(f: KernelFeatures): KernelFeatures {
  return Object.fromEntries(
    Object.entries(f)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b)),
  ) as KernelFeatures;
}

/**
 * Builds a table from raw BTF (`/sys/kernel/btf/vmlinux`) or an ELF vmlinux with a `.BTF` section, with the features
 * its kernel config gives (see `featuresFromConfig`; empty = unknown).
 */
export function kernelTableFromBtf(
  data: Uint8Array,
  name: string,
  describe: string,
  features: KernelFeatures = {},
): { table: KernelTable; encoded: Uint8Array } {
  const fns = parseBtfFunctions(data);
  return { table: new MapKernelTable(name, describe, fns, features), encoded: encodeKernelTable(name, describe, fns, features) };
}

let bundledDir: string | undefined;

/**
 * The folder of the tables shipped with the package: `kernels/` at the package root, found by
 * walking up from this module (it sits at different depths in the sources, the tsc output and a bundle).
 */
export function bundledKernelDir(): string {
  if (bundledDir) return bundledDir;
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'kernels');
    if (existsSync(join(candidate, 'index.json'))) return (bundledDir = candidate);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`bundled kernel tables not found (no kernels/index.json above ${__dirname}); reinstall the package`);
}

/** One entry of `kernels/index.json`. */
export interface BundledKernelInfo {
  readonly name: string;
  readonly describe: string;
  readonly functions: number;
  /** The kernel's features, as in the table (absent in indexes written before format 3). */
  readonly features?: KernelFeatures;
}

let index: BundledKernelInfo[] | undefined;

/** The bundled kernel set with descriptions, read from `kernels/index.json` (no table is decompressed). */
export function bundledKernelInfo(): BundledKernelInfo[] {
  index ??= (JSON.parse(readFileSync(join(bundledKernelDir(), 'index.json'), 'utf8')) as { kernels: BundledKernelInfo[] }).kernels;
  return index;
}

/** Names of the bundled kernel tables, e.g. `['debian-11-5.10', 'debian-12-6.1', ...]`. */
export function bundledKernels(): string[] {
  return bundledKernelInfo().map((k) => k.name);
}

const cache = new Map<string, KernelTable>();

/**
 * Loads a kernel table by bundled name, or from a path: a serialized table (`*.json.br`, as written
 * by `cdk8s-tetragon kernel add`), raw BTF (`/sys/kernel/btf/vmlinux`) or an ELF vmlinux.
 * Tables are cached, so repeated calls are cheap.
 * @throws when the name is not bundled and no such file exists, naming the bundled set.
 */
export function loadKernel(nameOrPath: string): KernelTable {
  const hit = cache.get(nameOrPath);
  if (hit) return hit;
  let table: KernelTable;
  const bundled = bundledKernelInfo().find((k) => k.name === nameOrPath);
  if (bundled) {
    table = decodeKernelTable(readFileSync(join(bundledKernelDir(), bundled.name + TABLE_SUFFIX)));
  } else if (existsSync(nameOrPath) && statSync(nameOrPath).isFile()) {
    const data = readFileSync(nameOrPath);
    if (nameOrPath.endsWith(TABLE_SUFFIX)) {
      table = decodeKernelTable(data);
    } else {
      const name = basename(nameOrPath) === 'vmlinux' ? resolve(nameOrPath) : basename(nameOrPath);
      table = kernelTableFromBtf(data, name, `BTF read from ${nameOrPath}`).table;
    }
  } else {
    throw new Error(
      `unknown kernel '${nameOrPath}': not a bundled table (${bundledKernels().join(', ')}) and no such file; ` +
        'pass a bundled name, a table written by `cdk8s-tetragon kernel add`, or a BTF file such as /sys/kernel/btf/vmlinux',
    );
  }
  cache.set(nameOrPath, table);
  return table;
}

/** Writes a table into a folder and records it in that folder's `index.json` (sorted by name). */
export function writeKernelTable(
  outDir: string,
  name: string,
  describe: string,
  encoded: Uint8Array,
  functions: number,
  features: KernelFeatures = {},
): string {
  if (!/^[a-z0-9][a-z0-9._+-]*$/.test(name)) {
    throw new Error(`kernel table name '${name}' is invalid: use lower-case letters, digits, '.', '_', '+' or '-' (e.g. my-node-6.8)`);
  }
  const file = join(outDir, name + TABLE_SUFFIX);
  writeFileSync(file, encoded);
  const indexFile = join(outDir, 'index.json');
  const current: BundledKernelInfo[] = existsSync(indexFile)
    ? (JSON.parse(readFileSync(indexFile, 'utf8')) as { kernels: BundledKernelInfo[] }).kernels
    : [];
  const next = [...current.filter((k) => k.name !== name), { name, describe, functions, features: sortedFeatures(features) }]
    .filter((k) => existsSync(join(outDir, k.name + TABLE_SUFFIX)))
    .sort((a, b) => a.name.localeCompare(b.name));
  writeFileSync(indexFile, JSON.stringify({ kernels: next }, null, 2) + '\n');
  if (resolve(outDir) === bundledDir) {
    index = undefined;
    cache.delete(name);
  }
  return file;
}

/** Names of the tables in a folder (for `kernel list --dir`). */
export function tablesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(TABLE_SUFFIX))
    .map((f) => f.slice(0, -TABLE_SUFFIX.length))
    .sort();
}
