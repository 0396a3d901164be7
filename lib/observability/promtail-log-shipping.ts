import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { extractionExpressions, LABEL_FIELDS, METADATA_FIELDS, TIME_FIELD, TIME_FORMAT } from './log-schema';
import { LogShippingProps } from './log-shipping-props';
import { EXPORT_VOLUME, resolveLogShipping } from './private/log-shipping';
import { checkObjectName, sorted } from './private/validate';

/** Props of {@link PromtailLogShipping}. */
export interface PromtailLogShippingProps extends LogShippingProps {
  /**
   * Name of the ConfigMap.
   * @default 'tetragon-promtail'
   */
  readonly configMapName?: string;
}

/**
 * The Promtail scrape configuration the module shipped, for clusters that still run Promtail
 * (end of life since 2026-03-02; prefer {@link AlloyLogShipping}, which alone gets new features such as
 * SIEM sinks). Same streams as the Alloy
 * pipeline: labels `job`, `event_type`, `namespace`, `policy_name`, `node`; structured metadata
 * pod, container, workload, binary, function_name, exec_id; timestamp from the event's `time`.
 *
 * Emits one ConfigMap (default `logging/tetragon-promtail`) with:
 * - `scrape-configs.yaml`: the `scrape_configs` entries to add to a Promtail configuration;
 * - `values.yaml`: values for the `grafana/promtail` Helm chart (`config.snippets.extraScrapeConfigs`
 *   plus the hostPath mount of the export directory), usable from a Flux HelmRelease through `valuesFrom`.
 *
 * @see https://grafana.com/docs/loki/latest/send-data/promtail/stages/
 */
export class PromtailLogShipping extends Construct {
  /** The generated ConfigMap. */
  public readonly configMap: k8s.KubeConfigMap;
  /** The scrape configurations (a YAML list). */
  public readonly scrapeConfigs: Record<string, unknown>[];
  /** Helm values for the `grafana/promtail` chart. */
  public readonly helmValues: Record<string, unknown>;
  /** Namespace of the ConfigMap. */
  public readonly namespace: string;

  public constructor(scope: Construct, id: string, props: PromtailLogShippingProps = {}) {
    super(scope, id);
    const base = resolveLogShipping(this, props);
    this.namespace = base.namespace;
    const name = checkObjectName(this, 'configMapName', props.configMapName ?? 'tetragon-promtail');

    const staticLabels: Record<string, string> = { __path__: base.exportFile, job: base.job };
    if (base.cluster !== undefined) staticLabels.cluster = base.cluster;
    this.scrapeConfigs = [
      {
        job_name: 'tetragon',
        static_configs: [{ targets: ['localhost'], labels: staticLabels }],
        pipeline_stages: [
          { json: { expressions: extractionExpressions() } },
          { labels: Object.fromEntries(LABEL_FIELDS.map((f) => [f.name, ''])) },
          { structured_metadata: Object.fromEntries(METADATA_FIELDS.map((f) => [f.name, ''])) },
          { timestamp: { source: TIME_FIELD.name, format: TIME_FORMAT } },
          { labeldrop: ['filename'] },
        ],
      },
    ];
    const scrapeYaml = stringify(this.scrapeConfigs, { sortMapEntries: true, lineWidth: 0 });

    this.helmValues = {
      config: { snippets: { extraScrapeConfigs: scrapeYaml } },
      extraVolumes: [{ name: EXPORT_VOLUME, hostPath: { path: base.exportDirectory, type: 'DirectoryOrCreate' } }],
      extraVolumeMounts: [{ name: EXPORT_VOLUME, mountPath: base.exportDirectory, readOnly: true }],
    };

    this.configMap = new k8s.KubeConfigMap(this, 'Resource', {
      metadata: {
        name,
        namespace: this.namespace,
        labels: sorted({ ...base.labels, 'app.kubernetes.io/part-of': 'cdk8s-tetragon', 'app.kubernetes.io/component': 'log-shipping' }),
      },
      data: {
        'scrape-configs.yaml': scrapeYaml,
        'values.yaml': stringify(this.helmValues, { sortMapEntries: true, lineWidth: 0 }),
      },
    });
  }
}
