import { Construct } from 'constructs';
import { LokiDetectionRule } from '../observability/loki-detection-rule';
import { Detection, DetectionConstruct, InstallRequirements, mergeRequirements } from '../policies/detection';
import { TracingPolicy } from '../policy/tracing-policy';
import { fail as failWith } from '../private/problems';
import { BpfActivityDetection } from './bpf-activity-detection';
import { CloudMetadataContactDetection } from './cloud-metadata-contact-detection';
import { ContainerKernelLoadDetection } from './container-kernel-load-detection';
import { ContainerMountDetection } from './container-mount-detection';
import { CryptoMinerExecDetection } from './crypto-miner-exec-detection';
import { FilelessExecDetection } from './fileless-exec-detection';
import { HostPathAccessDetection } from './host-path-access-detection';
import { HugePagesDetection } from './huge-pages-detection';
import { KernelControlWriteDetection } from './kernel-control-write-detection';
import { KernelModuleDetection } from './kernel-module-detection';
import { KubernetesApiContactDetection } from './kubernetes-api-contact-detection';
import { LogClearingDetection } from './log-clearing-detection';
import { MiningPoolConnectionDetection } from './mining-pool-connection-detection';
import { MsrAccessDetection } from './msr-access-detection';
import { NamespaceChangeDetection } from './namespace-change-detection';
import { PacketSocketDetection } from './packet-socket-detection';
import { PrivilegeEscalationDetection } from './privilege-escalation-detection';
import { ProcEnvironReadDetection } from './proc-environ-read-detection';
import { PtraceDetection } from './ptrace-detection';
import { ReleaseAgentDetection } from './release-agent-detection';
import { RuntimeSocketDetection } from './runtime-socket-detection';
import { SensitiveLinkDetection } from './sensitive-link-detection';
import { SharedLibraryLoadDetection } from './shared-library-load-detection';
import { ShellHistoryDetection } from './shell-history-detection';
import { SshNonStandardPortDetection } from './ssh-nonstandard-port-detection';
import { SshdNetworkDetection } from './sshd-network-detection';
import { StratumProtocolDetection } from './stratum-protocol-detection';
import { SudoDetection } from './sudo-detection';
import { SuidExecDetection } from './suid-exec-detection';
import { SuspiciousCommandDetection } from './suspicious-command-detection';
import { TmpExecDetection } from './tmp-exec-detection';

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

/** The construct class of a detection: its constructor is the factory, and its `NAME` (where it has one) the detection's name. */
export interface DetectionClass<P, D extends Detection> {
  new (scope: Construct, id: string, props: P): D;
  /** The class name. */
  readonly name: string;
  /** The detection's well-known name, for classes that create a policy of that name. */
  readonly NAME?: string;
}

/** One detection of the library: its name, its construct class and its place in the bundles. */
export interface DetectionEntry<N extends DetectionName = DetectionName, P = never, D extends Detection = Detection> {
  readonly name: N;
  readonly construct: DetectionClass<P, D>;
  /** The bundles it belongs to besides `strict`, which takes every detection that `notInStrict` and `requiredOptions` do not exclude. */
  readonly bundles: readonly DetectionBundle[];
  /** Why it is left out of `strict` (it does not load on every bundled kernel), if it is. */
  readonly notInStrict?: string;
  /** The options it cannot run without, if any: `Detections` requires them, and `strict` leaves it out. */
  readonly requiredOptions?: string;
}

function entry<N extends DetectionName, P, D extends Detection>(e: DetectionEntry<N, P, D>): DetectionEntry<N, P, D> {
  return e;
}

const { BASELINE, CRYPTO_MINING, CONTAINER_ESCAPE } = DetectionBundle;

