import { Construct, IConstruct } from 'constructs';
import { TracingPolicy } from '../policy/tracing-policy';
import { InstallRequirements, LokiDetectionRule } from './_detection';
import { BpfActivityDetection, BpfActivityDetectionProps } from './bpf-activity-detection';
import { CloudMetadataContactDetection, CloudMetadataContactDetectionProps } from './cloud-metadata-contact-detection';
import { ContainerKernelLoadDetection, ContainerKernelLoadDetectionProps } from './container-kernel-load-detection';
import { ContainerMountDetection, ContainerMountDetectionProps } from './container-mount-detection';
import { CryptoMinerExecDetection, CryptoMinerExecDetectionProps } from './crypto-miner-exec-detection';
import { HostPathAccessDetection, HostPathAccessDetectionProps } from './host-path-access-detection';
import { HugePagesDetection, HugePagesDetectionProps } from './huge-pages-detection';
import { FilelessExecDetection, FilelessExecDetectionProps } from './fileless-exec-detection';
import { KernelControlWriteDetection, KernelControlWriteDetectionProps } from './kernel-control-write-detection';
import { KernelModuleDetection, KernelModuleDetectionProps } from './kernel-module-detection';
import { KubernetesApiContactDetection, KubernetesApiContactDetectionProps } from './kubernetes-api-contact-detection';
import { LogClearingDetection, LogClearingDetectionProps } from './log-clearing-detection';
import { MiningPoolConnectionDetection, MiningPoolConnectionDetectionProps } from './mining-pool-connection-detection';
import { MsrAccessDetection, MsrAccessDetectionProps } from './msr-access-detection';
import { NamespaceChangeDetection, NamespaceChangeDetectionProps } from './namespace-change-detection';
import { PacketSocketDetection, PacketSocketDetectionProps } from './packet-socket-detection';
import { ProcEnvironReadDetection, ProcEnvironReadDetectionProps } from './proc-environ-read-detection';
import { PrivilegeEscalationDetection, PrivilegeEscalationDetectionProps } from './privilege-escalation-detection';
import { PtraceDetection, PtraceDetectionProps } from './ptrace-detection';
import { ReleaseAgentDetection, ReleaseAgentDetectionProps } from './release-agent-detection';
import { RuntimeSocketDetection, RuntimeSocketDetectionProps } from './runtime-socket-detection';
import { SensitiveLinkDetection, SensitiveLinkDetectionProps } from './sensitive-link-detection';
import { SharedLibraryLoadDetection, SharedLibraryLoadDetectionProps } from './shared-library-load-detection';
import { ShellHistoryDetection, ShellHistoryDetectionProps } from './shell-history-detection';
import { SshdNetworkDetection, SshdNetworkDetectionProps } from './sshd-network-detection';
import { StratumProtocolDetection, StratumProtocolDetectionProps } from './stratum-protocol-detection';
import { SudoDetection, SudoDetectionProps } from './sudo-detection';
import { SuidExecDetection, SuidExecDetectionProps } from './suid-exec-detection';
import { TmpExecDetection, TmpExecDetectionProps } from './tmp-exec-detection';
import { SuspiciousCommandDetection, SuspiciousCommandDetectionProps } from './suspicious-command-detection';
import { SshNonStandardPortDetection, SshNonStandardPortDetectionProps } from './ssh-nonstandard-port-detection';

/**
 * Every detection of the library, by its well-known name (the `NAME` of its construct, which is also the
 * name of its TracingPolicy where it creates one).
 */
