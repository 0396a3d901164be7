import { parseAllDocuments } from 'yaml';
import { obj, str } from '../model/private/policy-reader';
import { POLICY_KINDS } from '../model/private/vocabulary';
import { show } from '../private/problems';

/** A TracingPolicy or TracingPolicyNamespaced as a plain manifest object (what the YAML holds). */
export interface TracingPolicyManifest {
  readonly apiVersion: string;
  readonly kind: 'TracingPolicy' | 'TracingPolicyNamespaced';
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  /** The spec as written; the simulator reads it through the same reader as the policy checker. */
  readonly spec: Readonly<Record<string, unknown>>;
}

/**
 * What the simulator accepts as policies: YAML text (one or more documents), a manifest object, a cdk8s
 * construct or chart (its API objects are rendered with `toJson()`), or a list of these.
 */
export type PolicyInput = string | object | readonly PolicyInput[];

interface ConstructLike {
  readonly node: { findAll(): readonly unknown[] };
}

function isConstruct(v: unknown): v is ConstructLike {
  return typeof obj(obj(v)?.node)?.findAll === 'function';
}

function isApiObject(v: unknown): v is { toJson(): unknown; apiVersion: string; kind: string } {
  const o = obj(v);
  return !!o && typeof o.toJson === 'function' && typeof o.apiVersion === 'string' && typeof o.kind === 'string';
}

function collect(input: PolicyInput, out: unknown[], where: string): void {
  if (typeof input === 'string') {
    const docs = parseAllDocuments(input);
    docs.forEach((doc, i) => {
      if (doc.errors.length > 0) {
        throw new Error(`${where}: YAML document ${i + 1} does not parse: ${doc.errors[0].message}`);
      }
      const value = doc.toJS();
      if (value !== null && value !== undefined) out.push(value);
    });
  } else if (Array.isArray(input)) {
    input.forEach((item, i) => collect(item, out, `${where}[${i}]`));
  } else if (isConstruct(input)) {
    // Rendering through toJson() resolves lazy values, as `cdk8s synth` does.
    for (const child of input.node.findAll()) {
      if (isApiObject(child)) out.push(child.toJson());
    }
  } else if (typeof input === 'object' && input !== null) {
    out.push(input);
  } else {
    throw new Error(`${where}: expected YAML text, a manifest, a construct or a list of these, got ${show(input)}`);
  }
}

/**
 * Normalizes policy input into TracingPolicy manifests. Objects of other kinds are skipped, so a whole
 * chart or a multi-document YAML file can be passed.
 * @throws when nothing in the input is a TracingPolicy or TracingPolicyNamespaced, or a policy has no name
 */
export function loadPolicies(input: PolicyInput, where = 'policies'): TracingPolicyManifest[] {
  const objects: unknown[] = [];
  collect(input, objects, where);
  const policies = objects.filter(
    (o): o is TracingPolicyManifest => POLICY_KINDS.has(str(obj(o)?.kind) ?? '') && String(obj(o)?.apiVersion).startsWith('cilium.io/'),
  );
  if (policies.length === 0) {
    const kinds = objects.map((o) => obj(o)?.kind ?? typeof o).join(', ') || 'nothing';
    throw new Error(`${where}: no TracingPolicy or TracingPolicyNamespaced found (got ${kinds})`);
  }
  for (const p of policies) {
    if (typeof p.metadata?.name !== 'string' || p.metadata.name === '') {
      throw new Error(`${where}: a ${p.kind} has no metadata.name`);
    }
    if (typeof p.spec !== 'object' || p.spec === null) {
      throw new Error(`${where}: ${p.kind} ${p.metadata.name} has no spec`);
    }
  }
  return policies;
}
