import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpioHeader, writeCpio } from '../../lib/verify/cpio';

/** Reads a newc archive back: name, mode, data. */
function readNewc(buf: Buffer): { name: string; mode: number; data: Buffer }[] {
  const out: { name: string; mode: number; data: Buffer }[] = [];
  let pos = 0;
  const align = (n: number) => (n + 3) & ~3;
  for (;;) {
    expect(buf.toString('ascii', pos, pos + 6)).toBe('070701');
    const field = (i: number) => parseInt(buf.toString('ascii', pos + 6 + i * 8, pos + 14 + i * 8), 16);
    const mode = field(1);
    const size = field(6);
    const namesize = field(11);
    const name = buf.toString('utf8', pos + 110, pos + 110 + namesize - 1);
    const dataStart = align(pos + 110 + namesize);
    if (name === 'TRAILER!!!') return out;
    out.push({ name, mode, data: buf.subarray(dataStart, dataStart + size) });
    pos = align(dataStart + size);
  }
}

describe('newc cpio writer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cpio-'));
  const source = join(dir, 'agent');
  writeFileSync(source, Buffer.from('0123456789a'));

  test('directories, files from disk, inline data and symlinks round-trip with their modes, 4-byte aligned', () => {
    const out = join(dir, 'image.cpio');
    const size = writeCpio(out, [
      { kind: 'dir', path: '/opt' },
      { kind: 'file', path: '/opt/agent', source, mode: 0o755 },
      { kind: 'data', path: '/init', data: '#!/bin/sh\n', mode: 0o755 },
      { kind: 'symlink', path: '/opt/sh', target: 'busybox' },
    ]);
    const image = readFileSync(out);
    expect(size).toBe(image.length);
    expect(image.length % 4).toBe(0);
    const entries = readNewc(image);
    expect(entries.map((e) => [e.name, e.mode.toString(8)])).toStrictEqual([
      ['opt', '40755'],
      ['opt/agent', '100755'],
      ['init', '100755'],
      ['opt/sh', '120777'],
    ]);
    expect(entries[1].data.toString()).toBe('0123456789a');
    expect(entries[2].data.toString()).toBe('#!/bin/sh\n');
    expect(entries[3].data.toString()).toBe('busybox');
  });

  test('equal inputs give byte-identical images', () => {
    const a = join(dir, 'a.cpio');
    const b = join(dir, 'b.cpio');
    const entries = [{ kind: 'data' as const, path: '/x', data: 'same' }];
    writeCpio(a, entries);
    writeCpio(b, entries);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
  });

  test('paths that climb out or are empty are refused', () => {
    expect(() => writeCpio(join(dir, 'bad.cpio'), [{ kind: 'data', path: '/../etc/passwd', data: '' }])).toThrow(/bad path/);
    expect(() => writeCpio(join(dir, 'bad.cpio'), [{ kind: 'dir', path: '/' }])).toThrow(/bad path/);
  });

  test('a header is 110 bytes plus the NUL-terminated name, padded to 4', () => {
    const h = cpioHeader(7, 0o100644, 5, 'ab');
    expect(h.length).toBe(116);
    expect(h.toString('ascii', 0, 14)).toBe('07070100000007');
  });
});
