import { Construct } from 'constructs';
import { LokiDetectionRule } from '../observability/loki-detection-rule';
import { CRYPTO_MINER_BINARIES } from '../observability/queries';
import { DetectionConstruct } from '../policies/detection';
import { ArgFilter } from '../policy/arg-filter';
import { Arg } from '../policy/argument';
import { KprobeHook } from '../policy/kprobe-hook';
import { TracingPolicy } from '../policy/tracing-policy';
import { QueryDetectionProps, ScopedDetectionProps } from './detection-props';
import { checkList, detectionPolicy, detectionSelectors, escapeRegex, labelRegex, logRuleExpr, lokiRule } from './private/kit';

/** Props of a {@link CryptoMinerExecDetection}. Spread `DEFAULT_MINERS` to extend it. */
export interface CryptoMinerExecDetectionProps extends ScopedDetectionProps, QueryDetectionProps {
  /**
   * Executable names of miners (the last path element, exact in the kernel; in Loki also with a suffix such
   * as `cpuminer-multi` or `xmrig-6.21`).
   * @default CryptoMinerExecDetection.DEFAULT_MINERS
   */
  readonly miners?: readonly string[];
}

/**
 * `crypto-miner-exec`: execution of known crypto-miner programs (Falco's `miner_binaries` list: XMRig,
 * xmr-stak, cpuminer, ccminer, ethminer, lolMiner, T-Rex, ...), MITRE T1496.
 *
 * In the kernel it hooks `security_bprm_check`, which sees the file being executed after symlinks were
 * resolved, and matches the executable's name with `Postfix "/<name>"`. That is a `security_*` function, so
 * it can enforce with Override (the exec fails, e.g. EACCES, and the miner never runs) or Sigkill (kills the
 * process that tried, such as the dropper's shell). The same names also feed a Loki alert on the default
 * `process_exec` events (`lokiRules`), which also catches suffixed names (`xmrig-6.21.0`) and needs no policy.
 *
 * Noise: none outside mining workloads.
 * Misses: renamed or repacked miners (`/tmp/kworkerd`), which no name-based rule, in the kernel or in Loki,
 * can catch: pair it with the Stratum, pool-connection, MSR and huge-page detections, which watch behaviour;
 * miners run as a library inside another process; and, for the Loki alert, host processes if the install's export
 * deny list drops host (`namespace: ""`) events, as the Tetragon chart's default does (this library's install keeps them).
 */
export class CryptoMinerExecDetection extends DetectionConstruct {
  /** The policy's well-known name. */
  public static readonly NAME = 'crypto-miner-exec';
  /** Falco's `miner_binaries`. */
  public static readonly DEFAULT_MINERS: readonly string[] = CRYPTO_MINER_BINARIES;

  /** The generated policies. */
  public readonly policies: TracingPolicy[];
  /** The Loki alert on `process_exec` events. */
  declare public readonly lokiRules: LokiDetectionRule[];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1496'];

  constructor(scope: Construct, id: string, props: CryptoMinerExecDetectionProps = {}) {
    super(scope, id);
    const miners = props.miners ?? CryptoMinerExecDetection.DEFAULT_MINERS;
    checkList(
      this,
      'miners',
      miners,
      (v) => /^[A-Za-z0-9._+-]{1,126}$/.test(v),
      'give bare executable names such as "xmrig" (no slashes; any directory matches)',
    );
    const binprm = Arg.linuxBinprm(0, { label: 'file' });
    this.policies = [
      detectionPolicy(this, props, {
        name: CryptoMinerExecDetection.NAME,
        description: 'Execution of known crypto-miner programs',
        containersOnly: false,
        hooks: [
          KprobeHook.function('security_bprm_check', {
            message: 'Known crypto-miner program executed',
            tags: ['observability.process', 'mitre.T1496'],
            args: [binprm],
            selectors: detectionSelectors(props, false, [
              [
                ArgFilter.postfix(
                  binprm,
                  miners.map((m) => `/${m}`),
                ),
              ],
            ]),
          }),
        ],
      }),
    ];
    const regex = `(.*/)?(${miners.map(escapeRegex).join('|')})([-_.][^/]*)?`;
    this.lokiRules = [
      lokiRule({
        alert: 'TetragonCryptoMinerExecuted',
        expr: logRuleExpr(this, props, { stream: [['event_type', '=', 'process_exec']], pipeline: [labelRegex('binary', regex)] }),
        severity: 'critical',
        summary: 'A known crypto-miner program was executed in {{ $labels.namespace }}/{{ $labels.pod }}: {{ $labels.binary }}',
        runbook:
          'Check the pod image and how the binary got there (image layer, download, exec). Miners are almost always ' +
          'the payload of a compromise: isolate the pod, rotate its credentials, and look for the entry point (exposed ' +
          'dashboard, leaked kubeconfig, vulnerable app).',
      }),
    ];
  }
}
