import type { TetragonInstallProps } from './tetragon-install';
import {
  DEFAULT_EXPORT_ALLOW_LIST, DEFAULT_EXPORT_DENY_LIST, DEFAULT_REDACTION_FILTERS, ImageRef, defaultImages,
} from './defaults';
import { renderFilterLines } from './export-filter';
import { MergeConflict, mergeValues, sortKeys } from './_merge';
import {
  CrdInstallMethod, ExportSidecarMode, ImageOptions, MetricsLabel,
  ResourceRequirements, RuntimeHooksInterface, Toleration,
} from './values';

/** The typed settings that become chart values (the subset of TetragonInstallProps the builder reads). */
export type ValuesInput = Pick<TetragonInstallProps, 'clusterName' | 'export' | 'processCredentials' | 'processNamespaces'
| 'metrics' | 'resources' | 'tolerations' | 'priorityClassName' | 'rthooks' | 'crdInstallMethod' | 'operator' | 'images'
| 'extraValues'> & { readonly chartVersion: string };

/** Agent resources: no CPU limit, because CFS throttling of the agent shows up as lost events. */
export const DEFAULT_AGENT_RESOURCES: ResourceRequirements = Object.freeze({
  requests: { cpu: '100m', memory: '256Mi' },
  limits: { memory: '1Gi' },
});
/** export-stdout sidecar resources. */
export const DEFAULT_SIDECAR_RESOURCES: ResourceRequirements = Object.freeze({
  requests: { cpu: '10m', memory: '32Mi' },
  limits: { memory: '128Mi' },
});
/** Operator resources (the chart's own, made explicit). */
export const DEFAULT_OPERATOR_RESOURCES: ResourceRequirements = Object.freeze({
  requests: { cpu: '10m', memory: '64Mi' },
  limits: { cpu: '500m', memory: '128Mi' },
});
/** Run on every node, tainted or not: a node without the agent is a blind spot. */
export const DEFAULT_TOLERATIONS: readonly Toleration[] = Object.freeze([{ operator: 'Exists' as const }]);
/** Per-event metric labels: `pod` is left out to bound cardinality. */
export const DEFAULT_METRICS_LABELS: readonly MetricsLabel[] = Object.freeze([
  MetricsLabel.NAMESPACE, MetricsLabel.WORKLOAD, MetricsLabel.BINARY,
]);

const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$/;
const DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const REPOSITORY = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-]{1,2}[a-z0-9]+)*)*$/;

/** Collects input errors so that one synth reports all of them. */
export class Problems {
  private readonly list: string[] = [];
  constructor(private readonly where: string) {}

  /** Records `field`: got `given`; `allowed`; `fix`. */
  add(field: string, given: unknown, allowed: string, fix?: string): void {
    this.list.push(`${field}: got ${JSON.stringify(given)}; ${allowed}${fix ? `. Fix: ${fix}` : ''}`);
  }

  /** Throws one error listing every problem. */
  throwIfAny(): void {
    if (this.list.length === 0) return;
    const body = this.list.map((p) => `  - ${p}`).join('\n');
    throw new Error(`TetragonInstall at '${this.where}' has invalid props:\n${body}`);
  }
}

/** Chart values built from the typed props, plus where each typed leaf came from. */
export interface BuiltValues {
  /** The merged chart values, keys sorted. */
  readonly values: Record<string, unknown>;
  /** Dotted chart-values path → the prop that set it. */
  readonly provenance: ReadonlyMap<string, string>;
}

class ValuesWriter {
  readonly root: Record<string, unknown> = {};
  readonly provenance = new Map<string, string>();

  set(path: string, value: unknown, prop: string): void {
    const parts = path.split('.');
    let node = this.root;
    for (const p of parts.slice(0, -1)) {
      node[p] ??= {};
      node = node[p] as Record<string, unknown>;
    }
    node[parts[parts.length - 1]] = value;
    this.provenance.set(path, prop);
  }
}

