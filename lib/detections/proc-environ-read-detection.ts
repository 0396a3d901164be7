import { Construct } from 'constructs';
import { DetectionConstruct } from '../policies/detection';
import { ArgFilter } from '../policy/arg-filter';
import { Arg } from '../policy/argument';
import { KprobeHook } from '../policy/kprobe-hook';
import { TracingPolicy } from '../policy/tracing-policy';
import { ScopedDetectionProps } from './detection-props';
import { detectionPolicy, detectionSelector, enforcementActions, inContainer } from './private/kit';

/** Props of a {@link ProcEnvironReadDetection}. */
export interface ProcEnvironReadDetectionProps extends ScopedDetectionProps {
  /**
   * Report only processes inside containers.
   * @default true
   */
  readonly containersOnly?: boolean;
}

/**
 * `proc-environ-read`: a process opening `/proc/<pid>/environ`, where the secrets other processes got as
 * environment variables (database passwords, cloud keys, tokens) can be read (Falco incubating "Read environment
 * variable from /proc files", MITRE T1552.001 / T1057).
 *
 * Probes `security_file_open` with the path the kernel resolved: `/proc/self/environ` and
 * `/proc/<pid>/task/<tid>/environ` both resolve to a path that starts with `/proc/` and ends with `/environ`,
 * matched by one selector with both filters (ANDed).
 *
 * Enforcement: Override (e.g. `EnforcementAction.override(Errno.EACCES)`) makes the open fail, or Sigkill.
 * Noise: `ps e`, `htop`, process managers and APM agents that read environments; a process reading its own
 * environment through `/proc/self/environ` looks the same in the kernel. Add such tools to `trustedBinaries`.
 * Misses: `/proc` mounted elsewhere (e.g. a host `/proc` at `/host/proc` in a privileged pod: add a policy for
 * that path), and reading another process's memory directly.
 */
export class ProcEnvironReadDetection extends DetectionConstruct {
  /** The policy's well-known name. */
  public static readonly NAME = 'proc-environ-read';
  /** The generated policies. */
  public readonly policies: TracingPolicy[];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1552.001', 'T1057'];

  constructor(scope: Construct, id: string, props: ProcEnvironReadDetectionProps = {}) {
    super(scope, id);
    const actions = enforcementActions(this, props, true, '');
    const file = Arg.file(0);
    this.policies = [
      detectionPolicy(this, props, {
        name: ProcEnvironReadDetection.NAME,
        description: 'Process environments read through /proc/<pid>/environ',
        hooks: [
          KprobeHook.function('security_file_open', {
            message: 'Process environment read from /proc',
            tags: ['observability.filesystem', 'mitre.T1552.001', 'mitre.T1057'],
            args: [file],
            selectors: [
              detectionSelector(
                props,
                {
                  matchArgs: [ArgFilter.prefix(file, ['/proc/']), ArgFilter.postfix(file, ['/environ'])],
                  matchNamespaces: inContainer(props.containersOnly ?? true),
                },
                actions,
              ),
            ],
          }),
        ],
      }),
    ];
  }
}
