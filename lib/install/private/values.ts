import { IConstruct } from 'constructs';
import { isDnsLabel, isDuration, isLabelKey, isLabelValue } from '../../private/patterns';
import { Problems, show } from '../../private/problems';
import { DEFAULT_EXPORT_ALLOW_LIST, DEFAULT_EXPORT_DENY_LIST, DEFAULT_REDACTION_FILTERS, ImageRef, defaultImages } from '../defaults';
import { renderFilterLines } from '../export-filter';
import type { TetragonInstallProps } from '../tetragon-install';
import {
  CrdInstallMethod,
  ExportOptions,
  ExportSidecarMode,
  ImageOptions,
  MetricsLabel,
  MetricsOptions,
  OperatorOptions,
  ResourceRequirements,
  RuntimeHooksInterface,
  RuntimeHooksOptions,
  Toleration,
} from '../values';
import { MergeConflict, mergeValues, sortKeys } from './merge';

/** The typed settings that become chart values (the subset of TetragonInstallProps the builder reads). */
export type ValuesInput = Pick<
  TetragonInstallProps,
  | 'clusterName'
  | 'export'
  | 'processCredentials'
  | 'processNamespaces'
  | 'metrics'
  | 'resources'
  | 'tolerations'
  | 'priorityClassName'
  | 'rthooks'
  | 'crdInstallMethod'
  | 'operator'
  | 'images'
  | 'extraValues'
> & { readonly chartVersion: string };

/** Agent resources: no CPU limit, because CFS throttling of the agent shows up as lost events. */
const DEFAULT_AGENT_RESOURCES: ResourceRequirements = Object.freeze({
  requests: { cpu: '100m', memory: '256Mi' },
  limits: { memory: '1Gi' },
});
/** export-stdout sidecar resources. */
const DEFAULT_SIDECAR_RESOURCES: ResourceRequirements = Object.freeze({
  requests: { cpu: '10m', memory: '32Mi' },
  limits: { memory: '128Mi' },
});
/** Operator resources (the chart's own, made explicit). */
const DEFAULT_OPERATOR_RESOURCES: ResourceRequirements = Object.freeze({
  requests: { cpu: '10m', memory: '64Mi' },
  limits: { cpu: '500m', memory: '128Mi' },
});
/** Run on every node, tainted or not: a node without the agent is a blind spot. */
const DEFAULT_TOLERATIONS: readonly Toleration[] = Object.freeze([{ operator: 'Exists' as const }]);
/** Per-event metric labels: `pod` is left out to bound cardinality. */
const DEFAULT_METRICS_LABELS: readonly MetricsLabel[] = Object.freeze([MetricsLabel.NAMESPACE, MetricsLabel.WORKLOAD, MetricsLabel.BINARY]);

const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const REPOSITORY = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-]{1,2}[a-z0-9]+)*)*$/;

/** One chart value: its dotted path, the value, and the prop that set it (named when extraValues contradicts it). */
type Setting = readonly [path: string, value: unknown, prop: string];

/** Chart values built from the typed props, plus where each typed leaf came from. */
export interface TypedValues {
  /** The typed chart values. */
  readonly values: Record<string, unknown>;
  /** Dotted chart-values path → the prop that set it. */
  readonly provenance: ReadonlyMap<string, string>;
}

/**
 * Turns typed props into the chart's values: every setting the library manages is written out explicitly (so the
 * output does not lean on the chart's defaults). Problems go to `problems`; the caller throws them.
 */
export function parseValues(input: ValuesInput, problems: Problems): TypedValues {
  const crds = parseCrdInstallMethod(input.crdInstallMethod, problems);
  const exported = parseExport(input.export ?? {}, problems);
  const process = parseProcessVisibility(input, problems);
  const metrics = parseMetrics(input.metrics ?? {}, problems);
  const agent = parseAgentPod(input, problems);
  const images = parseImages(input.images, input.chartVersion, problems);
  const operator = parseOperator(input.operator ?? {}, crds, metrics, problems);
  const rthooks = parseRuntimeHooks(input.rthooks ?? {}, problems);
  return renderValues([
    ['crds.installMethod', crds, 'crdInstallMethod'],
    ...exported,
    ...process,
    ...metrics.settings,
    ...agent,
    ...images,
    ...operator,
    ...rthooks,
  ]);
}

/**
 * Deep-merges `extraValues` over the typed values; a contradiction between the two is an error naming both and the
 * prop to use instead. Keys come out sorted.
 */
