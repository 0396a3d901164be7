import { ImageRef } from './defaults';
import { ExportFilter } from './export-filter';
import { FieldFilter } from './field-filter';
import { RedactionFilter } from './redaction-filter';

/** How the TracingPolicy and TracingPolicyNamespaced CRDs get into the cluster (`crds.installMethod`). */
export enum CrdInstallMethod {
  /**
   * The chart renders the CRDs as ordinary objects, so they are applied together with (and before)
   * everything else of the install; a GitOps apply of install + policies finds them. Caveat: removing
   * the release removes the CRDs and with them every TracingPolicy.
   */
  HELM = 'helm',
  /** The operator creates the CRDs when it starts (chart default); policies must wait for it. */
  OPERATOR = 'operator',
  /** Nobody installs them; they are managed elsewhere. */
  NONE = 'none',
}

/** Labels Tetragon can put on its per-event metrics (`metricsLabelFilter`). */
export enum MetricsLabel {
  /** Pod namespace; bounded by the namespace count. */
  NAMESPACE = 'namespace',
  /** Owning workload (Deployment, DaemonSet...); stable across rollouts. */
  WORKLOAD = 'workload',
  /** Pod name; changes with every rollout, so it grows the series count without bound. */
  POD = 'pod',
  /** Executable path; bounded by the binaries in the images. */
  BINARY = 'binary',
}

/** Where the chart's export-stdout sidecar sends the export file (`export.mode`). */
export enum ExportSidecarMode {
  /** A sidecar tails the export file to its stdout, so the cluster's pod-log pipeline can ship it. */
  STDOUT = 'stdout',
  /** No sidecar; a log agent reads the file from the node (`exportDirectory`). */
  NONE = '',
}

/** Container runtime interface used by the runtime hooks (`rthooks.interface`). */
export enum RuntimeHooksInterface {
  /** containerd with NRI enabled. */
  NRI_HOOK = 'nri-hook',
  /** CRI-O through OCI hooks. */
  OCI_HOOKS = 'oci-hooks',
}

/** CPU and memory amounts, as Kubernetes quantities (`100m`, `256Mi`). */
export interface ResourceAmounts {
  /** CPU, e.g. `100m`. @default - not set */
  readonly cpu?: string;
  /** Memory, e.g. `256Mi`. @default - not set */
  readonly memory?: string;
}

/** Container resource requests and limits. */
export interface ResourceRequirements {
  /** Requests (scheduling guarantee). @default - none */
  readonly requests?: ResourceAmounts;
  /** Limits. @default - none */
  readonly limits?: ResourceAmounts;
}

/** Toleration effect. */
export enum TaintEffect {
  /** Do not schedule. */
  NO_SCHEDULE = 'NoSchedule',
  /** Avoid scheduling. */
  PREFER_NO_SCHEDULE = 'PreferNoSchedule',
  /** Evict. */
  NO_EXECUTE = 'NoExecute',
}

/** A pod toleration. */
export interface Toleration {
  /** Taint key. @default - every key (with operator `Exists`) */
  readonly key?: string;
  /** `Exists` or `Equal`. @default 'Equal' when a value is given, else 'Exists' */
  readonly operator?: 'Exists' | 'Equal';
  /** Taint value for `Equal`. @default - none */
  readonly value?: string;
  /** Taint effect. @default - every effect */
  readonly effect?: TaintEffect;
  /** For `NoExecute`: how long the pod stays after the taint appears. @default - forever */
  readonly tolerationSeconds?: number;
}

