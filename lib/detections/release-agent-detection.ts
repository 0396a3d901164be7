import { Construct } from 'constructs';
import { DetectionConstruct } from '../policies/detection';
import { ArgFilter } from '../policy/arg-filter';
import { Arg } from '../policy/argument';
import { KprobeHook } from '../policy/kprobe-hook';
import { TracingPolicy } from '../policy/tracing-policy';
import { ScopedDetectionProps } from './detection-props';
import { detectionPolicy, detectionSelectors } from './private/kit';

/** Props of a {@link ReleaseAgentDetection}. */
export interface ReleaseAgentDetectionProps extends ScopedDetectionProps {}

/** `MAY_WRITE` in the mask `security_file_permission` receives. */
const MAY_WRITE = 0x2;

/**
 * `release-agent`: writes from pods to a cgroup v1 `release_agent` or `notify_on_release` file, the last step
 * of the cgroup escape (CVE-2022-0492 and the 2019 "release_agent" proof of concept): the kernel runs the
 * program named in `release_agent` as root on the host when the cgroup empties (Falco "Detect release_agent
 * File Container Escapes", MITRE T1611).
 *
 * Hooks `security_file_permission` with `Postfix` on the resolved path and `Mask MAY_WRITE`, so it reports the
 * attempt even when the write is then refused for lack of CAP_SYS_ADMIN (patched kernels), and whatever
 * directory the cgroup hierarchy was mounted on. Can enforce with Override (the write fails, e.g. EPERM) or
 * Sigkill.
 *
 * Noise: none in pods; on the host, systemd sets `release_agent` at boot under cgroup v1 (the default
 * `podSelector: {}` leaves the host out).
 * Misses: cgroup v2 has no release agent (nothing to catch there), and the same files written through an fd
 * opened before the policy loaded still report on each write.
 */
export class ReleaseAgentDetection extends DetectionConstruct {
  /** The policy's well-known name. */
  public static readonly NAME = 'release-agent';
  /** The cgroup v1 files of the escape. */
  public static readonly FILES: readonly string[] = ['/release_agent', '/notify_on_release'];

  /** The generated policies. */
  public readonly policies: TracingPolicy[];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1611'];

  constructor(scope: Construct, id: string, props: ReleaseAgentDetectionProps = {}) {
    super(scope, id);
    const file = Arg.file(0);
    const mask = Arg.int(1, { label: 'mask' });
    this.policies = [
      detectionPolicy(this, props, {
        name: ReleaseAgentDetection.NAME,
        description: 'Writes to cgroup v1 release_agent and notify_on_release from pods',
        containersOnly: true,
        hooks: [
          KprobeHook.function('security_file_permission', {
            message: 'cgroup release_agent or notify_on_release written from a pod',
            tags: ['observability.privilege_escalation', 'mitre.T1611'],
            args: [file, mask],
            selectors: detectionSelectors(props, true, [
              [ArgFilter.postfix(file, ReleaseAgentDetection.FILES), ArgFilter.mask(mask, [MAY_WRITE])],
            ]),
          }),
        ],
      }),
    ];
  }
}
