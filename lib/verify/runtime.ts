/**
 * The container runtime in the guest: Debian's `runc` from one or more releases (1.1 from Debian 12, the newest
 * from sid), downloaded with the same private apt machinery as the kernels, and the OCI configuration of the
 * containers it runs over a small busybox root file system.
 *
 * runc is dynamically linked; the guest gets one C library, the newest of the chosen suites' (glibc keeps
 * backward compatibility, so older runc binaries run on it), plus libseccomp.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CAPABILITIES } from '../simulate/private/values';
import { AptRelease, DEBIAN_RELEASES } from './debian';
import { CommandRunner, mustRun } from './private/exec';

/** One runc, ready to copy into the guest. */
export interface RuncRuntime {
  /** Debian suite it comes from (`bookworm`, `sid`). */
  readonly suite: string;
  /** Debian package version (`1.1.5+ds1-1+deb12u1`). */
  readonly version: string;
  /** The `runc` binary on the host. */
  readonly binary: string;
}

/** The shared libraries the runtimes need, with their guest paths. */
export interface RuntimeLibraries {
  /** The suite the C library comes from. */
  readonly suite: string;
  readonly files: readonly { readonly source: string; readonly guestPath: string }[];
}

/** Suites in archive order, so "newest libc" is the last suite used. */
export function suiteOrder(suite: string): number {
  const i = DEBIAN_RELEASES.findIndex((r) => r.codename === suite);
  return i < 0 ? DEBIAN_RELEASES.length : i;
}

/** Finds the release whose codename is `suite`. */
export function releaseOfSuite(suite: string) {
  const r = DEBIAN_RELEASES.find((x) => x.codename === suite);
  if (!r)
    throw new Error(
      `runtime suite ${JSON.stringify(suite)}: not a Debian release codename (use ${DEBIAN_RELEASES.map((x) => x.codename).join(', ')})`,
    );
  return r;
}

/** Unpacks a .deb into a fresh directory (via a temporary one, so an interrupted unpack is never reused). */
async function unpack(run: CommandRunner, deb: string, dir: string): Promise<void> {
  const tmp = `${dir}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await mustRun(run, 'dpkg-deb', ['-x', deb, tmp]);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

/** Downloads and unpacks the current runc of `apt`'s release into `cacheDir/runc/<suite>/<version>`. */
export async function fetchRunc(apt: AptRelease, cacheDir: string, run: CommandRunner): Promise<RuncRuntime> {
  const suite = apt.release.codename;
  const version = await apt.candidate('runc');
  if (!version) throw new Error(`${apt.release.title} has no runc package`);
  const dir = join(cacheDir, 'runc', suite, version.replace(/[^\w.+-]/g, '_'));
  const binary = join(dir, 'usr', 'sbin', 'runc');
  if (!existsSync(binary)) {
    const [deb] = await apt.download(['runc'], join(cacheDir, 'downloads', suite));
    await unpack(run, deb, dir);
    rmSync(deb, { force: true });
    if (!existsSync(binary)) throw new Error(`runc ${version} from ${suite} has no /usr/sbin/runc`);
  }
  return { suite, version, binary };
}

/** Downloads the C library and libseccomp of `apt`'s release and lists the shared objects to copy. */
export async function fetchRuntimeLibraries(apt: AptRelease, cacheDir: string, run: CommandRunner): Promise<RuntimeLibraries> {
  const suite = apt.release.codename;
  const files: { source: string; guestPath: string }[] = [];
  for (const pkg of ['libc6', 'libseccomp2']) {
    const version = await apt.candidate(pkg);
    if (!version) throw new Error(`${apt.release.title} has no ${pkg} package`);
    const dir = join(cacheDir, 'libs', suite, `${pkg}_${version.replace(/[^\w.+-]/g, '_')}`);
    if (!existsSync(dir)) {
      const [deb] = await apt.download([pkg], join(cacheDir, 'downloads', suite));
      await unpack(run, deb, dir);
      rmSync(deb, { force: true });
    }
    for (const libDir of ['lib/x86_64-linux-gnu', 'usr/lib/x86_64-linux-gnu']) {
      const full = join(dir, libDir);
      if (!existsSync(full)) continue;
      for (const f of readdirSync(full).sort()) {
        if (/\.so(\.\d+)*$/.test(f)) files.push({ source: join(full, f), guestPath: `/usr/lib/x86_64-linux-gnu/${f}` });
      }
    }
    for (const loader of ['lib64/ld-linux-x86-64.so.2', 'usr/lib64/ld-linux-x86-64.so.2']) {
      if (existsSync(join(dir, loader))) files.push({ source: join(dir, loader), guestPath: '/lib64/ld-linux-x86-64.so.2' });
    }
  }
  const seen = new Set<string>();
  return { suite, files: files.filter((f) => !seen.has(f.guestPath) && seen.add(f.guestPath)) };
}

/** The capabilities `runc spec` gives a container (bounding, effective, permitted and ambient alike). */
export const RUNC_SPEC_CAPABILITIES = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'] as const;

/** Every capability, as a privileged container gets them. */
export const ALL_CAPABILITIES = CAPABILITIES;

/**
 * The OCI runtime configuration of a guest container over the shared busybox root file system, with its own
 * pid, network, ipc, uts, mount and cgroup namespaces. A plain container has `runc spec`'s defaults (three
 * capabilities, masked and read-only proc paths); a privileged one is what a privileged pod with a hostPath
 * volume of `/` gets: every capability, every device, no masked or read-only paths, writable sysfs, the node's
 * `/dev`, and the node's root file system at `/host`.
 */
export function ociConfig(
  rootfs: string,
  args: readonly string[],
  options: { uid?: number; gid?: number; privileged?: boolean } = {},
): object {
  const privileged = options.privileged ?? false;
  const caps = privileged ? [...ALL_CAPABILITIES] : [...RUNC_SPEC_CAPABILITIES];
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: options.uid ?? 0, gid: options.gid ?? options.uid ?? 0 },
      args: [...args],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root'],
      cwd: '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps, ambient: caps },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
    },
    root: { path: rootfs, readonly: false },
    hostname: privileged ? 'verify-privileged' : 'verify-container',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      privileged
        ? { destination: '/dev', type: 'bind', source: '/dev', options: ['rbind', 'rw'] }
        : { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      ...(privileged
        ? []
        : [
            {
              destination: '/dev/pts',
              type: 'devpts',
              source: 'devpts',
              options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'],
            },
            { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
          ]),
      {
        destination: '/sys',
        type: 'sysfs',
        source: 'sysfs',
        options: privileged ? ['nosuid', 'noexec', 'nodev'] : ['nosuid', 'noexec', 'nodev', 'ro'],
      },
      ...(privileged ? [{ destination: '/host', type: 'bind', source: '/', options: ['rbind', 'rw'] }] : []),
    ],
    linux: {
      namespaces: ['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup'].map((type) => ({ type })),
      ...(privileged
        ? { resources: { devices: [{ allow: true, access: 'rwm' }] } }
        : {
            resources: { devices: [{ allow: false, access: 'rwm' }] },
            maskedPaths: [
              '/proc/acpi',
              '/proc/asound',
              '/proc/kcore',
              '/proc/keys',
              '/proc/latency_stats',
              '/proc/timer_list',
              '/proc/timer_stats',
              '/proc/sched_debug',
              '/sys/firmware',
              '/proc/scsi',
            ],
            readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
          }),
    },
  };
}
