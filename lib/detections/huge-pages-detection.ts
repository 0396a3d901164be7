import { Construct } from 'constructs';
import { DetectionConstruct } from '../policies/detection';
import { ArgFilter } from '../policy/arg-filter';
import { Arg } from '../policy/argument';
import { KprobeHook } from '../policy/kprobe-hook';
import { TracingPolicy } from '../policy/tracing-policy';
import { ScopedDetectionProps } from './detection-props';
import { detectionPolicy, detectionSelectors } from './private/kit';

/** Props of a {@link HugePagesDetection}. */
export interface HugePagesDetectionProps extends ScopedDetectionProps {}

/** `MAY_WRITE` in the mask `security_file_permission` receives. */
const MAY_WRITE = 0x2;

/**
 * `huge-pages`: writes to the huge-page pool sizes (`sysctl -w vm.nr_hugepages=1280`, or the per-NUMA-node
 * `/sys/devices/system/node/node<n>/hugepages/hugepages-<size>kB/nr_hugepages` that XMRig writes at start for
 * RandomX's dataset), a side effect of CPU miners (MITRE T1496).
 *
 * Hooks `security_file_permission` with `Mask MAY_WRITE` on the procfs sysctls (Equal) and on the sysfs pool
 * files (Prefix AND Postfix). Paths are resolved by the kernel, so `/proc/sys/vm/../vm/nr_hugepages` does
 * not evade. Host processes are included. `security_*`, so it can enforce with Override (e.g. EPERM) or Sigkill.
 *
 * Noise: low, at start-up of software that wants huge pages by design: DPDK and SR-IOV network functions,
 * databases (PostgreSQL, Oracle), JVMs with `-XX:+UseLargePages`, and node-tuning operators (Tuned, the
 * OpenShift performance addon): add their resolved binaries to `trustedBinaries`.
 * Misses: miners that run without huge pages (slower, but common in containers where `/proc/sys` is
 * read-only), and huge pages reserved at boot on the kernel command line.
 */
export class HugePagesDetection extends DetectionConstruct {
  /** The policy's well-known name. */
  public static readonly NAME = 'huge-pages';
  /** The procfs sysctls of the default pool. */
  public static readonly SYSCTL_FILES: readonly string[] = [
    '/proc/sys/vm/nr_hugepages',
    '/proc/sys/vm/nr_hugepages_mempolicy',
    '/proc/sys/vm/nr_overcommit_hugepages',
  ];

  /** The generated policies. */
  public readonly policies: TracingPolicy[];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1496'];

  constructor(scope: Construct, id: string, props: HugePagesDetectionProps = {}) {
    super(scope, id);
    const file = Arg.file(0);
    const mask = Arg.int(1, { label: 'mask' });
    const written = ArgFilter.mask(mask, [MAY_WRITE]);
    this.policies = [
      detectionPolicy(this, props, {
        name: HugePagesDetection.NAME,
        description: 'Writes to the huge-page pool sizes',
        containersOnly: false,
        hooks: [
          KprobeHook.function('security_file_permission', {
            message: 'Huge-page pool size written',
            tags: ['observability.process', 'mitre.T1496'],
            args: [file, mask],
            selectors: detectionSelectors(props, false, [
              [ArgFilter.equal(file, HugePagesDetection.SYSCTL_FILES), written],
              [
                ArgFilter.prefix(file, ['/sys/devices/system/node/', '/sys/kernel/mm/hugepages/']),
                ArgFilter.postfix(file, ['/nr_hugepages', '/nr_overcommit_hugepages']),
                written,
              ],
            ]),
          }),
        ],
      }),
    ];
  }
}
