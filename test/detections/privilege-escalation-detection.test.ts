import { PrivilegeEscalationDetection } from '../../lib/detections/privilege-escalation-detection';
import { PrivilegeEscalationMonitor } from '../../lib/policies/privilege-escalation-monitor';
import { newChart, synth } from '../support/synth';
import { kprobeEvent, logqlErrors, logRuleCounts } from './_support';

const chart = newChart();
const detection = new PrivilegeEscalationDetection(chart, 'Priv');
const [setid, userns, capset] = detection.lokiRules;
const POLICY = 'privilege-escalation-monitor';

describe('PrivilegeEscalationDetection', () => {
  test("creates no policy: three alerts over the monitor's events, split by function", () => {
    expect(synth(chart)).toStrictEqual([]);
    expect(detection.lokiRules.map((r) => r.alert)).toStrictEqual([
      'TetragonSetidToRoot',
      'TetragonUnprivilegedUserNamespace',
      'TetragonCapsetRaised',
    ]);
    for (const r of detection.lokiRules) {
      expect(logqlErrors(r.expr)).toStrictEqual([]);
      expect(r.expr).toContain('{job="tetragon", event_type="process_kprobe", policy_name="privilege-escalation-monitor"}');
    }
  });

  test('counts setresuid to root, unshare -r and a capset from the monitor', () => {
    expect(
      logRuleCounts(
        setid.expr,
        kprobeEvent(POLICY, '__sys_setresuid', [{ int_arg: -1 }, { int_arg: 0 }, { int_arg: -1 }], {
          namespace: 'shop',
          binary: '/tmp/exploit',
        }),
      ),
    ).toBe(true);
    expect(logRuleCounts(setid.expr, kprobeEvent(POLICY, '__sys_setuid', [{ int_arg: 0 }], { namespace: 'shop' }))).toBe(true);
    expect(logRuleCounts(userns.expr, kprobeEvent(POLICY, 'create_user_ns', [], { namespace: 'ci', binary: '/usr/bin/unshare' }))).toBe(
      true,
    );
    expect(
      logRuleCounts(
        capset.expr,
        kprobeEvent(POLICY, 'security_capset', [{ cap_effective_arg: '000001ffffffffff' }], { namespace: 'shop' }),
      ),
    ).toBe(true);
  });

  test('ignores other functions, other policies and other event types', () => {
    expect(logRuleCounts(setid.expr, kprobeEvent(POLICY, 'create_user_ns', [], { namespace: 'shop' }))).toBe(false);
    expect(logRuleCounts(setid.expr, kprobeEvent('my-setuid-audit', '__sys_setuid', [{ int_arg: 0 }], { namespace: 'shop' }))).toBe(false);
    expect(logRuleCounts(capset.expr, kprobeEvent(POLICY, '__sys_setgid', [{ int_arg: 0 }]))).toBe(false);
  });

  test('takes the policy name from a monitor or a prop', () => {
    const c = newChart();
    const monitor = new PrivilegeEscalationMonitor(c, 'Mon', { name: 'priv-raise' });
    const reused = new PrivilegeEscalationDetection(c, 'Det', { monitor });
    expect(reused.lokiRules[0].expr).toContain('policy_name="priv-raise"');
    expect(new PrivilegeEscalationDetection(newChart(), 'P', { policyName: 'x.y' }).lokiRules[1].expr).toContain('policy_name="x.y"');
    expect(() => new PrivilegeEscalationDetection(newChart(), 'Bad', { policyName: 'Priv Raise' })).toThrow(
      'test/Bad: policyName: got "Priv Raise"; a TracingPolicy name',
    );
  });
});
