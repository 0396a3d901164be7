import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readScenarioFile, scenarioMatches, validateScenario } from '../../lib/verify/scenario-file';

const ok = {
  id: 'my-policy/cat',
  policy: 'my-policy',
  expect: 'catch',
  summary: 'cat a file',
  trigger: { argv: ['cat', '/etc/shadow'], place: 'container', uid: 1000 },
  events: [{ hook: 'kprobe:security_file_open', args: [{ kind: 'file', path: '/etc/shadow' }], process: { binary: '/bin/cat' } }],
};

describe('scenario files', () => {
  test('the module fixture reads as nine scenarios', () => {
    const s = readScenarioFile(join(__dirname, '..', 'fixtures', 'verify', 'module-scenarios.yaml'));
    expect(s).toHaveLength(9);
    expect(s[0]).toMatchObject({
      id: 'sensitive-file-access-monitor/cat-shadow',
      expect: 'catch',
      trigger: { argv: ['cat', '/etc/shadow'] },
    });
  });

  test('a valid scenario passes through', () => {
    expect(validateScenario(ok, 'f.json')).toMatchObject({ id: 'my-policy/cat', trigger: { place: 'container', uid: 1000 } });
  });

  test.each([
    [{ ...ok, id: 'Bad Id' }, /f\.json: id: got "Bad Id"/],
    [{ ...ok, expect: 'maybe' }, /my-policy\/cat\.expect: got "maybe"; use catch or ignore/],
    [{ ...ok, trigger: { argv: [] } }, /trigger\.argv: must be a non-empty list of strings/],
    [{ ...ok, trigger: { argv: ['x'], place: 'pod' } }, /trigger\.place: got "pod"; use host, container, container-start/],
    [{ ...ok, trigger: { argv: ['x'], uid: -1 } }, /trigger\.uid: must be a non-negative integer/],
    [{ ...ok, trigger: { argv: ['x'], binaryPath: 'usr/bin/x' } }, /trigger\.binaryPath: must be an absolute path/],
    [{ ...ok, events: [{ hook: 'nothing' }] }, /events\[0\]/],
    [{ ...ok, knownLimit: { side: 'kernel' } }, /knownLimit: needs side \(agent or simulator\) and a reason/],
    [{ ...ok, extra: 1 }, /extra: unknown field/],
  ])('refuses %#', (value, message) => {
    expect(() => validateScenario(value, 'f.json')).toThrow(message);
  });

  test('duplicate ids and non-lists are refused with the file name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scen-'));
    writeFileSync(join(dir, 'dup.json'), JSON.stringify([ok, ok]));
    writeFileSync(join(dir, 'obj.yaml'), 'id: x\n');
    expect(() => readScenarioFile(join(dir, 'dup.json'))).toThrow(/dup\.json: scenario id my-policy\/cat appears twice/);
    expect(() => readScenarioFile(join(dir, 'obj.yaml'))).toThrow(/obj\.yaml: must hold a list of scenarios/);
  });

  test('id patterns: exact, policy prefix, glob', () => {
    expect(scenarioMatches('shell-access-monitor/host-shell', 'shell-access-monitor/host-shell')).toBe(true);
    expect(scenarioMatches('shell-access-monitor/host-shell', 'shell-access-monitor')).toBe(true);
    expect(scenarioMatches('shell-access-monitor/host-shell', 'shell-access-monitor/')).toBe(true);
    expect(scenarioMatches('shell-access-monitor/host-shell', 'shell-access')).toBe(false);
    expect(scenarioMatches('privilege-escalation-monitor/runc-sid-exec', '*/runc-sid-*')).toBe(true);
    expect(scenarioMatches('privilege-escalation-monitor/runc-bookworm-exec', '*/runc-sid-*')).toBe(false);
  });
});