/** The JSON export file and what goes into it. */
export interface ExportOptions {
  /** Host directory of the export file (`exportDirectory`). @default '/var/run/cilium/tetragon' */
  readonly directory?: string;
  /**
   * File name of the JSON export (`tetragon.exportFilename`); `undefined` keeps the default, and
   * {@link ExportOptions.enabled} `false` disables the export.
   *
   * @default 'tetragon.log'
   */
  readonly fileName?: string;
  /** Write the JSON export at all. @default true */
  readonly enabled?: boolean;
  /**
   * Octal permissions of the file (`tetragon.exportFilePerm`). `600` means only root on the node
   * reads it (the log agent must run as root); `640`/`644` let a non-root reader in.
   *
   * @default '600'
   */
  readonly filePermissions?: string;
  /** Rotate at this size in MB (`tetragon.exportFileMaxSizeMB`). @default 10 */
  readonly maxSizeMB?: number;
  /** Rotated files to keep (`tetragon.exportFileMaxBackups`). @default 5 */
  readonly maxBackups?: number;
  /**
   * Gzip rotated files (`tetragon.exportFileCompress`). The log agent reads only the live file, so
   * compression keeps more history on the node's disk at no cost to shipping.
   *
   * @default true
   */
  readonly compress?: boolean;
  /**
   * Maximum exported events per minute (`tetragon.exportRateLimit`); drops are counted in
   * `tetragon_export_ratelimit_events_dropped_total` and reported as `RATE_LIMIT_INFO` events.
   *
   * @default - unlimited: a dropped security event is a silent gap, so alert on volume instead
   */
  readonly rateLimitPerMinute?: number;
  /** Events that may be exported (`tetragon.exportAllowList`). @default DEFAULT_EXPORT_ALLOW_LIST (every event type) */
  readonly allowList?: ExportFilter[];
  /**
   * Events never exported (`tetragon.exportDenyList`). Deny beats allow.
   *
   * @default DEFAULT_EXPORT_DENY_LIST (health checks, runtime daemons and kubelet helpers on the host)
   */
  readonly denyList?: ExportFilter[];
  /** Fields to include or exclude (`tetragon.fieldFilters`). @default - every field */
  readonly fieldFilters?: FieldFilter[];
  /** Secrets to mask in process arguments (`tetragon.redactionFilters`). @default DEFAULT_REDACTION_FILTERS */
  readonly redactionFilters?: RedactionFilter[];
  /** The export-stdout sidecar (`export.mode`). @default ExportSidecarMode.STDOUT */
  readonly sidecar?: ExportSidecarMode;
  /** Resources of the export-stdout sidecar (`export.resources`). @default requests 10m/32Mi, limit 128Mi memory */
  readonly sidecarResources?: ResourceRequirements;
}

/** Prometheus metrics of the agent and operator. */
export interface MetricsOptions {
  /** Expose agent metrics on port 2112 (`tetragon.prometheus.enabled`). @default true */
  readonly enabled?: boolean;
  /** Create ServiceMonitors for the agent and the operator (needs the Prometheus Operator CRDs). @default true */
  readonly serviceMonitor?: boolean;
  /**
   * Labels added to the ServiceMonitors so that the Prometheus `serviceMonitorSelector` picks them
   * up, e.g. `{ release: 'kube-prometheus-stack' }` (`serviceMonitor.extraLabels`; the chart's own
   * labels are kept).
   *
   * @default - none
   */
  readonly serviceMonitorLabels?: Record<string, string>;
  /** Scrape interval. @default '60s' */
  readonly scrapeInterval?: string;
  /**
   * Labels kept on per-event metrics such as `tetragon_events_total` and `tetragon_policy_events_total`
   * (`tetragon.prometheus.metricsLabelFilter`). `pod` is left out: pod names change with every
   * rollout and multiply the series; `workload` keeps the attribution alerts need.
   *
   * @default [NAMESPACE, WORKLOAD, BINARY]
   */
  readonly labels?: MetricsLabel[];
}

/** The operator Deployment. */
export interface OperatorOptions {
  /** Run the operator (`tetragonOperator.enabled`). @default true */
  readonly enabled?: boolean;
  /** Replicas (`tetragonOperator.replicas`). @default 1 */
  readonly replicas?: number;
  /** Priority class (`tetragonOperator.priorityClassName`). @default 'system-cluster-critical' */
  readonly priorityClassName?: string;
  /** Resources. @default requests 10m/64Mi, limits 500m/128Mi (the chart's) */
  readonly resources?: ResourceRequirements;
  /** Let the operator downgrade or overwrite existing CRDs (`tetragonOperator.forceUpdateCRDs`). @default false */
  readonly forceUpdateCrds?: boolean;
  /** Install the PodInfo CRD and controller (`tetragonOperator.podInfo.enabled`). @default false */
  readonly podInfo?: boolean;
}

/** Runtime hooks: the agent learns about new containers before they start (race-free pod-scoped policies). */
export interface RuntimeHooksOptions {
  /** Deploy the rthooks DaemonSet (`rthooks.enabled`). @default false (needs NRI in containerd or CRI-O hooks) */
  readonly enabled?: boolean;
  /** Runtime interface; required when enabled (`rthooks.interface`). @default - none */
  readonly interface?: RuntimeHooksInterface;
  /**
   * Namespaces whose pods may still start when the hook cannot reach the agent
   * (`rthooks.failAllowNamespaces`); the install namespace is always allowed.
   *
   * @default - none
   */
  readonly failAllowNamespaces?: string[];
  /** Priority class (`rthooks.priorityClassName`). @default 'system-node-critical' */
  readonly priorityClassName?: string;
}

/** Image overrides; a field left out keeps the image pinned for the chart version. */
export interface ImageOptions {
  /** Agent image. @default - pinned for the chart version (v1.7.0 with its index digest) */
  readonly agent?: ImageRef;
  /** Operator image. @default - pinned for the chart version (v1.7.0 with its index digest) */
  readonly operator?: ImageRef;
  /** export-stdout sidecar image. @default - the chart's pinned tag */
  readonly exportStdout?: ImageRef;
  /** rthooks image. @default - the chart's pinned tag */
  readonly rthooks?: ImageRef;
}
