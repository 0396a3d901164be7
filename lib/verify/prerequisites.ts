/**
 * The host programs the verifier needs, checked before anything is downloaded, with the Debian packages that
 * provide them in one message.
 */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** One needed program. */
export interface Prerequisite {
  /** Program names, any of which will do (`busybox` is also looked for at Debian's static path). */
  readonly programs: readonly string[];
  /** Debian package that provides it. */
  readonly debianPackage: string;
  /** What it is for, for the message. */
  readonly purpose: string;
  /** Also needs a file (gcc's static C library for `-static`). */
  readonly file?: string;
}

/** Everything `verify` needs on the host. */
export const PREREQUISITES: readonly Prerequisite[] = [
  { programs: ['qemu-system-x86_64'], debianPackage: 'qemu-system-x86', purpose: 'boots the Debian kernels' },
  { programs: ['busybox'], debianPackage: 'busybox-static', purpose: "the guest's shell and tools (must be the static build)" },
  { programs: ['gcc'], debianPackage: 'gcc', purpose: 'builds the trigger programs' },
  { programs: [], file: 'libc.a', debianPackage: 'libc6-dev', purpose: 'links the trigger programs statically' },
  { programs: ['apt-get'], debianPackage: 'apt', purpose: "downloads kernels and runc from Debian's archive" },
  { programs: ['dpkg-deb'], debianPackage: 'dpkg', purpose: 'unpacks the downloaded packages' },
  { programs: ['tar'], debianPackage: 'tar', purpose: 'unpacks the agent bundle' },
];

/** Where the host looks things up; replaceable in tests. */
export interface HostLookup {
  /** Absolute path of a program on PATH, or undefined. */
  readonly which: (program: string) => string | undefined;
  /** Whether a file exists. */
  readonly exists: (path: string) => boolean;
  /** A file's bytes (to tell a static busybox from a dynamic one). */
  readonly read: (path: string) => Buffer;
}

/** Looks programs up on `PATH` (and sbin directories, where apt-get and dpkg live on some systems). */
export const hostLookup: HostLookup = {
  which: (program) => {
    const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
    for (const d of dirs) {
      if (!d) continue;
      const p = join(d, program);
      try {
        accessSync(p, constants.X_OK);
        return p;
      } catch {
        // not here
      }
    }
    return undefined;
  },
  exists: existsSync,
  read: (path) => readFileSync(path),
};

/** Directories where gcc's `libc.a` lives on Debian. */
const LIBC_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib'];

/** Resolved host tools. */
export interface HostTools {
  readonly qemu: string;
  readonly busybox: string;
  readonly gcc: string;
}

/** The prerequisites that are missing. */
export function missingPrerequisites(lookup: HostLookup = hostLookup): Prerequisite[] {
  return PREREQUISITES.filter((p) => {
    if (p.file) return !LIBC_DIRS.some((d) => lookup.exists(join(d, p.file!)));
    return !p.programs.some((prog) => lookup.which(prog) || (prog === 'busybox' && lookup.exists('/bin/busybox')));
  });
}

/** One message naming every missing program and the one apt-get command that installs them. */
export function prerequisiteMessage(missing: readonly Prerequisite[]): string {
  const what = missing.map((p) => `${p.programs[0] ?? p.file} (${p.purpose})`).join(', ');
  const packages = [...new Set(missing.map((p) => p.debianPackage))].join(' ');
  return `missing ${what}; install them with: apt-get install -y ${packages}`;
}

/** The tools, or an error with the install command. */
export function requireHostTools(lookup: HostLookup = hostLookup): HostTools {
  const missing = missingPrerequisites(lookup);
  if (missing.length > 0) throw new PrerequisiteError(prerequisiteMessage(missing));
  const busybox = lookup.which('busybox') ?? '/bin/busybox';
  const dynamic = staticElfProblem(busybox, lookup.read);
  if (dynamic)
    throw new PrerequisiteError(
      `${busybox} ${dynamic}, but the guest needs a static busybox; install it with: apt-get install -y busybox-static`,
    );
  return { qemu: lookup.which('qemu-system-x86_64')!, busybox, gcc: lookup.which('gcc')! };
}

/** Thrown when host programs are missing; the CLI exits with its own code. */
export class PrerequisiteError extends Error {}

/**
 * Why a program cannot run in the guest as it is (dynamically linked: the guest has no C library for it),
 * or undefined when it is a static ELF executable.
 */
export function staticElfProblem(path: string, read: (p: string) => Buffer = readFileSync): string | undefined {
  let elf: Buffer;
  try {
    elf = read(path);
  } catch (e) {
    return `cannot be read (${(e as Error).message})`;
  }
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46) return 'is not an ELF executable';
  if (elf[4] !== 2) return 'is not a 64-bit program';
  const phoff = Number(elf.readBigUInt64LE(32));
  const phentsize = elf.readUInt16LE(54);
  const phnum = elf.readUInt16LE(56);
  for (let i = 0; i < phnum; i++) {
    const off = phoff + i * phentsize;
    if (off + 4 > elf.length) break;
    if (elf.readUInt32LE(off) === 3) return 'is dynamically linked (it has an ELF interpreter)';
  }
  return undefined;
}
