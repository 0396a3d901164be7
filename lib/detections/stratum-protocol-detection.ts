import { Construct } from 'constructs';
import { LokiDetectionRule } from '../observability/loki-detection-rule';
import { q, STRATUM_REGEX } from '../observability/queries';
import { DetectionConstruct, InstallRequirements } from '../policies/detection';
import { TracingPolicy } from '../policy/tracing-policy';
import { QueryDetectionProps } from './detection-props';
import { logRuleExpr, lokiRule } from './private/kit';

/** Props of a {@link StratumProtocolDetection}. */
export interface StratumProtocolDetectionProps extends QueryDetectionProps {}

/**
 * `stratum-protocol`: processes started with a Stratum mining-pool URL in their arguments
 * (`-o stratum+tcp://pool.example:3333`, `stratum+ssl://`, `stratum2+tcp://`), whatever the binary is called
 * (Falco sandbox "Detect crypto miners using the Stratum protocol", MITRE T1496).
 *
 * Query side only: kernel selectors cannot read `argv`, but every `process_exec` event carries it in
 * `process.arguments`, so this detection creates no TracingPolicy and ships a Loki alert (`lokiRules`) with a
 * line filter on the event. It cannot enforce.
 *
 * Noise: none.
 * Misses: pool URLs in a configuration file, an environment variable or a proxy (`xmrig --config`, XMRig's
 * default `config.json`, a local Stratum proxy on another port), and arguments shortened by Tetragon's redaction
 * filters. Pair it with `mining-pool-connection`.
 */
export class StratumProtocolDetection extends DetectionConstruct {
  /** The detection's well-known name. */
  public static readonly NAME = 'stratum-protocol';
  /** Stratum URL schemes in process arguments (RE2). */
  public static readonly STRATUM_URL_REGEX = STRATUM_REGEX;

  /** The Loki alert on `process_exec` events. */
  declare public readonly lokiRules: LokiDetectionRule[];
  /** Nothing beyond the defaults: `process_exec` events and their arguments are exported out of the box. */
  public readonly installRequirements: InstallRequirements = {};
  /** None: the signal is in events Tetragon reports without a policy. */
  public readonly policies: readonly TracingPolicy[] = [];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1496'];

  constructor(scope: Construct, id: string, props: StratumProtocolDetectionProps = {}) {
    super(scope, id);
    this.lokiRules = [
      lokiRule({
        // The built-in alert's name: the cluster's Loki rules keep one alert per event, this one (it takes the options).
        alert: 'TetragonStratumArguments',
        expr: logRuleExpr(this, props, {
          stream: [['event_type', '=', 'process_exec']],
          pipeline: [`|~ ${q(StratumProtocolDetection.STRATUM_URL_REGEX)}`],
        }),
        severity: 'critical',
        summary: 'A process in {{ $labels.namespace }}/{{ $labels.pod }} was started with a Stratum mining-pool URL ({{ $labels.binary }})',
        runbook:
          'A Stratum URL in the arguments means a crypto miner, whatever the binary is called. Isolate the pod, ' +
          'keep the image and the event for analysis, rotate the workload credentials, and find how the process was ' +
          'started (parent binary in the event).',
      }),
    ];
  }
}
