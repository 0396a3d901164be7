import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gunzipSync } from 'node:zlib';
import { typeMismatch } from '../../lib/check';
import {
  bundledKernels,
  decodeKernelTable,
  encodeKernelTable,
  findBtf,
  kernelTableFromBtf,
  loadKernel,
  parseBtfFunctions,
  writeKernelTable,
} from '../../lib/kernels';

/** A hand-built BTF blob: int, struct file, const struct file *, FUNC_PROTO int(const struct file *, int), FUNC my_open. */
function tinyBtf(): Buffer {
  const strings = Buffer.from('\0int\0file\0my_open\0f\0mode\0');
  const off = (s: string) => strings.indexOf(Buffer.from(s + '\0'));
  const u32 = (...v: number[]) => {
    const b = Buffer.alloc(4 * v.length);
    v.forEach((x, i) => b.writeUInt32LE(x >>> 0, 4 * i));
    return b;
  };
  const info = (kind: number, vlen = 0) => ((kind << 24) | vlen) >>> 0;
  const types = Buffer.concat([
    u32(off('int'), info(1), 4, (1 << 24) | 32), //        1: INT int (signed, 32 bits)
    u32(off('file'), info(4), 0), //                      2: STRUCT file (no members)
    u32(0, info(10), 2), //                               3: CONST -> 2
    u32(0, info(2), 3), //                                4: PTR -> 3
    u32(0, info(13, 2), 1, off('f'), 4, off('mode'), 1), // 5: FUNC_PROTO int (4, 1)
    u32(off('my_open'), info(12), 5), //                  6: FUNC my_open -> 5
  ]);
  const header = Buffer.alloc(24);
  header.writeUInt16LE(0xeb9f, 0);
  header[2] = 1;
  header.writeUInt32LE(24, 4);
  header.writeUInt32LE(0, 8);
  header.writeUInt32LE(types.length, 12);
  header.writeUInt32LE(types.length, 16);
  header.writeUInt32LE(strings.length, 20);
  return Buffer.concat([header, types, strings]);
}

describe('BTF reader', () => {
  test('reads functions with C-style parameter types from raw BTF', () => {
    const fns = parseBtfFunctions(tinyBtf());
    expect(Object.fromEntries(fns)).toStrictEqual({ my_open: { ret: 'int', params: ['const struct file *', 'int'] } });
  });

  test('rejects data that is neither BTF nor ELF, with a hint about vmlinuz', () => {
    expect(() => findBtf(Buffer.from('MZ not a kernel at all, just bytes........................................'))).toThrow(
      /decompress it first/,
    );
  });

  test('tables round-trip through the serialized form byte for byte', () => {
    const { table, encoded } = kernelTableFromBtf(tinyBtf(), 'tiny', 'hand-built');
    const again = encodeKernelTable('tiny', 'hand-built', parseBtfFunctions(tinyBtf()));
    expect(Buffer.compare(again, encoded)).toBe(0);
    const decoded = decodeKernelTable(encoded);
    expect(decoded.lookup('my_open')).toStrictEqual(table.lookup('my_open'));
    expect(decoded.lookup('nope')).toBeUndefined();
  });

  test('writeKernelTable records the table in index.json and loadKernel reads it by path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kt-'));
    const { table, encoded } = kernelTableFromBtf(tinyBtf(), 'my-node-6.8', 'test node');
    const file = writeKernelTable(dir, 'my-node-6.8', table.describe, encoded, table.size);
    expect(JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'))).toStrictEqual({
      kernels: [{ name: 'my-node-6.8', describe: 'test node', functions: 1, features: {} }],
    });
    expect(loadKernel(file).lookup('my_open')?.params).toStrictEqual(['const struct file *', 'int']);
    expect(() => writeKernelTable(dir, 'Bad Name', '', encoded, 1)).toThrow(/invalid/);
  });
});

describe('bundled kernel set', () => {
  test('holds the four Debian kernels', () => {
    expect(bundledKernels()).toStrictEqual(['debian-11-5.10', 'debian-12-6.1', 'debian-13-6.12', 'debian-sid-7.2']);
  });

  test('loads all tables quickly and knows well-known prototypes', () => {
    const t0 = performance.now();
    const tables = bundledKernels().map((k) => loadKernel(k));
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(1500); // typically ~120 ms on one core
    for (const t of tables) {
      expect(t.lookup('security_file_open')).toStrictEqual({ ret: 'int', params: ['struct file *'] });
      expect(t.lookup('__x64_sys_setns')).toStrictEqual({ ret: 'long int', params: ['const struct pt_regs *'] });
      expect(t.lookup('tcp_connect')?.params).toStrictEqual(['struct sock *']);
    }
    // security_file_truncate appeared in 6.2
    expect(tables.map((t) => t.lookup('security_file_truncate') !== undefined)).toStrictEqual([false, false, true, true]);
    expect(loadKernel('debian-12-6.1')).toBe(tables[1]); // cached
  });

  test('an unknown kernel name is a clear error listing the bundled set', () => {
    expect(() => loadKernel('ubuntu-24.04')).toThrow(/unknown kernel 'ubuntu-24.04'.*debian-11-5.10/);
  });

  // Cross-check with an independently made table set when it is present on this machine.
  const REF = join(__dirname, '..', '..', '..', 'shared', 'reference', 'kernels');
  const pairs: Array<[string, string]> = [
    ['debian-11-5.10', '5.10.0-46-amd64.json.gz'],
    ['debian-12-6.1', '6.1.0-56-amd64.json.gz'],
  ];
  (existsSync(join(REF, pairs[0][1])) ? test : test.skip)(
    'agrees with the independent extraction on every function of 5.10 and 6.1',
    () => {
      for (const [name, file] of pairs) {
        const ref = JSON.parse(gunzipSync(readFileSync(join(REF, file))).toString()).functions as Record<
          string,
          { ret: string; params: [string, string][] }
        >;
        const ours = loadKernel(name);
        expect(ours.size).toBe(Object.keys(ref).length);
        let typeDiffs = 0;
        const missing: string[] = [];
        // both drop type tags; enums carry a width marker here only when not u32
        const norm = (s: string) => s.replace(/ \/[su]\d+\/$/, '');
        for (const [fn, p] of Object.entries(ref)) {
          const mine = ours.lookup(fn);
          if (!mine) missing.push(fn);
          else if (mine.params.length !== p.params.length || mine.params.some((t, i) => norm(t) !== p.params[i][1])) typeDiffs++;
        }
        expect({ name, missing }).toStrictEqual({ name, missing: [] });
        expect(typeDiffs).toBeLessThan(Object.keys(ref).length / 1000);
      }
    },
  );
});

