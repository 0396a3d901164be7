/**
 * A writer for the `newc` cpio format, the one the Linux kernel unpacks as an initramfs, so building the
 * guest image needs no cpio program. Entries are written in the given order (parents before children: the
 * kernel does not create missing directories), with fixed owners and times so equal inputs give equal images.
 * @see https://docs.kernel.org/driver-api/early-userspace/buffer-format.html
 */
import { closeSync, openSync, readSync, writeSync, fstatSync } from 'node:fs';

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

/** One entry of the archive. */
export type CpioEntry =
  | { readonly kind: 'dir'; readonly path: string; readonly mode?: number }
  | { readonly kind: 'file'; readonly path: string; readonly mode?: number; readonly source: string }
  | { readonly kind: 'data'; readonly path: string; readonly mode?: number; readonly data: string | Buffer }
  | { readonly kind: 'symlink'; readonly path: string; readonly target: string };

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** The 110-byte header and the padded name of one entry. */
export function cpioHeader(ino: number, mode: number, size: number, name: string): Buffer {
  const nameBytes = Buffer.from(name + '\0', 'utf8');
  const fields = [ino, mode, 0, 0, 1, 0, size, 0, 0, 0, 0, nameBytes.length, 0];
  const head = Buffer.from('070701' + fields.map(hex8).join(''), 'ascii');
  const total = head.length + nameBytes.length;
  return Buffer.concat([head, nameBytes, Buffer.alloc((4 - (total % 4)) % 4)]);
}

function pad(size: number): Buffer {
  return Buffer.alloc((4 - (size % 4)) % 4);
}

/** Archive path without a leading slash (`/etc/passwd` → `etc/passwd`), as the kernel's unpacker expects. */
function archiveName(path: string): string {
  const name = path.replace(/^\/+/, '');
  if (!name || name.split('/').some((p) => p === '..' || p === '')) throw new Error(`cpio: bad path ${JSON.stringify(path)}`);
  return name;
}

/** Writes `entries` as a newc archive to `out`. Returns its size in bytes. */
export function writeCpio(out: string, entries: readonly CpioEntry[]): number {
  const fd = openSync(out, 'w');
  let written = 0;
  const put = (b: Buffer) => {
    writeSync(fd, b);
    written += b.length;
  };
  try {
    let ino = 1;
    for (const e of entries) {
      const name = archiveName(e.path);
      if (e.kind === 'dir') {
        put(cpioHeader(ino++, S_IFDIR | (e.mode ?? 0o755), 0, name));
      } else if (e.kind === 'symlink') {
        const target = Buffer.from(e.target, 'utf8');
        put(cpioHeader(ino++, S_IFLNK | 0o777, target.length, name));
        put(target);
        put(pad(target.length));
      } else if (e.kind === 'data') {
        const data = typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : e.data;
        put(cpioHeader(ino++, S_IFREG | (e.mode ?? 0o644), data.length, name));
        put(data);
        put(pad(data.length));
      } else {
        const src = openSync(e.source, 'r');
        try {
          const size = fstatSync(src).size;
          put(cpioHeader(ino++, S_IFREG | (e.mode ?? 0o644), size, name));
          const chunk = Buffer.alloc(1 << 20);
          let left = size;
          while (left > 0) {
            const n = readSync(src, chunk, 0, Math.min(chunk.length, left), null);
            if (n <= 0) throw new Error(`cpio: ${e.source} shrank while being read`);
            put(n === chunk.length ? chunk : chunk.subarray(0, n));
            left -= n;
          }
          put(pad(size));
        } finally {
          closeSync(src);
        }
      }
    }
    put(cpioHeader(0, 0, 0, 'TRAILER!!!'));
  } finally {
    closeSync(fd);
  }
  return written;
}
