import { Construct } from 'constructs';
import { LokiDetectionRule } from '../observability/loki-detection-rule';
import { SCRATCH_DIR_BINARY_REGEX } from '../observability/queries';
import { DetectionConstruct, InstallRequirements } from '../policies/detection';
import { TracingPolicy } from '../policy/tracing-policy';
import { QueryDetectionProps } from './detection-props';
import { labelRegex, logRuleExpr, lokiRule } from './private/kit';

/** Props of a {@link SharedLibraryLoadDetection}. */
export interface SharedLibraryLoadDetectionProps extends QueryDetectionProps {
  /**
   * The TracingPolicy name (it labels nothing: loader events carry no policy name, but `tetra tp list` shows it).
   * @default 'shared-library-load'
   */
  readonly name?: string;
}

/**
 * `shared-library-load`: every shared library and executable mapped by a process, with its build id (the
 * Tetragon library's "Shared Library Loading"): which versions of OpenSSL or glibc run where, and libraries
 * injected through `LD_PRELOAD` or loaded from scratch directories (MITRE T1574.006).
 *
 * Turns on Tetragon's loader sensor with a {@link TracingPolicy} that has no hooks: `spec.loader: true` and the
 * `disable-kprobe-multi` option.
 * Events are `process_loader` (`process_loader.path`, `.buildid`), which the chart's default export allow list
 * leaves out: see {@link SharedLibraryLoadDetection.installRequirements}. The alert rule fires for libraries
 * mapped from `/tmp`, `/var/tmp` or `/dev/shm`.
 *
 * Needs kernel 5.19+ with build-id support (`hasLoaderEvents`); on older kernels the agent refuses the policy, so a
 * kernel set with an older kernel (the bundled one includes Debian 11's 5.10) fails synth naming it: set the context
 * `cdk8s-tetragon:kernels` to your nodes' kernels. For the same reason it is not in the `strict` bundle. The loader
 * sensor does not support pod or container selectors (it applies to the whole node), and it cannot enforce.
 * Noise: high volume (every library of every exec); ship it only where the inventory is wanted.
 */
export class SharedLibraryLoadDetection extends DetectionConstruct {
  /** The policy's well-known name. */
  public static readonly NAME = 'shared-library-load';
  /** The loader policy (`spec.loader: true`). */
  public readonly policies: readonly TracingPolicy[];
  /** What the Tetragon install must allow: `PROCESS_LOADER` events in the export. */
  public readonly installRequirements: InstallRequirements = { exportEventTypes: ['PROCESS_LOADER'] };
  /** Alert on libraries loaded from world-writable scratch directories. */
  declare public readonly lokiRules: LokiDetectionRule[];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1574.006'];

  constructor(scope: Construct, id: string, props: SharedLibraryLoadDetectionProps = {}) {
    super(scope, id);
    // The synth-time check of TracingPolicy refuses a kernel set with a kernel older than 5.19, naming it.
    this.policies = [
      new TracingPolicy(this, 'Policy', {
        name: props.name ?? SharedLibraryLoadDetection.NAME,
        description: 'Shared libraries loaded by processes (loader sensor)',
        loader: true,
        disableKprobeMulti: true,
      }),
    ];
    this.lokiRules = [
      lokiRule({
        alert: 'TetragonLibraryLoadedFromScratchDir',
        expr: logRuleExpr(this, props, {
          stream: [['event_type', '=', 'process_loader']],
          pipeline: ['| json library="process_loader.path"', labelRegex('library', SCRATCH_DIR_BINARY_REGEX)],
          by: ['namespace', 'pod', 'binary', 'library'],
        }),
        severity: 'warning',
        summary: 'A process loaded a shared library from /tmp, /var/tmp or /dev/shm',
        runbook:
          "Libraries are not installed in scratch directories: check LD_PRELOAD and the process environment, the file's origin and build id, and isolate the pod if it was not a build step.",
      }),
    ];
  }
}
