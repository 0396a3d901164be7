import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VerifyDeps, cacheDirectory, parseVerifyArgs, run, selectScenarios } from '../../lib/cli/verify';
import { AgentUnavailableError } from '../../lib/verify/agent';
import { VerifyExit, VerifyReport } from '../../lib/verify/report';
import { DownloadError } from '../../lib/verify/verifier';

function elf(): Buffer {
  const b = Buffer.alloc(120);
  b.writeUInt32BE(0x7f454c46, 0);
  b[4] = 2;
  b.writeBigUInt64LE(64n, 32);
  b.writeUInt16LE(56, 54);
  b.writeUInt16LE(1, 56);
  b.writeUInt32LE(1, 64);
  return b;
}

const dir = mkdtempSync(join(tmpdir(), 'verify-cli-'));
const policyFile = join(dir, 'p.yaml');
writeFileSync(
  policyFile,
  JSON.stringify({
    apiVersion: 'cilium.io/v1alpha1',
    kind: 'TracingPolicy',
    metadata: { name: 'shell-access-monitor' },
    spec: { kprobes: [] },
  }),
);

const everything = ['qemu-system-x86_64', 'busybox', 'gcc', 'apt-get', 'dpkg-deb', 'tar'];
const lookup = (programs = everything) => ({
  which: (p: string) => (programs.includes(p) ? `/usr/bin/${p}` : undefined),
  exists: (f: string) => f.endsWith('/libc.a'),
  read: elf,
});
const report = (exitCode: VerifyExit): VerifyReport => ({
  version: 1,
  tool: 'cdk8s-tetragon verify',
  startedAt: 'now',
  agent: 'a',
  accelerator: { accelerator: 'tcg', reason: 'r' },
  kernels: [],
  totalSeconds: 1,
  exitCode,
});

function harness(over: Partial<VerifyDeps> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const calls: any[] = [];
  const deps: VerifyDeps = {
    lookup: lookup(),
    env: { HOME: '/home/u' },
    agentFromRegistry: async () => {
      throw new AgentUnavailableError(
        'no Tetragon agent: quay.io is not reachable (ENOTFOUND) to pull quay.io/cilium/tetragon:v1.7.0; pass --tetragon',
      );
    },
    verify: async (o) => {
      calls.push(o);
      return report(VerifyExit.PASS);
    },
    ...over,
  };
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, deps, out, err, calls };
}

describe('cdk8s-tetragon verify: arguments', () => {
  test('defaults: both runtimes, 2 CPUs, 3 GiB, one VM at a time, two restarts', () => {
    expect(parseVerifyArgs(['dist/'])).toMatchObject({
      paths: ['dist/'],
      kernels: [],
      runtimes: ['bookworm', 'sid'],
      cpus: 2,
      memory: 3072,
      parallel: 1,
      maxRestarts: 2,
      noScenarios: false,
    });
  });

  test('repeatable flags and numbers', () => {
    expect(
      parseVerifyArgs([
        '--kernel',
        'debian-12',
        '--kernel',
        'sid',
        '--runtime',
        'trixie',
        '--parallel',
        '2',
        '--cpus',
        '1',
        '--timeout',
        '90',
        'a',
        'b',
      ]),
    ).toMatchObject({ kernels: ['debian-12', 'sid'], runtimes: ['trixie'], parallel: 2, cpus: 1, timeout: 90, paths: ['a', 'b'] });
  });

  test.each([
    [['--cpus', 'two', 'p'], '--cpus two: give a whole number of at least 1'],
    [['--memory', '512', 'p'], '--memory 512: give a whole number of at least 1024'],
    [['--accel', 'hvf', 'p'], '--accel hvf: use kvm or tcg'],
    [['--bogus', 'x', 'p'], 'unknown option --bogus'],
    [['--kernel'], '--kernel needs a value'],
    [[], 'no PATH given'],
  ])('usage error %#', (args, message) => {
    expect(parseVerifyArgs(args)).toBe(message);
  });

  test('cache directory: flag, then CDK8S_TETRAGON_CACHE, then XDG_CACHE_HOME, then ~/.cache', () => {
    expect(cacheDirectory('/c', {})).toBe('/c');
    expect(cacheDirectory(undefined, { CDK8S_TETRAGON_CACHE: '/x' })).toBe('/x');
    expect(cacheDirectory(undefined, { XDG_CACHE_HOME: '/xdg' })).toBe('/xdg/cdk8s-tetragon');
    expect(cacheDirectory(undefined, {})).toMatch(/\/\.cache\/cdk8s-tetragon$/);
  });

  test('scenarios are kept for the policies present and the patterns given', () => {
    const s = (id: string, policy: string) => ({
      id,
      policy,
      expect: 'ignore' as const,
      summary: '',
      trigger: { argv: ['true'] },
      events: [],
    });
    const all = [s('a/x', 'a'), s('a/y', 'a'), s('b/x', 'b')];
    expect(selectScenarios(all, [], new Set(['a'])).map((x) => x.id)).toStrictEqual(['a/x', 'a/y']);
    expect(selectScenarios(all, ['*/x'], new Set(['a', 'b'])).map((x) => x.id)).toStrictEqual(['a/x', 'b/x']);
  });
});