export enum DetectionName {
  // Container escape.
  /** {@link NamespaceChangeDetection}: setns and unshare of sensitive namespaces from pods. */
  NAMESPACE_CHANGE = 'namespace-change',
  /** {@link ContainerMountDetection}: cgroup, proc and host-disk mounts, new mount API, pivot_root from pods. */
  CONTAINER_MOUNT = 'container-mount',
  /** {@link RuntimeSocketDetection}: connections from pods to container runtime sockets. */
  RUNTIME_SOCKET = 'runtime-socket',
  /** {@link HostPathAccessDetection}: node files through host mounts, and block devices, opened from pods. */
  HOST_PATH_ACCESS = 'host-path-access',
  /** {@link ContainerKernelLoadDetection}: BPF programs and kernel modules loaded from pods. */
  CONTAINER_KERNEL_LOAD = 'container-kernel-load',
  /** {@link ReleaseAgentDetection}: writes to cgroup v1 release_agent from pods. */
  RELEASE_AGENT = 'release-agent',
  /** {@link KernelControlWriteDetection}: writes to core_pattern, modprobe, uevent_helper, binfmt_misc, sysrq. */
  KERNEL_CONTROL_WRITE = 'kernel-control-write',
  // Crypto-mining.
  /** {@link CryptoMinerExecDetection}: known miner programs executed (kernel and Loki). */
  CRYPTO_MINER_EXEC = 'crypto-miner-exec',
  /** {@link StratumProtocolDetection}: Stratum pool URLs in process arguments (Loki only). */
  STRATUM_PROTOCOL = 'stratum-protocol',
  /** {@link MiningPoolConnectionDetection}: connections to mining-pool ports outside private ranges. */
  MINING_POOL_CONNECTION = 'mining-pool-connection',
  /** {@link MsrAccessDetection}: CPU MSR device opens and msr module loads. */
  MSR_ACCESS = 'msr-access',
  /** {@link HugePagesDetection}: writes to the huge-page pool sizes. */
  HUGE_PAGES = 'huge-pages',
  // Observability library and Falco parity.
  /** {@link BpfActivityDetection}: BPF programs, maps and perf events, bpffs access. */
  BPF_ACTIVITY = 'bpf-activity',
  /** {@link CloudMetadataContactDetection}: pods contacting the cloud instance metadata service. */
  CLOUD_METADATA_CONTACT = 'cloud-metadata-contact',
  /** {@link KernelModuleDetection}: kernel module loads and requests. */
  KERNEL_MODULE_LOAD = 'kernel-module-load',
  /** {@link KubernetesApiContactDetection}: pods contacting the API server (needs its addresses in `options`). */
  KUBERNETES_API_CONTACT = 'kubernetes-api-contact',
  /** {@link LogClearingDetection}: truncation and removal of logs. */
  LOG_CLEARING = 'log-clearing',
  /** {@link PacketSocketDetection}: AF_PACKET sockets. */
  PACKET_SOCKET = 'packet-socket',
  /** {@link ProcEnvironReadDetection}: reads of other processes' environment. */
  PROC_ENVIRON_READ = 'proc-environ-read',
  /** {@link PtraceDetection}: ptrace attach, memory pokes and anti-debugging. */
  PTRACE = 'ptrace',
  /** {@link SensitiveLinkDetection}: symlinks and hardlinks over sensitive files. */
  SENSITIVE_LINK = 'sensitive-link',
  /** {@link SharedLibraryLoadDetection}: shared libraries loaded (loader sensor). */
  SHARED_LIBRARY_LOAD = 'shared-library-load',
  /** {@link ShellHistoryDetection}: shell history deleted or truncated. */
  SHELL_HISTORY_TAMPERING = 'shell-history-tampering',
  /** {@link SshdNetworkDetection}: sshd accepts and forwards. */
  SSHD_NETWORK = 'sshd-network',
  /** {@link TmpExecDetection}: executables started from /tmp, /var/tmp or /dev/shm. */
  TMP_EXEC = 'tmp-exec',
  /** {@link FilelessExecDetection}: execution of memfd or deleted binaries (needs process credentials). */
  FILELESS_EXEC = 'fileless-exec',
  /** {@link SuidExecDetection}: SUID/SGID and file-capability execs (needs process credentials). */
  SUID_EXEC = 'suid-exec',
  /** {@link SudoDetection}: sudo runs (Loki only). */
  SUDO = 'sudo',
  /** {@link PrivilegeEscalationDetection}: alerts on the privilege-escalation monitor's events (Loki only). */
  PRIVILEGE_ESCALATION = 'privilege-escalation',
  /** {@link SuspiciousCommandDetection}: Falco rules only the command line reveals (Loki only). */
  SUSPICIOUS_COMMAND = 'suspicious-command',
  /** {@link SshNonStandardPortDetection}: ssh clients connecting to ports other than 22. */
  SSH_NONSTANDARD_PORT = 'ssh-nonstandard-port',
}

