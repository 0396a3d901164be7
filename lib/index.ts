// Policy building blocks
export * from './policy/argument';
export * from './policy/arg-filter';
export * from './policy/process-filter';
export * from './policy/action';
export * from './policy/selector';
export * from './policy/label-selector';
export * from './policy/kprobe-hook';
export * from './policy/tracepoint-hook';
export * from './policy/lsm-hook';
export * from './policy/tracing-policy';
export * from './policy/enforcement';
export * from './model/limits';
export * from './model/capability';
export { PolicyValidationError, ValidationError } from './validation-error';
export type { HookBaseProps } from './policy/hook-base-props';

// The module's policies
export * from './policies/library-policy-props';
export * from './policies/detection';
export * from './policies/process-exec-monitor';
export * from './policies/sensitive-file-access-monitor';
export * from './policies/privilege-escalation-monitor';
export * from './policies/shell-access-monitor';
export * from './policies/network-connection-monitor';

// Detections (one per file) and bundles
export * from './detections/detection-props';
export * from './detections/bpf-activity-detection';
export * from './detections/bundles';
export * from './detections/cloud-metadata-contact-detection';
export * from './detections/container-kernel-load-detection';
export * from './detections/container-mount-detection';
export * from './detections/crypto-miner-exec-detection';
export * from './detections/fileless-exec-detection';
export * from './detections/host-path-access-detection';
export * from './detections/huge-pages-detection';
export * from './detections/kernel-control-write-detection';
export * from './detections/kernel-module-detection';
export * from './detections/kubernetes-api-contact-detection';
export * from './detections/log-clearing-detection';
export * from './detections/mining-pool-connection-detection';
export * from './detections/msr-access-detection';
export * from './detections/namespace-change-detection';
export * from './detections/packet-socket-detection';
export * from './detections/privilege-escalation-detection';
export * from './detections/proc-environ-read-detection';
export * from './detections/ptrace-detection';
export * from './detections/release-agent-detection';
export * from './detections/runtime-socket-detection';
export * from './detections/sensitive-link-detection';
export * from './detections/shared-library-load-detection';
export * from './detections/shell-history-detection';
export * from './detections/ssh-nonstandard-port-detection';
export * from './detections/sshd-network-detection';
export * from './detections/stratum-protocol-detection';
export * from './detections/sudo-detection';
export * from './detections/suid-exec-detection';
export * from './detections/suspicious-command-detection';
export * from './detections/tmp-exec-detection';

// Install and GitOps units
export * from './install';
export * from './gitops';

// Observability: log shipping, dashboard, alert rules
export * from './observability/log-schema';
export * from './observability/log-shipping-props';
export * from './observability/alloy-log-shipping';
export * from './observability/promtail-log-shipping';
export * from './observability/siem-sink';
export * from './observability/siem-fields';
export * from './observability/queries';
export * from './observability/tetragon-dashboard';
export * from './observability/tetragon-alert-rules';
export type { ExpectedPolicy, PolicyStatusProps } from './observability/policy-status';
export { POLICY_STATUS_RECORDS } from './observability/policy-status';
export * from './observability/loki-detection-rule';
export * from './observability/tetragon-loki-rules';
export * from './observability/tetragon-observability';

// Offline checking and simulation
export * from './check';
export * from './kernels';
export * from './simulate';
export * from './testing';

// Composition and output
export * from './tetragon-cluster';
export * from './synth';

// Generated CRD types, for the escape hatch
export * as crds from './crds';
