import { Duration } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { Action, Arg, ArgFilter, KprobeHook, Selector, TracingPolicy } from '../../lib';
import { checkPolicy } from '../../lib/check';
import { kernelRelease, replayActionsBefore511 } from '../../lib/check/post-action-rules';
import { kernelTableOf, loadKernel } from '../../lib/kernels/kernel-table';
import { readReference } from '../support/reference';
import { newChart, policyNamed, synth } from '../support/synth';

const post = (extra: Record<string, unknown> = {}) => ({ action: 'Post', ...extra });

/** security_file_open with one selector per list of actions (the first matches /etc/shadow, the others other files). */
function policy(...selectorActions: (Record<string, unknown>[] | undefined)[]) {
  const files = ['/etc/shadow', '/etc/hosts', '/etc/group'];
  return {
    apiVersion: 'cilium.io/v1alpha1',
    kind: 'TracingPolicy',
    metadata: { name: 'repro' },
    spec: {
      kprobes: [
        {
          call: 'security_file_open',
          syscall: false,
          message: 'File opened',
          tags: ['observability.filesystem'],
          args: [{ index: 0, type: 'file' }],
          selectors: selectorActions.map((actions, i) => ({
            matchArgs: [{ index: 0, operator: 'Equal', values: [files[i]] }],
            ...(actions ? { matchActions: actions } : {}),
          })),
        },
      ],
    },
  };
}
const hits = (p: unknown, options = {}) => checkPolicy(p, options).filter((f) => f.ruleId === 'post-action-pre-511');

describe('the pre-5.11 action loop, replayed', () => {
  test('a lone Post in the last selector reads zeros after it: nothing wrong', () => {
    expect(replayActionsBefore511([post({ rateLimit: '1m' })], true)).toBeUndefined();
  });

  test("a lone Post before another selector reads that selector's header as stack-trace flags", () => {
    const wrong = replayActionsBefore511([post({ rateLimit: '1m' })], false)!;
    expect(wrong.readsNextSelector).toBe(true);
    expect(wrong.phantoms).toHaveLength(1);
    expect(wrong.phantoms[0].action).toBe('post');
  });

  test('[Post, Post, Post] keeps every misread inside zeros, wherever the selector is', () => {
    expect(replayActionsBefore511([post({ rateLimit: '1m' }), post(), post()], false)).toBeUndefined();
  });

  test('[Post, Post] is not enough: the third loop turn reads the next selector', () => {
    expect(replayActionsBefore511([post({ rateLimit: '1m' }), post()], false)?.readsNextSelector).toBe(true);
  });

  test('an action after Post never runs, even in the last selector', () => {
    expect(replayActionsBefore511([post(), { action: 'Sigkill' }], true)?.skipped).toStrictEqual([1]);
    expect(replayActionsBefore511([post(), { action: 'NoPost' }], true)?.skipped).toStrictEqual([1]);
  });

  test('actions before Post, and selectors without Post, are read as written', () => {
    expect(replayActionsBefore511([{ action: 'Sigkill' }, post()], true)).toBeUndefined();
    expect(replayActionsBefore511([{ action: 'Sigkill' }], false)).toBeUndefined();
    expect(replayActionsBefore511([{ action: 'Override', argError: -1 }, { action: 'Signal', argSig: 9 }, post()], false)).toBeUndefined();
    expect(replayActionsBefore511([], false)).toBeUndefined();
  });
});