/** Named sets of detections. A team picks bundles, then adds or removes single detections. */
export enum DetectionBundle {
  /** Low-noise, high-signal detections for every cluster: escapes, miners, tampering. */
  BASELINE = 'baseline',
  /**
   * Everything that needs no cluster-specific input and loads on every bundled kernel, noisier ones included: for
   * clusters with a triage routine.
   */
  STRICT = 'strict',
  /** Every crypto-mining detection. */
  CRYPTO_MINING = 'crypto-mining',
  /** Every container-escape detection. */
  CONTAINER_ESCAPE = 'container-escape',
}

const CONTAINER_ESCAPE: readonly DetectionName[] = [
  DetectionName.NAMESPACE_CHANGE, DetectionName.CONTAINER_MOUNT, DetectionName.RUNTIME_SOCKET, DetectionName.HOST_PATH_ACCESS,
  DetectionName.CONTAINER_KERNEL_LOAD, DetectionName.RELEASE_AGENT, DetectionName.KERNEL_CONTROL_WRITE,
];
const CRYPTO_MINING: readonly DetectionName[] = [
  DetectionName.CRYPTO_MINER_EXEC, DetectionName.STRATUM_PROTOCOL, DetectionName.MINING_POOL_CONNECTION, DetectionName.MSR_ACCESS,
  DetectionName.HUGE_PAGES,
  // Miners arrive as dropped or fileless payloads.
  DetectionName.TMP_EXEC, DetectionName.FILELESS_EXEC,
];
const BASELINE: readonly DetectionName[] = [
  DetectionName.NAMESPACE_CHANGE, DetectionName.CONTAINER_MOUNT, DetectionName.RUNTIME_SOCKET, DetectionName.CONTAINER_KERNEL_LOAD,
  DetectionName.RELEASE_AGENT, DetectionName.KERNEL_CONTROL_WRITE, DetectionName.CRYPTO_MINER_EXEC, DetectionName.STRATUM_PROTOCOL,
  DetectionName.MSR_ACCESS, DetectionName.PACKET_SOCKET, DetectionName.PTRACE, DetectionName.SENSITIVE_LINK,
  DetectionName.SHELL_HISTORY_TAMPERING, DetectionName.PROC_ENVIRON_READ, DetectionName.FILELESS_EXEC, DetectionName.SUDO,
];

/** Detections that cannot run without cluster-specific options, and what they need. */
const REQUIRED_OPTIONS: Partial<Record<DetectionName, string>> = {
  [DetectionName.KUBERNETES_API_CONTACT]: 'apiServerAddresses (the kubernetes Service ClusterIP and its endpoint addresses)',
};

/** Detections that do not load on every bundled kernel, and why: they are left out of `strict` (include them by name). */
export const KERNEL_LIMITED_DETECTIONS: Readonly<Partial<Record<DetectionName, string>>> = {
  [DetectionName.SHARED_LIBRARY_LOAD]: 'the loader sensor needs kernel 5.19+, and Debian 11 (5.10) refuses it',
};

/**
 * The members of each bundle. `strict` is every detection that needs no cluster-specific options and loads on every
 * bundled kernel.
 */
export const BUNDLE_MEMBERS: Readonly<Record<DetectionBundle, readonly DetectionName[]>> = {
  [DetectionBundle.BASELINE]: BASELINE,
  [DetectionBundle.STRICT]: (Object.values(DetectionName) as DetectionName[]).filter((n) => !(n in REQUIRED_OPTIONS) && !(n in KERNEL_LIMITED_DETECTIONS)),
  [DetectionBundle.CRYPTO_MINING]: CRYPTO_MINING,
  [DetectionBundle.CONTAINER_ESCAPE]: CONTAINER_ESCAPE,
};

