import { ApiObject, Helm } from 'cdk8s';
import { Construct } from 'constructs';
import * as helm from '../../imports/helm.toolkit.fluxcd.io';
import * as source from '../../imports/source.toolkit.fluxcd.io';
import { isDnsLabel, isDuration } from '../private/patterns';
import { Problems } from '../private/problems';
import { ChartSource } from './chart-source';
import { CHART_CONTEXT, HELM_CONTEXT, INSTALL_METHOD_CONTEXT, InstallMethod } from './install-method';
import { locateHelm, renderHelmTemplate } from './private/helm';
import { isPlainObject } from './private/merge';
import { renderFluxRelease } from './private/render-flux';
import { parseValues, withExtraValues } from './private/values';
import {
  CrdInstallMethod,
  ExportOptions,
  ImageOptions,
  MetricsOptions,
  OperatorOptions,
  ResourceRequirements,
  RuntimeHooksOptions,
  Toleration,
} from './values';

/** The Tetragon chart version this library is written and tested against. */
export const DEFAULT_CHART_VERSION = '1.7.0';

/** Flux settings of the `flux-helmrelease` method. */
export interface FluxReleaseOptions {
  /** Namespace of the HelmRelease and its chart source. @default 'flux-system' */
  readonly namespace?: string;
  /** Reconcile interval of the HelmRelease. @default '30m' */
  readonly interval?: string;
  /** Interval at which the chart source is checked. @default '1h' */
  readonly sourceInterval?: string;
  /** Timeout of each Helm action. @default '10m' */
  readonly timeout?: string;
  /**
   * Correct in-cluster drift from the rendered release (someone edits the agent ConfigMap to turn
   * the export off, for instance).
   *
   * @default true
   */
  readonly driftDetection?: boolean;
}

/** Props of {@link TetragonInstall}. */
export interface TetragonInstallProps {
  /** Chart version; the one value to change for an upgrade (images follow it). @default '1.7.0' */
  readonly chartVersion?: string;
  /**
   * Renderer.
   *
   * @default - the context `cdk8s-tetragon:install-method`, else InstallMethod.FLUX_HELM_RELEASE (needs no chart access at synth time)
   */
  readonly method?: InstallMethod;
  /**
   * Where the chart comes from.
   *
   * @default - the context `cdk8s-tetragon:chart` (`ChartSource.parse` syntax), else ChartSource.cilium() (https://helm.cilium.io)
   */
  readonly chart?: ChartSource;
  /** Chart name in the repository. @default 'tetragon' */
  readonly chartName?: string;
  /** Helm release name; it also names the agent DaemonSet and ConfigMap. @default 'tetragon' */
  readonly releaseName?: string;
  /** Namespace of the release. @default 'kube-system' */
  readonly namespace?: string;
  /** Kubernetes version `helm template` renders for (`--kube-version`). @default '1.32.0' */
  readonly kubeVersion?: string;
  /** Pass `--include-crds` to `helm template` (charts with a `crds/` folder). @default false */
  readonly includeCrds?: boolean;
  /** `helm` binary for `helm-template`. @default - the context `cdk8s-tetragon:helm`, else `helm` on PATH */
  readonly helmExecutable?: string;
  /** Flux settings (`flux-helmrelease` only). @default - see FluxReleaseOptions */
  readonly flux?: FluxReleaseOptions;

  /** Cluster name put into every event as `cluster_name` (`tetragon.clusterName`). @default - none */
  readonly clusterName?: string;
  /** The JSON export: file, rotation, allow/deny lists, field and redaction filters. @default - see ExportOptions */
  readonly export?: ExportOptions;
  /**
   * Credentials and capabilities in events (`tetragon.enableProcessCred`). SUID, file-capability,
   * fileless (memfd) and deleted-binary detection read `binary_properties`, which needs it.
   *
   * @default true
   */
  readonly processCredentials?: boolean;
  /**
   * Linux namespaces in events (`tetragon.enableProcessNs`), so container-escape events show
   * whether a process joined the host's namespaces.
   *
   * @default true
   */
  readonly processNamespaces?: boolean;
  /** Metrics, ServiceMonitors and metric labels. @default - see MetricsOptions */
  readonly metrics?: MetricsOptions;
  /**
   * Agent container resources (`tetragon.resources`). No CPU limit by default: throttling the agent
   * loses events under load, and the request already reserves its share.
   *
   * @default requests 100m CPU / 256Mi, limit 1Gi memory
   */
  readonly resources?: ResourceRequirements;
  /** Agent tolerations. @default [{ operator: 'Exists' }] (every node, a node without the agent is a blind spot) */
  readonly tolerations?: Toleration[];
  /** Agent priority class, so the agent is not evicted before the workloads it watches. @default 'system-node-critical' */
  readonly priorityClassName?: string;
  /** Runtime hooks. @default - disabled */
  readonly rthooks?: RuntimeHooksOptions;
  /**
   * How the CRDs are installed. `HELM` renders them with the release, so one GitOps apply of install
   * and policies succeeds, and the `install` unit still runs first (ordered units).
   *
   * @default CrdInstallMethod.HELM
   */
  readonly crdInstallMethod?: CrdInstallMethod;
  /** Operator settings. @default - see OperatorOptions */
  readonly operator?: OperatorOptions;
  /** Image overrides. @default - pinned for the chart version */
  readonly images?: ImageOptions;
  /**
   * Escape hatch for chart values the props do not model, deep-merged over the typed values, e.g.
   * `{ tetragon: { processAncestors: { enabled: 'base,kprobe' } } }`. Setting a path a typed prop
   * already sets to a different value is an error that names the prop to use instead.
   *
   * @default - none
   */
  readonly extraValues?: Record<string, unknown>;
}

