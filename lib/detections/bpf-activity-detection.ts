import { Construct } from 'constructs';
import { DetectionConstruct } from '../policies/detection';
import { ArgFilter } from '../policy/arg-filter';
import { Arg, ArgType } from '../policy/argument';
import { KprobeHook } from '../policy/kprobe-hook';
import { TracingPolicy } from '../policy/tracing-policy';
import { ScopedDetectionProps } from './detection-props';
import { detectionPolicy, detectionSelector, enforcementActions, inContainer } from './private/kit';

/** Props of a {@link BpfActivityDetection}. */
export interface BpfActivityDetectionProps extends ScopedDetectionProps {
  /**
   * Report only processes inside containers.
   * @default false
   */
  readonly containersOnly?: boolean;
  /**
   * Report perf event creation too (profilers and tracers create them constantly).
   * @default true
   */
  readonly watchPerfEvents?: boolean;
}

/**
 * `bpf-activity`: BPF programs verified and loaded, BPF maps created, perf events opened and the BPF filesystem
 * read or written: the Tetragon library's "eBPF Subsystem Interactions" (and Falco incubating "BPF Program Not
 * Profiled"). A BPF program can read any memory or hide a process (BPF rootkits; MITRE T1014, T1547).
 *
 * Probes `bpf_check` (every program load, with its type and instruction count from `bpf_attr`),
 * `security_bpf_map_alloc` (before 6.9) and `security_bpf_map_create` (6.9 on), `security_perf_event_alloc`, and
 * `security_file_permission` on `/sys/fs/bpf/` (pinned objects) for reads and writes.
 *
 * Noise: Cilium, Tetragon, systemd and the container runtime (device cgroup programs) load BPF constantly, so
 * they are trusted by default ({@link BpfActivityDetection.DEFAULT_TRUSTED_BINARIES}; spread it to extend).
 * Profilers and observability agents (Parca, Pyroscope, Pixie, Datadog) report until added.
 * Enforcement: Sigkill or Signal only (`bpf_check` is neither a syscall nor an LSM function); prefer
 * `kernel.unprivileged_bpf_disabled` and dropping CAP_BPF/CAP_SYS_ADMIN from pods.
 * Misses: programs loaded before Tetragon started, and BPF objects received over a Unix socket.
 */
export class BpfActivityDetection extends DetectionConstruct {
  /** The policy's well-known name. */
  public static readonly NAME = 'bpf-activity';
  /** Node agents that load BPF by design: Cilium, Tetragon, systemd and the OCI runtimes. */
  public static readonly DEFAULT_TRUSTED_BINARIES: readonly string[] = [
    '/usr/bin/cilium-agent',
    '/usr/bin/cilium-envoy',
    '/usr/bin/cilium-health-responder',
    '/usr/bin/tetragon',
    '/usr/lib/systemd/systemd',
    '/lib/systemd/systemd',
    '/usr/bin/runc',
    '/usr/sbin/runc',
    '/usr/local/bin/runc',
    '/usr/local/sbin/runc',
    '/usr/bin/crun',
  ];
  /** MAY_WRITE | MAY_READ in the mask of `security_file_permission`. */
  public static readonly MAY_READ_OR_WRITE = 6;
  /** The generated policies. */
  public readonly policies: TracingPolicy[];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1014', 'T1547'];

  constructor(scope: Construct, id: string, props: BpfActivityDetectionProps = {}) {
    super(scope, id);
    const scoped = { ...props, trustedBinaries: props.trustedBinaries ?? BpfActivityDetection.DEFAULT_TRUSTED_BINARIES };
    const actions = enforcementActions(
      this,
      props,
      false,
      'bpf_check and the map and perf hooks are not syscalls, and Override on them is refused by Tetragon',
    );
    const namespaces = inContainer(props.containersOnly ?? false);
    const selectors = (extra: Partial<{ matchArgs: ArgFilter[] }> = {}) => [
      detectionSelector(scoped, { ...extra, matchNamespaces: namespaces }, actions),
    ];
    const tags = ['observability.bpf', 'mitre.T1014'];
    const file = Arg.file(0);
    const mask = Arg.int(1, { label: 'mask' });
    const hooks = [
      KprobeHook.function('bpf_check', {
        message: 'BPF program loaded',
        tags,
        args: [Arg.opaque(1, ArgType.BPF_ATTR)],
        selectors: selectors(),
      }),
      KprobeHook.function('security_bpf_map_alloc', {
        message: 'BPF map created',
        tags,
        args: [Arg.opaque(0, ArgType.BPF_MAP)],
        selectors: selectors(),
        // Renamed to security_bpf_map_create in 6.9: absent from 6.12 and 7.2.
        ignoreCallNotFound: true,
      }),
      KprobeHook.function('security_bpf_map_create', {
        message: 'BPF map created',
        tags,
        args: [Arg.opaque(0, ArgType.BPF_MAP)],
        selectors: selectors(),
        // Added in 6.9: absent from 5.10 and 6.1, where security_bpf_map_alloc is probed.
        ignoreCallNotFound: true,
      }),
      KprobeHook.function('security_file_permission', {
        message: 'BPF filesystem object read or written',
        tags,
        args: [file, mask],
        selectors: selectors({
          matchArgs: [ArgFilter.prefix(file, ['/sys/fs/bpf/']), ArgFilter.mask(mask, [BpfActivityDetection.MAY_READ_OR_WRITE])],
        }),
      }),
    ];
    if (props.watchPerfEvents ?? true) {
      hooks.push(
        KprobeHook.function('security_perf_event_alloc', {
          message: 'Perf event opened',
          tags,
          args: [Arg.opaque(0, ArgType.PERF_EVENT)],
          selectors: selectors(),
        }),
      );
    }
    this.policies = [
      detectionPolicy(this, scoped, {
        name: BpfActivityDetection.NAME,
        description: 'BPF programs, maps, perf events and BPF filesystem access',
        hooks,
      }),
    ];
  }
}