/** Props of each detection, by name, for {@link DetectionsProps.options}. */
export interface DetectionOptions {
  readonly [DetectionName.NAMESPACE_CHANGE]?: NamespaceChangeDetectionProps;
  readonly [DetectionName.CONTAINER_MOUNT]?: ContainerMountDetectionProps;
  readonly [DetectionName.RUNTIME_SOCKET]?: RuntimeSocketDetectionProps;
  readonly [DetectionName.HOST_PATH_ACCESS]?: HostPathAccessDetectionProps;
  readonly [DetectionName.CONTAINER_KERNEL_LOAD]?: ContainerKernelLoadDetectionProps;
  readonly [DetectionName.RELEASE_AGENT]?: ReleaseAgentDetectionProps;
  readonly [DetectionName.KERNEL_CONTROL_WRITE]?: KernelControlWriteDetectionProps;
  readonly [DetectionName.CRYPTO_MINER_EXEC]?: CryptoMinerExecDetectionProps;
  readonly [DetectionName.STRATUM_PROTOCOL]?: StratumProtocolDetectionProps;
  readonly [DetectionName.MINING_POOL_CONNECTION]?: MiningPoolConnectionDetectionProps;
  readonly [DetectionName.MSR_ACCESS]?: MsrAccessDetectionProps;
  readonly [DetectionName.HUGE_PAGES]?: HugePagesDetectionProps;
  readonly [DetectionName.BPF_ACTIVITY]?: BpfActivityDetectionProps;
  readonly [DetectionName.CLOUD_METADATA_CONTACT]?: CloudMetadataContactDetectionProps;
  readonly [DetectionName.KERNEL_MODULE_LOAD]?: KernelModuleDetectionProps;
  readonly [DetectionName.KUBERNETES_API_CONTACT]?: KubernetesApiContactDetectionProps;
  readonly [DetectionName.LOG_CLEARING]?: LogClearingDetectionProps;
  readonly [DetectionName.PACKET_SOCKET]?: PacketSocketDetectionProps;
  readonly [DetectionName.PROC_ENVIRON_READ]?: ProcEnvironReadDetectionProps;
  readonly [DetectionName.PTRACE]?: PtraceDetectionProps;
  readonly [DetectionName.SENSITIVE_LINK]?: SensitiveLinkDetectionProps;
  readonly [DetectionName.SHARED_LIBRARY_LOAD]?: SharedLibraryLoadDetectionProps;
  readonly [DetectionName.SHELL_HISTORY_TAMPERING]?: ShellHistoryDetectionProps;
  readonly [DetectionName.SSHD_NETWORK]?: SshdNetworkDetectionProps;
  readonly [DetectionName.TMP_EXEC]?: TmpExecDetectionProps;
  readonly [DetectionName.FILELESS_EXEC]?: FilelessExecDetectionProps;
  readonly [DetectionName.SUID_EXEC]?: SuidExecDetectionProps;
  readonly [DetectionName.SUDO]?: SudoDetectionProps;
  readonly [DetectionName.PRIVILEGE_ESCALATION]?: PrivilegeEscalationDetectionProps;
  readonly [DetectionName.SUSPICIOUS_COMMAND]?: SuspiciousCommandDetectionProps;
  readonly [DetectionName.SSH_NONSTANDARD_PORT]?: SshNonStandardPortDetectionProps;
}

/** What the {@link Detections} construct reads from each detection (every field is optional on purpose). */
interface DetectionOutputs extends IConstruct {
  readonly policies?: readonly TracingPolicy[];
  readonly lokiRules?: readonly LokiDetectionRule[];
  readonly installRequirements?: InstallRequirements;
}

type Factory = (scope: Construct, id: string, props: any) => DetectionOutputs;

