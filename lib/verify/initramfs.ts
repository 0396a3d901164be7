/**
 * The guest's root file system, as a list of cpio entries: busybox and its applets, the agent (`bin/` on PATH,
 * the BPF objects in `/var/lib/tetragon`), the trigger programs, the runc binaries with their libraries, a
 * busybox root file system for containers, the policies and the plan. Pure: it only lists what goes where.
 */
import { basename } from 'node:path';
import { CpioEntry } from './cpio';
import { GUEST } from './guest';

/** Everything the image holds. */
export interface InitramfsInputs {
  /** A static busybox on the host. */
  readonly busybox: string;
  /** Its applet names (`busybox --list`). */
  readonly applets: readonly string[];
  readonly agent: { readonly tetragon: string; readonly tetra: string; readonly bpfObjects: readonly string[] };
  /** Built trigger programs (static), by name (`vt-run`). */
  readonly triggers: readonly { readonly name: string; readonly path: string }[];
  /** runc binaries by Debian suite. */
  readonly runtimes: readonly { readonly suite: string; readonly binary: string }[];
  /** Shared libraries for runc, with their guest paths. */
  readonly libraries: readonly { readonly source: string; readonly guestPath: string }[];
  /** Policies as the guest adds them. */
  readonly policies: readonly { readonly guestPath: string; readonly yaml: string }[];
  /** OCI bundles: guest directory → config.json content. */
  readonly containers: readonly { readonly dir: string; readonly config: object }[];
  readonly init: string;
  readonly library: string;
  readonly plan: string;
  /**
   * Kernel modules at their guest paths (`/lib/modules/<uname>/kernel/...`), and whether init loads them at boot.
   * @default none
   */
  readonly modules?: readonly { readonly guestPath: string; readonly source: string; readonly load: boolean }[];
}

/** Users and groups of the guest (and its containers): root, an unprivileged user, nobody. */
export const GUEST_PASSWD =
  'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n';
export const GUEST_GROUP = 'root:x:0:\nuser:x:1000:\nnogroup:x:65534:\n';
export const GUEST_SHADOW = 'root:*:20000:0:99999:7:::\nuser:*:20000:0:99999:7:::\nnobody:*:20000:0:99999:7:::\n';

/** Collects entries and creates each parent directory once, before its children. */
class Tree {
  public readonly entries: CpioEntry[] = [];
  private readonly dirs = new Set<string>(['']);
  private readonly paths = new Set<string>();

  public dir(path: string, mode = 0o755): void {
    const parts = path.split('/').filter(Boolean);
    let cur = '';
    for (const p of parts) {
      cur += '/' + p;
      if (this.dirs.has(cur)) continue;
      this.dirs.add(cur);
      this.entries.push({ kind: 'dir', path: cur, mode: cur === '/tmp' ? 0o1777 : mode });
    }
  }

  private claim(path: string): void {
    if (this.paths.has(path) || this.dirs.has(path)) throw new Error(`initramfs: ${path} is listed twice`);
    this.paths.add(path);
    this.dir(path.slice(0, path.lastIndexOf('/')));
  }

  public file(path: string, source: string, mode = 0o755): void {
    this.claim(path);
    this.entries.push({ kind: 'file', path, source, mode });
  }

  public data(path: string, data: string, mode = 0o644): void {
    this.claim(path);
    this.entries.push({ kind: 'data', path, data, mode });
  }

  public link(path: string, target: string): void {
    this.claim(path);
    this.entries.push({ kind: 'symlink', path, target });
  }
}

function busyboxTree(t: Tree, root: string, busybox: string, applets: readonly string[]): void {
  t.file(`${root}/bin/busybox`, busybox);
  for (const a of [...new Set(applets)].sort()) {
    if (a === 'busybox' || !/^[\w.[-]+$/.test(a)) continue;
    t.link(`${root}/bin/${a}`, 'busybox');
  }
  t.data(`${root}/etc/passwd`, GUEST_PASSWD);
  t.data(`${root}/etc/group`, GUEST_GROUP);
  t.data(`${root}/etc/shadow`, GUEST_SHADOW, 0o640);
  t.data(`${root}/etc/hosts`, '127.0.0.1 localhost\n::1 localhost\n');
  for (const d of ['proc', 'sys', 'dev', 'run', 'root', 'home/user', 'var/log', 'usr/bin', 'usr/sbin', 'usr/local/bin', 'sbin'])
    t.dir(`${root}/${d}`);
  t.dir(`${root}/tmp`, 0o1777);
  t.link(`${root}/var/run`, '../run');
}

/** The entries of the guest image, in write order. */
export function initramfsEntries(inputs: InitramfsInputs): CpioEntry[] {
  const t = new Tree();
  busyboxTree(t, '', inputs.busybox, inputs.applets);
  t.data('/init', inputs.init, 0o755);
  t.data(`${GUEST.verifyDir}/lib.sh`, inputs.library);
  t.data(`${GUEST.verifyDir}/plan.sh`, inputs.plan);
  t.file(`${GUEST.agentBin}/tetragon`, inputs.agent.tetragon);
  t.file(`${GUEST.agentBin}/tetra`, inputs.agent.tetra);
  for (const o of inputs.agent.bpfObjects) t.file(`${GUEST.bpfLib}/${basename(o)}`, o, 0o644);
  for (const p of inputs.policies) t.data(p.guestPath, p.yaml);
  for (const tr of inputs.triggers) t.file(`${GUEST.bin}/${tr.name}`, tr.path);
  for (const r of inputs.runtimes) t.file(`${GUEST.runtimes}/${r.suite}/runc`, r.binary);
  for (const l of inputs.libraries) t.file(l.guestPath, l.source, 0o755);
  for (const m of inputs.modules ?? []) t.file(m.guestPath, m.source, 0o644);
  const load = (inputs.modules ?? []).filter((m) => m.load).map((m) => m.guestPath);
  if (load.length) t.data(`${GUEST.verifyDir}/modules`, load.join('\n') + '\n');
  // Containers: the same busybox and trigger programs in their own root file system.
  busyboxTree(t, GUEST.rootfs, inputs.busybox, inputs.applets);
  for (const tr of inputs.triggers) t.file(`${GUEST.rootfs}/usr/local/bin/${tr.name}`, tr.path);
  for (const c of inputs.containers) t.data(`${c.dir}/config.json`, JSON.stringify(c.config, null, 2) + '\n');
  return t.entries;
}