function checkResources(r: ResourceRequirements, field: string, problems: Problems): void {
  for (const kind of ['requests', 'limits'] as const) {
    for (const res of ['cpu', 'memory'] as const) {
      const q = r[kind]?.[res];
      if (q !== undefined && !QUANTITY.test(q)) {
        problems.add(`${field}.${kind}.${res}`, q, 'expected a Kubernetes quantity such as 100m, 0.5, 256Mi or 1Gi');
      }
    }
  }
}

function resourcesJson(r: ResourceRequirements): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kind of ['limits', 'requests'] as const) {
    const a = r[kind];
    if (a && (a.cpu !== undefined || a.memory !== undefined)) {
      out[kind] = Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined));
    }
  }
  return out;
}

function checkImage(img: ImageRef, field: string, problems: Problems): void {
  if (!REPOSITORY.test(img.repository)) problems.add(`${field}.repository`, img.repository, 'expected a lowercase registry/repository such as quay.io/cilium/tetragon');
  if (!TAG.test(img.tag)) problems.add(`${field}.tag`, img.tag, 'expected an image tag such as v1.7.0');
  if (img.digest !== undefined && !DIGEST.test(img.digest)) problems.add(`${field}.digest`, img.digest, 'expected sha256: followed by 64 lowercase hex digits');
}

function setImage(w: ValuesWriter, path: string, img: ImageRef, prop: string): void {
  w.set(`${path}.repository`, img.repository, prop);
  w.set(`${path}.tag`, img.tag, prop);
  // The chart builds `repository:tag` and has no digest field; `override` takes a full reference.
  if (img.digest) w.set(`${path}.override`, `${img.repository}:${img.tag}@${img.digest}`, prop);
}

function checkNonNegativeInt(v: number | undefined, field: string, problems: Problems, min = 0): void {
  if (v !== undefined && (!Number.isInteger(v) || v < min)) problems.add(field, v, `expected an integer >= ${min}`);
}

function checkLabels(labels: Record<string, string>, field: string, problems: Problems): void {
  for (const [k, v] of Object.entries(labels)) {
    if (!LABEL_KEY.test(k)) problems.add(`${field} key`, k, 'expected a Kubernetes label key such as release or example.com/team');
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) problems.add(`${field}.${k}`, v, 'expected a label value (up to 63 letters, digits, -, _ and .)');
  }
}

function tolerationJson(t: Toleration): Record<string, unknown> {
  const operator = t.operator ?? (t.value !== undefined ? 'Equal' : 'Exists');
  const out: Record<string, unknown> = {};
  if (t.effect) out.effect = t.effect;
  if (t.key) out.key = t.key;
  out.operator = operator;
  if (t.tolerationSeconds !== undefined) out.tolerationSeconds = t.tolerationSeconds;
  if (t.value !== undefined) out.value = t.value;
  return out;
}

/**
 * Turns typed props into the chart's values: every setting the library manages is written out
 * explicitly (so the output does not lean on the chart's defaults), then `extraValues` is deep-merged;
 * a contradiction between the two is an error naming both.
 */
