import Ajv, { ValidateFunction } from 'ajv';
import tracingPolicy from '../../imports/schemas/cilium.io.TracingPolicy.v1alpha1.json';
import tracingPolicyNamespaced from '../../imports/schemas/cilium.io.TracingPolicyNamespaced.v1alpha1.json';
import helmRelease from '../../imports/schemas/helm.toolkit.fluxcd.io.HelmRelease.v2.json';
import kustomization from '../../imports/schemas/kustomize.toolkit.fluxcd.io.Kustomization.v1.json';
import prometheusRule from '../../imports/schemas/monitoring.coreos.com.PrometheusRule.v1.json';
import serviceMonitor from '../../imports/schemas/monitoring.coreos.com.ServiceMonitor.v1.json';
import gitRepository from '../../imports/schemas/source.toolkit.fluxcd.io.GitRepository.v1.json';
import helmRepository from '../../imports/schemas/source.toolkit.fluxcd.io.HelmRepository.v1.json';
import ociRepository from '../../imports/schemas/source.toolkit.fluxcd.io.OCIRepository.v1.json';
import { DNS_LABEL, DNS_SUBDOMAIN } from './patterns';

/** CRD schemas generated into imports/schemas by scripts/import-crds.mjs, keyed by `apiVersion/kind`. */
const SCHEMAS: Record<string, object> = {
  'cilium.io/v1alpha1/TracingPolicy': tracingPolicy,
  'cilium.io/v1alpha1/TracingPolicyNamespaced': tracingPolicyNamespaced,
  'helm.toolkit.fluxcd.io/v2/HelmRelease': helmRelease,
  'kustomize.toolkit.fluxcd.io/v1/Kustomization': kustomization,
  'monitoring.coreos.com/v1/PrometheusRule': prometheusRule,
  'monitoring.coreos.com/v1/ServiceMonitor': serviceMonitor,
  'source.toolkit.fluxcd.io/v1/GitRepository': gitRepository,
  'source.toolkit.fluxcd.io/v1/HelmRepository': helmRepository,
  'source.toolkit.fluxcd.io/v1/OCIRepository': ociRepository,
};

/** The ObjectMeta fields a manifest may set (the CRD schemas only say `type: object`). */
const OBJECT_META = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', maxLength: 253, pattern: DNS_SUBDOMAIN.source },
    namespace: { type: 'string', maxLength: 63, pattern: DNS_LABEL.source },
    labels: { type: 'object', additionalProperties: { type: 'string', maxLength: 63 } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
    finalizers: { type: 'array', items: { type: 'string' } },
  },
};

/**
 * Makes a Kubernetes structural schema strict for ajv: unknown fields become errors (the API server
 * would prune them silently), int-or-string is spelled out, and the `x-kubernetes-*` vendor keys are
 * dropped (CEL rules in `x-kubernetes-validations` are not evaluated here; the check engine covers
 * the ones that matter for TracingPolicies).
 */
