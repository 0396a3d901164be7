/**
 * The scenario catalog against the simulator: every scenario's events, run through the policy the library
 * construct synthesizes (with the scenario's props), give the verdict the scenario expects, unless a known
 * limit of the simulator or of the policy says otherwise (then the limit must still hold).
 */
import { SCENARIO_FAMILIES, scenarioPolicy } from '../../lib/verify/scenarios';
import { simulatePolicies } from '../../lib/simulate';
import { Scenario } from '../../lib/verify/scenario';

function verdict(s: Scenario): { verdict: 'catch' | 'ignore'; problems: string[] } {
  const policy = scenarioPolicy(s.policy, s.props);
  const results = s.events.map((e) => simulatePolicies([policy], e));
  const problems = results.flatMap((r) => [...r.problems, ...r.loadErrors].map((p) => `${r.event}: ${p}`));
  return { verdict: results.some((r) => r.posted) ? 'catch' : 'ignore', problems };
}

describe.each(SCENARIO_FAMILIES.map((f) => [f[0].policy, f] as const))('%s', (policy, scenarios) => {
  const catches = scenarios.filter((s) => s.expect === 'catch').length;
  test.each(scenarios.map((s) => [s.id.slice(policy.length + 1), s] as const))(
    `(${catches} catch, ${scenarios.length - catches} ignore) %s`, (_id, s) => {
      const { verdict: got, problems } = verdict(s);
      expect(problems).toStrictEqual([]);
      const limited = s.knownLimit?.side === 'simulator' || s.knownLimit?.side === 'policy';
      // A limit of the simulator or the policy must still be real: the verdict is then the other one.
      expect(got).toBe(limited ? (s.expect === 'catch' ? 'ignore' : 'catch') : s.expect);
    });
});
