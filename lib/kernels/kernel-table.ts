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

/** File name suffix of a serialized table (brotli-compressed JSON). */
export const TABLE_SUFFIX = '.json.br';

/**
 * Serialized form (brotli-compressed text, parsed in a few milliseconds):
 * line 1: `{"format":3,"name":...,"describe":...,"features":{...}}`; line 2: JSON array of the distinct type strings;
 * then one line per function in sorted order: `name<TAB>ret,param,param` as indexes into line 2.
 * Format 2 is the same without `features` (read as: features unknown).
 */
interface TableHeader {
  readonly format: 2 | 3;
  readonly name: string;
  readonly describe: string;
  readonly features?: KernelFeatures;
}

/** The table format this version writes; the reader also accepts the formats listed in `READABLE_FORMATS`. */
export const TABLE_FORMAT = 3;
const READABLE_FORMATS = [2, 3];

class MapKernelTable implements KernelTable {
  constructor(public readonly name: string, public readonly describe: string, private readonly fns: FunctionTable,
    public readonly features: KernelFeatures = {}) {}
  public get size(): number { return this.fns.size; }
  public lookup(fn: string): FunctionPrototype | undefined { return this.fns.get(fn); }
}

/**
 * Looks functions up by binary search over the sorted rows of the decoded text: loading a table costs one scan
 * for line starts, with no per-function allocation (the synth loads every bundled table).
 */
class EncodedKernelTable implements KernelTable {
  private readonly starts: number[] = [];
  constructor(public readonly name: string, public readonly describe: string, public readonly features: KernelFeatures,
    private readonly types: string[], private readonly text: string, firstRow: number) {
    for (let pos = firstRow; pos < text.length;) {
      const nl = text.indexOf('\n', pos);
      const end = nl < 0 ? text.length : nl;
      if (end > pos) this.starts.push(pos);
      pos = end + 1;
    }
  }
  public get size(): number { return this.starts.length; }
  public lookup(fn: string): FunctionPrototype | undefined {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const start = this.starts[mid];
      const tab = this.text.indexOf('\t', start);
      const name = this.text.slice(start, tab);
      if (name === fn) {
        const nl = this.text.indexOf('\n', tab);
        const ids = this.text.slice(tab + 1, nl < 0 ? undefined : nl).split(',').map(Number);
        return { ret: this.types[ids[0]], params: ids.slice(1).map((i) => this.types[i]) };
      }
      if (name < fn) lo = mid + 1; else hi = mid - 1;
    }
    return undefined;
  }
}

/** A kernel table over an in-memory function list (tests, or a table built on the fly from BTF). */
export function kernelTableOf(name: string, describe: string, functions: Record<string, FunctionPrototype> | FunctionTable,
  features: KernelFeatures = {}): KernelTable {
  const map = functions instanceof Map ? functions : new Map(Object.entries(functions));
  return new MapKernelTable(name, describe, map, features);
}

/** Serializes a table deterministically (sorted names, types interned in first-use order). */
export function encodeKernelTable(name: string, describe: string, functions: FunctionTable, features: KernelFeatures = {}): Uint8Array {
  const typeIndex = new Map<string, number>();
  const types: string[] = [];
  const intern = (t: string) => {
    let i = typeIndex.get(t);
    if (i === undefined) { i = types.length; types.push(t); typeIndex.set(t, i); }
    return i;
  };
  const rows: string[] = [];
  for (const fn of [...functions.keys()].sort()) {
    const p = functions.get(fn)!;
    rows.push(`${fn}\t${[intern(p.ret), ...p.params.map(intern)].join(',')}`);
  }
  const header: TableHeader = { format: TABLE_FORMAT, name, describe, features: sortedFeatures(features) };
  const text = [JSON.stringify(header), JSON.stringify(types), ...rows].join('\n') + '\n';
  return brotliCompressSync(Buffer.from(text), {
    params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_LGWIN]: 24 },
  });
}

/** Reads a serialized table. */
export function decodeKernelTable(data: Uint8Array): KernelTable {
  const text = brotliDecompressSync(data).toString('utf8');
  const first = text.indexOf('\n');
  const second = text.indexOf('\n', first + 1);
  const header = JSON.parse(text.slice(0, first)) as TableHeader;
  if (!READABLE_FORMATS.includes(header.format)) {
    throw new Error(`unsupported kernel table format ${String(header.format)} (this version reads ${READABLE_FORMATS.join(' and ')}); rebuild it with \`cdk8s-tetragon kernel add\``);
  }
  return new EncodedKernelTable(header.name, header.describe, header.features ?? {}, JSON.parse(text.slice(first + 1, second)) as string[], text, second + 1);
}

/** Features with keys in a fixed order, so the serialized header is deterministic. */
function sortedFeatures(f: KernelFeatures): KernelFeatures {
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b))) as KernelFeatures;
}

/**
 * Builds a table from raw BTF (`/sys/kernel/btf/vmlinux`) or an ELF vmlinux with a `.BTF` section, with the features
 * its kernel config gives (see `featuresFromConfig`; empty = unknown).
 */
export function kernelTableFromBtf(data: Uint8Array, name: string, describe: string, features: KernelFeatures = {}): { table: KernelTable; encoded: Uint8Array } {
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
    throw new Error(`unknown kernel '${nameOrPath}': not a bundled table (${bundledKernels().join(', ')}) and no such file; `
      + 'pass a bundled name, a table written by `cdk8s-tetragon kernel add`, or a BTF file such as /sys/kernel/btf/vmlinux');
  }
  cache.set(nameOrPath, table);
  return table;
}

/** Writes a table into a folder and records it in that folder's `index.json` (sorted by name). */
export function writeKernelTable(outDir: string, name: string, describe: string, encoded: Uint8Array, functions: number,
  features: KernelFeatures = {}): string {
  if (!/^[a-z0-9][a-z0-9._+-]*$/.test(name)) {
    throw new Error(`kernel table name '${name}' is invalid: use lower-case letters, digits, '.', '_', '+' or '-' (e.g. my-node-6.8)`);
  }
  const file = join(outDir, name + TABLE_SUFFIX);
  writeFileSync(file, encoded);
  const indexFile = join(outDir, 'index.json');
  const current: BundledKernelInfo[] = existsSync(indexFile)
    ? (JSON.parse(readFileSync(indexFile, 'utf8')) as { kernels: BundledKernelInfo[] }).kernels : [];
  const next = [...current.filter((k) => k.name !== name), { name, describe, functions, features: sortedFeatures(features) }]
    .filter((k) => existsSync(join(outDir, k.name + TABLE_SUFFIX)))
    .sort((a, b) => a.name.localeCompare(b.name));
  writeFileSync(indexFile, JSON.stringify({ kernels: next }, null, 2) + '\n');
  if (resolve(outDir) === bundledDir) { index = undefined; cache.delete(name); }
  return file;
}

/** Names of the tables in a folder (for `kernel list --dir`). */
export function tablesIn(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith(TABLE_SUFFIX)).map((f) => f.slice(0, -TABLE_SUFFIX.length)).sort();
}
