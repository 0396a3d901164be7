import { Errno, ProcessExecMonitor } from '../../lib';
import { validateAgainstCrd } from '../../lib/private/crd-schema';
import { kprobe, newChart, policyNamed, synth } from '../support/synth';

describe('ProcessExecMonitor', () => {
  test('reports only execve/execveat calls refused with EACCES, EPERM or ENOEXEC', () => {
    const chart = newChart();
    new ProcessExecMonitor(chart, 'Exec');
    const policy = policyNamed(synth(chart), 'process-exec-monitor');

    expect(policy.spec.kprobes.map((k: any) => [k.call, k.syscall])).toStrictEqual([
      ['sys_execve', true],
      ['sys_execveat', true],
    ]);
    const execve = kprobe(policy, 'sys_execve');
    expect(execve.args).toStrictEqual([{ index: 0, type: 'string', label: 'filename' }]);
    expect(execve.return).toBe(true);
    expect(execve.returnArg).toStrictEqual({ index: 0, type: 'int', label: 'errno' });
    expect(execve.selectors).toStrictEqual([
      {
        matchReturnArgs: [{ index: 0, operator: 'Equal', values: ['-13', '-1', '-8'] }],
        matchActions: [{ action: 'Post', rateLimit: '1m' }],
      },
    ]);
    // execveat(dirfd, filename, ...): the path is the second argument.
    expect(kprobe(policy, 'sys_execveat').args.map((a: any) => [a.index, a.type])).toStrictEqual([
      [0, 'int'],
      [1, 'string'],
    ]);
    expect(validateAgainstCrd(policy)).toStrictEqual([]);
  });

  test('never reports successful execs: no selector accepts a zero return value', () => {
    const chart = newChart();
    new ProcessExecMonitor(chart, 'Exec');
    const policy = policyNamed(synth(chart), 'process-exec-monitor');
    for (const hook of policy.spec.kprobes) {
      for (const selector of hook.selectors) {
        expect(selector.matchReturnArgs).toHaveLength(1);
        expect(selector.matchReturnArgs[0].operator).toBe('Equal');
        expect(selector.matchReturnArgs[0].values).not.toContain('0');
      }
    }
  });

  test('errnos and trusted binaries can be changed; more than 4 errnos is refused', () => {
    const chart = newChart();
    new ProcessExecMonitor(chart, 'Exec', { failureErrnos: [Errno.EACCES], trustedBinaries: ['/usr/bin/make'] });
    const selector = kprobe(policyNamed(synth(chart), 'process-exec-monitor'), 'sys_execve').selectors[0];
    expect(selector.matchReturnArgs[0].values).toStrictEqual(['-13']);
    expect(selector.matchBinaries).toStrictEqual([{ operator: 'NotIn', values: ['/usr/bin/make'] }]);

    const bad = newChart();
    expect(() => new ProcessExecMonitor(bad, 'Exec', { failureErrnos: [1, 2, 8, 13, 26] })).toThrow(
      /test\/Exec\/Policy: invalid TracingPolicy[\s\S]*matchReturnArgs\[0\]\.values: 5 values given; Tetragon takes at most 4/,
    );
  });
});
