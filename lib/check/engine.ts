import { atLeast } from '../kernels/kernel-features';
import { KernelTable, bundledKernels, loadKernel } from '../kernels/kernel-table';
import { narrows, obj, readPolicy, str } from '../model/private/policy-reader';
import { POLICY_KINDS } from '../model/private/vocabulary';
import { validateAgainstCrd } from '../private/crd-schema';
import { checkFeatureRules } from './feature-rules';
import { CheckOptions, Finding, FindingSink, brief } from './finding';
import { checkHookRules, checkUnfilteredEnforcement } from './hook-rules';
import { checkKernelRules } from './kernel-rules';
import { expandLists, looksLikeTracingPolicy, valueAt } from './manifests';
import { checkPolicyRules, checkScopeRules } from './policy-rules';
import { checkPostActionsBefore511 } from './post-action-rules';
import { checkSelectors } from './selector-rules';

const API_VERSION = 'cilium.io/v1alpha1';

/**
 * Whether a manifest (plain JSON, as in YAML) is a Tetragon TracingPolicy or TracingPolicyNamespaced. For a construct,
 * use `TracingPolicy.isTracingPolicy`.
 */
export function isTracingPolicyManifest(manifest: unknown): boolean {
  const m = obj(manifest);
  return !!m && POLICY_KINDS.has(str(m.kind) ?? '') && str(m.apiVersion)?.startsWith('cilium.io/') === true;
}

/** The name a finding uses for a policy: `name`, or `namespace/name` for a namespaced one. */
export function policyName(manifest: unknown): string {
  return readPolicy(manifest).name;
}

function resolveKernels(options: CheckOptions): KernelTable[] {
  if (options.skipKernelChecks) return [];
  const list = options.kernels ?? bundledKernels();
  return list.map((k) => (typeof k === 'string' ? loadKernel(k) : k));
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 };

/**
 * Checks one TracingPolicy or TracingPolicyNamespaced (plain JSON, as in YAML) against the pinned
 * CRD schema, Tetragon v1.7.0's load-time rules and the kernel tables.
 *
 * Pure apart from loading the bundled kernel tables once (cached). Never throws on bad input:
 * whatever is wrong becomes a finding.
 * @returns findings sorted by severity, then field; empty when the policy is clean.
 */
export function checkPolicy(manifest: unknown, options: CheckOptions = {}): Finding[] {
  const policy = readPolicy(manifest);
  const sink = new FindingSink(policy.name);
  const m = obj(manifest);
  if (!m || !looksLikeTracingPolicy(m)) {
    sink.add(
      'crd-schema',
      { field: 'kind' },
      `is not a TracingPolicy or TracingPolicyNamespaced (apiVersion ${JSON.stringify(m?.apiVersion)}, kind ${JSON.stringify(m?.kind)})`,
    );
    return sink.findings;
  }
  if (m.apiVersion !== API_VERSION || !POLICY_KINDS.has(str(m.kind) ?? '')) {
    const field = m.apiVersion !== API_VERSION ? 'apiVersion' : 'kind';
    sink.add(
      'api-version',
      { field },
      `no CRD serves ${JSON.stringify(m.kind)} in ${JSON.stringify(m.apiVersion)}: the API server refuses the object (no matches for kind) and no agent ever sees it; Tetragon's CRDs serve TracingPolicy and TracingPolicyNamespaced in ${API_VERSION}`,
    );
    return sink.findings;
  }
  for (const line of validateAgainstCrd(m)) {
    const sep = line.indexOf(': ');
    const path = line
      .slice(0, sep)
      .split('/')
      .filter(Boolean)
      .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
      .join('')
      .replace(/^\./, '');
    sink.add('crd-schema', { field: path || '(root)' }, crdMessage(m, path, line.slice(sep + 2)));
  }
  const spec = policy.spec;
  const kernels = resolveKernels(options);
  const effective: CheckOptions = { ...options, minKernel: options.minKernel ?? oldestRelease(kernels) };
  checkPolicyRules(sink, policy, effective);
  checkScopeRules(sink, str(m.kind)!, spec);
  checkFeatureRules(sink, policy, kernels);
  const scope =
    m.kind === 'TracingPolicyNamespaced' || narrows(policy.podSelector) || narrows(policy.containerSelector)
      ? 'narrowed'
      : policy.podSelector
        ? 'pods'
        : 'node';
  for (const hook of policy.hooks) {
    checkHookRules(sink, hook, policy);
    checkUnfilteredEnforcement(sink, hook, scope);
    checkSelectors(sink, hook, effective);
    if (kernels.length > 0) checkKernelRules(sink, hook, policy, kernels);
    checkPostActionsBefore511(sink, hook, kernels, options);
  }
  return sortFindings(groupByKernel(sink.findings));
}

