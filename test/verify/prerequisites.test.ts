import {
  HostLookup,
  PrerequisiteError,
  missingPrerequisites,
  prerequisiteMessage,
  requireHostTools,
  staticElfProblem,
} from '../../lib/verify/prerequisites';

/** An ELF64 header with one program header of the given type. */
function elf(programType: number): Buffer {
  const b = Buffer.alloc(64 + 56);
  b.writeUInt32BE(0x7f454c46, 0);
  b[4] = 2;
  b.writeBigUInt64LE(64n, 32);
  b.writeUInt16LE(56, 54);
  b.writeUInt16LE(1, 56);
  b.writeUInt32LE(programType, 64);
  return b;
}

const host = (programs: string[], files: string[] = ['/usr/lib/x86_64-linux-gnu/libc.a'], busybox = elf(1)): HostLookup => ({
  which: (p) => (programs.includes(p) ? `/usr/bin/${p}` : undefined),
  exists: (f) => files.includes(f),
  read: () => busybox,
});
const ALL = ['qemu-system-x86_64', 'busybox', 'gcc', 'apt-get', 'dpkg-deb', 'tar'];

describe('prerequisites', () => {
  test('everything there: the tools are returned', () => {
    expect(requireHostTools(host(ALL))).toStrictEqual({
      qemu: '/usr/bin/qemu-system-x86_64',
      busybox: '/usr/bin/busybox',
      gcc: '/usr/bin/gcc',
    });
  });

  test('one message names what is missing and the single apt-get command with the Debian packages', () => {
    const missing = missingPrerequisites(host(['gcc', 'apt-get', 'dpkg-deb', 'tar'], []));
    expect(missing.map((m) => m.debianPackage)).toStrictEqual(['qemu-system-x86', 'busybox-static', 'libc6-dev']);
    expect(prerequisiteMessage(missing)).toBe(
      "missing qemu-system-x86_64 (boots the Debian kernels), busybox (the guest's shell and tools (must be the static build)), " +
        'libc.a (links the trigger programs statically); install them with: apt-get install -y qemu-system-x86 busybox-static libc6-dev',
    );
    expect(() => requireHostTools(host(['gcc', 'apt-get', 'dpkg-deb', 'tar'], []))).toThrow(PrerequisiteError);
  });

  test("busybox at Debian's path counts even when not on PATH", () => {
    const h = host(
      ALL.filter((p) => p !== 'busybox'),
      ['/usr/lib/x86_64-linux-gnu/libc.a', '/bin/busybox'],
    );
    expect(missingPrerequisites(h)).toStrictEqual([]);
    expect(requireHostTools(h).busybox).toBe('/bin/busybox');
  });

  test('a dynamically linked busybox is refused with the package to install', () => {
    expect(() => requireHostTools(host(ALL, undefined, elf(3)))).toThrow(
      /is dynamically linked \(it has an ELF interpreter\), but the guest needs a static busybox; install it with: apt-get install -y busybox-static/,
    );
  });

  test('static ELF detection: interpreter, not ELF, unreadable', () => {
    expect(staticElfProblem('x', () => elf(1))).toBeUndefined();
    expect(staticElfProblem('x', () => elf(3))).toMatch(/dynamically linked/);
    expect(staticElfProblem('x', () => Buffer.from('#!/bin/sh\n'.padEnd(80)))).toBe('is not an ELF executable');
    expect(
      staticElfProblem('x', () => {
        throw new Error('ENOENT');
      }),
    ).toBe('cannot be read (ENOENT)');
    expect(staticElfProblem(process.execPath)).toMatch(/dynamically linked/);
  });
});