describe('rule post-action-pre-511', () => {
  test('flags a rate-limited Post before another selector on the 5.10 kernel only', () => {
    const found = hits(policy([post({ rateLimit: '1m' })], undefined));
    expect(found.map((f) => [f.kernel, f.selector, f.field, f.severity])).toStrictEqual([
      ['debian-11-5.10', 0, 'spec.kprobes[0].selectors[0].matchActions', 'error'],
    ]);
    expect(found[0].message).toContain('the header of selectors[1]');
    expect(found[0].message).toContain('crashes the agent (nil pointer in handleMsgGenericKprobe)');
  });

  test('the same selectors in another order, or padded, or without matchActions, are clean', () => {
    expect(hits(policy(undefined, [post({ rateLimit: '1m' })]))).toStrictEqual([]);
    expect(hits(policy([post({ rateLimit: '1m' }), post(), post()], undefined))).toStrictEqual([]);
    expect(hits(policy(undefined, undefined, [post()]))).toStrictEqual([]);
  });

  test('names the action that never runs', () => {
    const [found] = hits(policy([post(), { action: 'NoPost' }]));
    expect(found.message).toContain('matchActions[1] (NoPost) never runs');
  });

  test('follows the kernel set and --min-kernel', () => {
    const p = policy([post()], undefined);
    expect(hits(p, { kernels: ['debian-12-6.1', 'debian-sid-7.2'] })).toStrictEqual([]);
    expect(hits(p, { skipKernelChecks: true })).toStrictEqual([]);
    const byMin = hits(p, { skipKernelChecks: true, minKernel: '5.10' });
    expect(byMin.map((f) => f.kernel)).toStrictEqual([undefined]);
    expect(byMin[0].message).toContain('on kernels before 5.11 (min kernel 5.10)');
  });

  test("flags Tetragon's own setuid-root example on 5.10: its setreuid/setresuid hooks post from several selectors", () => {
    const [example] = parseAllDocuments(readReference('tetragon/v1.7.0/examples/policylibrary/privileges/privileges-setuid-root.yaml')).map(
      (d) => d.toJS(),
    );
    const found = hits(example);
    expect(new Set(found.map((f) => f.kernel))).toStrictEqual(new Set(['debian-11-5.10']));
    expect(new Set(found.map((f) => f.hook))).toStrictEqual(
      new Set(['kprobes[2] __sys_setreuid', 'kprobes[3] __sys_setregid', 'kprobes[4] __sys_setresuid', 'kprobes[5] __sys_setresgid']),
    );
  });

  test('reads the release of the bundled tables', () => {
    expect(kernelRelease(loadKernel('debian-11-5.10'))).toStrictEqual([5, 10]);
    expect(kernelRelease(loadKernel('debian-13-6.12'))).toStrictEqual([6, 12]);
  });

  test("takes the release from the table's features first, whatever its name and description say", () => {
    // given a table named without a version, whose description names another kernel, but whose config gave the release
    const node = kernelTableOf('prod-node', 'built from linux 6.1 headers', {}, { release: '5.10.0-35-amd64' });
    // then the release decides, and the pre-5.11 rule applies to it
    expect(kernelRelease(node)).toStrictEqual([5, 10]);
    expect(hits(policy([post()], undefined), { kernels: [node] }).map((f) => f.kernel)).toStrictEqual(['prod-node']);
  });

  test('falls back to the description or the name for a table made without the kernel config', () => {
    expect(kernelRelease(kernelTableOf('node', 'BTF of linux 5.10.0-35-amd64', {}))).toStrictEqual([5, 10]);
    expect(kernelRelease(kernelTableOf('node-6.1', 'BTF only', {}))).toStrictEqual([6, 1]);
    expect(kernelRelease(kernelTableOf('node', 'BTF only', {}))).toBeUndefined();
  });
});

describe('hooks built with the library', () => {
  const file = Arg.file(0);

  function synthPolicy(selectors: Selector[]) {
    const chart = newChart();
    new TracingPolicy(chart, 'P', {
      name: 'p',
      hooks: [
        KprobeHook.function('security_file_open', { message: 'File opened', tags: ['observability.filesystem'], args: [file], selectors }),
      ],
    });
    return policyNamed(synth(chart), 'p');
  }

  test('pad a lone Post with two plain Posts in every selector but the last', () => {
    const p = synthPolicy([
      new Selector({ matchArgs: [ArgFilter.equal(file, ['/etc/shadow'])], actions: [Action.post({ rateLimit: Duration.minutes(1) })] }),
      new Selector({ matchArgs: [ArgFilter.prefix(file, ['/root/.ssh/'])], actions: [Action.post({ rateLimit: Duration.minutes(1) })] }),
    ]);
    const [first, last] = p.spec.kprobes[0].selectors;
    expect(first.matchActions).toStrictEqual([{ action: 'Post', rateLimit: '1m' }, { action: 'Post' }, { action: 'Post' }]);
    expect(last.matchActions).toStrictEqual([{ action: 'Post', rateLimit: '1m' }]);
    expect(hits(p)).toStrictEqual([]);
  });

  test('leave other action lists as written, and refuse at synth what 5.10 would misread', () => {
    const chart = newChart();
    new TracingPolicy(chart, 'Q', {
      name: 'q',
      hooks: [
        KprobeHook.function('security_file_open', {
          message: 'File opened',
          tags: ['observability.filesystem'],
          args: [file],
          selectors: [new Selector({ matchArgs: [ArgFilter.equal(file, ['/etc/shadow'])], actions: [Action.post(), Action.noPost()] })],
        }),
      ],
    });
    expect(() => synth(chart)).toThrow(/\[post-action-pre-511\].*matchActions\[1\] \(NoPost\) never runs/);
  });
});
