import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadKernel } from '../../lib/kernels/kernel-table';
import { loadState, parsePolicyList, policyResult, predictLoad, scenarioResult, simulatorVerdict } from '../../lib/verify/agreement';
import { PolicyEvent } from '../../lib/verify/attribution';
import { PolicyUnderTest, podLessVariant } from '../../lib/verify/policies';
import { PolicyResult } from '../../lib/verify/report';
import { Scenario } from '../../lib/verify/scenario';

const fixture = (name: string) => readFileSync(join(__dirname, '..', 'fixtures', 'verify', name), 'utf8');

const shadowPolicy = {
  apiVersion: 'cilium.io/v1alpha1',
  kind: 'TracingPolicy',
  metadata: { name: 'shadow' },
  spec: {
    kprobes: [
      {
        call: 'security_file_open',
        syscall: false,
        args: [{ index: 0, type: 'file' }],
        selectors: [{ matchArgs: [{ index: 0, operator: 'Equal', values: ['/etc/shadow'] }] }],
      },
    ],
  },
};
const unit = (manifest: any): PolicyUnderTest => {
  const v = podLessVariant(manifest);
  return {
    name: manifest.metadata.name,
    agentName: (v?.manifest ?? manifest).metadata.name,
    file: 'p.yaml',
    manifest,
    loaded: v?.manifest ?? manifest,
    podLess: v?.removed,
  };
};
const scenario = (over: Partial<Scenario> = {}): Scenario => ({
  id: 'shadow/cat',
  policy: 'shadow',
  expect: 'catch',
  summary: 'cat /etc/shadow',
  trigger: { argv: ['cat', '/etc/shadow'] },
  events: [{ hook: 'kprobe:security_file_open', args: [{ kind: 'file', path: '/etc/shadow' }], process: { binary: '/bin/cat' } }],
  ...over,
});
const loaded: PolicyResult = {
  name: 'shadow',
  agentName: 'shadow',
  file: 'p.yaml',
  state: 'loaded',
  predicted: 'loads',
  predictedReasons: [],
  agreement: 'agree',
};
const event = (policy = 'shadow'): PolicyEvent => ({
  policy,
  kind: 'process_kprobe',
  hook: 'security_file_open',
  binary: '/bin/cat',
  arguments: '/etc/shadow',
  time: 1,
  line: `{"policy_name":"${policy}"}`,
});

describe('tetra tracingpolicy list', () => {
  test('a captured list (Debian 12, five monitors): names, states, kernel memory', () => {
    const list = parsePolicyList(fixture('policy-list-debian-12.json'));
    expect(list.map((p) => p.name)).toStrictEqual([
      'network-connection-monitor',
      'privilege-escalation-monitor',
      'process-exec-monitor',
      'sensitive-file-access-monitor',
      'shell-access-monitor',
    ]);
    expect(list[1]).toStrictEqual({
      name: 'privilege-escalation-monitor',
      state: 'TP_STATE_ENABLED',
      kernelMemoryBytes: 11108352,
      mode: 'TP_MODE_MONITOR_ONLY',
      error: undefined,
    });
  });

  test('an empty list, and something that is not a list', () => {
    expect(parsePolicyList('{}')).toStrictEqual([]);
    expect(() => parsePolicyList('{"policies": 3}')).toThrow(/no "policies" array/);
  });
});

describe('load state', () => {
  test('the list decides: enabled, load error with its reason, or another state', () => {
    expect(loadState({ addExit: 0, listed: { name: 'p', state: 'TP_STATE_ENABLED' } })).toStrictEqual({ state: 'loaded' });
    expect(loadState({ addExit: 1, listed: { name: 'p', state: 'TP_STATE_LOAD_ERROR', error: 'policyfilter is disabled' } })).toStrictEqual(
      { state: 'refused', error: 'policyfilter is disabled' },
    );
    expect(loadState({ addExit: 0, listed: { name: 'p', state: 'TP_STATE_LOADING' } })).toStrictEqual({
      state: 'error',
      error: 'TP_STATE_LOADING',
    });
  });

  test("without a list entry, tetra's exit code and output", () => {
    expect(loadState({})).toStrictEqual({ state: 'not-run' });
    expect(loadState({ addExit: 1, addOutput: 'Error: failed to add tracing policy: policyfilter is disabled\n' })).toStrictEqual({
      state: 'refused',
      error: 'Error: failed to add tracing policy: policyfilter is disabled',
    });
    expect(loadState({ addExit: 124 })).toStrictEqual({ state: 'error', error: 'tetra tracingpolicy add timed out' });
  });

  test("check's prediction: a hook missing from the kernel is a refusal there, not on a newer kernel", () => {
    const truncate = { ...shadowPolicy, spec: { kprobes: [{ ...shadowPolicy.spec.kprobes[0], call: 'security_file_truncate' }] } };
    expect(predictLoad(truncate, loadKernel('debian-11-5.10'))).toMatchObject({ predicted: 'refused' });
    expect(predictLoad(truncate, loadKernel('debian-11-5.10')).reasons[0]).toMatch(/^kernel-missing-function: /);
    expect(predictLoad(truncate, loadKernel('debian-13-6.12'))).toStrictEqual({ predicted: 'loads', reasons: [] });
  });

  test('agreement: a refusal check predicted agrees; a refusal it did not predict disagrees', () => {
    const p = unit(shadowPolicy);
    expect(
      policyResult(
        p,
        { addExit: 1, listed: { name: 'shadow', state: 'TP_STATE_LOAD_ERROR', error: 'x' } },
        { predicted: 'refused', reasons: ['r'] },
      ).agreement,
    ).toBe('agree');
    const r = policyResult(
      p,
      { addExit: 1, listed: { name: 'shadow', state: 'TP_STATE_LOAD_ERROR', error: 'x' } },
      { predicted: 'loads', reasons: [] },
    );
    expect(r).toMatchObject({ state: 'refused', error: 'x', predicted: 'loads', agreement: 'disagree' });
    expect(policyResult(p, {}, { predicted: 'loads', reasons: [] }).agreement).toBe('not-run');
  });
});

