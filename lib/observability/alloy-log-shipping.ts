import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { invalid } from '../private/problems';
import { extractionExpressions, LABEL_FIELDS, METADATA_FIELDS, TIME_FIELD, TIME_FORMAT } from './log-schema';
import { LogShippingProps } from './log-shipping-props';
import { ALLOY_RELEASE, needsCommunityComponents, requiredStability } from './private/alloy-components';
import { AlloyRef, AlloyStatement, attr, block, componentNames, renderAlloy } from './private/alloy-syntax';
import { EXPORT_VOLUME, resolveLogShipping, ResolvedLogShipping } from './private/log-shipping';
import { renderSiem } from './private/siem-pipeline';
import { checkObjectName, checkSelectorValue, sorted } from './private/validate';
import { SiemSeverityProps, SiemSink } from './siem-sink';

/** Loki push endpoint of the Loki Helm chart's gateway in the `logging` namespace. */
export const DEFAULT_LOKI_PUSH_URL = 'http://loki-gateway.logging.svc.cluster.local/loki/api/v1/push';

/** Props of {@link AlloyLogShipping}. */
export interface AlloyLogShippingProps extends LogShippingProps {
  /**
   * Loki push URL for the `loki.write` component this construct adds.
   * Leave unset when {@link forwardTo} names a `loki.write` of your own.
   * @default 'http://loki-gateway.logging.svc.cluster.local/loki/api/v1/push'
   */
  readonly lokiUrl?: string;

  /**
   * Loki tenant (`X-Scope-OrgID`) for multi-tenant Loki.
   * @default - no tenant header
   */
  readonly tenantId?: string;

  /**
   * Receiver of an existing `loki.write` in your Alloy configuration, e.g. `loki.write.default.receiver`.
   * When set, no `loki.write` is emitted and the pipeline forwards there.
   * @default - a `loki.write "tetragon"` pushing to {@link lokiUrl}
   */
  readonly forwardTo?: string;

  /**
   * Name of the ConfigMap.
   * @default 'tetragon-alloy'
   */
  readonly configMapName?: string;

  /**
   * SIEM sinks that receive the events beside Loki, each with its own filter, batching, retries and buffer.
   * Their Secrets must exist in {@link namespace}.
   * @default - none: events go to Loki only
   */
  readonly siemSinks?: readonly SiemSink[];

  /**
   * How events get the `severity` field the SIEM sinks receive.
   * @default - policy events medium, other events info
   */
  readonly siemSeverity?: SiemSeverityProps;
}

/**
 * Ships Tetragon events to Loki with Grafana Alloy: tails the JSON export file on each node,
 * labels streams (`job`, `event_type`, `namespace`, `policy_name`, `node`), keeps pod, container,
 * workload, binary, function and exec id as structured metadata, and takes the event's `time` as
 * the line's timestamp. Optional {@link SiemSink}s receive the same events, with normalized fields, over
 * OTLP, Splunk HEC, Kafka, syslog or S3.
 *
 * The configuration targets Grafana Alloy v1.18.1 (the Helm values pin that image tag) and uses only
 * components of its reference.
 *
 * Emits one ConfigMap (default `logging/tetragon-alloy`) with two keys:
 * - `config.alloy`: the Alloy configuration;
 * - `values.yaml`: values for the `grafana/alloy` Helm chart (a DaemonSet that reads `config.alloy`
 *   from this ConfigMap and mounts the export directory read-only), usable from a Flux HelmRelease
 *   through `valuesFrom`.
 *
 * @see https://grafana.com/docs/alloy/latest/reference/components/loki/loki.process/
 */
export class AlloyLogShipping extends Construct {
  /** The generated ConfigMap. */
  public readonly configMap: k8s.KubeConfigMap;
  /** The Alloy configuration text (`config.alloy`). */
  public readonly config: string;
  /** Helm values for the `grafana/alloy` chart (`values.yaml`). */
  public readonly helmValues: Record<string, unknown>;
  /** Namespace of the ConfigMap. */
  public readonly namespace: string;
  /** Name of the ConfigMap. */
  public readonly configMapName: string;

  public constructor(scope: Construct, id: string, props: AlloyLogShippingProps = {}) {
    super(scope, id);
    const base = resolveLogShipping(this, props);
    this.namespace = base.namespace;
    this.configMapName = checkObjectName(this, 'configMapName', props.configMapName ?? 'tetragon-alloy');

    if (props.forwardTo !== undefined && (props.lokiUrl !== undefined || props.tenantId !== undefined)) {
      invalid(
        this,
        'lokiUrl',
        props.lokiUrl ?? props.tenantId,
        'no lokiUrl or tenantId when forwardTo is set',
        'Either forward to your own loki.write (forwardTo) and configure URL and tenant there, or drop forwardTo.',
      );
    }
    let receiver: AlloyRef;
    const statements: AlloyStatement[] = [];
    if (props.forwardTo !== undefined) {
      if (!/^loki\.[A-Za-z_][A-Za-z0-9_.]*\.receiver$/.test(props.forwardTo)) {
        invalid(
          this,
          'forwardTo',
          props.forwardTo,
          'a Loki receiver reference such as loki.write.default.receiver',
          'Name the receiver export of a loki.write (or loki.process) component in your Alloy configuration.',
        );
      }
      receiver = new AlloyRef(props.forwardTo);
    } else {
      const url = props.lokiUrl ?? DEFAULT_LOKI_PUSH_URL;
      if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(url)) {
        invalid(this, 'lokiUrl', url, 'an http:// or https:// URL', `Use Loki's push endpoint, e.g. '${DEFAULT_LOKI_PUSH_URL}'.`);
      }
      const endpoint: AlloyStatement[] = [attr('url', url)];
      if (props.tenantId !== undefined) endpoint.push(attr('tenant_id', checkSelectorValue(this, 'tenantId', props.tenantId)));
      receiver = new AlloyRef('loki.write.tetragon.receiver');
      statements.push(block('loki.write', 'tetragon', [block('endpoint', undefined, endpoint)]));
    }

