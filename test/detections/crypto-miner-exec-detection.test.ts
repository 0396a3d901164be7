import { CryptoMinerExecDetection } from '../../lib/detections/crypto-miner-exec-detection';
import { EnforcementAction } from '../../lib/detections/detection-props';
import { EnforcementScope, PolicyMode } from '../../lib/policy/enforcement';
import { tetragonMatchers } from '../../lib/testing';
import { kprobe, newChart, policyNamed, synth } from '../support/synth';
import { call, execEvent, inPod, logqlErrors, logRuleCounts, onHost, problemsOf } from './_support';

expect.extend(tetragonMatchers);

const exec = (path: string) => [{ kind: 'linux_binprm' as const, path }];

function build(props = {}) {
  const chart = newChart();
  const detection = new CryptoMinerExecDetection(chart, 'Miner', props);
  return { detection, policy: policyNamed(synth(chart), 'crypto-miner-exec') };
}

describe('CryptoMinerExecDetection', () => {
  const { detection, policy } = build();
  const [rule] = detection.lokiRules;

  test('security_bprm_check on the resolved file with Postfix "/<name>" for every known miner, host included', () => {
    const hook = kprobe(policy, 'security_bprm_check');
    expect(hook).toMatchObject({ syscall: false, args: [{ index: 0, type: 'linux_binprm', label: 'file' }] });
    expect(hook.selectors[0].matchArgs).toStrictEqual([
      { index: 0, operator: 'Postfix', values: CryptoMinerExecDetection.DEFAULT_MINERS.map((m) => `/${m}`) },
    ]);
    expect(hook.selectors[0].matchArgs[0].values).toEqual(expect.arrayContaining(['/xmrig', '/cpuminer', '/t-rex', '/lolminer']));
    expect(policy.spec.podSelector).toBeUndefined();
  });

  test('is clean against the CRD and the checker on every bundled kernel', () => {
    expect(problemsOf(policy)).toStrictEqual([]);
  });

  test('the Loki alert parses and is a critical count over process_exec by binary name', () => {
    expect(detection.lokiRules).toHaveLength(1);
    expect(logqlErrors(rule.expr)).toStrictEqual([]);
    expect(rule.expr).toMatch(
      /^sum by \(namespace, pod, binary\) \(count_over_time\(\{job="tetragon", event_type="process_exec"\} \| binary=~".*" \[5m\]\)\) > 0$/,
    );
    expect(rule).toMatchObject({ alert: 'TetragonCryptoMinerExecuted', severity: 'critical' });
  });

  describe('must catch', () => {
    test('XMRig downloaded and started in a compromised pod', () => {
      expect(policy).toMatchEvent(call('security_bprm_check', exec('/tmp/xmrig-6.21.0/xmrig'), inPod('/bin/sh')));
      expect(
        logRuleCounts(
          rule.expr,
          execEvent('/tmp/xmrig-6.21.0/xmrig', { namespace: 'web', arguments: '-o pool.supportxmr.com:443 -u 4A... -k --tls' }),
        ),
      ).toBe(true);
    });
    test('cpuminer from a malicious image (Loki also catches the cpuminer-multi variant)', () => {
      expect(policy).toMatchEvent(call('security_bprm_check', exec('/usr/local/bin/cpuminer'), inPod('/usr/bin/dumb-init', 'ml')));
      expect(logRuleCounts(rule.expr, execEvent('/opt/cpuminer-multi', { namespace: 'ml' }))).toBe(true);
    });
    test('a GPU miner on the node itself', () => {
      expect(policy).toMatchEvent(call('security_bprm_check', exec('/root/.cache/t-rex'), onHost('/bin/bash')));
    });
  });

  describe('must ignore', () => {
    test('ordinary programs, including ones whose names contain a miner name', () => {
      expect(policy).not.toMatchEvent(call('security_bprm_check', exec('/usr/bin/python3.11'), inPod('/bin/sh')));
      expect(policy).not.toMatchEvent(call('security_bprm_check', exec('/usr/local/bin/xmrig-exporter-config'), inPod('/bin/sh')));
      expect(logRuleCounts(rule.expr, execEvent('/usr/bin/minerd-config-tool/../python3', { namespace: 'web' }))).toBe(false);
    });
    test('a renamed miner: not caught by name (the behaviour detections cover it)', () => {
      expect(policy).not.toMatchEvent(call('security_bprm_check', exec('/tmp/kworkerd'), inPod('/bin/sh')));
      expect(logRuleCounts(rule.expr, execEvent('/tmp/kworkerd', { namespace: 'web', arguments: '-o stratum+tcp://pool:3333' }))).toBe(
        false,
      );
    });
    test('ethtool and other tools ending in "miner"-like words are not listed', () => {
      expect(policy).not.toMatchEvent(call('security_bprm_check', exec('/usr/sbin/ethtool'), inPod('/bin/sh')));
      expect(logRuleCounts(rule.expr, execEvent('/usr/bin/dataminer', { namespace: 'web' }))).toBe(false);
    });
  });

  test('the name list can be extended; bad names fail with the fix; namespaces can be excluded from the alert', () => {
    const { policy: p, detection: d } = build({
      miners: [...CryptoMinerExecDetection.DEFAULT_MINERS, 'rigel'],
      excludeNamespaces: ['mining-lab'],
    });
    expect(kprobe(p, 'security_bprm_check').selectors[0].matchArgs[0].values).toContain('/rigel');
    expect(d.lokiRules[0].expr).toContain('namespace!~"mining-lab"');
    expect(logqlErrors(d.lokiRules[0].expr)).toStrictEqual([]);
    expect(() => build({ miners: ['/usr/bin/xmrig'] })).toThrow('test/Miner: miners: got ["/usr/bin/xmrig"]; give bare executable names');
  });

  test('enforcement: Override stops the exec in enforce mode; monitor mode only reports', () => {
    const scope = EnforcementScope.allPods();
    const ev = call('security_bprm_check', exec('/tmp/xmrig'), inPod('/bin/sh'));
    const { policy: enforce } = build({ enforcement: { action: EnforcementAction.override(13), scope, mode: PolicyMode.ENFORCE } });
    expect(enforce).toMatchEvent(ev, { actions: ['Override'] });
    expect(enforce.spec.podSelector).toStrictEqual({});
    expect(enforce).not.toMatchEvent(call('security_bprm_check', exec('/tmp/xmrig'), onHost('/bin/sh')), { actions: ['Override'] });
    expect(problemsOf(enforce)).toStrictEqual([]);
    const { policy: monitor } = build({ enforcement: { action: EnforcementAction.sigkill(), scope } });
    expect(monitor.spec.options).toStrictEqual([{ name: 'policy-mode', value: 'monitor' }]);
    expect(monitor).toMatchEvent(ev);
    expect(monitor).not.toMatchEvent(ev, { actions: ['Sigkill'] });
  });
});
