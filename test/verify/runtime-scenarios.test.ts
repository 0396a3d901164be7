import { Chart, Testing } from 'cdk8s';
import { NamespaceChangeDetection, PrivilegeEscalationMonitor, ShellAccessMonitor } from '../../lib';
import { simulatorVerdict } from '../../lib/verify/agreement';
import { podLessVariant } from '../../lib/verify/policies';
import { runtimeScenarios } from '../../lib/verify/runtime-scenarios';

const policies = (() => {
  const chart = new Chart(Testing.app(), 'r');
  new PrivilegeEscalationMonitor(chart, 'Privs');
  new ShellAccessMonitor(chart, 'Shells');
  new NamespaceChangeDetection(chart, 'Ns');
  return new Map(Testing.synth(chart).map((m) => [m.metadata.name as string, m]));
})();

describe('container runtime scenarios', () => {
  const scenarios = runtimeScenarios(['bookworm', 'sid']);

  test('five runtime actions per runc, each judged for the three policies runtimes touch', () => {
    expect(scenarios).toHaveLength(2 * 5 * 3);
    expect(new Set(scenarios.map((s) => s.id)).size).toBe(scenarios.length);
    expect(scenarios.filter((s) => s.expect === 'catch').map((s) => s.id)).toStrictEqual([
      'shell-access-monitor/runc-bookworm-exec-shell',
      'shell-access-monitor/runc-sid-exec-shell',
    ]);
    expect(scenarios.filter((s) => s.knownLimit).map((s) => [s.id, s.knownLimit!.side])).toStrictEqual([
      ['shell-access-monitor/runc-bookworm-shell-entrypoint', 'policy'],
      ['shell-access-monitor/runc-sid-shell-entrypoint', 'policy'],
    ]);
  });

  test('every policy named gets the ten actions', () => {
    expect(runtimeScenarios(['bookworm'], ['a', 'b']).map((s) => s.id)).toHaveLength(10);
  });

  test('the triggers name their runc and place', () => {
    const start = scenarios.find((s) => s.id === 'privilege-escalation-monitor/runc-sid-container-start')!;
    expect(start.trigger).toStrictEqual({ argv: ['true'], place: 'container', start: 'run', runtime: 'sid' });
    expect(scenarios.find((s) => s.id === 'namespace-change/runc-bookworm-exec-as-user')!.trigger).toMatchObject({
      place: 'container',
      uid: 1000,
      gid: 1000,
    });
  });

  test.each(runtimeScenarios(['bookworm']).map((s) => [s.id, s] as const))(
    'the simulator agrees with the expectation or the policy limit: %s',
    (_id, s) => {
      const limitFlips = s.knownLimit?.side === 'policy';
      expect(simulatorVerdict(policies.get(s.policy), s)).toBe(limitFlips ? (s.expect === 'catch' ? 'ignore' : 'catch') : s.expect);
    },
  );

  test('the runtime exemption is what keeps privilege escalation quiet: the same calls by another binary are reported', () => {
    const s = scenarios.find((x) => x.id === 'privilege-escalation-monitor/runc-bookworm-exec-as-user')!;
    const other = { ...s, events: s.events.map((e) => ({ ...e, process: { ...e.process, binary: '/usr/local/bin/not-a-runtime' } })) };
    expect(simulatorVerdict(policies.get(s.policy), other)).toBe('catch');
  });

  test('namespace-change outside Kubernetes: the pod-less variant the verifier loads stays quiet on the same calls', () => {
    const v = podLessVariant(policies.get('namespace-change'))!.manifest;
    for (const s of scenarios.filter((x) => x.policy === 'namespace-change')) expect(simulatorVerdict(v, s)).toBe('ignore');
  });
});
