/**
 * Debian's archive as the verifier uses it: one private apt configuration per release (so the system's own
 * sources stay untouched and each release resolves to its own newest packages), the current kernel of a
 * release resolved through its meta package (never pinned: the ABI moves with every security update), and
 * packages downloaded with `apt-get download` and unpacked with `dpkg-deb`, never installed.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommandRunner, mustRun } from './private/exec';

/** A Debian release the verifier can boot. */
export interface DebianRelease {
  /** `debian-12`: the name used on the command line and in reports. */
  readonly name: string;
  /** `bookworm`. */
  readonly codename: string;
  /** Human name for reports: `Debian 12 (bookworm)`. */
  readonly title: string;
  /** Suites of deb.debian.org/debian to list. */
  readonly suites: readonly string[];
  /** Suites of deb.debian.org/debian-security to list. */
  readonly securitySuites: readonly string[];
  /** Prefix of the bundled kernel table for this release (`debian-12-`), for `check`'s prediction. */
  readonly kernelTablePrefix: string;
}

/** The releases, oldest first. */
export const DEBIAN_RELEASES: readonly DebianRelease[] = [
  {
    name: 'debian-11',
    codename: 'bullseye',
    title: 'Debian 11 (bullseye)',
    suites: ['bullseye', 'bullseye-updates'],
    securitySuites: ['bullseye-security'],
    kernelTablePrefix: 'debian-11-',
  },
  {
    name: 'debian-12',
    codename: 'bookworm',
    title: 'Debian 12 (bookworm)',
    suites: ['bookworm', 'bookworm-updates'],
    securitySuites: ['bookworm-security'],
    kernelTablePrefix: 'debian-12-',
  },
  {
    name: 'debian-13',
    codename: 'trixie',
    title: 'Debian 13 (trixie)',
    suites: ['trixie', 'trixie-updates'],
    securitySuites: ['trixie-security'],
    kernelTablePrefix: 'debian-13-',
  },
  {
    name: 'debian-sid',
    codename: 'sid',
    title: 'Debian unstable (sid)',
    suites: ['sid'],
    securitySuites: [],
    kernelTablePrefix: 'debian-sid-',
  },
];

/** Finds a release by `debian-12`, `12`, `bookworm` or `sid`. */
export function findRelease(name: string): DebianRelease | undefined {
  const n = name.toLowerCase();
  return DEBIAN_RELEASES.find((r) => r.name === n || r.codename === n || r.name === `debian-${n}`);
}

/** The deb822 sources of a release on Debian's own mirrors. */
export function aptSources(release: DebianRelease, mirror = 'http://deb.debian.org'): string {
  const block = (uri: string, suites: readonly string[]) =>
    [
      'Types: deb',
      `URIs: ${uri}`,
      `Suites: ${suites.join(' ')}`,
      'Components: main',
      'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg',
      '',
    ].join('\n');
  return [
    block(`${mirror}/debian`, release.suites),
    ...(release.securitySuites.length ? [block(`${mirror}/debian-security`, release.securitySuites)] : []),
  ].join('\n');
}

/** A private apt configuration for one release, under `dir`. */
export class AptRelease {
  constructor(
    public readonly release: DebianRelease,
    public readonly dir: string,
    private readonly run: CommandRunner,
    private readonly mirror?: string,
  ) {}

  /** The `-o` options that point apt at this configuration instead of the system's. */
  public options(): string[] {
    const d = this.dir;
    return [
      '-o',
      `Dir::Etc::sourcelist=${d}/sources.list`,
      '-o',
      `Dir::Etc::sourceparts=${d}/sources.list.d`,
      '-o',
      `Dir::Etc::preferencesparts=${d}/preferences.d`,
      '-o',
      `Dir::State::lists=${d}/lists`,
      '-o',
      `Dir::Cache=${d}/cache`,
      '-o',
      'Dir::State::status=/dev/null',
      '-o',
      'APT::Architecture=amd64',
      '-o',
      'APT::Sandbox::User=root',
      '-o',
      'Debug::NoLocking=1',
    ];
  }

  /** Writes the configuration and downloads the package lists. */
  public async update(): Promise<void> {
    for (const sub of ['sources.list.d', 'lists/partial', 'cache/archives/partial', 'preferences.d'])
      mkdirSync(join(this.dir, sub), { recursive: true });
    writeFileSync(join(this.dir, 'sources.list'), '');
    writeFileSync(join(this.dir, 'sources.list.d', 'debian.sources'), aptSources(this.release, this.mirror));
    await mustRun(this.run, 'apt-get', [...this.options(), '-q', 'update']);
  }

  /** Whether the lists of an earlier update are there (used when the archive is unreachable). */
  public hasLists(): boolean {
    const lists = join(this.dir, 'lists');
    return (
      existsSync(lists) && readdirSync(lists).some((f) => f.endsWith('_Packages') || f.endsWith('_Packages.lz4') || f.includes('Packages'))
    );
  }