/** An object whose readiness says the install is done (a Flux Kustomization health check). */
export interface InstallHealthCheck {
  /** API version. */
  readonly apiVersion: string;
  /** Kind. */
  readonly kind: string;
  /** Name. */
  readonly name: string;
  /** Namespace. */
  readonly namespace: string;
}

const SEMVER = /^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$/;

/**
 * Installs Tetragon from its Helm chart with typed values and secure defaults, rendered either as
 * plain objects (`helm template`) or as a Flux HelmRelease; both renderers get the same values.
 *
 * @example
 * new TetragonInstall(installChart, 'Tetragon', {
 *   clusterName: 'nlcl01k8s',
 *   metrics: { serviceMonitorLabels: { release: 'kube-prometheus-stack' } },
 * });
 */
export class TetragonInstall extends Construct {
  /** The renderer in effect (props, then context, then default). */
  public readonly method: InstallMethod;
  /** The chart source in effect. */
  public readonly chartSource: ChartSource;
  /** The chart version. */
  public readonly chartVersion: string;
  /** The chart name. */
  public readonly chartName: string;
  /** The release name. */
  public readonly releaseName: string;
  /** The release namespace. */
  public readonly namespace: string;
  /** The chart values both renderers use (typed values merged with `extraValues`, keys sorted). */
  public readonly values: Record<string, unknown>;
  /** The rendered chart (`helm-template` only). */
  public readonly helmChart?: Helm;
  /** The HelmRelease (`flux-helmrelease` only). */
  public readonly helmRelease?: helm.HelmRelease;
  /** The HelmRepository or OCIRepository (`flux-helmrelease` only). */
  public readonly helmSource?: source.HelmRepository | source.OciRepository;
  /** Objects whose readiness means Tetragon is installed: the HelmRelease (Flux), the agent DaemonSet, the operator Deployment. */
  public readonly healthChecks: InstallHealthCheck[];

