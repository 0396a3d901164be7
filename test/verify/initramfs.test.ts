import { initramfsEntries, InitramfsInputs } from '../../lib/verify/initramfs';

const inputs: InitramfsInputs = {
  busybox: '/bin/busybox',
  applets: ['busybox', 'sh', 'cat', 'ls', '[', '[['],
  agent: {
    tetragon: '/b/bin/tetragon',
    tetra: '/b/bin/tetra',
    bpfObjects: ['/b/lib/bpf_execve_event.o', '/b/lib/bpf_generic_kprobe_v61.o'],
  },
  triggers: [{ name: 'vt-run', path: '/cache/triggers/vt-run-abc' }],
  runtimes: [
    { suite: 'bookworm', binary: '/cache/runc/bookworm/runc' },
    { suite: 'sid', binary: '/cache/runc/sid/runc' },
  ],
  libraries: [
    { source: '/cache/libs/libc.so.6', guestPath: '/usr/lib/x86_64-linux-gnu/libc.so.6' },
    { source: '/cache/libs/ld.so', guestPath: '/lib64/ld-linux-x86-64.so.2' },
  ],
  policies: [{ guestPath: '/verify/policies/001-p.yaml', yaml: 'kind: TracingPolicy\n' }],
  containers: [{ dir: '/verify/ctr/long', config: { ociVersion: '1.0.2' } }],
  init: '#!/bin/sh\n',
  library: '# lib\n',
  plan: '# plan\n',
  modules: [
    { guestPath: '/lib/modules/6.1.0-57-cloud-amd64/kernel/drivers/net/dummy.ko', source: '/cache/dummy.ko', load: true },
    { guestPath: '/lib/modules/6.1.0-57-cloud-amd64/kernel/arch/x86/kernel/msr.ko', source: '/cache/msr.ko', load: false },
  ],
};

describe('guest image manifest', () => {
  const entries = initramfsEntries(inputs);
  const paths = entries.map((e) => e.path);
  const byPath = new Map(entries.map((e) => [e.path, e]));

  test('every parent directory comes before its children, once', () => {
    const seen = new Set<string>();
    for (const e of entries) {
      const parent = e.path.slice(0, e.path.lastIndexOf('/'));
      if (parent) expect(seen.has(parent)).toBe(true);
      expect(seen.has(e.path)).toBe(false);
      seen.add(e.path);
    }
  });

  test('the agent on PATH, its BPF objects where --bpf-lib points, init executable', () => {
    expect(byPath.get('/usr/bin/tetragon')).toMatchObject({ kind: 'file', source: '/b/bin/tetragon' });
    expect(byPath.get('/var/lib/tetragon/bpf_generic_kprobe_v61.o')).toMatchObject({ kind: 'file', mode: 0o644 });
    expect(byPath.get('/init')).toMatchObject({ kind: 'data', mode: 0o755 });
    expect(byPath.get('/tmp')).toMatchObject({ kind: 'dir', mode: 0o1777 });
  });

  test('busybox applets are symlinks, on the node and in the container root file system', () => {
    expect(byPath.get('/bin/cat')).toStrictEqual({ kind: 'symlink', path: '/bin/cat', target: 'busybox' });
    expect(byPath.get('/verify/ctr/rootfs/bin/sh')).toStrictEqual({
      kind: 'symlink',
      path: '/verify/ctr/rootfs/bin/sh',
      target: 'busybox',
    });
    expect(byPath.get('/bin/[[')).toMatchObject({ kind: 'symlink', target: 'busybox' });
    expect(paths).not.toContain('/bin/busybox/busybox');
  });

  test('runc per suite, its libraries, trigger programs in both places, container configs as JSON', () => {
    expect(byPath.get('/opt/runc/sid/runc')).toMatchObject({ source: '/cache/runc/sid/runc' });
    expect(byPath.get('/lib64/ld-linux-x86-64.so.2')).toMatchObject({ source: '/cache/libs/ld.so' });
    expect(byPath.get('/usr/local/bin/vt-run')).toMatchObject({ source: '/cache/triggers/vt-run-abc' });
    expect(byPath.get('/verify/ctr/rootfs/usr/local/bin/vt-run')).toMatchObject({ source: '/cache/triggers/vt-run-abc' });
    const config = byPath.get('/verify/ctr/long/config.json') as { data: string };
    expect(JSON.parse(config.data)).toStrictEqual({ ociVersion: '1.0.2' });
  });

  test("users for uid switches, shadow readable by root only, localhost for the agent's gRPC server", () => {
    expect((byPath.get('/etc/passwd') as { data: string }).data).toMatch(/^user:x:1000:1000:/m);
    expect(byPath.get('/etc/shadow')).toMatchObject({ mode: 0o640 });
    expect((byPath.get('/etc/hosts') as { data: string }).data).toMatch(/^127\.0\.0\.1 localhost$/m);
  });

  test('modules at their kernel tree paths; only those to load are listed for init', () => {
    expect(byPath.get('/lib/modules/6.1.0-57-cloud-amd64/kernel/arch/x86/kernel/msr.ko')).toMatchObject({
      kind: 'file',
      source: '/cache/msr.ko',
    });
    expect((byPath.get('/verify/modules') as { data: string }).data).toBe(
      '/lib/modules/6.1.0-57-cloud-amd64/kernel/drivers/net/dummy.ko\n',
    );
  });

  test('a path listed twice is an error', () => {
    expect(() => initramfsEntries({ ...inputs, triggers: [...inputs.triggers, ...inputs.triggers] })).toThrow(
      /\/usr\/local\/bin\/vt-run is listed twice/,
    );
  });
});