/** Constructor of each detection, in {@link DetectionName} order. */
const FACTORIES: Readonly<Record<DetectionName, Factory>> = {
  [DetectionName.NAMESPACE_CHANGE]: (s, i, p) => new NamespaceChangeDetection(s, i, p),
  [DetectionName.CONTAINER_MOUNT]: (s, i, p) => new ContainerMountDetection(s, i, p),
  [DetectionName.RUNTIME_SOCKET]: (s, i, p) => new RuntimeSocketDetection(s, i, p),
  [DetectionName.HOST_PATH_ACCESS]: (s, i, p) => new HostPathAccessDetection(s, i, p),
  [DetectionName.CONTAINER_KERNEL_LOAD]: (s, i, p) => new ContainerKernelLoadDetection(s, i, p),
  [DetectionName.RELEASE_AGENT]: (s, i, p) => new ReleaseAgentDetection(s, i, p),
  [DetectionName.KERNEL_CONTROL_WRITE]: (s, i, p) => new KernelControlWriteDetection(s, i, p),
  [DetectionName.CRYPTO_MINER_EXEC]: (s, i, p) => new CryptoMinerExecDetection(s, i, p),
  [DetectionName.STRATUM_PROTOCOL]: (s, i, p) => new StratumProtocolDetection(s, i, p),
  [DetectionName.MINING_POOL_CONNECTION]: (s, i, p) => new MiningPoolConnectionDetection(s, i, p),
  [DetectionName.MSR_ACCESS]: (s, i, p) => new MsrAccessDetection(s, i, p),
  [DetectionName.HUGE_PAGES]: (s, i, p) => new HugePagesDetection(s, i, p),
  [DetectionName.BPF_ACTIVITY]: (s, i, p) => new BpfActivityDetection(s, i, p),
  [DetectionName.CLOUD_METADATA_CONTACT]: (s, i, p) => new CloudMetadataContactDetection(s, i, p),
  [DetectionName.KERNEL_MODULE_LOAD]: (s, i, p) => new KernelModuleDetection(s, i, p),
  [DetectionName.KUBERNETES_API_CONTACT]: (s, i, p) => new KubernetesApiContactDetection(s, i, p),
  [DetectionName.LOG_CLEARING]: (s, i, p) => new LogClearingDetection(s, i, p),
  [DetectionName.PACKET_SOCKET]: (s, i, p) => new PacketSocketDetection(s, i, p),
  [DetectionName.PROC_ENVIRON_READ]: (s, i, p) => new ProcEnvironReadDetection(s, i, p),
  [DetectionName.PTRACE]: (s, i, p) => new PtraceDetection(s, i, p),
  [DetectionName.SENSITIVE_LINK]: (s, i, p) => new SensitiveLinkDetection(s, i, p),
  [DetectionName.SHARED_LIBRARY_LOAD]: (s, i, p) => new SharedLibraryLoadDetection(s, i, p),
  [DetectionName.SHELL_HISTORY_TAMPERING]: (s, i, p) => new ShellHistoryDetection(s, i, p),
  [DetectionName.SSHD_NETWORK]: (s, i, p) => new SshdNetworkDetection(s, i, p),
  [DetectionName.TMP_EXEC]: (s, i, p) => new TmpExecDetection(s, i, p),
  [DetectionName.FILELESS_EXEC]: (s, i, p) => new FilelessExecDetection(s, i, p),
  [DetectionName.SUID_EXEC]: (s, i, p) => new SuidExecDetection(s, i, p),
  [DetectionName.SUDO]: (s, i, p) => new SudoDetection(s, i, p),
  [DetectionName.PRIVILEGE_ESCALATION]: (s, i, p) => new PrivilegeEscalationDetection(s, i, p),
  [DetectionName.SUSPICIOUS_COMMAND]: (s, i, p) => new SuspiciousCommandDetection(s, i, p),
  [DetectionName.SSH_NONSTANDARD_PORT]: (s, i, p) => new SshNonStandardPortDetection(s, i, p),
};