function strict(node: any): any {
  if (Array.isArray(node)) return node.map(strict);
  if (!node || typeof node !== 'object') return node;
  const out: any = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-kubernetes-')) continue;
    if (key === 'pattern' && typeof value === 'string') {
      out.pattern = jsPattern(value);
    } else if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, strict(v)]));
    } else {
      out[key] = strict(value);
    }
  }
  if (node['x-kubernetes-int-or-string'] && !node.type) {
    delete out.anyOf;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (node.type === 'object' && !preserve && node.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

/**
 * Moves subschemas that occur more than once (Tetragon's selector schema is repeated for every hook kind)
 * into `$defs`, so ajv compiles each once: compiling the TracingPolicy schema takes about a third of the time.
 */
function dedupe(root: any, minSize = 500): any {
  // Only subschemas are replaced by refs: the values of `properties`, `items`, `additionalProperties`, `anyOf`...
  const children = (schema: any): [string, any][] => {
    const out: [string, any][] = [];
    for (const [k, v] of Object.entries(schema.properties ?? {})) out.push([`properties.${k}`, v]);
    if (schema.items && typeof schema.items === 'object') out.push(['items', schema.items]);
    if (schema.additionalProperties && typeof schema.additionalProperties === 'object') out.push(['additionalProperties', schema.additionalProperties]);
    for (const key of ['anyOf', 'oneOf', 'allOf']) (schema[key] ?? []).forEach((v: any, i: number) => out.push([`${key}.${i}`, v]));
    return out;
  };
  const counts = new Map<string, number>();
  const count = (schema: any) => {
    const key = JSON.stringify(schema);
    if (key.length >= minSize) counts.set(key, (counts.get(key) ?? 0) + 1);
    children(schema).forEach(([, c]) => count(c));
  };
  count(root);
  const defs: Record<string, any> = {};
  const names = new Map<string, string>();
  const rewrite = (schema: any, top: boolean): any => {
    const key = JSON.stringify(schema);
    if (!top && (counts.get(key) ?? 0) > 1) {
      if (!names.has(key)) {
        const name = `d${names.size}`;
        names.set(key, name);
        defs[name] = rewrite(schema, true);
      }
      return { $ref: `#/$defs/${names.get(key)}` };
    }
    const out = { ...schema };
    if (schema.properties) out.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, rewrite(v, false)]));
    if (schema.items && typeof schema.items === 'object') out.items = rewrite(schema.items, false);
    if (schema.additionalProperties && typeof schema.additionalProperties === 'object') out.additionalProperties = rewrite(schema.additionalProperties, false);
    for (const k of ['anyOf', 'oneOf', 'allOf']) if (schema[k]) out[k] = schema[k].map((v: any) => rewrite(v, false));
    return out;
  };
  const out = rewrite(root, true);
  if (names.size) out.$defs = defs;
  return out;
}

/**
 * Go's RE2 allows an inline case-insensitive flag (`^(?i)(abort|warn)?$` in the PrometheusRule CRD); JavaScript
 * does not, so the flag is removed and each letter outside a character class matches either case.
 */
export function jsPattern(pattern: string): string {
  if (!pattern.includes('(?i)')) return pattern;
  let out = '';
  let inClass = false;
  const p = pattern.replace(/\(\?i\)/g, '');
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') { out += c + (p[i + 1] ?? ''); i++; continue; }
    if (c === '[') inClass = true;
    if (c === ']') inClass = false;
    out += !inClass && /[a-zA-Z]/.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c;
  }
  return out;
}

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function validatorFor(key: string): ValidateFunction | undefined {
  const schema = SCHEMAS[key];
  if (!schema) return undefined;
  let validate = compiled.get(key);
  if (!validate) {
    ajv ??= new Ajv({
      allErrors: true,
      strict: false,
      // Kubernetes formats (int32, int64, duration, date-time, ...) are not checked by the API server
      // for custom resources beyond their type, so they are accepted as-is here too.
      validateFormats: false,
    });
    const [group, version, kind] = key.split('/');
    const full = strict(schema);
    full.properties = {
      ...full.properties,
      apiVersion: { const: `${group}/${version}` },
      kind: { const: kind },
      metadata: OBJECT_META,
    };
    full.required = Array.from(new Set([...(full.required ?? []), 'apiVersion', 'kind', 'metadata']));
    validate = ajv.compile(dedupe(full));
    compiled.set(key, validate);
  }
  return validate;
}

/** Whether a schema for this `apiVersion` and `kind` is bundled. */
export function hasCrdSchema(apiVersion: string, kind: string): boolean {
  return `${apiVersion}/${kind}` in SCHEMAS;
}

/**
 * Validates a manifest strictly against the pinned CRD schema of its kind.
 * @returns one line per problem (`<json path>: <message>`); empty when valid.
 * @throws when no schema is bundled for the object's kind.
 */
export function validateAgainstCrd(manifest: any): string[] {
  const key = `${manifest?.apiVersion}/${manifest?.kind}`;
  const validate = validatorFor(key);
  if (!validate) {
    throw new Error(`no pinned CRD schema for ${key}; known: ${Object.keys(SCHEMAS).join(', ')}`);
  }
  if (validate(manifest)) return [];
  return (validate.errors ?? []).map((e) => {
    const where = e.instancePath || '/';
    const extra = e.keyword === 'additionalProperties' ? ` '${(e.params as any).additionalProperty}'`
      : e.keyword === 'enum' ? ` ${JSON.stringify((e.params as any).allowedValues)}` : '';
    return `${where}: ${e.message}${extra}`;
  });
}
