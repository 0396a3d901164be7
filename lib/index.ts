// The public API of cdk8s-tetragon, name by name: constructs and their props, enums, value classes, the engines the
// CLI runs (check, simulate, kernel tables) and the jest matchers. Helpers stay in their modules; private code lives
// in private/ folders and is never exported from here. etc/cdk8s-tetragon.api.md records this surface.

// Tetragon's TracingPolicy model: its limits and capability names
export { LIMITS } from './model/limits';
export { Capability } from './model/capability';

// Policy building blocks
export { Arg, ArgType } from './policy/argument';
export type { ArgKind, ArgOptions, BufferArgOptions, CapabilitySetType, IntegerType, OpaqueType } from './policy/argument';
export { AddressFamily, ArgFilter, ArgOperator, FileType, IpProtocol } from './policy/arg-filter';
export type { AddressFilterOptions, PortSpec } from './policy/arg-filter';
export { BinaryFilter, BinaryOperator, CapabilityFilter, CapabilitySet, Namespace, NamespaceFilter } from './policy/process-filter';
export { Action, RateLimitScope, Signal } from './policy/action';
export type { PostOptions } from './policy/action';
export { Selector } from './policy/selector';
export type { SelectorProps } from './policy/selector';
export { POD_NAMESPACE_LABEL } from './policy/label-selector';
export type { LabelSelector, LabelSelectorRequirement } from './policy/label-selector';
export type { HookBaseProps } from './policy/hook-base-props';
export { KprobeHook } from './policy/kprobe-hook';
export type { KprobeHookProps } from './policy/kprobe-hook';
export { TracepointHook } from './policy/tracepoint-hook';
export type { TracepointHookProps } from './policy/tracepoint-hook';
export { LsmHook } from './policy/lsm-hook';
export type { LsmHookProps } from './policy/lsm-hook';
export { KERNELS_CONTEXT, TracingPolicy } from './policy/tracing-policy';
export type { Hook, TracingPolicyProps } from './policy/tracing-policy';
export { ENFORCEMENT_DRY_RUN_CONTEXT, EnforcementScope, NEVER_KILL_BINARIES, PolicyMode } from './policy/enforcement';
export type { EnforcementOptions, NeverKillOptOut } from './policy/enforcement';
export { PolicyValidationError, ValidationError } from './validation-error';

// The module's policies, and the contract every detection implements
export { DetectionConstruct, mergeKernelRequirements, mergeRequirements } from './policies/detection';
export type { Detection, InstallRequirements, KernelRequirements } from './policies/detection';
export { Errno } from './policies/library-policy-props';
export type { LibraryPolicyProps } from './policies/library-policy-props';
export { ProcessExecMonitor } from './policies/process-exec-monitor';
export type { ProcessExecMonitorProps } from './policies/process-exec-monitor';
export { SensitiveFileAccessMonitor } from './policies/sensitive-file-access-monitor';
export type { SensitiveFileAccessMonitorProps } from './policies/sensitive-file-access-monitor';
export { PrivilegeEscalationMonitor } from './policies/privilege-escalation-monitor';
export type { PrivilegeEscalationMonitorProps } from './policies/privilege-escalation-monitor';
export { ShellAccessMonitor } from './policies/shell-access-monitor';
export type { ShellAccessMonitorProps } from './policies/shell-access-monitor';
export { NetworkConnectionMonitor } from './policies/network-connection-monitor';
export type { NetworkConnectionMonitorProps } from './policies/network-connection-monitor';