describe('table format 4', () => {
  // 2,000 functions: four blocks of 512 rows.
  const fns = new Map(
    Array.from({ length: 2000 }, (_, i) => [`fn_${String(i).padStart(4, '0')}`, { ret: 'int', params: [`struct s${i % 7} *`, 'int'] }]),
  );
  const encoded = Buffer.from(encodeKernelTable('big', 'many functions', fns, { release: '6.8.0' }));
  const header = JSON.parse(encoded.subarray(0, encoded.indexOf(0x0a)).toString()) as {
    format: number;
    functions: number;
    blocks: Array<[string, number]>;
  };

  test("a header line names each block's first function; a lookup decompresses only the block that holds its function", () => {
    expect(header).toMatchObject({ format: 4, functions: 2000 });
    expect(header.blocks.map(([first]) => first)).toStrictEqual(['fn_0000', 'fn_0512', 'fn_1024', 'fn_1536']);
    // when: the last block is damaged
    const damaged = Buffer.from(encoded);
    damaged.fill(0x5a, damaged.length - header.blocks[3][1]);
    const table = decodeKernelTable(damaged);
    // then: the other blocks answer, and only a lookup in the damaged one fails
    expect(table.size).toBe(2000);
    expect(table.features).toStrictEqual({ release: '6.8.0' });
    expect(table.lookup('fn_0003')).toStrictEqual({ ret: 'int', params: ['struct s3 *', 'int'] });
    expect(table.lookup('fn_1535')).toStrictEqual({ ret: 'int', params: ['struct s2 *', 'int'] });
    expect(table.lookup('fn_0003x')).toBeUndefined();
    expect(table.lookup('aaa')).toBeUndefined();
    expect(() => table.lookup('fn_1999')).toThrow(/kernel table big is damaged \(block 3 of 4\)/);
  });

  test("every function round-trips, and a result is the caller's own copy", () => {
    const table = decodeKernelTable(encoded);
    expect([...fns].filter(([fn, p]) => JSON.stringify(table.lookup(fn)) !== JSON.stringify(p))).toStrictEqual([]);
    table.lookup('fn_0001')!.params.push('changed');
    expect(table.lookup('fn_0001')!.params).toStrictEqual(['struct s1 *', 'int']);
  });

  test('a truncated table is refused when read, naming it', () => {
    expect(() => decodeKernelTable(encoded.subarray(0, encoded.length - 10))).toThrow(/kernel table big is truncated or damaged/);
  });

  test('a format 3 table (one compressed stream) still loads with its features', () => {
    const v3 = `${JSON.stringify({ format: 3, name: 'v3', describe: 'old', features: { kprobeMulti: true } })}\n["int","struct file *"]\nmy_open\t0,1\n`;
    const table = decodeKernelTable(brotliCompressSync(Buffer.from(v3)));
    expect(table.features).toStrictEqual({ kprobeMulti: true });
    expect(table.lookup('my_open')).toStrictEqual({ ret: 'int', params: ['struct file *'] });
    expect(table.size).toBe(1);
  });
});

describe('argument type fit', () => {
  test.each([
    ['file', 'struct file *', undefined],
    ['path', 'const struct path *', undefined],
    ['int', 'unsigned int', undefined],
    ['int', 'enum kernel_read_file_id', undefined],
    ['string', 'const char *', undefined],
    ['sock', 'struct sock *', undefined],
    ['linux_binprm', 'struct linux_binprm *', undefined],
    ['uint64', 'void *', undefined],
  ])('%s fits %s', (spec, kernel, expected) => {
    expect(typeMismatch(spec, kernel)).toBe(expected);
  });

  test.each([
    ['file', 'struct kiocb *', /wrong structure \(garbage values\)/],
    ['string', 'struct dentry *', /garbage/],
    ['file', 'int', /dereference a number/],
    ['int', 'long unsigned int', /truncated/],
    ['int', 'struct sock *', /address/],
  ])('%s does not fit %s', (spec, kernel, message) => {
    expect(typeMismatch(spec, kernel)).toMatch(message);
  });
});
