import { EnforcementAction } from '../../lib/detections/detection-props';
import { MiningPoolConnectionDetection } from '../../lib/detections/mining-pool-connection-detection';
import { EnforcementScope, PolicyMode } from '../../lib/policy/enforcement';
import { tetragonMatchers } from '../../lib/testing';
import { kprobe, newChart, policyNamed, synth } from '../support/synth';
import { call, inPod, onHost, problemsOf } from './_support';

expect.extend(tetragonMatchers);

const connect = (daddr: string, dport: number, family: 'AF_INET' | 'AF_INET6' = 'AF_INET') => [
  {
    kind: 'sock' as const,
    family,
    protocol: 'IPPROTO_TCP',
    type: 'SOCK_STREAM',
    saddr: family === 'AF_INET' ? '10.244.1.23' : 'fd00:10:244::17',
    daddr,
    sport: 41234,
    dport,
    state: 'TCP_SYN_SENT',
  },
];

function render(props = {}) {
  const chart = newChart();
  new MiningPoolConnectionDetection(chart, 'Pool', props);
  return policyNamed(synth(chart), 'mining-pool-connection');
}

describe('MiningPoolConnectionDetection', () => {
  const policy = render({ clusterCidrs: ['10.244.0.0/16', '10.96.0.0/12'] });

  test('tcp_connect with DPort on the pool ports AND NotDAddr on private and cluster ranges, in one selector', () => {
    const hook = kprobe(policy, 'tcp_connect');
    expect(hook).toMatchObject({ syscall: false, args: [{ index: 0, type: 'sock' }] });
    expect(hook.selectors).toHaveLength(1);
    const [dport, notDaddr] = hook.selectors[0].matchArgs;
    expect(dport).toStrictEqual({
      index: 0,
      operator: 'DPort',
      values: [
        '3333:3336',
        '3357',
        '4444',
        '5555:5556',
        '5588',
        '5730',
        '6099',
        '6666',
        '7777:7778',
        '9332',
        '9999',
        '14433',
        '14444',
        '45560',
        '45700',
      ],
    });
    expect(notDaddr.operator).toBe('NotDAddr');
    expect(notDaddr.values).toEqual(
      expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7', '10.244.0.0/16', '10.96.0.0/12']),
    );
    // Generic ports of Falco's list are left out.
    for (const generic of ['25', '8080', '8333', '8888']) expect(dport.values).not.toContain(generic);
  });

  test('is clean against the CRD and the checker on every bundled kernel', () => {
    expect(problemsOf(policy)).toStrictEqual([]);
  });

  describe('must catch', () => {
    test('a miner connecting to a public pool on 3333', () => {
      expect(policy).toMatchEvent(call('tcp_connect', connect('198.51.100.7', 3333), inPod('/tmp/kworkerd')));
    });
    test('a pool on 14444 reached over IPv6', () => {
      expect(policy).toMatchEvent(call('tcp_connect', connect('2001:db8::7', 14444, 'AF_INET6'), inPod('/usr/bin/python3')));
    });
    test('a miner on the node itself, port 5555', () => {
      expect(policy).toMatchEvent(call('tcp_connect', connect('203.0.113.50', 5555), onHost('/var/tmp/.x/x')));
    });
  });

  describe('must ignore', () => {
    test('HTTPS to a public API', () => {
      expect(policy).not.toMatchEvent(call('tcp_connect', connect('203.0.113.10', 443), inPod('/usr/bin/curl')));
    });
    test('a pod talking to an in-cluster service on 9999 (cluster CIDR)', () => {
      expect(policy).not.toMatchEvent(call('tcp_connect', connect('10.96.14.2', 9999), inPod('/app/server')));
    });
    test('Grafana dev server on 3333 in the office network (RFC 1918)', () => {
      expect(policy).not.toMatchEvent(call('tcp_connect', connect('192.168.10.5', 3333), inPod('/usr/share/grafana/bin/grafana')));
    });
    test('the same from a dual-stack client, whose IPv6 socket holds ::ffff:192.168.10.5', () => {
      expect(policy).not.toMatchEvent(call('tcp_connect', connect('::ffff:192.168.10.5', 3333, 'AF_INET6'), inPod('/usr/bin/java')));
    });
    test('a trusted client of an external service on 4444', () => {
      const p = render({ trustedBinaries: ['/opt/vendor/bin/agent'] });
      expect(p).not.toMatchEvent(call('tcp_connect', connect('198.51.100.99', 4444), inPod('/opt/vendor/bin/agent')));
    });
  });

  test('bad input fails with the construct path and the fix', () => {
    expect(() => render({ poolPorts: [70000] })).toThrow('test/Pool: poolPorts: got ["70000"]; give ports 0-65535 or ranges \'low:high\'');
    expect(() => render({ clusterCidrs: ['10.244.0.0/33'] })).toThrow('test/Pool: clusterCidrs: got ["10.244.0.0/33"]');
  });

  describe('enforcement', () => {
    test('Sigkill kills the miner as it connects, in enforce mode only', () => {
      const scope = EnforcementScope.namespaces(['web']);
      const ev = call('tcp_connect', connect('198.51.100.7', 3333), inPod('/tmp/kworkerd', 'web'));
      const enforce = render({ enforcement: { action: EnforcementAction.sigkill(), scope, mode: PolicyMode.ENFORCE } });
      expect(enforce).toMatchEvent(ev, { actions: ['Sigkill'] });
      expect(problemsOf(enforce)).toStrictEqual([]);
      const monitor = render({ enforcement: { action: EnforcementAction.sigkill(), scope } });
      expect(monitor.spec.options).toStrictEqual([{ name: 'policy-mode', value: 'monitor' }]);
      expect(kprobe(monitor, 'tcp_connect').selectors[0].matchActions).toStrictEqual([{ action: 'Sigkill' }]);
      expect(monitor).not.toMatchEvent(ev, { actions: ['Sigkill'] });
    });
    test('Override is refused: tcp_connect cannot be failed with an errno', () => {
      expect(() => render({ enforcement: { action: EnforcementAction.override(1), scope: EnforcementScope.allPods() } })).toThrow(
        'test/Pool: enforcement.action: got "override"; this detection cannot fail the call with an errno: tcp_connect is neither a syscall nor a security_* function. Use EnforcementAction.sigkill()',
      );
    });
  });
});