  /** `apt-cache depends PACKAGE`, parsed. */
  public async depends(pkg: string): Promise<Dependency[]> {
    return parseAptDepends(await mustRun(this.run, 'apt-cache', [...this.options(), 'depends', pkg]));
  }

  /** The candidate version of a package, or undefined when the release has no such package. */
  public async candidate(pkg: string): Promise<string | undefined> {
    const r = await this.run('apt-cache', [...this.options(), 'policy', pkg]);
    return r.code === 0 ? parseAptCandidate(r.stdout) : undefined;
  }

  /** Downloads the candidate `.deb` of each package into `dir`; returns their paths. */
  public async download(packages: readonly string[], dir: string): Promise<string[]> {
    mkdirSync(dir, { recursive: true });
    await mustRun(this.run, 'apt-get', [...this.options(), '-q', 'download', ...packages], { cwd: dir });
    const debs = readdirSync(dir).filter((f) => f.endsWith('.deb'));
    return packages.map((p) => {
      const deb = debs.find((f) => f.startsWith(`${p}_`));
      if (!deb) throw new Error(`apt-get download ${p} wrote no ${p}_*.deb into ${dir}`);
      return join(dir, deb);
    });
  }
}

/** One line of `apt-cache depends`. */
export interface Dependency {
  /** `Depends`, `PreDepends`, `Recommends`, ... */
  readonly type: string;
  /** Package name, or `<virtual>` for a virtual package. */
  readonly name: string;
  /** Whether it is one alternative of an OR group (the line starts with `|`). */
  readonly alternative: boolean;
}

/** Parses `apt-cache depends` output (first package only). */
export function parseAptDepends(output: string): Dependency[] {
  const deps: Dependency[] = [];
  let started = false;
  for (const line of output.split('\n')) {
    if (!line.startsWith(' ')) {
      if (started && line.trim()) break;
      started = line.trim() !== '';
      continue;
    }
    const m = /^\s+(\|?)([A-Za-z]+):\s+(\S+)/.exec(line);
    if (m) deps.push({ type: m[2], name: m[3], alternative: m[1] === '|' });
  }
  return deps;
}

/** The `Candidate:` version of `apt-cache policy` output, or undefined for `(none)` or no such package. */
export function parseAptCandidate(output: string): string | undefined {
  const m = /^\s*Candidate:\s*(\S+)/m.exec(output);
  return m && m[1] !== '(none)' ? m[1] : undefined;
}

/** A release's current kernel, as resolved from its meta package. */
export interface ResolvedKernel {
  readonly release: string;
  /** ABI and flavour as `uname -r` shows them: `6.1.0-57-cloud-amd64`. */
  readonly uname: string;
  readonly flavour: 'cloud-amd64' | 'amd64';
  /** The image package the meta package depends on. */
  readonly imagePackage: string;
  /** Its version (`6.1.192-3`). */
  readonly version: string;
  /** The packages that hold the kernel image and its modules: the image package, or its `linux-binary-*` and `linux-modules-*` split. */
  readonly packages: readonly string[];
}

/** Flavours in order of preference: the cloud flavour is smaller and boots faster. */
export const KERNEL_FLAVOURS = ['cloud-amd64', 'amd64'] as const;

/**
 * Picks the kernel image package from the dependencies of `linux-image-<flavour>`: the `linux-image-<abi>-<flavour>`
 * (or `-unsigned`) dependency. Returns the uname string and the package.
 */
export function kernelFromMetaDepends(flavour: string, deps: readonly Dependency[]): { uname: string; imagePackage: string } | undefined {
  // The ABI is the version and its number (`6.1.0-57`, `7.2.13+deb14`), then the flavour: `amd64` must not take `cloud-amd64`.
  const re = new RegExp(`^linux-image-(\\d[\\w.+~]*(?:-\\d+)?-${flavour.replace(/[-.]/g, '\\$&')})(-unsigned)?$`);
  for (const d of deps) {
    if (d.type !== 'Depends') continue;
    const m = re.exec(d.name);
    if (m) return { uname: m[1], imagePackage: d.name };
  }
  return undefined;
}

/**
 * The packages that hold the kernel image and its modules: the image package itself, or, where the image is
 * split (Debian 14 and later), its `linux-binary-*` and `linux-modules-*` dependencies.
 */
export function kernelFilePackages(imagePackage: string, uname: string, imageDeps: readonly Dependency[]): string[] {
  const split = imageDeps
    .filter((d) => d.type === 'Depends' && (d.name === `linux-binary-${uname}` || d.name === `linux-modules-${uname}`))
    .map((d) => d.name);
  return split.length > 0 ? split : [imagePackage];
}