export function buildValues(input: ValuesInput, where: string): BuiltValues {
  const problems = new Problems(where);
  const w = new ValuesWriter();
  const exp = input.export ?? {};
  const met = input.metrics ?? {};
  const op = input.operator ?? {};
  const rt = input.rthooks ?? {};

  // --- CRDs: rendered by the chart so that policies applied in the same pass find their kind.
  const crds = input.crdInstallMethod ?? CrdInstallMethod.HELM;
  if (!Object.values(CrdInstallMethod).includes(crds)) problems.add('crdInstallMethod', crds, `allowed: ${Object.values(CrdInstallMethod).join(', ')}`);
  w.set('crds.installMethod', crds, 'crdInstallMethod');

  // --- Export file.
  const directory = exp.directory ?? '/var/run/cilium/tetragon';
  if (!/^\/[^\s]*$/.test(directory)) problems.add('export.directory', directory, 'expected an absolute host path without spaces');
  w.set('exportDirectory', directory, 'export.directory');
  const enabled = exp.enabled ?? true;
  const fileName = exp.fileName ?? 'tetragon.log';
  if (exp.enabled !== false && !/^[A-Za-z0-9._-]+$/.test(fileName)) {
    problems.add('export.fileName', fileName, 'expected a plain file name such as tetragon.log', 'set export.enabled: false to disable the export instead of an empty name');
  }
  w.set('tetragon.exportFilename', enabled ? fileName : '', enabled ? 'export.fileName' : 'export.enabled');
  const perm = exp.filePermissions ?? '600';
  if (!/^[0-7]{3,4}$/.test(perm)) problems.add('export.filePermissions', perm, 'expected octal permissions as a string such as "600" or "640"');
  w.set('tetragon.exportFilePerm', perm, 'export.filePermissions');
  checkNonNegativeInt(exp.maxSizeMB, 'export.maxSizeMB', problems, 1);
  w.set('tetragon.exportFileMaxSizeMB', exp.maxSizeMB ?? 10, 'export.maxSizeMB');
  checkNonNegativeInt(exp.maxBackups, 'export.maxBackups', problems, 0);
  w.set('tetragon.exportFileMaxBackups', exp.maxBackups ?? 5, 'export.maxBackups');
  w.set('tetragon.exportFileCompress', exp.compress ?? true, 'export.compress');
  checkNonNegativeInt(exp.rateLimitPerMinute, 'export.rateLimitPerMinute', problems, 1);
  w.set('tetragon.exportRateLimit', exp.rateLimitPerMinute ?? -1, 'export.rateLimitPerMinute');
  const allow = exp.allowList ?? DEFAULT_EXPORT_ALLOW_LIST;
  if (allow.length === 0) problems.add('export.allowList', [], 'an empty allow list exports every event (Tetragon treats it as no filter)', 'leave allowList out for every event type, or list the filters to keep');
  w.set('tetragon.exportAllowList', renderFilterLines(allow), 'export.allowList');
  w.set('tetragon.exportDenyList', renderFilterLines(exp.denyList ?? DEFAULT_EXPORT_DENY_LIST), 'export.denyList');
  w.set('tetragon.fieldFilters', renderFilterLines(exp.fieldFilters ?? []), 'export.fieldFilters');
  w.set('tetragon.redactionFilters', renderFilterLines(exp.redactionFilters ?? DEFAULT_REDACTION_FILTERS), 'export.redactionFilters');
  const sidecar = exp.sidecar ?? ExportSidecarMode.STDOUT;
  if (!Object.values(ExportSidecarMode).includes(sidecar)) problems.add('export.sidecar', sidecar, `allowed: ${Object.values(ExportSidecarMode).map((m) => JSON.stringify(m)).join(', ')}`);
  if (sidecar === ExportSidecarMode.STDOUT && !enabled) {
    problems.add('export.sidecar', sidecar, 'the stdout sidecar tails the export file, which export.enabled: false turns off', 'set export.sidecar: ExportSidecarMode.NONE as well');
  }
  w.set('export.mode', sidecar, 'export.sidecar');
  const sidecarResources = exp.sidecarResources ?? DEFAULT_SIDECAR_RESOURCES;
  checkResources(sidecarResources, 'export.sidecarResources', problems);
  w.set('export.resources', resourcesJson(sidecarResources), 'export.sidecarResources');
  if (sidecar === ExportSidecarMode.STDOUT) w.set('export.filenames', [fileName], 'export.fileName');

  // --- Process visibility.
  w.set('tetragon.enableProcessCred', input.processCredentials ?? true, 'processCredentials');
  w.set('tetragon.enableProcessNs', input.processNamespaces ?? true, 'processNamespaces');
  const clusterName = input.clusterName ?? '';
  if (clusterName !== '' && !/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(clusterName)) {
    problems.add('clusterName', clusterName, 'expected letters, digits, -, _ and . (it becomes cluster_name in every event)');
  }
  w.set('tetragon.clusterName', clusterName, 'clusterName');

  // --- Metrics.
  const metricsOn = met.enabled ?? true;
  const sm = met.serviceMonitor ?? metricsOn;
  if (sm && !metricsOn) problems.add('metrics.serviceMonitor', true, 'a ServiceMonitor needs metrics.enabled: true', 'enable metrics or set serviceMonitor: false');
  const smLabels = met.serviceMonitorLabels ?? {};
  checkLabels(smLabels, 'metrics.serviceMonitorLabels', problems);
  const interval = met.scrapeInterval ?? '60s';
  if (!DURATION.test(interval)) problems.add('metrics.scrapeInterval', interval, 'expected a Prometheus duration such as 30s or 1m');
  const labels = met.labels ?? DEFAULT_METRICS_LABELS;
  const known = Object.values(MetricsLabel);
  for (const l of labels) if (!known.includes(l)) problems.add('metrics.labels', l, `allowed: ${known.join(', ')}`);
  if (new Set(labels).size !== labels.length) problems.add('metrics.labels', labels, 'each label at most once');
  w.set('tetragon.prometheus.enabled', metricsOn, 'metrics.enabled');
  // Keep the chart's order (namespace, workload, pod, binary) whatever order the caller used.
  w.set('tetragon.prometheus.metricsLabelFilter', known.filter((l) => labels.includes(l)).join(','), 'metrics.labels');
  w.set('tetragon.prometheus.serviceMonitor.enabled', sm, 'metrics.serviceMonitor');
  w.set('tetragon.prometheus.serviceMonitor.extraLabels', { ...smLabels }, 'metrics.serviceMonitorLabels');
  w.set('tetragon.prometheus.serviceMonitor.scrapeInterval', interval, 'metrics.scrapeInterval');

  // --- Agent pod.
  const resources = input.resources ?? DEFAULT_AGENT_RESOURCES;
  checkResources(resources, 'resources', problems);
  w.set('tetragon.resources', resourcesJson(resources), 'resources');
  const tolerations = input.tolerations ?? DEFAULT_TOLERATIONS;
  tolerations.forEach((t, i) => {
    if (t.operator === 'Exists' && t.value !== undefined) problems.add(`tolerations[${i}].value`, t.value, 'operator Exists takes no value');
    if ((t.operator ?? (t.value !== undefined ? 'Equal' : 'Exists')) === 'Equal' && !t.key) problems.add(`tolerations[${i}].key`, t.key, 'operator Equal needs a key');
  });
  w.set('tolerations', tolerations.map(tolerationJson), 'tolerations');
  const pc = input.priorityClassName ?? 'system-node-critical';
  if (!DNS_LABEL.test(pc)) problems.add('priorityClassName', pc, 'expected a PriorityClass name');
  w.set('priorityClassName', pc, 'priorityClassName');

  // --- Images.
  const images = { ...defaultImages(input.chartVersion), ...(input.images ?? {}) };
  const imagePaths: ReadonlyArray<[keyof ImageOptions, string]> = [
    ['agent', 'tetragon.image'], ['operator', 'tetragonOperator.image'], ['exportStdout', 'export.stdout.image'], ['rthooks', 'rthooks.image'],
  ];
  for (const [key, path] of imagePaths) {
    const img = images[key];
    if (!img) continue;
    checkImage(img, `images.${key}`, problems);
    setImage(w, path, img, `images.${key}`);
  }

  // --- Operator.
  const opEnabled = op.enabled ?? true;
  w.set('tetragonOperator.enabled', opEnabled, 'operator.enabled');
  if (!opEnabled && crds === CrdInstallMethod.OPERATOR) {
    problems.add('operator.enabled', false, 'crdInstallMethod OPERATOR needs the operator', 'use CrdInstallMethod.HELM or enable the operator');
  }
  checkNonNegativeInt(op.replicas, 'operator.replicas', problems, 1);
  w.set('tetragonOperator.replicas', op.replicas ?? 1, 'operator.replicas');
  const opPc = op.priorityClassName ?? 'system-cluster-critical';
  if (!DNS_LABEL.test(opPc)) problems.add('operator.priorityClassName', opPc, 'expected a PriorityClass name');
  w.set('tetragonOperator.priorityClassName', opPc, 'operator.priorityClassName');
  const opRes = op.resources ?? DEFAULT_OPERATOR_RESOURCES;
  checkResources(opRes, 'operator.resources', problems);
  w.set('tetragonOperator.resources', resourcesJson(opRes), 'operator.resources');
  w.set('tetragonOperator.forceUpdateCRDs', op.forceUpdateCrds ?? false, 'operator.forceUpdateCrds');
  w.set('tetragonOperator.podInfo.enabled', op.podInfo ?? false, 'operator.podInfo');
  w.set('tetragonOperator.prometheus.serviceMonitor.enabled', sm && opEnabled, 'metrics.serviceMonitor');
  w.set('tetragonOperator.prometheus.serviceMonitor.extraLabels', { ...smLabels }, 'metrics.serviceMonitorLabels');
  w.set('tetragonOperator.prometheus.serviceMonitor.scrapeInterval', interval, 'metrics.scrapeInterval');

  // --- Runtime hooks.
  const rtOn = rt.enabled ?? false;
  if (rtOn && !rt.interface) {
    problems.add('rthooks.interface', rt.interface, `rthooks.enabled needs an interface: ${Object.values(RuntimeHooksInterface).join(' (containerd with NRI) or ')} (CRI-O)`);
  }
  if (rt.interface && !Object.values(RuntimeHooksInterface).includes(rt.interface)) {
    problems.add('rthooks.interface', rt.interface, `allowed: ${Object.values(RuntimeHooksInterface).join(', ')}`);
  }
  for (const ns of rt.failAllowNamespaces ?? []) {
    if (!DNS_LABEL.test(ns)) problems.add('rthooks.failAllowNamespaces', ns, 'expected namespace names');
  }
  w.set('rthooks.enabled', rtOn, 'rthooks.enabled');
  w.set('rthooks.interface', rt.interface ?? '', 'rthooks.interface');
  w.set('rthooks.failAllowNamespaces', (rt.failAllowNamespaces ?? []).join(','), 'rthooks.failAllowNamespaces');
  const rtPc = rt.priorityClassName ?? 'system-node-critical';
  if (!DNS_LABEL.test(rtPc)) problems.add('rthooks.priorityClassName', rtPc, 'expected a PriorityClass name');
  w.set('rthooks.priorityClassName', rtPc, 'rthooks.priorityClassName');

  problems.throwIfAny();

  // --- Escape hatch.
  const conflicts: MergeConflict[] = [];
  const merged = input.extraValues ? mergeValues(w.root, input.extraValues, conflicts) : w.root;
  if (conflicts.length > 0) {
    const lines = conflicts.map((c) => {
      const prop = provenanceOf(w.provenance, c.path);
      return `  - ${c.path}: extraValues sets ${JSON.stringify(c.extra)} but the typed prop ${prop ?? '(typed values)'} sets ${JSON.stringify(c.typed)}. Fix: set it through ${prop ?? 'the typed prop'} and remove it from extraValues`;
    });
    throw new Error(`TetragonInstall at '${where}': extraValues contradicts typed values:\n${lines.join('\n')}`);
  }
  return { values: sortKeys(merged), provenance: w.provenance };
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
