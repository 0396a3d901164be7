/**
 * The Grafana Alloy components this library emits, with the attributes and blocks it sets on each, as the pinned
 * Alloy release documents them. The renderers may only use what is listed here; a test walks every generated
 * configuration against this table, and the constructs derive the Helm values' stability level and feature flags
 * from it.
 *
 * Written from the component reference of {@link ALLOY_RELEASE} (`docs/sources/reference/components/<group>/<name>.md`,
 * shared blocks in `docs/sources/shared/reference/components/`), cross-checked against the `alloy:"..."` struct tags
 * of `internal/component/` at the same tag. Only the subset the library uses is listed.
 */

/** The Alloy release the generated configuration targets, and where its component reference lives. */
export const ALLOY_RELEASE = {
  repository: 'grafana/alloy',
  tag: 'v1.18.1',
  componentDocs: 'docs/sources/reference/components',
  sharedBlockDocs: 'docs/sources/shared/reference/components',
} as const;

/** Stability level of a component, lowest first; `alloy run --stability.level` must be at or below it. */
export type AlloyStability = 'experimental' | 'public-preview' | 'generally-available';

/** Stability levels from least to most stable, as `--stability.level` orders them. */
export const STABILITY_ORDER: readonly AlloyStability[] = ['experimental', 'public-preview', 'generally-available'];

/** What may appear inside a component or block body. */
export interface AlloyBodySpec {
  /** Attribute names. */
  readonly attributes: readonly string[];
  /** Nested blocks by name. */
  readonly blocks?: { readonly [name: string]: AlloyBodySpec };
}

/** One component: its body, exports, stability and reference page. */
export interface AlloyComponentSpec extends AlloyBodySpec {
  /** Exported fields other components may reference. */
  readonly exports: readonly string[];
  /**
   * Stability level in the pinned release; `community` for community components, which have none and need
   * `--feature.community-components.enabled` instead.
   */
  readonly stability: AlloyStability | 'community';
  /** Reference page, relative to {@link ALLOY_RELEASE}.componentDocs. */
  readonly doc: string;
}

// Shared blocks (docs/sources/shared/reference/components/otelcol-*.md).
const OUTPUT: AlloyBodySpec = { attributes: ['logs'] };
const TLS_CLIENT: AlloyBodySpec = { attributes: ['ca_file', 'cert_file', 'key_file', 'server_name', 'insecure'] };
const RETRY: AlloyBodySpec = { attributes: ['enabled', 'initial_interval', 'max_interval', 'max_elapsed_time'] };
const QUEUE: AlloyBodySpec = {
  attributes: ['enabled', 'queue_size', 'sizer', 'block_on_overflow', 'storage'],
  blocks: { batch: { attributes: ['flush_timeout', 'min_size', 'max_size', 'sizer'] } },
};

/** `loki.process` stages the library emits (stage.match nests the same stages). */
const STAGES: { [name: string]: AlloyBodySpec } = {
  'stage.json': { attributes: ['expressions'] },
  'stage.labels': { attributes: ['values'] },
  'stage.structured_metadata': { attributes: ['values'] },
  'stage.timestamp': { attributes: ['source', 'format'] },
  'stage.label_drop': { attributes: ['values'] },
  'stage.static_labels': { attributes: ['values'] },
  'stage.replace': { attributes: ['source', 'expression', 'replace'] },
  'stage.regex': { attributes: ['expression', 'labels_from_groups'] },
};
STAGES['stage.match'] = { attributes: ['selector', 'action', 'drop_counter_reason'], blocks: STAGES };