/** The construct class of each detection, for docs and tools (its `NAME`, where it has one, equals the key). */
export const DETECTION_CLASSES: Readonly<Record<DetectionName, { readonly NAME?: string; readonly name: string }>> = {
  [DetectionName.NAMESPACE_CHANGE]: NamespaceChangeDetection,
  [DetectionName.CONTAINER_MOUNT]: ContainerMountDetection,
  [DetectionName.RUNTIME_SOCKET]: RuntimeSocketDetection,
  [DetectionName.HOST_PATH_ACCESS]: HostPathAccessDetection,
  [DetectionName.CONTAINER_KERNEL_LOAD]: ContainerKernelLoadDetection,
  [DetectionName.RELEASE_AGENT]: ReleaseAgentDetection,
  [DetectionName.KERNEL_CONTROL_WRITE]: KernelControlWriteDetection,
  [DetectionName.CRYPTO_MINER_EXEC]: CryptoMinerExecDetection,
  [DetectionName.STRATUM_PROTOCOL]: StratumProtocolDetection,
  [DetectionName.MINING_POOL_CONNECTION]: MiningPoolConnectionDetection,
  [DetectionName.MSR_ACCESS]: MsrAccessDetection,
  [DetectionName.HUGE_PAGES]: HugePagesDetection,
  [DetectionName.BPF_ACTIVITY]: BpfActivityDetection,
  [DetectionName.CLOUD_METADATA_CONTACT]: CloudMetadataContactDetection,
  [DetectionName.KERNEL_MODULE_LOAD]: KernelModuleDetection,
  [DetectionName.KUBERNETES_API_CONTACT]: KubernetesApiContactDetection,
  [DetectionName.LOG_CLEARING]: LogClearingDetection,
  [DetectionName.PACKET_SOCKET]: PacketSocketDetection,
  [DetectionName.PROC_ENVIRON_READ]: ProcEnvironReadDetection,
  [DetectionName.PTRACE]: PtraceDetection,
  [DetectionName.SENSITIVE_LINK]: SensitiveLinkDetection,
  [DetectionName.SHARED_LIBRARY_LOAD]: SharedLibraryLoadDetection,
  [DetectionName.SHELL_HISTORY_TAMPERING]: ShellHistoryDetection,
  [DetectionName.SSHD_NETWORK]: SshdNetworkDetection,
  [DetectionName.TMP_EXEC]: TmpExecDetection,
  [DetectionName.FILELESS_EXEC]: FilelessExecDetection,
  [DetectionName.SUID_EXEC]: SuidExecDetection,
  [DetectionName.SUDO]: SudoDetection,
  [DetectionName.PRIVILEGE_ESCALATION]: PrivilegeEscalationDetection,
  [DetectionName.SUSPICIOUS_COMMAND]: SuspiciousCommandDetection,
  [DetectionName.SSH_NONSTANDARD_PORT]: SshNonStandardPortDetection,
};

/** Props of a {@link Detections}. */
export interface DetectionsProps {
  /**
   * Bundles to start from; their members are merged.
   * @default []
   */
  readonly bundles?: readonly DetectionBundle[];
  /**
   * Detections to add that no chosen bundle contains.
   * @default []
   */
  readonly include?: readonly DetectionName[];
  /**
   * Detections of the chosen bundles to leave out.
   * @default []
   */
  readonly exclude?: readonly DetectionName[];
  /**
   * Props of single detections, by name (only for detections that are selected).
   * @default {}
   */
  readonly options?: DetectionOptions;
}

/**
 * A team's choice of detections, by bundle and by name, instantiated as one construct each (construct id =
 * detection name), with the Loki rules and install requirements they need collected in one place.
 *
 * @example
 * const detections = new Detections(chart, 'Detections', {
 *   bundles: [DetectionBundle.BASELINE, DetectionBundle.CRYPTO_MINING],
 *   include: [DetectionName.HOST_PATH_ACCESS],
 *   exclude: [DetectionName.HUGE_PAGES],
 *   options: { [DetectionName.MINING_POOL_CONNECTION]: { clusterCidrs: ['10.244.0.0/16', '10.96.0.0/12'] } },
 * });
 * detections.lokiRules;           // alerts for the Loki ruler
 * detections.installRequirements; // merge into the Tetragon install
 */
export class Detections extends Construct {
  /** The selected detections, in {@link DetectionName} order. */
  public readonly names: readonly DetectionName[];
  /**
   * Every TracingPolicy construct the selected detections created (the loader policy of `shared-library-load`
   * is a plain API object and is not listed here; it is in the chart all the same).
   */
  public readonly policies: readonly TracingPolicy[];
  /** Every Loki alert the selected detections ship. */
  public readonly lokiRules: readonly LokiDetectionRule[];
  /** What the selected detections need from the Tetragon install, merged. */
  public readonly installRequirements: InstallRequirements;
  /**
   * What the kernels in use (context `cdk8s-tetragon:kernels`) limit in the selected detections' policies, one line
   * per policy and finding (e.g. a sockaddr_un filter that Debian 11's 5.10 compiles out). Each policy also carries
   * its lines in the annotation `cdk8s-tetragon/kernel-notes`.
   */
  public get kernelNotes(): string[] {
    return this.policies.flatMap((p) => p.kernelNotes.map((n) => `${p.name}: ${n}`));
  }
  private readonly byName = new Map<DetectionName, DetectionOutputs>();