/** Every detection of the library, in {@link DetectionName} order: the one table `Detections` and the bundles read. */
export const DETECTION_REGISTRY = [
  entry({ name: DetectionName.NAMESPACE_CHANGE, construct: NamespaceChangeDetection, bundles: [BASELINE, CONTAINER_ESCAPE] }),
  entry({ name: DetectionName.CONTAINER_MOUNT, construct: ContainerMountDetection, bundles: [BASELINE, CONTAINER_ESCAPE] }),
  entry({ name: DetectionName.RUNTIME_SOCKET, construct: RuntimeSocketDetection, bundles: [BASELINE, CONTAINER_ESCAPE] }),
  entry({ name: DetectionName.HOST_PATH_ACCESS, construct: HostPathAccessDetection, bundles: [CONTAINER_ESCAPE] }),
  entry({ name: DetectionName.CONTAINER_KERNEL_LOAD, construct: ContainerKernelLoadDetection, bundles: [BASELINE, CONTAINER_ESCAPE] }),
  entry({ name: DetectionName.RELEASE_AGENT, construct: ReleaseAgentDetection, bundles: [BASELINE, CONTAINER_ESCAPE] }),
  entry({ name: DetectionName.KERNEL_CONTROL_WRITE, construct: KernelControlWriteDetection, bundles: [BASELINE, CONTAINER_ESCAPE] }),
  entry({ name: DetectionName.CRYPTO_MINER_EXEC, construct: CryptoMinerExecDetection, bundles: [BASELINE, CRYPTO_MINING] }),
  entry({ name: DetectionName.STRATUM_PROTOCOL, construct: StratumProtocolDetection, bundles: [BASELINE, CRYPTO_MINING] }),
  entry({ name: DetectionName.MINING_POOL_CONNECTION, construct: MiningPoolConnectionDetection, bundles: [CRYPTO_MINING] }),
  entry({ name: DetectionName.MSR_ACCESS, construct: MsrAccessDetection, bundles: [BASELINE, CRYPTO_MINING] }),
  entry({ name: DetectionName.HUGE_PAGES, construct: HugePagesDetection, bundles: [CRYPTO_MINING] }),
  entry({ name: DetectionName.BPF_ACTIVITY, construct: BpfActivityDetection, bundles: [] }),
  entry({ name: DetectionName.CLOUD_METADATA_CONTACT, construct: CloudMetadataContactDetection, bundles: [] }),
  entry({ name: DetectionName.KERNEL_MODULE_LOAD, construct: KernelModuleDetection, bundles: [] }),
  entry({
    name: DetectionName.KUBERNETES_API_CONTACT,
    construct: KubernetesApiContactDetection,
    bundles: [],
    requiredOptions: 'apiServerAddresses (the kubernetes Service ClusterIP and its endpoint addresses)',
  }),
  entry({ name: DetectionName.LOG_CLEARING, construct: LogClearingDetection, bundles: [] }),
  entry({ name: DetectionName.PACKET_SOCKET, construct: PacketSocketDetection, bundles: [BASELINE] }),
  entry({ name: DetectionName.PROC_ENVIRON_READ, construct: ProcEnvironReadDetection, bundles: [BASELINE] }),
  entry({ name: DetectionName.PTRACE, construct: PtraceDetection, bundles: [BASELINE] }),
  entry({ name: DetectionName.SENSITIVE_LINK, construct: SensitiveLinkDetection, bundles: [BASELINE] }),
  entry({
    name: DetectionName.SHARED_LIBRARY_LOAD,
    construct: SharedLibraryLoadDetection,
    bundles: [],
    notInStrict: 'the loader sensor needs kernel 5.19+, and Debian 11 (5.10) refuses it',
  }),
  entry({ name: DetectionName.SHELL_HISTORY_TAMPERING, construct: ShellHistoryDetection, bundles: [BASELINE] }),
  entry({ name: DetectionName.SSHD_NETWORK, construct: SshdNetworkDetection, bundles: [] }),
  // Miners arrive as dropped or fileless payloads.
  entry({ name: DetectionName.TMP_EXEC, construct: TmpExecDetection, bundles: [CRYPTO_MINING] }),
  entry({ name: DetectionName.FILELESS_EXEC, construct: FilelessExecDetection, bundles: [BASELINE, CRYPTO_MINING] }),
  entry({ name: DetectionName.SUID_EXEC, construct: SuidExecDetection, bundles: [] }),
  entry({ name: DetectionName.SUDO, construct: SudoDetection, bundles: [BASELINE] }),
  entry({ name: DetectionName.PRIVILEGE_ESCALATION, construct: PrivilegeEscalationDetection, bundles: [] }),
  entry({ name: DetectionName.SUSPICIOUS_COMMAND, construct: SuspiciousCommandDetection, bundles: [] }),
  entry({ name: DetectionName.SSH_NONSTANDARD_PORT, construct: SshNonStandardPortDetection, bundles: [] }),
] as const;

