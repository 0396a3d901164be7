import { Construct } from 'constructs';
import { DetectionConstruct } from '../policies/detection';
import { ArgFilter } from '../policy/arg-filter';
import { Arg } from '../policy/argument';
import { KprobeHook } from '../policy/kprobe-hook';
import { TracingPolicy } from '../policy/tracing-policy';
import { ScopedDetectionProps } from './detection-props';
import { detectionPolicy, detectionSelectors } from './private/kit';

/** Props of a {@link MsrAccessDetection}. */
export interface MsrAccessDetectionProps extends ScopedDetectionProps {}

/** `READING_MODULE` in `enum kernel_read_file_id`. */
const READING_MODULE = 2;

/**
 * `msr-access`: opens of the CPU model-specific-register devices (`/dev/cpu/<n>/msr`) and loads of the `msr`
 * module. XMRig-class RandomX miners load `msr` (`modprobe msr allow_writes=on`) and write MSRs to turn off
 * hardware prefetchers for a 10-15% hash-rate gain; little else on a Kubernetes node does (MITRE T1496).
 *
 * Hooks `security_file_open` (`Prefix "/dev/cpu/"` AND `Postfix "/msr"`), `security_kernel_read_file`
 * (`READING_MODULE` of `msr.ko`, compressed or not) and `security_kernel_module_request` (kernel auto-loading of
 * `msr` or of the MSR character-device major 202). Host processes are included: a miner dropped on the node is
 * as costly. All `security_*`, so it can enforce with Override (e.g. EPERM) or Sigkill.
 *
 * Noise: low. Power and performance tools read MSRs: turbostat, cpupower, Intel PCM, some node exporters with
 * an MSR collector, and tuning operators: add them to `trustedBinaries`.
 * Misses: miners that skip the MSR tweak (most GPU miners, or XMRig with `--randomx-wrmsr=-1`), MSR access
 * through a preloaded module with the device opened before the policy loaded.
 */
export class MsrAccessDetection extends DetectionConstruct {
  /** The policy's well-known name. */
  public static readonly NAME = 'msr-access';

  /** The generated policies. */
  public readonly policies: TracingPolicy[];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1496'];

  constructor(scope: Construct, id: string, props: MsrAccessDetectionProps = {}) {
    super(scope, id);
    const tags = ['observability.process', 'mitre.T1496'];
    const opened = Arg.file(0);
    const moduleFile = Arg.file(0);
    const readId = Arg.int(1, { label: 'id' });
    const moduleName = Arg.string(0, { label: 'module' });
    this.policies = [
      detectionPolicy(this, props, {
        name: MsrAccessDetection.NAME,
        description: 'CPU model-specific-register device opens and msr module loads',
        containersOnly: false,
        hooks: [
          KprobeHook.function('security_file_open', {
            message: 'CPU model-specific register device opened',
            tags,
            args: [opened],
            selectors: detectionSelectors(props, false, [[ArgFilter.prefix(opened, ['/dev/cpu/']), ArgFilter.postfix(opened, ['/msr'])]]),
          }),
          KprobeHook.function('security_kernel_read_file', {
            message: 'msr kernel module loaded',
            tags,
            args: [moduleFile, readId],
            selectors: detectionSelectors(props, false, [
              [
                ArgFilter.postfix(moduleFile, ['/msr.ko', '/msr.ko.xz', '/msr.ko.zst', '/msr.ko.gz']),
                ArgFilter.equal(readId, [READING_MODULE]),
              ],
            ]),
          }),
          KprobeHook.function('security_kernel_module_request', {
            message: 'Kernel asked to load the msr module',
            tags,
            args: [moduleName],
            selectors: detectionSelectors(props, false, [
              [ArgFilter.equal(moduleName, ['msr', 'char-major-202'])],
              [ArgFilter.prefix(moduleName, ['char-major-202-'])],
            ]),
          }),
        ],
      }),
    ];
  }
}