export function withExtraValues(
  typed: TypedValues,
  extraValues: Record<string, unknown> | undefined,
  where: IConstruct,
): Record<string, unknown> {
  const conflicts: MergeConflict[] = [];
  const merged = extraValues ? mergeValues(typed.values, extraValues, conflicts) : typed.values;
  const problems = new Problems('extraValues contradicts typed values');
  for (const c of conflicts) {
    const prop = provenanceOf(typed.provenance, c.path);
    problems.add(
      c.path,
      `extraValues sets ${show(c.extra)} but the typed prop ${prop ?? '(typed values)'} sets ${show(c.typed)}. ` +
        `Set it through ${prop ?? 'the typed prop'} and remove it from extraValues`,
    );
  }
  problems.throwIfAny(where);
  return sortKeys(merged);
}

/** CRDs: rendered by the chart by default, so that policies applied in the same pass find their kind. */
function parseCrdInstallMethod(method: CrdInstallMethod | undefined, problems: Problems): CrdInstallMethod {
  const crds = method ?? CrdInstallMethod.HELM;
  const methods = Object.values(CrdInstallMethod);
  if (!methods.includes(crds)) problems.invalid('crdInstallMethod', crds, `one of ${methods.join(', ')}`);
  return crds;
}

/** The export file, its filters and the stdout sidecar that tails it. */
function parseExport(exp: ExportOptions, problems: Problems): Setting[] {
  const directory = exp.directory ?? '/var/run/cilium/tetragon';
  if (!/^\/[^\s]*$/.test(directory)) problems.invalid('export.directory', directory, 'an absolute host path without spaces');
  const enabled = exp.enabled ?? true;
  const fileName = exp.fileName ?? 'tetragon.log';
  if (exp.enabled !== false && !/^[A-Za-z0-9._-]+$/.test(fileName)) {
    problems.invalid(
      'export.fileName',
      fileName,
      'a plain file name such as tetragon.log',
      'Set export.enabled: false to disable the export instead of an empty name',
    );
  }
  const perm = exp.filePermissions ?? '600';
  if (!/^[0-7]{3,4}$/.test(perm)) problems.invalid('export.filePermissions', perm, 'octal permissions as a string such as "600" or "640"');
  checkInteger(exp.maxSizeMB, 'export.maxSizeMB', 1, problems);
  checkInteger(exp.maxBackups, 'export.maxBackups', 0, problems);
  checkInteger(exp.rateLimitPerMinute, 'export.rateLimitPerMinute', 1, problems);
  const allow = exp.allowList ?? DEFAULT_EXPORT_ALLOW_LIST;
  if (allow.length === 0) {
    problems.invalid(
      'export.allowList',
      [],
      'at least one filter: Tetragon reads an empty allow list as no filter and exports every event',
      'Leave allowList out for every event type, or list the filters to keep',
    );
  }
  const sidecar = exp.sidecar ?? ExportSidecarMode.STDOUT;
  if (!Object.values(ExportSidecarMode).includes(sidecar)) {
    problems.invalid(
      'export.sidecar',
      sidecar,
      `one of ${Object.values(ExportSidecarMode)
        .map((m) => show(m))
        .join(', ')}`,
    );
  }
  if (sidecar === ExportSidecarMode.STDOUT && !enabled) {
    problems.invalid(
      'export.sidecar',
      sidecar,
      'no stdout sidecar while export.enabled is false: the sidecar tails the export file',
      'Set export.sidecar: ExportSidecarMode.NONE as well',
    );
  }
  const sidecarResources = exp.sidecarResources ?? DEFAULT_SIDECAR_RESOURCES;
  checkResources(sidecarResources, 'export.sidecarResources', problems);
  return [
    ['exportDirectory', directory, 'export.directory'],
    ['tetragon.exportFilename', enabled ? fileName : '', enabled ? 'export.fileName' : 'export.enabled'],
    ['tetragon.exportFilePerm', perm, 'export.filePermissions'],
    ['tetragon.exportFileMaxSizeMB', exp.maxSizeMB ?? 10, 'export.maxSizeMB'],
    ['tetragon.exportFileMaxBackups', exp.maxBackups ?? 5, 'export.maxBackups'],
    ['tetragon.exportFileCompress', exp.compress ?? true, 'export.compress'],
    ['tetragon.exportRateLimit', exp.rateLimitPerMinute ?? -1, 'export.rateLimitPerMinute'],
    ['tetragon.exportAllowList', renderFilterLines(allow), 'export.allowList'],
    ['tetragon.exportDenyList', renderFilterLines(exp.denyList ?? DEFAULT_EXPORT_DENY_LIST), 'export.denyList'],
    ['tetragon.fieldFilters', renderFilterLines(exp.fieldFilters ?? []), 'export.fieldFilters'],
    ['tetragon.redactionFilters', renderFilterLines(exp.redactionFilters ?? DEFAULT_REDACTION_FILTERS), 'export.redactionFilters'],
    ['export.mode', sidecar, 'export.sidecar'],
    ['export.resources', renderResources(sidecarResources), 'export.sidecarResources'],
    ...(sidecar === ExportSidecarMode.STDOUT ? [['export.filenames', [fileName], 'export.fileName'] as const] : []),
  ];
}