// Detections (one per file), their shared props, and the registry and bundles
export { EnforcementAction } from './detections/detection-props';
export type {
  ConnectDetectionProps,
  DetectionEnforcementProps,
  DetectionProps,
  ExecQueryDetectionProps,
  QueryDetectionProps,
  ScopedDetectionProps,
} from './detections/detection-props';
export {
  BUNDLE_MEMBERS,
  DETECTION_CLASSES,
  DETECTION_REGISTRY,
  DetectionBundle,
  DetectionName,
  Detections,
  KERNEL_LIMITED_DETECTIONS,
} from './detections/bundles';
export type {
  DetectionClass,
  DetectionEntry,
  DetectionOf,
  DetectionOptions,
  DetectionPropsOf,
  DetectionsProps,
} from './detections/bundles';
export { BpfActivityDetection } from './detections/bpf-activity-detection';
export type { BpfActivityDetectionProps } from './detections/bpf-activity-detection';
export { CloudMetadataContactDetection } from './detections/cloud-metadata-contact-detection';
export type { CloudMetadataContactDetectionProps } from './detections/cloud-metadata-contact-detection';
export { ContainerKernelLoadDetection } from './detections/container-kernel-load-detection';
export type { ContainerKernelLoadDetectionProps } from './detections/container-kernel-load-detection';
export { ContainerMountDetection } from './detections/container-mount-detection';
export type { ContainerMountDetectionProps } from './detections/container-mount-detection';
export { CryptoMinerExecDetection } from './detections/crypto-miner-exec-detection';
export type { CryptoMinerExecDetectionProps } from './detections/crypto-miner-exec-detection';
export { FilelessExecDetection } from './detections/fileless-exec-detection';
export type { FilelessExecDetectionProps } from './detections/fileless-exec-detection';
export { HostPathAccessDetection } from './detections/host-path-access-detection';
export type { HostPathAccessDetectionProps } from './detections/host-path-access-detection';
export { HugePagesDetection } from './detections/huge-pages-detection';
export type { HugePagesDetectionProps } from './detections/huge-pages-detection';
export { KernelControlWriteDetection } from './detections/kernel-control-write-detection';
export type { KernelControlWriteDetectionProps } from './detections/kernel-control-write-detection';
export { KernelModuleDetection } from './detections/kernel-module-detection';
export type { KernelModuleDetectionProps } from './detections/kernel-module-detection';
export { KubernetesApiContactDetection } from './detections/kubernetes-api-contact-detection';
export type { KubernetesApiContactDetectionProps } from './detections/kubernetes-api-contact-detection';
export { LogClearingDetection } from './detections/log-clearing-detection';
export type { LogClearingDetectionProps } from './detections/log-clearing-detection';
export { MiningPoolConnectionDetection } from './detections/mining-pool-connection-detection';
export type { MiningPoolConnectionDetectionProps } from './detections/mining-pool-connection-detection';
export { MsrAccessDetection } from './detections/msr-access-detection';
export type { MsrAccessDetectionProps } from './detections/msr-access-detection';
export { NamespaceChangeDetection, NamespaceFlag } from './detections/namespace-change-detection';
export type { NamespaceChangeDetectionProps } from './detections/namespace-change-detection';
export { PacketSocketDetection } from './detections/packet-socket-detection';
export type { PacketSocketDetectionProps } from './detections/packet-socket-detection';
export { PrivilegeEscalationDetection } from './detections/privilege-escalation-detection';
export type { PrivilegeEscalationDetectionProps } from './detections/privilege-escalation-detection';
export { ProcEnvironReadDetection } from './detections/proc-environ-read-detection';
export type { ProcEnvironReadDetectionProps } from './detections/proc-environ-read-detection';
export { PtraceDetection } from './detections/ptrace-detection';
export type { PtraceDetectionProps } from './detections/ptrace-detection';
export { ReleaseAgentDetection } from './detections/release-agent-detection';
export type { ReleaseAgentDetectionProps } from './detections/release-agent-detection';
export { RuntimeSocketDetection } from './detections/runtime-socket-detection';
export type { RuntimeSocketDetectionProps } from './detections/runtime-socket-detection';
export { SensitiveLinkDetection } from './detections/sensitive-link-detection';
export type { SensitiveLinkDetectionProps } from './detections/sensitive-link-detection';
export { SharedLibraryLoadDetection } from './detections/shared-library-load-detection';
export type { SharedLibraryLoadDetectionProps } from './detections/shared-library-load-detection';
export { ShellHistoryDetection } from './detections/shell-history-detection';
export type { ShellHistoryDetectionProps } from './detections/shell-history-detection';
export { SshNonStandardPortDetection } from './detections/ssh-nonstandard-port-detection';
export type { SshNonStandardPortDetectionProps } from './detections/ssh-nonstandard-port-detection';
export { SshdNetworkDetection } from './detections/sshd-network-detection';
export type { SshdNetworkDetectionProps } from './detections/sshd-network-detection';
export { StratumProtocolDetection } from './detections/stratum-protocol-detection';
export type { StratumProtocolDetectionProps } from './detections/stratum-protocol-detection';
export { SudoDetection } from './detections/sudo-detection';
export type { SudoDetectionProps } from './detections/sudo-detection';
export { SuidExecDetection } from './detections/suid-exec-detection';
export type { SuidExecDetectionProps } from './detections/suid-exec-detection';
export { SuspiciousCommandDetection } from './detections/suspicious-command-detection';
export type { SuspiciousCommandDetectionProps } from './detections/suspicious-command-detection';
export { TmpExecDetection } from './detections/tmp-exec-detection';
export type { TmpExecDetectionProps } from './detections/tmp-exec-detection';