/** Resolves the current kernel of a release (its apt lists must be up to date). */
export async function resolveKernel(apt: AptRelease): Promise<ResolvedKernel> {
  const tried: string[] = [];
  for (const flavour of KERNEL_FLAVOURS) {
    const meta = `linux-image-${flavour}`;
    tried.push(meta);
    if (!(await apt.candidate(meta))) continue;
    const picked = kernelFromMetaDepends(flavour, await apt.depends(meta));
    if (!picked) continue;
    const version = await apt.candidate(picked.imagePackage);
    if (!version) continue;
    const packages = kernelFilePackages(picked.imagePackage, picked.uname, await apt.depends(picked.imagePackage));
    return { release: apt.release.name, uname: picked.uname, flavour, imagePackage: picked.imagePackage, version, packages };
  }
  throw new Error(`${apt.release.title}: no kernel image found through ${tried.join(' or ')}`);
}

/** The files the verifier keeps of a kernel package. */
export interface KernelFiles {
  readonly vmlinuz: string;
  /** The kernel's build configuration, when the package ships it. */
  readonly config?: string;
  /** Modules by name (`dummy`): the decompressed file and its path under `/lib/modules/<uname>/`. */
  readonly modules: Readonly<Record<string, { readonly path: string; readonly relative: string }>>;
}

/** Where a kernel package keeps a file, old layout (`/boot`, `/lib/modules`) or new (`/usr/lib/modules`). */
export function kernelMemberPatterns(uname: string, modules: readonly string[]): string[] {
  return [
    `./boot/vmlinuz-${uname}`,
    `./boot/config-${uname}`,
    `./usr/lib/modules/${uname}/vmlinuz`,
    `./usr/lib/modules/${uname}/config`,
    ...modules.flatMap((m) => [`./lib/modules/${uname}/kernel/*/${m}.ko*`, `./usr/lib/modules/${uname}/kernel/*/${m}.ko*`]),
  ];
}

/**
 * Unpacks the needed members of the kernel packages into `dir` and deletes the packages: the kernel image,
 * its config and the named modules (xz-compressed modules are decompressed with busybox).
 */
export async function extractKernel(
  run: CommandRunner,
  uname: string,
  debs: readonly string[],
  dir: string,
  modules: readonly string[],
  busybox: string,
): Promise<KernelFiles> {
  const tree = join(dir, 'tree');
  rmSync(tree, { recursive: true, force: true });
  mkdirSync(tree, { recursive: true });
  for (const deb of debs) {
    // Members that a package lacks are not an error: tar exits 2 on them, so list first and extract what exists.
    const list = await mustRun(run, 'sh', ['-c', 'dpkg-deb --fsys-tarfile "$1" | tar -t', 'sh', deb]);
    const wanted = list.split('\n').filter((m) => kernelMemberPatterns(uname, modules).some((p) => globMatch(p, m)));
    if (wanted.length === 0) continue;
    await mustRun(run, 'sh', [
      '-c',
      'deb="$1"; out="$2"; shift 2; dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$out" "$@"',
      'sh',
      deb,
      tree,
      ...wanted,
    ]);
  }
  const find = (cands: string[]) => cands.map((c) => join(tree, c)).find((p) => existsSync(p));
  const vmlinuz = find([`boot/vmlinuz-${uname}`, `usr/lib/modules/${uname}/vmlinuz`]);
  if (!vmlinuz) throw new Error(`the packages of kernel ${uname} hold no vmlinuz (${debs.join(', ')})`);
  const found: Record<string, { path: string; relative: string }> = {};
  for (const m of modules) {
    const hit = findModule(tree, uname, m);
    if (!hit) continue;
    if (hit.path.endsWith('.xz')) {
      await mustRun(run, busybox, ['unxz', '-f', hit.path]);
      found[m] = { path: hit.path.slice(0, -3), relative: hit.relative.slice(0, -3) };
    } else {
      found[m] = hit;
    }
  }
  for (const deb of debs) rmSync(deb, { force: true });
  return { vmlinuz, config: find([`boot/config-${uname}`, `usr/lib/modules/${uname}/config`]), modules: found };
}

function findModule(tree: string, uname: string, name: string): { path: string; relative: string } | undefined {
  for (const base of [join(tree, 'lib/modules', uname), join(tree, 'usr/lib/modules', uname)]) {
    const hit = walk(join(base, 'kernel')).find((f) => f.endsWith(`/${name}.ko`) || f.endsWith(`/${name}.ko.xz`));
    if (hit) return { path: hit, relative: hit.slice(base.length + 1) };
  }
  return undefined;
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Shell-style match of a tar member against a pattern with `*` (which, as in tar, also matches `/`). */
export function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp(
    '^' +
      pattern
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*') +
      '$',
  );
  return re.test(name);
}