/** Credentials, namespaces and the cluster name in every event. */
function parseProcessVisibility(input: ValuesInput, problems: Problems): Setting[] {
  const clusterName = input.clusterName ?? '';
  if (clusterName !== '' && !/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(clusterName)) {
    problems.invalid('clusterName', clusterName, 'letters, digits, -, _ and . (it becomes cluster_name in every event)');
  }
  return [
    ['tetragon.enableProcessCred', input.processCredentials ?? true, 'processCredentials'],
    ['tetragon.enableProcessNs', input.processNamespaces ?? true, 'processNamespaces'],
    ['tetragon.clusterName', clusterName, 'clusterName'],
  ];
}

/** The agent's metrics and ServiceMonitor; the operator's ServiceMonitor follows them. */
interface Metrics {
  readonly settings: Setting[];
  readonly serviceMonitor: boolean;
  readonly serviceMonitorLabels: Record<string, string>;
  readonly scrapeInterval: string;
}

function parseMetrics(met: MetricsOptions, problems: Problems): Metrics {
  const enabled = met.enabled ?? true;
  const serviceMonitor = met.serviceMonitor ?? enabled;
  if (serviceMonitor && !enabled) {
    problems.invalid(
      'metrics.serviceMonitor',
      true,
      'no ServiceMonitor while metrics.enabled is false',
      'Enable metrics or set serviceMonitor: false',
    );
  }
  const serviceMonitorLabels = met.serviceMonitorLabels ?? {};
  for (const [k, v] of Object.entries(serviceMonitorLabels)) {
    if (!isLabelKey(k))
      problems.invalid('metrics.serviceMonitorLabels key', k, 'a Kubernetes label key such as release or example.com/team');
    if (!isLabelValue(v)) problems.invalid(`metrics.serviceMonitorLabels.${k}`, v, 'a label value (up to 63 letters, digits, -, _ and .)');
  }
  const scrapeInterval = met.scrapeInterval ?? '60s';
  if (!isDuration(scrapeInterval)) problems.invalid('metrics.scrapeInterval', scrapeInterval, 'a Prometheus duration such as 30s or 1m');
  const labels = met.labels ?? DEFAULT_METRICS_LABELS;
  const known = Object.values(MetricsLabel);
  for (const l of labels) if (!known.includes(l)) problems.invalid('metrics.labels', l, `one of ${known.join(', ')}`);
  if (new Set(labels).size !== labels.length) problems.invalid('metrics.labels', labels, 'each label at most once');
  return {
    serviceMonitor,
    serviceMonitorLabels,
    scrapeInterval,
    settings: [
      ['tetragon.prometheus.enabled', enabled, 'metrics.enabled'],
      // Keep the chart's order (namespace, workload, pod, binary) whatever order the caller used.
      ['tetragon.prometheus.metricsLabelFilter', known.filter((l) => labels.includes(l)).join(','), 'metrics.labels'],
      ['tetragon.prometheus.serviceMonitor.enabled', serviceMonitor, 'metrics.serviceMonitor'],
      ['tetragon.prometheus.serviceMonitor.extraLabels', { ...serviceMonitorLabels }, 'metrics.serviceMonitorLabels'],
      ['tetragon.prometheus.serviceMonitor.scrapeInterval', scrapeInterval, 'metrics.scrapeInterval'],
    ],
  };
}

