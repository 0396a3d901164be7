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
export * from './policy/limits';
export { PolicyValidationError } from './policy/_problems';
export type { HookBaseProps } from './policy/_hook-base';

// The module's policies
export * from './policies/_common';
export * from './policies/process-exec-monitor';
export * from './policies/sensitive-file-access-monitor';
export * from './policies/privilege-escalation-monitor';
export * from './policies/shell-access-monitor';
export * from './policies/network-connection-monitor';

// Install and GitOps units
export * from './install';
export * from './gitops';

// Observability: log shipping, dashboard, alert rules
export * from './observability/log-schema';
export * from './observability/log-shipping-props';
export * from './observability/alloy-log-shipping';
export * from './observability/promtail-log-shipping';
export * from './observability/queries';
export * from './observability/tetragon-dashboard';
export * from './observability/tetragon-alert-rules';
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
