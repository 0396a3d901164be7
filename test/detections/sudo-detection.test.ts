import { SudoDetection } from '../../lib/detections/sudo-detection';
import { newChart } from '../support/synth';
import { execEvent, logqlErrors, logRuleCounts } from './_support';

function build(props = {}) {
  return new SudoDetection(newChart(), 'Sudo', props);
}
const [rule] = build().lokiRules;

describe('SudoDetection', () => {
  test('one info alert over exec events, on the last path element', () => {
    expect(logqlErrors(rule.expr)).toStrictEqual([]);
    expect(rule.expr).toBe(
      'sum by (namespace, pod, binary) (count_over_time({job="tetragon", event_type="process_exec"} | binary=~"(.*/)?(sudo|su|doas|pkexec)" [5m])) > 0',
    );
    expect(rule.severity).toBe('info');
  });

  test('counts sudo -i on a node, su in a pod and pkexec', () => {
    expect(logRuleCounts(rule.expr, execEvent('/usr/bin/sudo', { arguments: '-i', uid: 1000 }))).toBe(true);
    expect(logRuleCounts(rule.expr, execEvent('/bin/su', { namespace: 'shop', arguments: '- postgres' }))).toBe(true);
    expect(logRuleCounts(rule.expr, execEvent('/usr/bin/pkexec', { uid: 1000 }))).toBe(true);
  });

  test('ignores lookalike names and other programs', () => {
    expect(logRuleCounts(rule.expr, execEvent('/usr/bin/sudoreplay'))).toBe(false);
    expect(logRuleCounts(rule.expr, execEvent('/usr/bin/visudo'))).toBe(false);
    expect(logRuleCounts(rule.expr, execEvent('/usr/sbin/sulogin'))).toBe(false);
  });

  test('programs and namespaces can be set; a path is refused', () => {
    const pods = build({ programs: ['sudo'], excludeNamespaces: ['host'] }).lokiRules[0].expr;
    expect(logRuleCounts(pods, execEvent('/usr/bin/sudo'))).toBe(false);
    expect(logRuleCounts(pods, execEvent('/usr/bin/sudo', { namespace: 'shop' }))).toBe(true);
    expect(() => build({ programs: ['/usr/bin/sudo'] })).toThrow(
      'test/Sudo: programs: got "/usr/bin/sudo"; a bare program name (no slashes). Write e.g. "sudo"',
    );
  });
});
