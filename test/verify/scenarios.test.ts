/**
 * The scenario catalog against the simulator: every scenario's events, run through the policy the library
 * construct synthesizes (with the scenario's props), give the verdict the scenario expects, unless a known
 * limit of the simulator or of the policy says otherwise (then the limit must still hold).
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { DetectionName } from '../../lib/detections/bundles';
import { simulatePolicies, validateEvent } from '../../lib/simulate';
import { GUEST_TRIGGER_DIR, Scenario } from '../../lib/verify/scenario';
import {
  BUSYBOX_APPLETS,
  MONITOR_NAMES,
  POLICIES_WITHOUT_SCENARIOS,
  SCENARIO_FAMILIES,
  scenarioPolicy,
  synthesizeConstruct,
} from '../../lib/verify/scenarios';
import { triggerSources } from '../../lib/verify/triggers/build';

/** Each policy with given props is synthesized once (frozen: the simulator only reads it); many scenarios share one. */
const policies = new Map<string, ReturnType<typeof scenarioPolicy>>();
function policyFor(s: Scenario): ReturnType<typeof scenarioPolicy> {
  const key = JSON.stringify([s.policy, s.props ?? null]);
  if (!policies.has(key)) policies.set(key, deepFreeze(scenarioPolicy(s.policy, s.props)));
  return policies.get(key)!;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') Object.values(Object.freeze(value)).forEach(deepFreeze);
  return value;
}

function verdict(s: Scenario): { verdict: 'catch' | 'ignore'; problems: string[] } {
  const policy = policyFor(s);
  const results = s.events.map((e) => simulatePolicies([policy], e));
  const problems = results.flatMap((r) => [...r.problems, ...r.loadErrors].map((p) => `${r.event}: ${p}`));
  return { verdict: results.some((r) => r.posted) ? 'catch' : 'ignore', problems };
}

describe.each(SCENARIO_FAMILIES.map((f) => [f[0].policy, f] as const))('%s', (policy, scenarios) => {
  const catches = scenarios.filter((s) => s.expect === 'catch').length;
  test.each(scenarios.map((s) => [s.id.slice(policy.length + 1), s] as const))(
    `(${catches} catch, ${scenarios.length - catches} ignore) %s`,
    (_id, s) => {
      const { verdict: got, problems } = verdict(s);
      expect(problems).toStrictEqual([]);
      const limited = s.knownLimit?.side === 'simulator' || s.knownLimit?.side === 'policy';
      // A limit of the simulator or the policy must still be real: the verdict is then the other one.
      expect(got).toBe(limited ? (s.expect === 'catch' ? 'ignore' : 'catch') : s.expect);
    },
  );
});

describe('the catalog', () => {
  const all = SCENARIO_FAMILIES.flat();

  test('ids are unique and start with the policy name; events are well-formed; props are plain JSON', () => {
    const ids = all.map((s) => s.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toStrictEqual([]);
    for (const s of all) {
      expect([s.id, s.id.startsWith(`${s.policy}/`), /^[a-z0-9-]+\/[a-z0-9-]+$/.test(s.id)]).toStrictEqual([s.id, true, true]);
      s.events.forEach((e, i) => validateEvent(e, `${s.id} event ${i + 1}`));
      if (s.props) expect(JSON.parse(JSON.stringify(s.props))).toStrictEqual(s.props);
      for (const k of s.knownLimit?.kernels ?? []) expect(['debian-11', 'debian-12', 'debian-13', 'debian-sid']).toContain(k);
    }
  });

  test('every trigger starts a trigger program of this repository or a busybox applet', () => {
    const programs = triggerSources().map((t) => t.name);
    const unknown = all.filter((s) => !programs.includes(s.trigger.argv[0]) && !BUSYBOX_APPLETS.includes(s.trigger.argv[0]));
    expect(unknown.map((s) => `${s.id}: ${s.trigger.argv[0]}`)).toStrictEqual([]);
    // Programs the verifier shims may add are theirs: no scenario relies on a vt-run* name.
    expect(all.filter((s) => s.trigger.argv[0].startsWith('vt-run'))).toStrictEqual([]);
  });

  test('the busybox applets the triggers start are in busybox-static, where it is installed', () => {
    const list = spawnSync('busybox', ['--list'], { encoding: 'utf8' });
    if (list.status !== 0) return; // busybox-static is the verifier's prerequisite, not the unit tests'
    const applets = list.stdout.split('\n');
    expect(BUSYBOX_APPLETS.filter((a) => !applets.includes(a))).toStrictEqual([]);
  });

  test('each binaryPath holds one program, so the verifier can put every one in place before the run', () => {
    const programs = new Map<string, Set<string>>();
    for (const s of all.filter((x) => x.trigger.binaryPath)) {
      programs.set(s.trigger.binaryPath!, new Set([...(programs.get(s.trigger.binaryPath!) ?? []), s.trigger.argv[0]]));
    }
    expect([...programs].filter(([, p]) => p.size > 1).map(([bp, p]) => `${bp}: ${[...p].join(', ')}`)).toStrictEqual([]);
  });

  test('binaryPath never replaces a busybox applet, runc or the agent in the guest', () => {
    const protectedNames = [...BUSYBOX_APPLETS, 'busybox', 'runc', 'tetragon', 'tetra'];
    for (const s of all.filter((x) => x.trigger.binaryPath)) {
      const p = s.trigger.binaryPath!;
      expect([s.id, p.startsWith('/'), protectedNames.includes(path.basename(p)), p.startsWith(GUEST_TRIGGER_DIR + '/vt-')]).toStrictEqual([
        s.id,
        true,
        false,
        false,
      ]);
    }
  });

  test('every policy the library emits has a must-catch and a must-ignore scenario, or a stated reason', () => {
    // Every detection with the options it requires, and tmp-exec's in-kernel form.
    const variants: [string, Record<string, unknown>][] = [
      ...MONITOR_NAMES.map((n): [string, Record<string, unknown>] => [n, {}]),
      ...(Object.values(DetectionName) as string[]).map((n): [string, Record<string, unknown>] => [
        n,
        n === DetectionName.KUBERNETES_API_CONTACT ? { apiServerAddresses: ['10.96.0.1'] } : {},
      ]),
      [DetectionName.TMP_EXEC, { inKernel: true }],
    ];
    // The loader policy needs kernel 5.19+: synthesized for the kernels that have it.
    const kernelsFor = (n: string) =>
      n === DetectionName.SHARED_LIBRARY_LOAD ? ['debian-12-6.1', 'debian-13-6.12', 'debian-sid-7.2'] : undefined;
    const emitted = [
      ...new Set(variants.flatMap(([n, props]) => synthesizeConstruct(n, props, kernelsFor(n)).map((m) => m.metadata.name))),
    ].sort();
    const missing = emitted.filter(
      (name) =>
        !(name in POLICIES_WITHOUT_SCENARIOS) &&
        !(all.some((s) => s.policy === name && s.expect === 'catch') && all.some((s) => s.policy === name && s.expect === 'ignore')),
    );
    expect(missing).toStrictEqual([]);
    // The exceptions are real: emitted, and without scenarios.
    for (const name of Object.keys(POLICIES_WITHOUT_SCENARIOS)) {
      expect([name, emitted.includes(name), all.some((s) => s.policy === name)]).toStrictEqual([name, true, false]);
    }
    expect(emitted.length).toBe(SCENARIO_FAMILIES.length + Object.keys(POLICIES_WITHOUT_SCENARIOS).length);
  });
});
