import { Construct } from 'constructs';
import * as helm from '../../../imports/helm.toolkit.fluxcd.io';
import * as source from '../../../imports/source.toolkit.fluxcd.io';
import { invalid } from '../../private/problems';
import { ChartSource, ChartSourceKind } from '../chart-source';
import { CHART_CONTEXT } from '../install-method';

/** Media type of a Helm chart layer in an OCI artifact. */
const HELM_CHART_LAYER = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';

/** Inputs of the Flux renderer. */
export interface FluxReleaseRequest {
  readonly source: ChartSource;
  readonly chartName: string;
  readonly version: string;
  readonly releaseName: string;
  readonly targetNamespace: string;
  readonly fluxNamespace: string;
  readonly interval: string;
  readonly sourceInterval: string;
  readonly timeout: string;
  readonly driftDetection: boolean;
  readonly values: Record<string, unknown>;
}

/** The Flux objects of a release. */
export interface FluxRelease {
  readonly helmRelease: helm.HelmRelease;
  readonly source: source.HelmRepository | source.OciRepository;
}

/**
 * Emits a `HelmRepository` (or `OCIRepository` for `oci://`) and a `HelmRelease` that installs the
 * pinned chart version with the given values. CRDs of the chart's `crds/` folder are created and
 * replaced on install and upgrade (`CreateReplace`) so that a chart upgrade also upgrades its CRDs.
 */
export function renderFluxRelease(scope: Construct, req: FluxReleaseRequest): FluxRelease {
  if (req.source.kind === ChartSourceKind.LOCAL || req.source.kind === ChartSourceKind.ARCHIVE_URL) {
    invalid(
      scope,
      'chart',
      `${req.source}`,
      'a chart the cluster can fetch for the flux-helmrelease method: an https chart repository or an oci:// reference',
      `Point the chart prop or the context ${CHART_CONTEXT} at a repository or OCI mirror, or render the local chart with the helm-template method`,
    );
  }
  const metadata = { name: req.releaseName, namespace: req.fluxNamespace };
  let src: source.HelmRepository | source.OciRepository;
  let chartSpec: Pick<helm.HelmReleaseSpec, 'chart' | 'chartRef'>;
  if (req.source.kind === ChartSourceKind.OCI) {
    src = new source.OciRepository(scope, 'ChartSource', {
      metadata,
      spec: {
        interval: req.sourceInterval,
        url: req.source.location,
        ref: { tag: req.version },
        layerSelector: { mediaType: HELM_CHART_LAYER, operation: source.OciRepositorySpecLayerSelectorOperation.COPY },
      },
    });
    chartSpec = {
      chartRef: { kind: helm.HelmReleaseSpecChartRefKind.OCI_REPOSITORY, name: req.releaseName, namespace: req.fluxNamespace },
    };
  } else {
    src = new source.HelmRepository(scope, 'ChartSource', {
      metadata,
      spec: { interval: req.sourceInterval, url: req.source.location },
    });
    chartSpec = {
      chart: {
        spec: {
          chart: req.chartName,
          version: req.version,
          interval: req.sourceInterval,
          reconcileStrategy: helm.HelmReleaseSpecChartSpecReconcileStrategy.CHART_VERSION,
          sourceRef: {
            kind: helm.HelmReleaseSpecChartSpecSourceRefKind.HELM_REPOSITORY,
            name: req.releaseName,
            namespace: req.fluxNamespace,
          },
        },
      },
    };
  }
  const helmRelease = new helm.HelmRelease(scope, 'HelmRelease', {
    metadata,
    spec: {
      ...chartSpec,
      interval: req.interval,
      timeout: req.timeout,
      releaseName: req.releaseName,
      targetNamespace: req.targetNamespace,
      storageNamespace: req.targetNamespace,
      install: {
        crds: helm.HelmReleaseSpecInstallCrds.CREATE_REPLACE,
        remediation: { retries: 3 },
      },
      upgrade: {
        crds: helm.HelmReleaseSpecUpgradeCrds.CREATE_REPLACE,
        cleanupOnFail: true,
        remediation: { retries: 3, remediateLastFailure: true },
      },
      ...(req.driftDetection ? { driftDetection: { mode: helm.HelmReleaseSpecDriftDetectionMode.ENABLED } } : {}),
      values: req.values,
    },
  });
  return { helmRelease, source: src };
}
