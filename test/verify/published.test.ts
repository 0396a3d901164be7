import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PublishedKernel, publishKernel, renderVerificationPage } from '../../lib/verify/published';
import { KernelReport } from '../../lib/verify/report';

const kernel = (release: string, over: Partial<KernelReport> = {}): KernelReport => ({
  release,
  title: `Debian ${release}`,
  kernel: `${release}-cloud-amd64`,
  kernelVersion: '1.0-1',
  runtimes: [{ suite: 'bookworm', version: 'runc version 1.1.5+ds1' }],
  accelerator: 'tcg',
  policies: [
    {
      name: 'shell-access-monitor',
      agentName: 'shell-access-monitor',
      file: '/repo/build/e2e/policies/monitors/x.yaml',
      state: 'loaded',
      loadSeconds: 25,
      predicted: 'loads',
      predictedReasons: [],
      agreement: 'agree',
    },
    {
      name: 'namespace-change',
      agentName: 'namespace-change',
      file: '/repo/build/e2e/policies/detections/y.yaml',
      podLess: ['spec.podSelector'],
      state: 'refused',
      error: 'no such function',
      predicted: 'refused',
      predictedReasons: ['kernel-missing-function: gone'],
      agreement: 'agree',
    },
    {
      name: 'msr-access-1a2b3c',
      agentName: 'msr-access-1a2b3c',
      file: 'msr-access with {"trustedBinaries":["/usr/bin/turbostat"]}',
      variantOf: 'msr-access',
      state: 'loaded',
      predicted: 'loads',
      predictedReasons: [],
      agreement: 'agree',
    },
  ],
  scenarios: [
    {
      id: 'shell-access-monitor/interactive-shell-exec',
      policy: 'shell-access-monitor',
      summary: 's',
      expect: 'catch',
      real: 'catch',
      simulator: 'catch',
      status: 'pass',
      evidence: ['{"big":"line"}'],
    },
    {
      id: 'shell-access-monitor/runc-bookworm-exec-shell',
      policy: 'shell-access-monitor',
      summary: 's',
      expect: 'catch',
      real: 'catch',
      simulator: 'catch',
      status: 'pass',
    },
    {
      id: 'shell-access-monitor/runc-bookworm-exec',
      policy: 'shell-access-monitor',
      summary: 's',
      expect: 'ignore',
      real: release === 'debian-13' ? 'catch' : 'ignore',
      simulator: 'ignore',
      status: release === 'debian-13' ? 'fail' : 'pass',
      reason: 'the agent reported 1 event',
      evidence: ['{"a":1}', '{"b":2}'],
    },
  ],
  crashes: [],
  background: { 'bpf-activity': 12 },
  eventCounts: {},
  problems: [],
  timings: { prepareSeconds: 5, vmSeconds: 300, totalSeconds: 1260, agentReadySeconds: 20, policiesSeconds: 1100, triggersSeconds: 60 },
  memory: {
    guestPeakUsedBytes: 800 * 1048576,
    guestTotalBytes: 2984 * 1048576,
    agentPeakRssBytes: 127 * 1048576,
    qemuPeakRssBytes: 1654 * 1048576,
  },
  artifacts: '/home/me/.cache/cdk8s-tetragon/runs/x',
  ...over,
});

describe('published proof', () => {
  const published = ['debian-13', 'debian-12'].map((r) =>
    publishKernel(kernel(r), 'tetragon-v1.7.0-amd64.tar.xz', '2026-11-30', '/repo/build/e2e/policies'),
  );
  const page = renderVerificationPage(published);

  test('no machine paths: artifacts dropped, policy files relative; evidence kept only where a result needs it', () => {
    expect(published[0]).not.toHaveProperty('artifacts');
    expect(published[0].policies[0].file).toBe('monitors/x.yaml');
    expect(published[0].scenarios[0]).not.toHaveProperty('evidence');
    expect(published[0].scenarios[2].evidence).toStrictEqual(['{"a":1}']);
  });

  test('kernels sorted, with timings and memory', () => {
    expect(page.indexOf('| Debian debian-12: `debian-12-cloud-amd64`')).toBeLessThan(page.indexOf('| Debian debian-13:'));
    expect(page).toContain('| TCG | 21.0 min | 20 s | 18.3 min | 60 s | 800 MiB of 2984 MiB | 127 MiB | 1654 MiB |');
  });

  test('the matrix lists library policies with pod-less marks and check agreement; variants and refusals below', () => {
    expect(page).toContain('| `shell-access-monitor` | loaded (25 s) | loaded (25 s) |');
    expect(page).toContain('| `namespace-change` † | **refused** | **refused** |');
    expect(page).not.toContain('| `msr-access-1a2b3c`');
    expect(page).toContain(
      'Loaded as well, for scenarios that need a construct with other props: `msr-access-1a2b3c` (msr-access with {"trustedBinaries":["/usr/bin/turbostat"]}).',
    );
    expect(page).toContain('- debian-12, `namespace-change`: no such function (check predicted it: kernel-missing-function: gone)');
  });

  test('catalog scenarios in one table, runtime noise in a compact one, disagreements listed', () => {
    expect(page).toContain('| `shell-access-monitor/interactive-shell-exec` | catch | pass | pass |');
    expect(page).not.toContain('| `shell-access-monitor/runc-bookworm-exec` |');
    expect(page).toContain('| Policy | container-start (bookworm) | exec (bookworm) |');
    expect(page).toMatch(/\| `shell-access-monitor` \| – \| pass: debian-12; \*\*FAIL\*\*: debian-13 \|/);
    expect(page).toContain('- debian-13, `shell-access-monitor/runc-bookworm-exec` (**FAIL**): the agent reported 1 event');
    expect(page).toContain('| debian-12 | 2 | 1 | 0 | 3 | 0 | 0 | 0 | 0 | 0 | 100.0% of 3 | 0 |');
  });
});

describe('docs/verification.md', () => {
  const dir = join(__dirname, '..', '..', 'docs', 'verification');
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];

  (files.length ? test : test.skip)('is exactly what the committed reports render (npm run e2e:docs)', () => {
    const kernels: PublishedKernel[] = files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
    expect(readFileSync(join(dir, '..', 'verification.md'), 'utf8')).toBe(renderVerificationPage(kernels));
  });
});