/** A schema error in words: a missing field by name, a wrong value with the value received. */
function crdMessage(manifest: unknown, path: string, detail: string): string {
  const required = /^must have required property '(.+)'$/.exec(detail);
  if (required) return `${required[1]} is missing (the CRD requires it)`;
  const value = valueAt(manifest, path);
  return value !== undefined && /^must (be|NOT|match)/.test(detail) ? `got ${brief(value)}; ${detail}` : detail;
}

/** `major.minor` of the oldest kernel of the set whose release is known (it sets the Equal string limit). */
function oldestRelease(kernels: readonly KernelTable[]): string | undefined {
  const releases = kernels
    .map((k) => k.features.release)
    .filter((r): r is string => !!r)
    .map((r) => r.split(/[.-]/).slice(0, 2).join('.'));
  return releases.sort((a, b) => (atLeast(a, b) ? 1 : -1))[0];
}

/**
 * Merges findings that differ only in the kernel into one that names every kernel (`kernels a, b`), so a problem
 * the whole kernel set shares is one line, not four.
 */
function groupByKernel(findings: readonly Finding[]): Finding[] {
  const groups = new Map<string, { first: Finding; kernels: string[] }>();
  const order: Array<Finding | { first: Finding; kernels: string[] }> = [];
  for (const f of findings) {
    if (f.kernel === undefined) {
      order.push(f);
      continue;
    }
    const key = [f.ruleId, f.field, f.message.split(`kernel ${f.kernel}`).join('\u0000'), f.fix].join('\u0001');
    const g = groups.get(key);
    if (g) {
      g.kernels.push(f.kernel);
      continue;
    }
    const group = { first: f, kernels: [f.kernel] };
    groups.set(key, group);
    order.push(group);
  }
  return order.map((x) => {
    if (!('first' in x)) return x;
    const { first, kernels } = x;
    const message =
      kernels.length > 1 ? first.message.split(`kernel ${first.kernel}`).join(`kernels ${kernels.join(', ')}`) : first.message;
    return { ...first, kernels, message };
  });
}

function sortFindings(findings: Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => SEVERITY_ORDER[a.f.severity] - SEVERITY_ORDER[b.f.severity] || a.i - b.i)
    .map((x) => x.f);
}

/**
 * Checks many manifests: every TracingPolicy / TracingPolicyNamespaced with `checkPolicy` (also inside `kind: List`,
 * and under an apiVersion no CRD serves, which is reported), other kinds are skipped, plus cross-object rules
 * (duplicate names in one scope).
 */
export function checkManifests(manifests: readonly unknown[], options: CheckOptions = {}): Finding[] {
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const m of expandLists(manifests)) {
    if (!looksLikeTracingPolicy(m)) continue;
    out.push(...checkPolicy(m, options));
    const key = `${str(obj(m)!.kind)}/${policyName(m)}`;
    if (seen.has(key)) {
      const sink = new FindingSink(policyName(m));
      sink.add(
        'duplicate-policy-name',
        { field: 'metadata.name' },
        `another ${str(obj(m)!.kind)} has the same name${obj(m)!.kind === 'TracingPolicyNamespaced' ? ' in this namespace' : ''}; the later one replaces the earlier`,
      );
      out.push(...sink.findings);
    }
    seen.add(key);
  }
  return out;
}

/** Counts findings by severity. */
export function summarize(findings: readonly Finding[]): { errors: number; warnings: number; infos: number } {
  return {
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
    infos: findings.filter((f) => f.severity === 'info').length,
  };
}
