import { ApiObject, Chart, Testing } from 'cdk8s';
import { SimulatedEvent } from '../../lib/simulate';
import { tetragonMatchers } from '../../lib/testing';

expect.extend(tetragonMatchers);

const policy = {
  apiVersion: 'cilium.io/v1alpha1',
  kind: 'TracingPolicy',
  metadata: { name: 'shadow-open' },
  spec: {
    kprobes: [
      {
        call: 'security_file_open',
        syscall: false,
        args: [{ index: 0, type: 'file' }],
        selectors: [
          {
            matchArgs: [{ index: 0, operator: 'Equal', values: ['/etc/shadow'] }],
            matchBinaries: [{ operator: 'NotIn', values: ['/usr/sbin/sshd'] }],
            matchActions: [{ action: 'Sigkill' }],
          },
        ],
      },
    ],
  },
};
const open = (path: string, binary = '/usr/bin/cat'): SimulatedEvent => ({
  name: `open ${path}`,
  hook: 'kprobe:security_file_open',
  args: [path],
  process: { binary },
});

describe('toMatchEvent', () => {
  test('passes for a manifest that catches the event, and .not passes for one it ignores', () => {
    expect(policy).toMatchEvent(open('/etc/shadow'));
    expect(policy).not.toMatchEvent(open('/etc/hosts'));
    expect(policy).not.toMatchEvent(open('/etc/shadow', '/usr/sbin/sshd'));
  });

  test('checks the actions that must take effect', () => {
    expect(policy).toMatchEvent(open('/etc/shadow'), { actions: ['Sigkill'] });
    expect(() => expect(policy).toMatchEvent(open('/etc/shadow'), { actions: ['Override'] })).toThrow(
      /to trigger Override, but the effective actions are \[Post, Sigkill\]/,
    );
  });

  test('the failure message names the selector filter that did not hold', () => {
    expect(() => expect(policy).toMatchEvent(open('/etc/shadow', '/usr/sbin/sshd'))).toThrow(
      /nothing matched:\n {2}no match: shadow-open kprobe:security_file_open selector 0: matchBinaries NotIn \[\/usr\/sbin\/sshd\]: resolved executable \/usr\/sbin\/sshd matches/,
    );
    expect(() => expect(policy).not.toMatchEvent(open('/etc/shadow'))).toThrow(
      /expected the policies not to report the event 'open \/etc\/shadow'.*\n {2}matched: shadow-open kprobe:security_file_open selector 0 -> Sigkill/,
    );
  });

  test('an event missing a filtered argument fails both forms instead of passing vacuously', () => {
    const noArgs: SimulatedEvent = { hook: 'kprobe:security_file_open', process: { binary: '/usr/bin/cat' } };
    expect(() => expect(policy).toMatchEvent(noArgs)).toThrow(/lacks data that a policy filters on/);
    expect(() => expect(policy).not.toMatchEvent(noArgs)).toThrow(/lacks data that a policy filters on/);
  });

  test('accepts a cdk8s chart, YAML text and a list of manifests', () => {
    const chart = new Chart(Testing.app(), 'chart');
    new ApiObject(chart, 'policy', policy);
    expect(chart).toMatchEvent(open('/etc/shadow'));
    expect(
      'apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata: {name: any-open}\nspec:\n  kprobes:\n  - call: security_file_open\n    syscall: false\n',
    ).toMatchEvent(open('/etc/hosts'));
    expect([policy, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }]).not.toMatchEvent(open('/tmp/x'));
  });

  test('a NoPost match is not reported', () => {
    const quiet = { ...policy, spec: { kprobes: [{ ...policy.spec.kprobes[0], selectors: [{ matchActions: [{ action: 'NoPost' }] }] }] } };
    expect(quiet).not.toMatchEvent(open('/etc/shadow'));
  });
});

describe('toMatchEvent with a hook no policy attaches to', () => {
  test('a misspelt hook fails .not (and the positive form) with a message naming the hook, instead of passing vacuously', () => {
    const typo: SimulatedEvent = { ...open('/etc/shadow'), hook: 'kprobe:security_file_opn' };
    expect(() => expect(policy).not.toMatchEvent(typo)).toThrow(
      /^no policy hooks kprobe:security_file_opn, so the event 'open \/etc\/shadow' tests nothing \(is the hook misspelt\?\); name a hook the policies attach to:\n {2}no match: shadow-open: does not hook kprobe:security_file_opn; it hooks kprobe:security_file_open/,
    );
    expect(() => expect(policy).toMatchEvent(typo)).toThrow(/^no policy hooks kprobe:security_file_opn/);
  });
});