type RegisteredEntry = (typeof DETECTION_REGISTRY)[number];

/** The construct class of the detection named `N`, e.g. `DetectionOf<DetectionName.PTRACE>` is `PtraceDetection`. */
export type DetectionOf<N extends DetectionName> =
  Extract<(typeof DETECTION_REGISTRY)[number], { readonly name: N }> extends DetectionEntry<N, never, infer D> ? D : never;

/** The props of the detection named `N`, e.g. `DetectionPropsOf<DetectionName.PTRACE>` is `PtraceDetectionProps`. */
export type DetectionPropsOf<N extends DetectionName> =
  Extract<(typeof DETECTION_REGISTRY)[number], { readonly name: N }> extends DetectionEntry<N, infer P, Detection> ? NonNullable<P> : never;

/** Props of each detection, by name, for {@link DetectionsProps.options}. */
export type DetectionOptions = { readonly [N in DetectionName]?: DetectionPropsOf<N> };

// Every name has its entry: a name missing from the registry fails to compile here.
const EVERY_NAME_REGISTERED: [Exclude<DetectionName, RegisteredEntry['name']>] extends [never] ? true : never = true;
void EVERY_NAME_REGISTERED;

/** The registry, read through the contract only (each entry's props type is its own: see {@link DetectionOptions}). */
const REGISTRY: readonly DetectionEntry<DetectionName, never>[] = DETECTION_REGISTRY;

const inStrict = (e: DetectionEntry<DetectionName, never>) => e.notInStrict === undefined && e.requiredOptions === undefined;

/**
 * The members of each bundle, in {@link DetectionName} order. `strict` is every detection that needs no
 * cluster-specific options and loads on every bundled kernel.
 */
export const BUNDLE_MEMBERS: Readonly<Record<DetectionBundle, readonly DetectionName[]>> = {
  [DetectionBundle.BASELINE]: REGISTRY.filter((e) => e.bundles.includes(BASELINE)).map((e) => e.name),
  [DetectionBundle.STRICT]: REGISTRY.filter(inStrict).map((e) => e.name),
  [DetectionBundle.CRYPTO_MINING]: REGISTRY.filter((e) => e.bundles.includes(CRYPTO_MINING)).map((e) => e.name),
  [DetectionBundle.CONTAINER_ESCAPE]: REGISTRY.filter((e) => e.bundles.includes(CONTAINER_ESCAPE)).map((e) => e.name),
};

/** Detections that do not load on every bundled kernel, and why: they are left out of `strict` (include them by name). */
export const KERNEL_LIMITED_DETECTIONS: Readonly<Partial<Record<DetectionName, string>>> = Object.fromEntries(
  REGISTRY.filter((e) => e.notInStrict !== undefined).map((e) => [e.name, e.notInStrict]),
);

/** The construct class of each detection, for docs and tools (its `NAME`, where it has one, equals the key). */
export const DETECTION_CLASSES: Readonly<Record<DetectionName, DetectionClass<never, Detection>>> = Object.fromEntries(
  REGISTRY.map((e) => [e.name, e.construct]),
) as Record<DetectionName, DetectionClass<never, Detection>>;

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
 * detection name), with the Loki rules and install requirements they need collected in one place. Itself a
 * {@link Detection}: what the chosen detections create and need, together.
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
 * detections.detection(DetectionName.MINING_POOL_CONNECTION)?.policies; // a MiningPoolConnectionDetection, typed
 */
export class Detections extends DetectionConstruct {
  /** The selected detections, in {@link DetectionName} order. */
  public readonly names: readonly DetectionName[];
  /** Every TracingPolicy the selected detections created. */
  public readonly policies: readonly TracingPolicy[];
  /** Every Loki alert the selected detections ship. */
  declare public readonly lokiRules: readonly LokiDetectionRule[];
  /** What the selected detections need from the Tetragon install, merged. */
  declare public readonly installRequirements: InstallRequirements;
  /** The MITRE ATT&CK techniques the selected detections report, each once. */
  public readonly mitreTechniques: readonly string[];
  /**
   * What the kernels in use (context `cdk8s-tetragon:kernels`) limit in the selected detections' policies, one line
   * per policy and finding (e.g. a sockaddr_un filter that Debian 11's 5.10 compiles out). Each policy also carries
   * its lines in the annotation `cdk8s-tetragon/kernel-notes`.
   */
  public get kernelNotes(): string[] {
    return this.policies.flatMap((p) => p.kernelNotes.map((n) => `${p.name}: ${n}`));
  }
  private readonly byName = new Map<DetectionName, Detection>();