describe('scenario verdicts', () => {
  const p = unit(shadowPolicy);
  const ran = (events: PolicyEvent[]) => ({ index: 7, ran: true, events });

  test('pass: the agent reported, as the simulator and the expectation say', () => {
    const r = scenarioResult(scenario(), 'debian-12', p, loaded, ran([event(), event('other-policy')]));
    expect(r).toMatchObject({
      status: 'pass',
      real: 'catch',
      simulator: 'catch',
      trigger: 7,
      hooks: ['security_file_open'],
      otherPolicies: { 'other-policy': 1 },
    });
    expect(r.evidence).toHaveLength(1);
  });

  test('fail: the agent stayed silent where an event was expected', () => {
    const r = scenarioResult(scenario(), 'debian-12', p, loaded, ran([]));
    expect(r).toMatchObject({ status: 'fail', real: 'ignore', simulator: 'catch' });
    expect(r.reason).toMatch(/the agent reported nothing, expected an event; the simulator says catch, the agent ignore/);
  });

  test('fail on the simulator side: the agent is right, the model is not', () => {
    const wrongEvents = scenario({
      events: [{ hook: 'kprobe:security_file_open', args: [{ kind: 'file', path: '/etc/hostname' }], process: { binary: '/bin/cat' } }],
    });
    const r = scenarioResult(wrongEvents, 'debian-12', p, loaded, ran([event()]));
    expect(r).toMatchObject({ status: 'fail', real: 'catch', simulator: 'ignore' });
    expect(r.reason).toBe('the simulator says ignore, the agent catch');
  });

  test('known limit: the disagreement on its side and kernel is reported, not failed; elsewhere it still fails', () => {
    const limited = scenario({ knownLimit: { side: 'agent', kernels: ['debian-11'], reason: 'hook missing before 5.11' } });
    expect(scenarioResult(limited, 'debian-11', p, loaded, ran([])).status).toBe('known-limit');
    expect(scenarioResult(limited, 'debian-12', p, loaded, ran([])).status).toBe('fail');
    expect(scenarioResult(scenario({ knownLimit: { side: 'simulator', reason: 'x' } }), 'debian-12', p, loaded, ran([])).status).toBe(
      'fail',
    );
  });

  test('not applicable where the policy was refused as check predicted; not run where it was not added or the trigger failed', () => {
    const refused: PolicyResult = { ...loaded, state: 'refused', error: 'no such function', predicted: 'refused', agreement: 'agree' };
    expect(scenarioResult(scenario(), 'debian-11', p, refused, ran([]))).toMatchObject({
      status: 'not-applicable',
      reason: 'policy refused: no such function',
    });
    expect(scenarioResult(scenario(), 'debian-12', p, undefined, ran([]))).toMatchObject({
      status: 'not-run',
      reason: 'policy was not added',
    });
    expect(
      scenarioResult(scenario(), 'debian-12', p, loaded, {
        index: 3,
        ran: false,
        reason: 'the agent crashed during the trigger',
        events: [],
      }),
    ).toMatchObject({ status: 'not-run', reason: 'the agent crashed during the trigger', trigger: 3 });
    expect(scenarioResult(scenario({ policy: 'absent' }), 'debian-12', undefined, undefined, undefined).status).toBe('not-run');
  });

  test('unproven: a pod-scoped policy whose verdict depends on its scope; the pod-less variant behaved as modelled', () => {
    const scoped = unit({ ...shadowPolicy, spec: { ...shadowPolicy.spec, podSelector: {} } });
    const host = scenario({ expect: 'ignore' }); // a host process: the pod scope keeps it out
    const r = scenarioResult(host, 'debian-12', scoped, loaded, ran([event()]));
    expect(r).toMatchObject({ status: 'unproven', real: 'catch', simulator: 'ignore', simulatorPodLess: 'catch' });
    expect(r.reason).toMatch(/depends on the policy's pod scope \(spec.podSelector\)/);
  });

  test("the simulator's verdict: catch when any event posts, inconclusive when an event lacks data a filter reads", () => {
    expect(simulatorVerdict(shadowPolicy, scenario())).toBe('catch');
    expect(simulatorVerdict(shadowPolicy, scenario({ events: [] }))).toBe('ignore');
    const noArgs = scenario({ events: [{ hook: 'kprobe:security_file_open', process: { binary: '/bin/cat' } }] });
    expect(simulatorVerdict(shadowPolicy, noArgs)).toBe('inconclusive');
  });
});