/** The components, by name. */
export const ALLOY_COMPONENTS: { readonly [name: string]: AlloyComponentSpec } = {
  'local.file_match': {
    attributes: ['path_targets'],
    exports: ['targets'],
    stability: 'generally-available',
    doc: 'local/local.file_match.md',
  },
  'loki.source.file': {
    attributes: ['targets', 'forward_to'],
    exports: [],
    stability: 'generally-available',
    doc: 'loki/loki.source.file.md',
  },
  'loki.process': {
    attributes: ['forward_to'],
    blocks: STAGES,
    exports: ['receiver'],
    stability: 'generally-available',
    doc: 'loki/loki.process.md',
  },
  'loki.write': {
    attributes: [],
    blocks: { endpoint: { attributes: ['url', 'tenant_id'] } },
    exports: ['receiver'],
    stability: 'generally-available',
    doc: 'loki/loki.write.md',
  },
  'remote.kubernetes.secret': {
    attributes: ['namespace', 'name'],
    exports: ['data'],
    stability: 'generally-available',
    doc: 'remote/remote.kubernetes.secret.md',
  },
  'otelcol.receiver.loki': {
    attributes: [],
    blocks: { output: OUTPUT },
    exports: ['receiver'],
    stability: 'generally-available',
    doc: 'otelcol/otelcol.receiver.loki.md',
  },
  'otelcol.processor.attributes': {
    attributes: [],
    blocks: { action: { attributes: ['key', 'action', 'value', 'from_attribute', 'converted_type'] }, output: OUTPUT },
    exports: ['input'],
    stability: 'generally-available',
    doc: 'otelcol/otelcol.processor.attributes.md',
  },
  'otelcol.auth.bearer': {
    attributes: ['token', 'scheme'],
    exports: ['handler'],
    stability: 'generally-available',
    doc: 'otelcol/otelcol.auth.bearer.md',
  },
  'otelcol.auth.basic': {
    attributes: [],
    blocks: { client_auth: { attributes: ['username', 'password'] } },
    exports: ['handler'],
    stability: 'generally-available',
    doc: 'otelcol/otelcol.auth.basic.md',
  },
  'otelcol.auth.headers': {
    attributes: [],
    blocks: { header: { attributes: ['key', 'value'] } },
    exports: ['handler'],
    stability: 'generally-available',
    doc: 'otelcol/otelcol.auth.headers.md',
  },
  'otelcol.storage.file': {
    attributes: ['directory'],
    exports: ['handler'],
    stability: 'public-preview',
    doc: 'otelcol/otelcol.storage.file.md',
  },
  'otelcol.exporter.otlp': {
    attributes: [],
    blocks: {
      client: { attributes: ['endpoint', 'auth', 'compression', 'headers'], blocks: { tls: TLS_CLIENT } },
      retry_on_failure: RETRY,
      sending_queue: QUEUE,
    },
    exports: ['input'],
    stability: 'generally-available',
    doc: 'otelcol/otelcol.exporter.otlp.md',
  },
  'otelcol.exporter.otlphttp': {
    attributes: ['encoding'],
    blocks: {
      client: { attributes: ['endpoint', 'auth', 'compression', 'headers'], blocks: { tls: TLS_CLIENT } },
      retry_on_failure: RETRY,
      sending_queue: QUEUE,
    },
    exports: ['input'],
    stability: 'generally-available',
    doc: 'otelcol/otelcol.exporter.otlphttp.md',
  },
  'otelcol.exporter.splunkhec': {
    attributes: [],
    blocks: {
      splunk: { attributes: ['token', 'index', 'source', 'sourcetype'] },
      client: { attributes: ['endpoint', 'insecure_skip_verify'] },
      otel_attrs_to_hec_metadata: { attributes: ['host'] },
      retry_on_failure: RETRY,
      sending_queue: QUEUE,
    },
    exports: ['input'],
    stability: 'community',
    doc: 'otelcol/otelcol.exporter.splunkhec.md',
  },
  'otelcol.exporter.kafka': {
    attributes: ['protocol_version', 'brokers', 'client_id'],
    blocks: {
      logs: { attributes: ['topic', 'encoding'] },
      authentication: { attributes: [], blocks: { sasl: { attributes: ['mechanism', 'username', 'password'] } } },
      tls: TLS_CLIENT,
      producer: { attributes: ['compression', 'required_acks'] },
      retry_on_failure: RETRY,
      sending_queue: QUEUE,
    },
    exports: ['input'],
    stability: 'generally-available',
    doc: 'otelcol/otelcol.exporter.kafka.md',
  },
  'otelcol.exporter.syslog': {
    attributes: ['endpoint', 'port', 'network', 'protocol', 'enable_octet_counting'],
    blocks: { tls: TLS_CLIENT, retry_on_failure: RETRY, sending_queue: QUEUE },
    exports: ['input'],
    stability: 'public-preview',
    doc: 'otelcol/otelcol.exporter.syslog.md',
  },
  'otelcol.exporter.awss3': {
    attributes: [],
    blocks: {
      s3_uploader: {
        attributes: [
          'region',
          's3_bucket',
          's3_prefix',
          'endpoint',
          's3_force_path_style',
          'compression',
          's3_partition_format',
          'retry_max_attempts',
          'retry_max_backoff',
        ],
      },
      marshaler: { attributes: ['type'] },
      sending_queue: QUEUE,
    },
    exports: ['input'],
    stability: 'experimental',
    doc: 'otelcol/otelcol.exporter.awss3.md',
  },
};

/** The least stable level among components, i.e. the `--stability.level` a configuration that uses them needs. */
export function requiredStability(components: Iterable<string>): AlloyStability {
  let level = STABILITY_ORDER.length - 1;
  for (const name of components) {
    const spec = ALLOY_COMPONENTS[name];
    if (!spec) throw new Error(`Alloy component ${name} is not in the pinned component table`);
    if (spec.stability !== 'community') level = Math.min(level, STABILITY_ORDER.indexOf(spec.stability));
  }
  return STABILITY_ORDER[level];
}

/** Whether any of the components is a community component. */
export function needsCommunityComponents(components: Iterable<string>): boolean {
  return [...components].some((name) => ALLOY_COMPONENTS[name]?.stability === 'community');
}
