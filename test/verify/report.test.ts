import { KernelReport, VerifyExit, VerifyReport, exitCodeOf, kernelCounts, summaryText } from '../../lib/verify/report';

const kernel = (over: Partial<KernelReport> = {}): KernelReport => ({
  release: 'debian-12',
  title: 'Debian 12 (bookworm)',
  kernel: '6.1.0-57-cloud-amd64',
  runtimes: [],
  accelerator: 'tcg',
  policies: [{ name: 'p', agentName: 'p', file: 'p.yaml', state: 'loaded', predicted: 'loads', predictedReasons: [], agreement: 'agree' }],
  scenarios: [{ id: 'p/a', policy: 'p', summary: 's', expect: 'catch', real: 'catch', simulator: 'catch', status: 'pass' }],
  crashes: [],
  background: {},
  eventCounts: {},
  problems: [],
  timings: { prepareSeconds: 1, vmSeconds: 100, totalSeconds: 101 },
  memory: {},
  ...over,
});

describe('exit codes', () => {
  test('the codes are distinct and documented in order', () => {
    expect([
      VerifyExit.PASS,
      VerifyExit.DISAGREEMENT,
      VerifyExit.USAGE,
      VerifyExit.PREREQUISITES,
      VerifyExit.NO_AGENT,
      VerifyExit.DOWNLOAD,
      VerifyExit.INCOMPLETE,
    ]).toStrictEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  test('pass only when everything agrees', () => {
    expect(exitCodeOf([kernel()])).toBe(VerifyExit.PASS);
    expect(
      exitCodeOf([
        kernel({ scenarios: [{ id: 'p/a', policy: 'p', summary: 's', expect: 'catch', simulator: 'catch', status: 'known-limit' }] }),
      ]),
    ).toBe(VerifyExit.PASS);
  });

  test('a failed scenario, a load disagreement or an agent crash is a disagreement', () => {
    expect(
      exitCodeOf([
        kernel(),
        kernel({
          scenarios: [{ id: 'p/a', policy: 'p', summary: 's', expect: 'catch', real: 'ignore', simulator: 'catch', status: 'fail' }],
        }),
      ]),
    ).toBe(VerifyExit.DISAGREEMENT);
    expect(exitCodeOf([kernel({ policies: [{ ...kernel().policies[0], state: 'refused', agreement: 'disagree' }] })])).toBe(
      VerifyExit.DISAGREEMENT,
    );
    expect(exitCodeOf([kernel({ crashes: [{ at: 'trigger-3', excerpt: 'panic: runtime error' }] })])).toBe(VerifyExit.DISAGREEMENT);
  });

  test('work that did not run, with no disagreement, is incomplete: never a silent pass', () => {
    expect(exitCodeOf([kernel({ problems: ['the VM hit its time limit'] })])).toBe(VerifyExit.INCOMPLETE);
    expect(
      exitCodeOf([
        kernel({ scenarios: [{ id: 'p/a', policy: 'p', summary: 's', expect: 'catch', simulator: 'catch', status: 'not-run' }] }),
      ]),
    ).toBe(VerifyExit.INCOMPLETE);
  });
});

describe('summary', () => {
  const report = (kernels: KernelReport[]): VerifyReport => ({
    version: 1,
    tool: 'cdk8s-tetragon verify',
    startedAt: '2026-11-30T00:00:00Z',
    agent: 'bundle.tar.xz',
    accelerator: { accelerator: 'tcg', reason: 'no vmx' },
    kernels,
    totalSeconds: 600,
    hostPeakRssBytes: 1500 * 1048576,
    exitCode: exitCodeOf(kernels),
  });

  test('one row per kernel with the counts, then every disagreement with its evidence', () => {
    const k = kernel({
      policies: [
        {
          name: 'p',
          agentName: 'p',
          file: 'p.yaml',
          state: 'refused',
          error: 'syscall arg is not const pointer to struct',
          predicted: 'loads',
          predictedReasons: [],
          agreement: 'disagree',
        },
      ],
      scenarios: [
        {
          id: 'p/a',
          policy: 'p',
          summary: 's',
          expect: 'ignore',
          real: 'catch',
          simulator: 'ignore',
          status: 'fail',
          reason: 'the agent reported 1 event (security_file_open), expected none',
          evidence: ['{"process_kprobe":{}}'],
        },
      ],
      crashes: [{ at: 'trigger-2', exitCode: 2, excerpt: 'panic: runtime error: invalid memory address\ngoroutine 1' }],
    });
    const text = summaryText(report([k]));
    expect(text).toMatch(/debian-12 6\.1\.0-57-cloud-amd64\s+0\s+1\s+1\s+0\s+1/);
    expect(text).toContain('policy p: agent refused (syscall arg is not const pointer to struct), check predicted loads');
    expect(text).toContain(
      'fail p/a: expected ignore, agent catch, simulator ignore: the agent reported 1 event (security_file_open), expected none',
    );
    expect(text).toContain('      {"process_kprobe":{}}');
    expect(text).toContain('agent crashed at trigger-2 (exit 2): panic: runtime error: invalid memory address | goroutine 1');
    expect(text).toContain('exit 1 (disagreement)');
  });

  test('counts per status', () => {
    expect(kernelCounts(kernel())).toMatchObject({ loaded: 1, refused: 0, loadDisagreements: 0, pass: 1, fail: 0, notRun: 0 });
  });
});