    const siem = renderSiem(this, { sinks: props.siemSinks ?? [], severity: props.siemSeverity, namespace: this.namespace });
    if (siem === undefined && props.siemSeverity !== undefined) {
      invalid(this, 'siemSeverity', props.siemSeverity, 'no severity rules without SIEM sinks', 'Add siemSinks, or drop siemSeverity.');
    }
    const targets = siem
      ? [new AlloyRef('loki.process.tetragon.receiver'), siem.receiver]
      : [new AlloyRef('loki.process.tetragon.receiver')];
    const all = [...pipeline(base, receiver, targets), ...statements, ...(siem?.statements ?? [])];
    this.config = renderAlloy(all, [
      `Tetragon events to Loki${siem ? ' and SIEM sinks' : ''}. Generated by cdk8s-tetragon for Grafana Alloy ${ALLOY_RELEASE.tag}; edit the construct, not this file.`,
      `Reads ${base.exportFile} on each node (mounted read-only from the host; the file is root-only by default).`,
    ]);

    const components = componentNames(all);
    const stability = requiredStability(components);
    this.helmValues = {
      image: { tag: ALLOY_RELEASE.tag },
      alloy: {
        configMap: { create: false, name: this.configMapName, key: 'config.alloy' },
        mounts: { extra: [{ name: EXPORT_VOLUME, mountPath: base.exportDirectory, readOnly: true }, ...(siem?.mounts ?? [])] },
        // Tetragon writes the export file with mode 600 (tetragon.exportFilePerm), owned by root.
        securityContext: { runAsUser: 0, runAsGroup: 0 },
        ...(stability !== 'generally-available' ? { stabilityLevel: stability } : {}),
        ...(needsCommunityComponents(components) ? { extraArgs: ['--feature.community-components.enabled=true'] } : {}),
        ...(siem?.env.length ? { extraEnv: siem.env } : {}),
      },
      controller: {
        type: 'daemonset',
        // Tetragon runs on every node (its chart tolerates all taints), so its reader must too.
        tolerations: [{ operator: 'Exists' }],
        volumes: {
          extra: [{ name: EXPORT_VOLUME, hostPath: { path: base.exportDirectory, type: 'DirectoryOrCreate' } }, ...(siem?.volumes ?? [])],
        },
      },
    };

    this.configMap = new k8s.KubeConfigMap(this, 'Resource', {
      metadata: {
        name: this.configMapName,
        namespace: this.namespace,
        labels: sorted({ ...base.labels, 'app.kubernetes.io/part-of': 'cdk8s-tetragon', 'app.kubernetes.io/component': 'log-shipping' }),
      },
      data: {
        'config.alloy': this.config,
        'values.yaml': stringify(this.helmValues, { sortMapEntries: true, lineWidth: 0 }),
      },
    });
  }
}

function pipeline(base: ResolvedLogShipping, receiver: AlloyRef, sourceTargets: AlloyRef[]): AlloyStatement[] {
  const stages: AlloyStatement[] = [
    attr('forward_to', [receiver]),
    block('stage.json', undefined, [attr('expressions', extractionExpressions())]),
    block('stage.labels', undefined, [attr('values', Object.fromEntries(LABEL_FIELDS.map((f) => [f.name, ''])))]),
    block('stage.structured_metadata', undefined, [attr('values', Object.fromEntries(METADATA_FIELDS.map((f) => [f.name, ''])))]),
    block('stage.timestamp', undefined, [attr('source', TIME_FIELD.name), attr('format', TIME_FORMAT)]),
    // loki.source.file adds the file path as a label; it is constant here and only costs an index entry.
    block('stage.label_drop', undefined, [attr('values', ['filename'])]),
  ];
  const target: Record<string, string> = { __path__: base.exportFile, job: base.job };
  if (base.cluster !== undefined) target.cluster = base.cluster;
  return [
    block('local.file_match', 'tetragon', [attr('path_targets', [target])]),
    block('loki.source.file', 'tetragon', [
      attr('targets', new AlloyRef('local.file_match.tetragon.targets')),
      attr('forward_to', sourceTargets),
    ]),
    block('loki.process', 'tetragon', stages),
  ];
}