// Install
export { DEFAULT_CHART_VERSION, TetragonInstall } from './install/tetragon-install';
export type { FluxReleaseOptions, InstallHealthCheck, TetragonInstallProps } from './install/tetragon-install';
export { CHART_CONTEXT, HELM_CONTEXT, INSTALL_METHOD_CONTEXT, InstallMethod } from './install/install-method';
export { CILIUM_CHART_REPOSITORY, ChartSource, ChartSourceKind } from './install/chart-source';
export { CrdInstallMethod, ExportSidecarMode, MetricsLabel, RuntimeHooksInterface, TaintEffect } from './install/values';
export type {
  ExportOptions,
  ImageOptions,
  MetricsOptions,
  OperatorOptions,
  ResourceAmounts,
  ResourceRequirements,
  RuntimeHooksOptions,
  Toleration,
} from './install/values';
export { ALL_EVENT_TYPES, EventType, ExportFilter, HOST_EXPORT_NAMESPACE } from './install/export-filter';
export type { ExportFilterSpec } from './install/export-filter';
export { FieldFilter, FieldFilterAction } from './install/field-filter';
export type { FieldFilterOptions } from './install/field-filter';
export { RedactionFilter } from './install/redaction-filter';
export type { RedactionFilterSpec } from './install/redaction-filter';
export {
  DEFAULT_EXPORT_ALLOW_LIST,
  DEFAULT_EXPORT_DENY_LIST,
  DEFAULT_HOST_NOISE_BINARIES,
  DEFAULT_KUBELET_HELPER_BINARIES,
  DEFAULT_REDACTION_FILTERS,
  KNOWN_CHART_IMAGES,
  defaultImages,
} from './install/defaults';
export type { ChartImages, ImageRef } from './install/defaults';

// GitOps units
export { DEFAULT_GITOPS_UNITS, FluxKustomizations, GitOpsUnit } from './gitops/flux-kustomizations';
export type { FluxKustomizationsProps, GitOpsUnitSpec } from './gitops/flux-kustomizations';