  constructor(scope: Construct, id: string, props: DetectionsProps = {}) {
    super(scope, id);
    const known = Object.values(DetectionName) as string[];
    const bundles = props.bundles ?? [];
    const include = props.include ?? [];
    const exclude = props.exclude ?? [];
    const options = (props.options ?? {}) as Record<string, unknown>;
    const fail = (field: string, detail: string): never => {
      throw new Error(`${this.node.path}: ${field}: ${detail}`);
    };
    const checkNames = (field: string, list: readonly string[], allowed: readonly string[], what: string) => {
      list.forEach((n, i) => {
        if (!allowed.includes(n)) fail(`${field}[${i}]`, `got ${JSON.stringify(n)}, which is not a ${what}; use one of ${allowed.join(', ')}`);
        if (list.indexOf(n) !== i) fail(`${field}[${i}]`, `${JSON.stringify(n)} is listed twice; remove the duplicate`);
      });
    };
    checkNames('bundles', bundles, Object.values(DetectionBundle), 'bundle');
    checkNames('include', include, known, 'detection');
    checkNames('exclude', exclude, known, 'detection');

    const fromBundles = new Map<DetectionName, DetectionBundle>();
    for (const b of bundles) for (const n of BUNDLE_MEMBERS[b]) if (!fromBundles.has(n)) fromBundles.set(n, b);
    include.forEach((n, i) => {
      if (fromBundles.has(n)) fail(`include[${i}]`, `${JSON.stringify(n)} is already in bundle ${JSON.stringify(fromBundles.get(n))}; remove it from include`);
      if (exclude.includes(n)) fail(`include[${i}]`, `${JSON.stringify(n)} is also in exclude; keep it in one list`);
    });
    exclude.forEach((n, i) => {
      if (!fromBundles.has(n)) fail(`exclude[${i}]`, `${JSON.stringify(n)} is not in the chosen bundles (${bundles.join(', ') || 'none'}), so there is nothing to exclude; remove it`);
    });
    const chosen = new Set<string>([...fromBundles.keys(), ...include].filter((n) => !exclude.includes(n)));
    this.names = (Object.values(DetectionName) as DetectionName[]).filter((n) => chosen.has(n));
    if (this.names.length === 0) fail('bundles', 'no detection is selected; choose at least one bundle or include a detection');
    for (const key of Object.keys(options).sort()) {
      if (!known.includes(key)) fail(`options.${key}`, `${JSON.stringify(key)} is not a detection; use one of ${known.join(', ')}`);
      if (!chosen.has(key)) fail(`options.${key}`, `${JSON.stringify(key)} is not selected, so its options would be ignored; include it or remove the options`);
    }
    for (const n of this.names) {
      const need = REQUIRED_OPTIONS[n];
      if (need && options[n] === undefined) fail(`options.${n}`, `is required: this detection needs ${need}`);
    }

    for (const n of this.names) this.byName.set(n, FACTORIES[n](this, n, options[n] ?? {}));
    const outputs = [...this.byName.values()];
    this.policies = outputs.flatMap((d) => d.policies ?? []);
    this.lokiRules = outputs.flatMap((d) => d.lokiRules ?? []);
    this.installRequirements = mergeRequirements(outputs.map((d) => d.installRequirements ?? {}));
  }

  /** The construct of a selected detection (cast it to its class), or undefined when it is not selected. */
  public detection(name: DetectionName): IConstruct | undefined {
    return this.byName.get(name);
  }
}

/** Merges install requirements: flags ORed, event types united and sorted. */
export function mergeRequirements(list: readonly InstallRequirements[]): InstallRequirements {
  const types = [...new Set(list.flatMap((r) => r.exportEventTypes ?? []))].sort();
  return {
    ...(list.some((r) => r.processCredentials) ? { processCredentials: true } : {}),
    ...(types.length ? { exportEventTypes: types } : {}),
    ...(list.some((r) => r.parentsMap) ? { parentsMap: true } : {}),
    ...(list.some((r) => r.exportHostEvents) ? { exportHostEvents: true } : {}),
  };
}