  constructor(scope: Construct, id: string, props: DetectionsProps = {}) {
    super(scope, id);
    const known = Object.values(DetectionName) as string[];
    const bundles = props.bundles ?? [];
    const include = props.include ?? [];
    const exclude = props.exclude ?? [];
    const options: Readonly<Record<string, unknown>> = props.options ?? {};
    const fail = (field: string, detail: string): never => failWith(this, field, detail);
    const checkNames = (field: string, list: readonly string[], allowed: readonly string[], what: string) => {
      list.forEach((n, i) => {
        if (!allowed.includes(n))
          fail(`${field}[${i}]`, `got ${JSON.stringify(n)}, which is not a ${what}; use one of ${allowed.join(', ')}`);
        if (list.indexOf(n) !== i) fail(`${field}[${i}]`, `${JSON.stringify(n)} is listed twice; remove the duplicate`);
      });
    };
    checkNames('bundles', bundles, Object.values(DetectionBundle), 'bundle');
    checkNames('include', include, known, 'detection');
    checkNames('exclude', exclude, known, 'detection');

    const fromBundles = new Map<DetectionName, DetectionBundle>();
    for (const b of bundles) for (const n of BUNDLE_MEMBERS[b]) if (!fromBundles.has(n)) fromBundles.set(n, b);
    include.forEach((n, i) => {
      if (fromBundles.has(n))
        fail(`include[${i}]`, `${JSON.stringify(n)} is already in bundle ${JSON.stringify(fromBundles.get(n))}; remove it from include`);
      if (exclude.includes(n)) fail(`include[${i}]`, `${JSON.stringify(n)} is also in exclude; keep it in one list`);
    });
    exclude.forEach((n, i) => {
      if (!fromBundles.has(n))
        fail(
          `exclude[${i}]`,
          `${JSON.stringify(n)} is not in the chosen bundles (${bundles.join(', ') || 'none'}), so there is nothing to exclude; remove it`,
        );
    });
    const chosen = new Set<string>([...fromBundles.keys(), ...include].filter((n) => !exclude.includes(n)));
    const selected = REGISTRY.filter((e) => chosen.has(e.name));
    this.names = selected.map((e) => e.name);
    if (this.names.length === 0) fail('bundles', 'no detection is selected; choose at least one bundle or include a detection');
    for (const key of Object.keys(options).sort()) {
      if (!known.includes(key)) fail(`options.${key}`, `${JSON.stringify(key)} is not a detection; use one of ${known.join(', ')}`);
      if (!chosen.has(key))
        fail(`options.${key}`, `${JSON.stringify(key)} is not selected, so its options would be ignored; include it or remove the options`);
    }
    for (const e of selected) {
      if (e.requiredOptions && options[e.name] === undefined)
        fail(`options.${e.name}`, `is required: this detection needs ${e.requiredOptions}`);
    }

    // `options` is keyed by name (DetectionOptions), so each construct receives its own props type.
    for (const e of selected) this.byName.set(e.name, new e.construct(this, e.name, (options[e.name] ?? {}) as never));
    const chosenDetections = [...this.byName.values()];
    this.policies = chosenDetections.flatMap((d) => d.policies);
    this.lokiRules = chosenDetections.flatMap((d) => d.lokiRules);
    this.installRequirements = mergeRequirements(chosenDetections.map((d) => d.installRequirements));
    this.mitreTechniques = [...new Set(chosenDetections.flatMap((d) => d.mitreTechniques))];
  }

  /** The construct of a selected detection, typed by its name, or undefined when it is not selected. */
  public detection<N extends DetectionName>(name: N): DetectionOf<N> | undefined {
    return this.byName.get(name) as DetectionOf<N> | undefined;
  }
}
