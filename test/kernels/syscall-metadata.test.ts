import { bundledSyscallTable, encodeSyscallTable, mergeSyscallTables, parseSyscallMetadata, readSyscallTable } from '../../lib/kernels';

/**
 * A minimal stripped ELF vmlinux: `.rodata` with the strings and `.data` with one `struct syscall_metadata` for
 * `sys_setns(int fd, int flags)`, laid out as SYSCALL_METADATA writes it (nr -1, enter_fields pointing at itself),
 * plus a decoy with the right name but a filled-in syscall number.
 */
function tinyVmlinux(): Buffer {
  const RODATA = 0xffffffff82000000n;
  const DATA = 0xffffffff82a00000n;
  const strs = ['sys_setns', 'int', 'fd', 'flags'];
  const rodata = Buffer.from(strs.join('\0') + '\0');
  const addr = (s: string) => RODATA + BigInt(rodata.indexOf(Buffer.from(s + '\0')));
  const data = Buffer.alloc(256);
  const meta = (o: number, nr: number) => {
    data.writeBigUInt64LE(addr('sys_setns'), o);
    data.writeInt32LE(nr, o + 8);
    data.writeInt32LE(2, o + 12);
    data.writeBigUInt64LE(DATA + 160n, o + 16); // types
    data.writeBigUInt64LE(DATA + 176n, o + 24); // args
    data.writeBigUInt64LE(DATA + BigInt(o) + 32n, o + 32); // enter_fields.next
    data.writeBigUInt64LE(DATA + BigInt(o) + 32n, o + 40); // enter_fields.prev
  };
  meta(8, 308); // decoy: syscall_nr already filled in
  meta(80, -1);
  data.writeBigUInt64LE(addr('int'), 160);
  data.writeBigUInt64LE(addr('int'), 168);
  data.writeBigUInt64LE(addr('fd'), 176);
  data.writeBigUInt64LE(addr('flags'), 184);
  const shstr = Buffer.from('\0.rodata\0.data\0.shstrtab\0');
  const body = [rodata, data, shstr];
  const offsets: number[] = [];
  let off = 64;
  for (const b of body) {
    offsets.push(off);
    off += b.length;
  }
  const shoff = off;
  const header = Buffer.alloc(64);
  header.writeUInt32BE(0x7f454c46, 0);
  header[4] = 2;
  header[5] = 1;
  header.writeBigUInt64LE(BigInt(shoff), 0x28);
  header.writeUInt16LE(64, 0x3a);
  header.writeUInt16LE(4, 0x3c);
  header.writeUInt16LE(3, 0x3e);
  const section = (name: number, addr: bigint, offset: number, size: number) => {
    const s = Buffer.alloc(64);
    s.writeUInt32LE(name, 0);
    s.writeBigUInt64LE(addr, 16);
    s.writeBigUInt64LE(BigInt(offset), 24);
    s.writeBigUInt64LE(BigInt(size), 32);
    return s;
  };
  const sections = [
    section(0, 0n, 0, 0),
    section(1, RODATA, offsets[0], rodata.length),
    section(9, DATA, offsets[1], data.length),
    section(15, 0n, offsets[2], shstr.length),
  ];
  return Buffer.concat([header, ...body, ...sections]);
}

describe('syscall metadata', () => {
  test('is read from a stripped vmlinux by the shape of struct syscall_metadata', () => {
    const table = parseSyscallMetadata(tinyVmlinux());
    expect([...table]).toStrictEqual([
      [
        'setns',
        [
          { type: 'int', name: 'fd' },
          { type: 'int', name: 'flags' },
        ],
      ],
    ]);
  });

  test('an image without it is refused with the reason', () => {
    const elf = tinyVmlinux();
    elf.fill('X', 64, 65); // the name no longer starts with sys_
    expect(() => parseSyscallMetadata(elf)).toThrow(/no syscall metadata found/);
    expect(() => parseSyscallMetadata(Buffer.from('not an elf at all, not an elf at all, not an elf at all, not an elf'))).toThrow(
      /not an ELF image/,
    );
  });

  test('tables merge newest first and round-trip through the file format', () => {
    const old = new Map([
      ['bpf', [{ type: 'int', name: 'cmd' }]],
      ['uselib', [{ type: 'const char *', name: 'library' }]],
    ]);
    const fresh = new Map([
      [
        'bpf',
        [
          { type: 'int', name: 'cmd' },
          { type: 'union bpf_attr *', name: 'uattr' },
        ],
      ],
    ]);
    const merged = mergeSyscallTables([fresh, old]);
    expect(merged.get('bpf')).toHaveLength(2);
    expect(merged.get('uselib')).toStrictEqual([{ type: 'const char *', name: 'library' }]);
    expect(readSyscallTable(encodeSyscallTable(merged))).toStrictEqual(merged);
  });

  test('the bundled table has the prototypes Tetragon checks syscall arguments against', () => {
    const t = bundledSyscallTable();
    expect(t.size).toBeGreaterThan(400);
    expect(t.get('execve')?.map((a) => a.type)).toStrictEqual(['const char *', 'const char *const *', 'const char *const *']);
    expect(t.get('connect')).toStrictEqual([
      { type: 'int', name: 'fd' },
      { type: 'struct sockaddr *', name: 'uservaddr' },
      { type: 'int', name: 'addrlen' },
    ]);
    expect(t.get('ptrace')?.map((a) => a.type)).toStrictEqual(['long', 'long', 'unsigned long', 'unsigned long']);
  });
});
