import { FilelessExecDetection } from '../../lib/detections/fileless-exec-detection';
import { newChart } from '../support/synth';
import { execEvent, logqlErrors, logRuleCounts } from './_support';

const detection = new FilelessExecDetection(newChart(), 'Fileless');
const [rule] = detection.lokiRules;
const file = (links: number) => ({ file: { inode: { number: '45021', links } } });

describe('FilelessExecDetection', () => {
  test('a critical alert on binaries with zero links; needs process credentials', () => {
    expect(logqlErrors(rule.expr)).toStrictEqual([]);
    expect(rule.expr).toContain('| json links="process_exec.process.binary_properties.file.inode.links" | links="0"');
    expect(rule.severity).toBe('critical');
    expect(detection.installRequirements).toStrictEqual({ processCredentials: true });
  });

  test('counts a memfd exec, an fexecve through /dev/fd and a binary deleted after start', () => {
    expect(logRuleCounts(rule.expr, execEvent('/proc/self/fd/3', { namespace: 'shop', binaryProperties: file(0) }))).toBe(true);
    expect(logRuleCounts(rule.expr, execEvent('/dev/fd/4', { namespace: 'payments', binaryProperties: file(0) }))).toBe(true);
    expect(logRuleCounts(rule.expr, execEvent('/proc/self/fd/14', { binaryProperties: file(0) }))).toBe(true);
  });

  test('ignores linked binaries and execs without binary properties', () => {
    expect(logRuleCounts(rule.expr, execEvent('/usr/bin/ls', { namespace: 'shop', binaryProperties: file(1) }))).toBe(false);
    expect(logRuleCounts(rule.expr, execEvent('/usr/bin/ls', { namespace: 'shop' }))).toBe(false);
    expect(logRuleCounts(rule.expr, execEvent('/usr/bin/sudo', { binaryProperties: { setuid: 0 } }))).toBe(false);
  });
});