describe('cdk8s-tetragon verify: exit codes', () => {
  test('2: usage, with the usage text', async () => {
    const h = harness();
    await expect(run(['--nope'], h.io, h.deps)).resolves.toBe(VerifyExit.USAGE);
    expect(h.err.join('')).toMatch(/unknown option --nope[\s\S]*usage: cdk8s-tetragon verify/);
  });

  test('3: host programs missing, naming the Debian packages, before anything else', async () => {
    const h = harness({ lookup: lookup(['gcc', 'apt-get', 'dpkg-deb', 'tar']) });
    await expect(run([policyFile], h.io, h.deps)).resolves.toBe(VerifyExit.PREREQUISITES);
    expect(h.err.join('')).toMatch(/apt-get install -y qemu-system-x86 busybox-static\n$/);
    expect(h.calls).toHaveLength(0);
  });

  test('4: no agent given and no registry: one line, no run', async () => {
    const h = harness();
    await expect(run([policyFile], h.io, h.deps)).resolves.toBe(VerifyExit.NO_AGENT);
    expect(
      h.err
        .join('')
        .split('\n')
        .filter((l) => l.startsWith('cdk8s-tetragon verify:')),
    ).toStrictEqual([
      'cdk8s-tetragon verify: no Tetragon agent: quay.io is not reachable (ENOTFOUND) to pull quay.io/cilium/tetragon:v1.7.0; pass --tetragon',
    ]);
    expect(h.calls).toHaveLength(0);
  });

  test('5: a kernel that cannot be downloaded', async () => {
    const h = harness({
      verify: async () => {
        throw new DownloadError("Debian 12 (bookworm): Debian's package lists are unavailable");
      },
    });
    await expect(run(['--tetragon', dir, policyFile], h.io, h.deps)).resolves.toBe(VerifyExit.DOWNLOAD);
  });

  test("the report's own code otherwise, with the options passed on", async () => {
    const h = harness({
      verify: async (o) => {
        h.calls.push(o);
        return report(VerifyExit.DISAGREEMENT);
      },
    });
    await expect(
      run(
        ['--tetragon', '/agent', '--kernel', 'debian-12', '--runtime', 'bookworm', '--report', join(dir, 'r.json'), policyFile],
        h.io,
        h.deps,
      ),
    ).resolves.toBe(VerifyExit.DISAGREEMENT);
    expect(h.calls[0]).toMatchObject({ tetragon: '/agent', runtimes: ['bookworm'], cpus: 2, memoryMb: 3072 });
    expect(h.calls[0].kernels.map((k: any) => k.name)).toStrictEqual(['debian-12']);
    const ids = h.calls[0].scenarios.map((s: any) => s.id);
    expect(ids).toContain('shell-access-monitor/interactive-shell-exec');
    expect(ids.filter((id: string) => id.includes('/runc-bookworm-'))).toStrictEqual([
      'shell-access-monitor/runc-bookworm-container-start',
      'shell-access-monitor/runc-bookworm-exec',
      'shell-access-monitor/runc-bookworm-exec-as-user',
      'shell-access-monitor/runc-bookworm-shell-entrypoint',
      'shell-access-monitor/runc-bookworm-exec-shell',
    ]);
    expect(ids.every((id: string) => id.startsWith('shell-access-monitor/'))).toBe(true);
    expect(h.out.join('')).toContain('exit 1 (disagreement)');
  });

  test('the agent from the environment', async () => {
    const h = harness({ env: { CDK8S_TETRAGON_AGENT: '/env/agent' } });
    await expect(run([policyFile], h.io, h.deps)).resolves.toBe(VerifyExit.PASS);
    expect(h.calls[0].tetragon).toBe('/env/agent');
  });
});