  public constructor(scope: Construct, id: string, props: TetragonInstallProps = {}) {
    super(scope, id);
    const problems = new Problems('invalid TetragonInstall props');
    this.method = parseMethod(this, props.method, problems);
    this.chartSource = parseChartSource(this, props.chart, problems);
    this.chartVersion = props.chartVersion ?? DEFAULT_CHART_VERSION;
    this.chartName = props.chartName ?? 'tetragon';
    this.releaseName = props.releaseName ?? 'tetragon';
    this.namespace = props.namespace ?? 'kube-system';
    const kubeVersion = props.kubeVersion ?? '1.32.0';
    const flux = props.flux ?? {};
    const fluxNamespace = flux.namespace ?? 'flux-system';
    problems.check(
      SEMVER.test(this.chartVersion),
      'chartVersion',
      this.chartVersion,
      'an exact chart version such as 1.7.0 (ranges would make dist/ change without a commit)',
    );
    problems.check(isDnsLabel(this.chartName), 'chartName', this.chartName, 'a chart name such as tetragon');
    problems.check(isDnsLabel(this.releaseName, 53), 'releaseName', this.releaseName, 'a DNS label of at most 53 characters (Helm limit)');
    problems.check(isDnsLabel(this.namespace), 'namespace', this.namespace, 'a namespace name');
    problems.check(isDnsLabel(fluxNamespace), 'flux.namespace', fluxNamespace, 'a namespace name');
    problems.check(/^v?[0-9]+\.[0-9]+(\.[0-9]+)?$/.test(kubeVersion), 'kubeVersion', kubeVersion, 'a Kubernetes version such as 1.32.0');
    for (const [field, value] of [
      ['flux.interval', flux.interval],
      ['flux.sourceInterval', flux.sourceInterval],
      ['flux.timeout', flux.timeout],
    ] as const) {
      if (value !== undefined) problems.check(isDuration(value), field, value, 'a duration such as 10m or 1h');
    }
    if (props.extraValues !== undefined) {
      problems.check(isPlainObject(props.extraValues), 'extraValues', props.extraValues, 'an object of chart values');
    }
    const typedValues = parseValues({ ...props, chartVersion: this.chartVersion }, problems);
    problems.throwIfAny(this);
    this.values = withExtraValues(typedValues, props.extraValues, this);

    const installChecks: InstallHealthCheck[] = [];
    const v = this.values as {
      tetragon?: { nameOverride?: string; prometheus?: { serviceMonitor?: { enabled?: boolean } } };
      tetragonOperator?: { enabled?: boolean; nameOverride?: string };
    };
    const serviceMonitor = v.tetragon?.prometheus?.serviceMonitor?.enabled === true;
    const agentName = v.tetragon?.nameOverride || this.releaseName;
    installChecks.push({ apiVersion: 'apps/v1', kind: 'DaemonSet', name: agentName, namespace: this.namespace });
    if (v.tetragonOperator?.enabled !== false) {
      const operatorName = v.tetragonOperator?.nameOverride || `${this.releaseName}-operator`;
      installChecks.push({ apiVersion: 'apps/v1', kind: 'Deployment', name: operatorName, namespace: this.namespace });
    }

    if (this.method === InstallMethod.HELM_TEMPLATE) {
      const helmExecutable = locateHelm(props.helmExecutable ?? contextString(this, HELM_CONTEXT));
      this.helmChart = renderHelmTemplate(
        this,
        'Chart',
        {
          source: this.chartSource,
          chartName: this.chartName,
          version: this.chartVersion,
          releaseName: this.releaseName,
          namespace: this.namespace,
          kubeVersion,
          includeCrds: props.includeCrds ?? false,
          apiVersions: serviceMonitor ? ['monitoring.coreos.com/v1'] : [],
        },
        this.values,
        helmExecutable,
      );
      this.healthChecks = installChecks;
    } else {
      const release = renderFluxRelease(this, {
        source: this.chartSource,
        chartName: this.chartName,
        version: this.chartVersion,
        releaseName: this.releaseName,
        targetNamespace: this.namespace,
        fluxNamespace,
        interval: flux.interval ?? '30m',
        sourceInterval: flux.sourceInterval ?? '1h',
        timeout: flux.timeout ?? '10m',
        driftDetection: flux.driftDetection ?? true,
        values: this.values,
      });
      this.helmRelease = release.helmRelease;
      this.helmSource = release.source;
      this.healthChecks = [
        { apiVersion: helm.HelmRelease.GVK.apiVersion, kind: helm.HelmRelease.GVK.kind, name: this.releaseName, namespace: fluxNamespace },
        ...installChecks,
      ];
    }
  }

  /** The rendered objects of this install (chart objects, or the Flux source and HelmRelease). */
  public get apiObjects(): ApiObject[] {
    return this.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c));
  }
}

/** A context value that is set and not blank, as a string. */
function contextString(scope: Construct, key: string): string | undefined {
  const value = scope.node.tryGetContext(key);
  return value === undefined || value === null || String(value).trim() === '' ? undefined : String(value).trim();
}

/** The renderer: the prop, else the context, else the Flux HelmRelease. */
function parseMethod(scope: Construct, method: InstallMethod | undefined, problems: Problems): InstallMethod {
  const methods = Object.values(InstallMethod);
  const fromContext = contextString(scope, INSTALL_METHOD_CONTEXT);
  if (method === undefined && fromContext !== undefined && !methods.includes(fromContext as InstallMethod)) {
    problems.invalid(
      `context ${INSTALL_METHOD_CONTEXT}`,
      fromContext,
      `one of ${methods.join(', ')}`,
      'Set it to one of them, or leave it unset for the method in code',
    );
  }
  const resolved = method ?? (fromContext as InstallMethod | undefined) ?? InstallMethod.FLUX_HELM_RELEASE;
  if (method !== undefined && !methods.includes(method)) problems.invalid('method', method, `one of ${methods.join(', ')}`);
  return resolved;
}

/** The chart source: the prop, else the context (`ChartSource.parse` syntax), else the Cilium repository. */
function parseChartSource(scope: Construct, chart: ChartSource | undefined, problems: Problems): ChartSource {
  if (chart) return chart;
  const fromContext = contextString(scope, CHART_CONTEXT);
  if (fromContext === undefined) return ChartSource.cilium();
  try {
    return ChartSource.parse(fromContext);
  } catch (err) {
    problems.add(
      `context ${CHART_CONTEXT}`,
      `${(err as Error).message}; set it to a chart directory, a .tgz file, ` +
        'oci://<registry>/<path>/tetragon, or an http(s) chart repository or .tgz URL',
    );
    return ChartSource.cilium();
  }
}