// Observability: log shipping, SIEM sinks, dashboard, alert rules, Loki rules
export { DEFAULT_EXPORT_FILE, DEFAULT_JOB, HOST_NAMESPACE } from './observability/log-schema';
export type { LogShippingProps } from './observability/log-shipping-props';
export { AlloyLogShipping, DEFAULT_LOKI_PUSH_URL } from './observability/alloy-log-shipping';
export type { AlloyLogShippingProps } from './observability/alloy-log-shipping';
export { PromtailLogShipping } from './observability/promtail-log-shipping';
export type { PromtailLogShippingProps } from './observability/promtail-log-shipping';
export {
  KafkaAcks,
  KafkaEncoding,
  KafkaSaslMechanism,
  OtlpHttpEncoding,
  S3Format,
  SiemAuth,
  SiemSink,
  SyslogFacility,
  TetragonEventType,
} from './observability/siem-sink';
export type {
  KafkaSasl,
  KafkaSinkProps,
  OtlpGrpcSinkProps,
  OtlpHttpSinkProps,
  S3Credentials,
  S3SinkProps,
  SecretKeyRef,
  SiemBatching,
  SiemBuffer,
  SiemFilter,
  SiemRetry,
  SiemRetryingSinkProps,
  SiemSeverityProps,
  SiemSinkBaseProps,
  SiemSinkSpec,
  SiemTls,
  SplunkHecSinkProps,
  SyslogSinkProps,
} from './observability/siem-sink';
export { EventSeverity, SIEM_FIELDS } from './observability/siem-fields';
export type { SiemField } from './observability/siem-fields';
export { DEFAULT_POLICY_NAMES, QueryLanguage, documentedQueries } from './observability/queries';
export type { DetectionPolicyNames, DocumentedQuery, DocumentedQueryOptions, ResolvedPolicyNames } from './observability/queries';
export { DEFAULT_SIDECAR_LABEL, TetragonDashboard } from './observability/tetragon-dashboard';
export type { SidecarLabel, TetragonDashboardProps } from './observability/tetragon-dashboard';
export type { AlertRule, AlertSeverity, PrometheusRuleGroup, RecordingRule, RuleGroup } from './observability/rule-group';
export { TetragonAlertRules } from './observability/tetragon-alert-rules';
export type { TetragonAlertRulesProps } from './observability/tetragon-alert-rules';
export { POLICY_STATUS_RECORDS } from './observability/policy-status';
export type { ExpectedPolicy, PolicyStatusProps } from './observability/policy-status';
export type { LokiDetectionRule } from './observability/loki-detection-rule';
export { TetragonLokiRules } from './observability/tetragon-loki-rules';
export type { TetragonLokiRulesProps } from './observability/tetragon-loki-rules';
export { LogShipper, TetragonObservability } from './observability/tetragon-observability';
export type { TetragonObservabilityProps } from './observability/tetragon-observability';

// Offline checking (cdk8s-tetragon check) and kernel tables (cdk8s-tetragon kernel)
export { RULES, checkManifests, checkPolicy, isTracingPolicyManifest, readYamlManifests, summarize } from './check';
export type { CheckOptions, Finding, RuleInfo, Severity, YamlManifests } from './check';
export { FEATURE_LABELS, FEATURE_NAMES, VERSION_GATES, featuresFromConfig } from './kernels/kernel-features';
export type { FeatureName, KernelFeatures } from './kernels/kernel-features';
export { bundledKernelInfo, bundledKernels, kernelTableFromBtf, loadKernel } from './kernels/kernel-table';
export type { BundledKernelInfo, FunctionPrototype, KernelTable } from './kernels/kernel-table';

// Simulation (cdk8s-tetragon simulate) and the jest matcher
export { EventFormatError, NAMESPACE_KINDS, parseEventsJsonl, validateEvent } from './simulate/event';
export type {
  CapabilitiesArg,
  CapabilitySets,
  EventArg,
  EventExpectation,
  FdArg,
  FileArg,
  FileTypeName,
  HookKind,
  HookRef,
  IntArg,
  LinuxBinprmArg,
  NamespaceKind,
  OpaqueArg,
  SimulatedAncestor,
  SimulatedContainer,
  SimulatedEvent,
  SimulatedPod,
  SimulatedProcess,
  SockArg,
  SockaddrArg,
  SockaddrUnArg,
  SocketFamily,
  StringArg,
} from './simulate/event';
export { loadPolicies } from './simulate/policy-input';
export type { PolicyInput, TracingPolicyManifest } from './simulate/policy-input';
export { simulate, simulatePolicies } from './simulate/simulator';
export type { PolicyMatch, PolicyMiss, SimulateOptions, SimulatedAction, SimulatedArch, SimulationResult } from './simulate/simulator';
export { explain, tetragonMatchers } from './testing/matchers';
export type { MatchEventOptions, MatcherResult, TetragonMatchers } from './testing/matchers';

// Composition and output
export { TetragonCluster } from './tetragon-cluster';
export type { ClusterPolicyStatusProps, TetragonClusterProps } from './tetragon-cluster';
export { OUTPUT_MANIFEST, synthesizeClusters, synthesizeUnits } from './synth';

// Generated CRD types, for the escape hatch
export * as crds from './crds';