/** The agent pod: resources, tolerations, priority class. */
function parseAgentPod(input: ValuesInput, problems: Problems): Setting[] {
  const resources = input.resources ?? DEFAULT_AGENT_RESOURCES;
  checkResources(resources, 'resources', problems);
  const tolerations = input.tolerations ?? DEFAULT_TOLERATIONS;
  tolerations.forEach((t, i) => {
    if (t.operator === 'Exists' && t.value !== undefined)
      problems.invalid(`tolerations[${i}].value`, t.value, 'no value with operator Exists');
    if (tolerationOperator(t) === 'Equal' && !t.key) problems.invalid(`tolerations[${i}].key`, t.key, 'a key with operator Equal');
  });
  const priorityClassName = input.priorityClassName ?? 'system-node-critical';
  checkPriorityClass(priorityClassName, 'priorityClassName', problems);
  return [
    ['tetragon.resources', renderResources(resources), 'resources'],
    ['tolerations', tolerations.map(renderToleration), 'tolerations'],
    ['priorityClassName', priorityClassName, 'priorityClassName'],
  ];
}

/** Image paths in the chart, by the ImageOptions key that overrides them. */
const IMAGE_PATHS: ReadonlyArray<[keyof ImageOptions, string]> = [
  ['agent', 'tetragon.image'],
  ['operator', 'tetragonOperator.image'],
  ['exportStdout', 'export.stdout.image'],
  ['rthooks', 'rthooks.image'],
];

/** The images pinned for the chart version, with the caller's overrides. */
function parseImages(overrides: ImageOptions | undefined, chartVersion: string, problems: Problems): Setting[] {
  const images = { ...defaultImages(chartVersion), ...(overrides ?? {}) };
  return IMAGE_PATHS.flatMap(([key, path]) => {
    const img = images[key];
    if (!img) return [];
    checkImage(img, `images.${key}`, problems);
    return renderImage(path, img, `images.${key}`);
  });
}

/** The operator, which also installs the CRDs when `crdInstallMethod` is OPERATOR. */
function parseOperator(op: OperatorOptions, crds: CrdInstallMethod, metrics: Metrics, problems: Problems): Setting[] {
  const enabled = op.enabled ?? true;
  if (!enabled && crds === CrdInstallMethod.OPERATOR) {
    problems.invalid(
      'operator.enabled',
      false,
      'the operator, which crdInstallMethod OPERATOR needs',
      'Use CrdInstallMethod.HELM or enable the operator',
    );
  }
  checkInteger(op.replicas, 'operator.replicas', 1, problems);
  const priorityClassName = op.priorityClassName ?? 'system-cluster-critical';
  checkPriorityClass(priorityClassName, 'operator.priorityClassName', problems);
  const resources = op.resources ?? DEFAULT_OPERATOR_RESOURCES;
  checkResources(resources, 'operator.resources', problems);
  return [
    ['tetragonOperator.enabled', enabled, 'operator.enabled'],
    ['tetragonOperator.replicas', op.replicas ?? 1, 'operator.replicas'],
    ['tetragonOperator.priorityClassName', priorityClassName, 'operator.priorityClassName'],
    ['tetragonOperator.resources', renderResources(resources), 'operator.resources'],
    ['tetragonOperator.forceUpdateCRDs', op.forceUpdateCrds ?? false, 'operator.forceUpdateCrds'],
    ['tetragonOperator.podInfo.enabled', op.podInfo ?? false, 'operator.podInfo'],
    ['tetragonOperator.prometheus.serviceMonitor.enabled', metrics.serviceMonitor && enabled, 'metrics.serviceMonitor'],
    ['tetragonOperator.prometheus.serviceMonitor.extraLabels', { ...metrics.serviceMonitorLabels }, 'metrics.serviceMonitorLabels'],
    ['tetragonOperator.prometheus.serviceMonitor.scrapeInterval', metrics.scrapeInterval, 'metrics.scrapeInterval'],
  ];
}

