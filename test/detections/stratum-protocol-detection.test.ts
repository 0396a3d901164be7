import { StratumProtocolDetection } from '../../lib/detections/stratum-protocol-detection';
import { newChart, synth } from '../support/synth';
import { execEvent, kprobeEvent, logqlErrors, logRuleCounts } from './_support';

function build(props = {}) {
  const chart = newChart();
  const detection = new StratumProtocolDetection(chart, 'Stratum', props);
  return { detection, manifests: synth(chart) };
}

describe('StratumProtocolDetection', () => {
  const { detection, manifests } = build();
  const [rule] = detection.lokiRules;

  test('creates no policy: the signal is in the default process_exec events; needs nothing from the install', () => {
    expect(manifests).toStrictEqual([]);
    expect(detection.installRequirements).toStrictEqual({});
    expect(detection.lokiRules).toHaveLength(1);
  });

  test('the alert parses and line-filters process_exec events for Stratum URLs', () => {
    expect(logqlErrors(rule.expr)).toStrictEqual([]);
    expect(rule.expr).toBe(
      'sum by (namespace, pod, binary) (count_over_time({job="tetragon", event_type="process_exec"} |~ "stratum2?[+](tcp|ssl|tls)://" [5m])) > 0',
    );
    expect(rule).toMatchObject({ alert: 'TetragonStratumArguments', severity: 'critical' });
  });

  describe('must catch', () => {
    test('a renamed XMRig started with a pool URL', () => {
      expect(
        logRuleCounts(
          rule.expr,
          execEvent('/tmp/kworkerd', { namespace: 'web', arguments: '-o stratum+tcp://pool.minexmr.example:4444 -u 44AFF... -p x' }),
        ),
      ).toBe(true);
    });
    test('a TLS pool URL passed to a script interpreter', () => {
      expect(
        logRuleCounts(
          rule.expr,
          execEvent('/usr/bin/python3', { namespace: 'jobs', arguments: 'm.py --url stratum+ssl://eu1.pool.example:14433' }),
        ),
      ).toBe(true);
    });
    test('Stratum v2 on the node itself', () => {
      expect(logRuleCounts(rule.expr, execEvent('/var/tmp/.cache/x', { arguments: '--pool stratum2+tcp://203.0.113.9:3336' }))).toBe(true);
    });
  });

  describe('must ignore', () => {
    test('a web server with an ordinary URL in its arguments', () => {
      expect(
        logRuleCounts(rule.expr, execEvent('/usr/bin/curl', { namespace: 'web', arguments: '-sSf https://stratum.example.com/health' })),
      ).toBe(false);
    });
    test('a kprobe event mentioning stratum (only exec events count)', () => {
      expect(
        logRuleCounts(
          rule.expr,
          kprobeEvent('file-monitor', 'security_file_open', [{ file_arg: { path: '/srv/stratum+tcp://notes.txt' } }], { namespace: 'web' }),
        ),
      ).toBe(false);
    });
    test('a namespace excluded on purpose (a mining research lab)', () => {
      const { detection: d } = build({ excludeNamespaces: ['mining-lab'] });
      expect(logqlErrors(d.lokiRules[0].expr)).toStrictEqual([]);
      expect(
        logRuleCounts(
          d.lokiRules[0].expr,
          execEvent('/usr/bin/xmrig', { namespace: 'mining-lab', arguments: '-o stratum+tcp://pool:3333' }),
        ),
      ).toBe(false);
      expect(
        logRuleCounts(d.lokiRules[0].expr, execEvent('/usr/bin/xmrig', { namespace: 'web', arguments: '-o stratum+tcp://pool:3333' })),
      ).toBe(true);
    });
  });

  test('bad query props fail with the construct path', () => {
    expect(() => build({ windowMinutes: 0 })).toThrow('test/Stratum: windowMinutes: got 0');
  });
});
