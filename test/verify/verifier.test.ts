import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chart, Testing } from 'cdk8s';
import {
  NetworkConnectionMonitor,
  PrivilegeEscalationMonitor,
  ProcessExecMonitor,
  SensitiveFileAccessMonitor,
  ShellAccessMonitor,
} from '../../lib';
import { parseChannel } from '../../lib/verify/channel';
import { findRelease } from '../../lib/verify/debian';
import { podLessVariant, PolicyUnderTest } from '../../lib/verify/policies';
import { runtimeScenarios } from '../../lib/verify/runtime-scenarios';
import { Scenario } from '../../lib/verify/scenario';
import { readScenarioFile } from '../../lib/verify/scenario-file';
import { crashExcerpt, kernelReportFromChannel, plannedAdds, planTriggers, reanalyze, releasesFromNames } from '../../lib/verify/verifier';

const fixtures = join(__dirname, '..', 'fixtures', 'verify');

function monitors(): PolicyUnderTest[] {
  const chart = new Chart(Testing.app(), 'm');
  new NetworkConnectionMonitor(chart, 'Network', { podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'] });
  new PrivilegeEscalationMonitor(chart, 'PrivilegeEscalation');
  new ProcessExecMonitor(chart, 'ProcessExec');
  new SensitiveFileAccessMonitor(chart, 'SensitiveFiles');
  new ShellAccessMonitor(chart, 'ShellAccess');
  return Testing.synth(chart)
    .filter((m) => m.kind === 'TracingPolicy')
    .map((m) => {
      const v = podLessVariant(m);
      return {
        name: m.metadata.name,
        agentName: (v?.manifest ?? m).metadata.name,
        file: `${m.metadata.name}.yaml`,
        manifest: m,
        loaded: v?.manifest ?? m,
        podLess: v?.removed,
      };
    });
}

describe('trigger planning', () => {
  const s = (id: string, trigger: Scenario['trigger']): Scenario => ({
    id,
    policy: 'p',
    expect: 'ignore',
    summary: id,
    trigger,
    events: [],
  });

  test('scenarios with the same trigger share one run; defaults are filled in before comparing', () => {
    const { triggers, byScenario } = planTriggers(
      [
        s('a', { argv: ['cat', '/etc/shadow'] }),
        s('b', { argv: ['cat', '/etc/shadow'], place: 'host', uid: 0 }),
        s('c', { argv: ['cat', '/etc/passwd'] }),
      ],
      ['bookworm'],
    );
    expect(triggers).toHaveLength(2);
    expect(byScenario.get('a')).toBe(1);
    expect(byScenario.get('b')).toBe(1);
    expect(byScenario.get('c')).toBe(2);
    expect(triggers[0]).toStrictEqual({
      index: 1,
      argv: ['cat', '/etc/shadow'],
      place: 'host',
      uid: 0,
      gid: 0,
      setup: [],
      timeoutSeconds: 60,
    });
  });

  test('container triggers get the first runtime by default and run after host triggers, grouped by runtime', () => {
    const { triggers } = planTriggers(
      [
        s('x', { argv: ['id'], place: 'container', runtime: 'sid' }),
        s('y', { argv: ['id'], place: 'container' }),
        s('z', { argv: ['id'] }),
      ],
      ['bookworm', 'sid'],
    );
    expect(triggers.map((t) => [t.place, t.runtime])).toStrictEqual([
      ['host', undefined],
      ['container', 'bookworm'],
      ['container', 'sid'],
    ]);
  });

  test('a scenario that needs a runtime the run does not carry is skipped with the flag to add', () => {
    const { triggers, skipped } = planTriggers([s('x', { argv: ['id'], place: 'container', runtime: 'trixie' })], ['bookworm']);
    expect(triggers).toHaveLength(0);
    expect(skipped.get('x')).toBe('its trigger needs the runc of trixie, which this run does not carry (add --runtime trixie)');
  });
});

describe('a real Debian 12 run of the five monitors (channel captured from the guest, export trimmed)', () => {
  const policies = monitors();
  const names = new Set(policies.map((p) => p.name));
  const scenarios = [...runtimeScenarios(['bookworm', 'sid']), ...readScenarioFile(join(fixtures, 'module-scenarios.yaml'))].filter((s) =>
    names.has(s.policy),
  );
  const { triggers, byScenario, skipped } = planTriggers(scenarios, ['bookworm', 'sid']);
  const channel = parseChannel(readFileSync(join(fixtures, 'channel-debian-12.log')), '@@vt-5807a0b85af5');
  const report = kernelReportFromChannel({
    release: findRelease('debian-12')!,
    runtimes: [
      { suite: 'bookworm', version: '1.1.5+ds1-1+deb12u1', binary: '' },
      { suite: 'sid', version: '1.3.6+ds1-1', binary: '' },
    ],
    accelerator: 'tcg',
    policies,
    scenarios,
    triggers,
    byScenario,
    skipped,
    channel,
    problems: [],
    timings: { prepareSeconds: 20, vmSeconds: 300, totalSeconds: 321 },
  });

  test('the plan of that run: 29 scenarios on 19 triggers', () => {
    expect(scenarios).toHaveLength(29);
    expect(triggers).toHaveLength(19);
  });

  test('every policy loaded, as check predicts for Debian 12, with its load time and kernel memory', () => {
    expect(report.checkTable).toBe('debian-12-6.1');
    expect(report.policies.map((p) => [p.name, p.state, p.agreement])).toStrictEqual([
      ['network-connection-monitor', 'loaded', 'agree'],
      ['privilege-escalation-monitor', 'loaded', 'agree'],
      ['process-exec-monitor', 'loaded', 'agree'],
      ['sensitive-file-access-monitor', 'loaded', 'agree'],
      ['shell-access-monitor', 'loaded', 'agree'],
    ]);
    expect(report.policies[1]).toMatchObject({ loadSeconds: 93.2, kernelMemoryBytes: 11108352 });
  });

  test('every scenario passes, but the entrypoint shells the shell monitor reports as its documented limit', () => {
    expect(report.scenarios.filter((s) => s.status !== 'pass').map((s) => [s.id, s.status])).toStrictEqual([
      ['shell-access-monitor/runc-bookworm-shell-entrypoint', 'known-limit'],
      ['shell-access-monitor/runc-sid-shell-entrypoint', 'known-limit'],
    ]);
    expect(report.scenarios.find((s) => s.id === 'sensitive-file-access-monitor/cat-shadow')).toMatchObject({
      real: 'catch',
      hooks: ['security_file_open'],
    });
    expect(report.scenarios.find((s) => s.id === 'privilege-escalation-monitor/runc-sid-exec-as-user')).toMatchObject({
      real: 'ignore',
      simulator: 'ignore',
    });
    expect(report.scenarios.find((s) => s.id === 'shell-access-monitor/runc-bookworm-shell-entrypoint')).toMatchObject({
      expect: 'ignore',
      real: 'catch',
      simulator: 'catch',
    });
    expect(report.scenarios.find((s) => s.id === 'shell-access-monitor/runc-sid-exec-shell')).toMatchObject({
      status: 'pass',
      real: 'catch',
    });
  });

  test('runtimes as the guest saw them, guest timings and memory from its records', () => {
    expect(report.runtimes).toStrictEqual([
      { suite: 'bookworm', version: 'runc version 1.1.5+ds1' },
      { suite: 'sid', version: 'runc version 1.3.6+ds1' },
    ]);
    expect(report.timings).toMatchObject({ agentReadySeconds: 22.68, policiesSeconds: 229 });
    expect(report.memory.guestTotalBytes).toBe(3055144 * 1024);
    expect(report.memory.agentPeakRssBytes).toBeGreaterThan(100 * 1048576);
    expect(report.problems).toStrictEqual([]);
    expect(report.crashes).toStrictEqual([]);
  });

  test('a channel cut short leaves the rest not run, with the reason, and the run incomplete', () => {
    const text = readFileSync(join(fixtures, 'channel-debian-12.log'), 'utf8');
    const cut = parseChannel(Buffer.from(text.slice(0, text.indexOf('trigger-begin 1\n'))), '@@vt-5807a0b85af5');
    const r = kernelReportFromChannel({
      release: findRelease('debian-12')!,
      runtimes: [],
      accelerator: 'tcg',
      policies,
      scenarios,
      triggers,
      byScenario,
      skipped,
      channel: cut,
      problems: [],
      timings: { prepareSeconds: 1, vmSeconds: 1, totalSeconds: 2 },
    });
    expect(r.problems).toContain('the guest did not finish its plan (no "done" record)');
    expect(r.scenarios.every((s) => s.status === 'not-run')).toBe(true);
    expect(r.scenarios[0].reason).toBe('the guest never reached the trigger');
  });

  test("an agent crash during a trigger is recorded with its panic, and that trigger's scenarios did not run", () => {
    const T = '@@vt-5807a0b85af5';
    const log =
      'level=info msg="Listening for events..."\npanic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV]\n\ngoroutine 412 [running]:\ngithub.com/cilium/tetragon/pkg/sensors/tracing.handleMsgGenericKprobe(...)\n';
    const text = readFileSync(join(fixtures, 'channel-debian-12.log'), 'utf8').replace(
      `${T} `,
      `${T} 300.00 agent-crash at=trigger-1 exit=2 n=1\n${T} 300.01 section crash-log 1 ${Buffer.byteLength(log)}\n${log}\n${T} 300.02 endsection crash-log 1\n${T} `,
    );
    const r = kernelReportFromChannel({
      release: findRelease('debian-12')!,
      runtimes: [],
      accelerator: 'tcg',
      policies,
      scenarios,
      triggers,
      byScenario,
      skipped,
      channel: parseChannel(Buffer.from(text), T),
      problems: [],
      timings: { prepareSeconds: 1, vmSeconds: 1, totalSeconds: 2 },
    });
    expect(r.crashes).toStrictEqual([{ at: 'trigger-1', exitCode: 2, excerpt: log.split('\n').slice(1, 7).join('\n') }]);
    expect(r.scenarios.filter((s) => s.trigger === 1).map((s) => [s.status, s.reason])).toStrictEqual([
      ['not-run', 'the agent crashed during the trigger'],
    ]);
  });
});

describe("reanalysis of an earlier run's artifacts", () => {
  test('the same inputs rebuild the report from the saved channel, and write it next to it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'reanalyze-'));
    mkdirSync(join(dir, 'debian-12'));
    copyFileSync(join(fixtures, 'channel-debian-12.log'), join(dir, 'debian-12', 'channel.log'));
    const policies = monitors();
    const adds = policies.map((p, i) => `vt_add ${i + 1} /verify/policies/${String(i + 1).padStart(3, '0')}-${p.agentName}.yaml`);
    writeFileSync(join(dir, 'debian-12', 'plan.sh'), ['VT_TOKEN=@@vt-5807a0b85af5', ...adds].join('\n') + '\n');
    const names = new Set(policies.map((p) => p.name));
    const scenarios = [...runtimeScenarios(['bookworm', 'sid']), ...readScenarioFile(join(fixtures, 'module-scenarios.yaml'))].filter((s) =>
      names.has(s.policy),
    );
    const report = reanalyze({
      kernels: [findRelease('debian-12')!],
      policies,
      scenarios,
      runtimes: ['bookworm', 'sid'],
      artifactsDir: dir,
      accelerator: { accelerator: 'tcg', reason: 'test' },
    });
    expect(report.kernels[0].scenarios.filter((s) => s.status === 'pass')).toHaveLength(27);
    expect(report.kernels[0].runtimes.map((r) => r.version)).toStrictEqual(['runc version 1.1.5+ds1', 'runc version 1.3.6+ds1']);
    expect(JSON.parse(readFileSync(join(dir, 'debian-12', 'report.json'), 'utf8')).scenarios).toHaveLength(29);

    // A policy the run did not load (a variant renamed since) is not run, not given another policy's result.
    const renamed = policies.map((p, i) => (i === 0 ? { ...p, agentName: `${p.agentName}-0a1b2c` } : p));
    const again = reanalyze({
      kernels: [findRelease('debian-12')!],
      policies: renamed,
      scenarios,
      runtimes: ['bookworm', 'sid'],
      artifactsDir: dir,
      accelerator: { accelerator: 'tcg', reason: 'test' },
    });
    expect(again.kernels[0].policies.map((p) => p.state)).toStrictEqual([
      'not-run',
      ...report.kernels[0].policies.slice(1).map((p) => p.state),
    ]);
    expect(again.kernels[0].problems.some((p) => p.includes('-0a1b2c: not in the plan'))).toBe(true);
  });
});

describe('helpers', () => {
  test('crash excerpt: the panic and its first frames, else the last lines', () => {
    expect(crashExcerpt('a\nb\npanic: boom\nframe 1\n')).toBe('panic: boom\nframe 1\n');
    expect(crashExcerpt('one\ntwo\n\n')).toBe('one\ntwo');
  });

  test('kernel names: all four by default, unknown ones refused', () => {
    expect(releasesFromNames([]).map((r) => r.name)).toStrictEqual(['debian-11', 'debian-12', 'debian-13', 'debian-sid']);
    expect(() => releasesFromNames(['debian-10'])).toThrow(/--kernel debian-10: unknown/);
  });
});

describe('plannedAdds', () => {
  test('maps each policy of a run plan to its add number, so a reanalysis with other policies does not borrow their results', () => {
    const plan = [
      'vt_add 1 /verify/policies/001-network-connection-monitor.yaml',
      "vt_add 2 '/verify/policies/002-namespace-change-ca29d9.yaml'",
      'vt_mark 1',
    ].join('\n');
    const planned = plannedAdds(plan);
    expect([...planned]).toStrictEqual([
      ['network-connection-monitor', 1],
      ['namespace-change-ca29d9', 2],
    ]);
    expect(planned.get('namespace-change-326546')).toBeUndefined();
  });
});