/** Runtime hooks (off by default). */
function parseRuntimeHooks(rt: RuntimeHooksOptions, problems: Problems): Setting[] {
  const enabled = rt.enabled ?? false;
  const interfaces = Object.values(RuntimeHooksInterface);
  if (enabled && !rt.interface) {
    problems.invalid(
      'rthooks.interface',
      rt.interface,
      `an interface, which rthooks.enabled needs: ${interfaces.join(' (containerd with NRI) or ')} (CRI-O)`,
    );
  }
  if (rt.interface && !interfaces.includes(rt.interface))
    problems.invalid('rthooks.interface', rt.interface, `one of ${interfaces.join(', ')}`);
  for (const ns of rt.failAllowNamespaces ?? []) {
    if (!isDnsLabel(ns)) problems.invalid('rthooks.failAllowNamespaces', ns, 'namespace names');
  }
  const priorityClassName = rt.priorityClassName ?? 'system-node-critical';
  checkPriorityClass(priorityClassName, 'rthooks.priorityClassName', problems);
  return [
    ['rthooks.enabled', enabled, 'rthooks.enabled'],
    ['rthooks.interface', rt.interface ?? '', 'rthooks.interface'],
    ['rthooks.failAllowNamespaces', (rt.failAllowNamespaces ?? []).join(','), 'rthooks.failAllowNamespaces'],
    ['rthooks.priorityClassName', priorityClassName, 'rthooks.priorityClassName'],
  ];
}

function checkInteger(v: number | undefined, field: string, min: number, problems: Problems): void {
  if (v !== undefined && (!Number.isInteger(v) || v < min)) problems.invalid(field, v, `an integer >= ${min}`);
}

function checkPriorityClass(name: string, field: string, problems: Problems): void {
  if (!isDnsLabel(name)) problems.invalid(field, name, 'a PriorityClass name');
}

function checkResources(r: ResourceRequirements, field: string, problems: Problems): void {
  for (const kind of ['requests', 'limits'] as const) {
    for (const res of ['cpu', 'memory'] as const) {
      const q = r[kind]?.[res];
      if (q !== undefined && !QUANTITY.test(q)) {
        problems.invalid(`${field}.${kind}.${res}`, q, 'a Kubernetes quantity such as 100m, 0.5, 256Mi or 1Gi');
      }
    }
  }
}

function checkImage(img: ImageRef, field: string, problems: Problems): void {
  if (!REPOSITORY.test(img.repository)) {
    problems.invalid(`${field}.repository`, img.repository, 'a lowercase registry/repository such as quay.io/cilium/tetragon');
  }
  if (!TAG.test(img.tag)) problems.invalid(`${field}.tag`, img.tag, 'an image tag such as v1.7.0');
  if (img.digest !== undefined && !DIGEST.test(img.digest)) {
    problems.invalid(`${field}.digest`, img.digest, 'sha256: followed by 64 lowercase hex digits');
  }
}

function renderResources(r: ResourceRequirements): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kind of ['limits', 'requests'] as const) {
    const a = r[kind];
    if (a && (a.cpu !== undefined || a.memory !== undefined)) {
      out[kind] = Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined));
    }
  }
  return out;
}

function tolerationOperator(t: Toleration): 'Exists' | 'Equal' {
  return t.operator ?? (t.value !== undefined ? 'Equal' : 'Exists');
}

function renderToleration(t: Toleration): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (t.effect) out.effect = t.effect;
  if (t.key) out.key = t.key;
  out.operator = tolerationOperator(t);
  if (t.tolerationSeconds !== undefined) out.tolerationSeconds = t.tolerationSeconds;
  if (t.value !== undefined) out.value = t.value;
  return out;
}

function renderImage(path: string, img: ImageRef, prop: string): Setting[] {
  return [
    [`${path}.repository`, img.repository, prop],
    [`${path}.tag`, img.tag, prop],
    // The chart builds `repository:tag` and has no digest field; `override` takes a full reference.
    ...(img.digest ? [[`${path}.override`, `${img.repository}:${img.tag}@${img.digest}`, prop] as const] : []),
  ];
}

/** Writes the settings into a values tree, remembering which prop set each path. */
function renderValues(settings: readonly Setting[]): TypedValues {
  const values: Record<string, unknown> = {};
  const provenance = new Map<string, string>();
  for (const [path, value, prop] of settings) {
    const parts = path.split('.');
    let node = values;
    for (const p of parts.slice(0, -1)) {
      node[p] ??= {};
      node = node[p] as Record<string, unknown>;
    }
    node[parts[parts.length - 1]] = value;
    provenance.set(path, prop);
  }
  return { values, provenance };
}

function provenanceOf(provenance: ReadonlyMap<string, string>, path: string): string | undefined {
  for (let p = path; p; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
    const hit = provenance.get(p);
    if (hit) return hit;
  }
  // The conflict may sit above typed leaves (extraValues replaces a whole typed object with a scalar).
  for (const [k, v] of provenance) if (k.startsWith(`${path}.`)) return v;
  return undefined;
}
