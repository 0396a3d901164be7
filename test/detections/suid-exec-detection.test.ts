import { SuidExecDetection } from '../../lib/detections/suid-exec-detection';
import { newChart } from '../support/synth';
import { execEvent, logqlErrors, logRuleCounts } from './_support';

const detection = new SuidExecDetection(newChart(), 'Suid', { excludeBinaries: ['/usr/bin/passwd'] });
const [suid, caps] = detection.lokiRules;
const SETUID = { setuid: 0, privileges_changed: ['PRIVILEGES_RAISED_EXEC_FILE_SETUID'] };

describe('SuidExecDetection', () => {
  test('two alerts that parse; process credentials are required', () => {
    expect(detection.lokiRules.map((r) => r.alert)).toStrictEqual(['TetragonSuidExec', 'TetragonFileCapabilitiesExec']);
    for (const r of detection.lokiRules) expect(logqlErrors(r.expr)).toStrictEqual([]);
    expect(detection.installRequirements).toStrictEqual({ processCredentials: true });
  });

  test('counts a SUID root shell copy, a SGID binary and a file-capability binary', () => {
    expect(logRuleCounts(suid.expr, execEvent('/tmp/.sh', { namespace: 'shop', uid: 1000, binaryProperties: SETUID }))).toBe(true);
    expect(logRuleCounts(suid.expr, execEvent('/usr/bin/wall', { uid: 1000, binaryProperties: { setgid: 5 } }))).toBe(true);
    expect(
      logRuleCounts(
        caps.expr,
        execEvent('/usr/local/bin/python3', {
          namespace: 'shop',
          binaryProperties: { privileges_changed: ['PRIVILEGES_RAISED_EXEC_FILE_CAP'] },
        }),
      ),
    ).toBe(true);
  });

  test('ignores ordinary execs, credentials without SUID, and the excluded passwd', () => {
    expect(logRuleCounts(suid.expr, execEvent('/usr/bin/id', { namespace: 'shop', uid: 1000 }))).toBe(false);
    expect(logRuleCounts(caps.expr, execEvent('/tmp/.sh', { namespace: 'shop', binaryProperties: SETUID }))).toBe(false);
    expect(logRuleCounts(suid.expr, execEvent('/usr/bin/passwd', { uid: 1000, binaryProperties: SETUID }))).toBe(false);
  });
});
