import { EnforcementAction } from '../../lib/detections/detection-props';
import { TmpExecDetection } from '../../lib/detections/tmp-exec-detection';
import { Errno } from '../../lib/policies/library-policy-props';
import { EnforcementScope, PolicyMode } from '../../lib/policy/enforcement';
import { tetragonMatchers } from '../../lib/testing';
import { kprobe, newChart, policyNamed, synth } from '../support/synth';
import { call, execEvent, inPod, logqlErrors, logRuleCounts, onHost, problemsOf } from './_support';

expect.extend(tetragonMatchers);

function build(props = {}) {
  const chart = newChart();
  const detection = new TmpExecDetection(chart, 'Tmp', props);
  return { detection, manifests: synth(chart) };
}

const { detection, manifests } = build();
const [rule] = detection.lokiRules;
const inKernel = policyNamed(build({ inKernel: true }).manifests, 'tmp-exec');
const bprm = (path: string, proc = inPod(path)) => call('security_bprm_check', [{ kind: 'linux_binprm', path }], proc);

describe('TmpExecDetection', () => {
  test('by default no policy, one alert over process_exec binaries under /tmp, /var/tmp and /dev/shm', () => {
    expect(detection.policies).toStrictEqual([]);
    expect(manifests).toStrictEqual([]);
    expect(logqlErrors(rule.expr)).toStrictEqual([]);
    expect(rule.expr).toBe(
      'sum by (namespace, pod, binary) (count_over_time({job="tetragon", event_type="process_exec"} | binary=~"(/tmp/|/var/tmp/|/dev/shm/).*" [5m])) > 0',
    );
    expect(detection.installRequirements).toStrictEqual({});
  });

  test('the alert counts a dropped miner in /tmp, a payload in /dev/shm and a host exec from /var/tmp', () => {
    expect(logRuleCounts(rule.expr, execEvent('/tmp/kdevtmpfsi', { namespace: 'shop', arguments: '' }))).toBe(true);
    expect(logRuleCounts(rule.expr, execEvent('/dev/shm/.x/agent', { namespace: 'payments' }))).toBe(true);
    expect(logRuleCounts(rule.expr, execEvent('/var/tmp/update', {}))).toBe(true);
  });

  test('the alert ignores system binaries, lookalike paths and other event types', () => {
    expect(logRuleCounts(rule.expr, execEvent('/usr/bin/curl', { namespace: 'shop' }))).toBe(false);
    expect(logRuleCounts(rule.expr, execEvent('/opt/tmp/tool', { namespace: 'shop' }))).toBe(false);
    expect(logRuleCounts(rule.expr, execEvent('/app/tmpfiles/run', { namespace: 'shop' }))).toBe(false);
    expect(
      logRuleCounts(rule.expr, { process_exit: { process: { binary: '/tmp/x', pod: { namespace: 'shop' } } }, node_name: 'node-a' }),
    ).toBe(false);
  });

  test('exclusions: namespaces and binaries', () => {
    const { detection: scoped } = build({ excludeNamespaces: ['ci'], excludeBinaries: ['/tmp/go-build123/b001/exe/main'] });
    const expr = scoped.lokiRules[0].expr;
    expect(logqlErrors(expr)).toStrictEqual([]);
    expect(logRuleCounts(expr, execEvent('/tmp/x', { namespace: 'ci' }))).toBe(false);
    expect(logRuleCounts(expr, execEvent('/tmp/go-build123/b001/exe/main', { namespace: 'shop' }))).toBe(false);
    expect(logRuleCounts(expr, execEvent('/tmp/x', { namespace: 'shop' }))).toBe(true);
  });

  test('in kernel: security_bprm_check with the resolved file, Prefix on the directories, clean on every kernel', () => {
    const hook = kprobe(inKernel, 'security_bprm_check');
    expect(hook.args).toStrictEqual([{ index: 0, type: 'linux_binprm', label: 'file' }]);
    expect(hook.selectors[0].matchArgs).toStrictEqual([{ index: 0, operator: 'Prefix', values: ['/tmp/', '/var/tmp/', '/dev/shm/'] }]);
    expect(problemsOf(inKernel)).toStrictEqual([]);
    expect(inKernel).toMatchEvent(bprm('/tmp/x'));
    // A symlink from /usr/local/bin into /tmp: the kernel resolves the file.
    expect(inKernel).toMatchEvent(bprm('/dev/shm/payload', inPod('/usr/local/bin/helper')));
    expect(inKernel).toMatchEvent(bprm('/var/tmp/.cache/run', onHost('/var/tmp/.cache/run')));
    expect(inKernel).not.toMatchEvent(bprm('/usr/bin/bash'));
    expect(inKernel).not.toMatchEvent(bprm('/opt/tmp/tool'));
    expect(inKernel).not.toMatchEvent(bprm('/app/bin/server'));
  });

  test('enforcement: Override EACCES like a noexec mount, monitor first', () => {
    const { detection: enforcing, manifests: out } = build({
      enforcement: { action: EnforcementAction.override(Errno.EACCES), scope: EnforcementScope.namespaces(['shop']) },
    });
    expect(enforcing.policies).toHaveLength(1);
    const policy = policyNamed(out, 'tmp-exec');
    expect(kprobe(policy, 'security_bprm_check').selectors[0].matchActions).toStrictEqual([{ action: 'Override', argError: -13 }]);
    expect(policy.spec.options).toStrictEqual([
      { name: 'disable-kprobe-multi', value: '1' },
      { name: 'policy-mode', value: 'monitor' },
    ]);
    expect(problemsOf(policy)).toStrictEqual([]);
    const enforce = policyNamed(
      build({
        enforcement: { action: EnforcementAction.sigkill(), mode: PolicyMode.ENFORCE, scope: EnforcementScope.namespaces(['shop']) },
      }).manifests,
      'tmp-exec',
    );
    expect(enforce).toMatchEvent(bprm('/tmp/x'), { actions: ['Sigkill'] });
    expect(() => build({ directories: ['/tmp'] })).toThrow('test/Tmp: directories: got "/tmp"; a directory ends with "/". Write "/tmp/"');
  });
});
