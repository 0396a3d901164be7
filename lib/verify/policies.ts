/**
 * The policies a run proves: read from YAML files and folders, and, where the agent outside Kubernetes cannot
 * load a policy as written, the variant it loads instead.
 *
 * Pod-scoped policies (`podSelector`, `containerSelector`, TracingPolicyNamespaced) need the agent's policy
 * filter and the pods' identity, which only an agent in a cluster has (`tetra tracingpolicy add` answers
 * `policyfilter is disabled`). The verifier loads a pod-less variant of such a policy (the same hooks and
 * selectors, scope removed), which proves that the hooks load and the selectors fire; whether the scope picks
 * the right pods stays unproven, and scenarios whose verdict depends on the scope are reported as such.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { isTracingPolicyManifest } from '../check/engine';
import { Scenario } from './scenario';

/** One policy of the run. */
export interface PolicyUnderTest {
  /** `metadata.name` as written (namespaced: `namespace/name`). */
  readonly name: string;
  /** The name the agent knows it by (the variant's, for a namespaced policy). */
  readonly agentName: string;
  readonly file: string;
  /** The manifest as written. */
  readonly manifest: any;
  /** What the agent loads: the manifest, or its pod-less variant. */
  readonly loaded: any;
  /** Set when `loaded` is a variant: what was removed. */
  readonly podLess?: readonly string[];
  /**
   * Set for a policy added for scenarios that need the construct with other props than the run's policy:
   * the library policy it is a variant of, and those props.
   */
  readonly variantOf?: { readonly policy: string; readonly props: Readonly<Record<string, unknown>> };
}

/** YAML files under a path (folders recursed, hidden folders and node_modules skipped), sorted. */
export function yamlFiles(path: string): string[] {
  const st = statSync(path);
  if (st.isFile()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => {
      const full = join(path, name);
      if (statSync(full).isDirectory()) return name.startsWith('.') || name === 'node_modules' ? [] : yamlFiles(full);
      return /\.ya?ml$/.test(name) ? [full] : [];
    });
}

/**
 * The pod-less variant of a manifest, or undefined when the agent loads it as written: `podSelector` and
 * `containerSelector` removed, a TracingPolicyNamespaced turned into a TracingPolicy named `<namespace>-<name>`.
 */
export function podLessVariant(manifest: any): { manifest: any; removed: string[] } | undefined {
  const spec = manifest.spec ?? {};
  const removed: string[] = [];
  const copy = JSON.parse(JSON.stringify(manifest));
  if (spec.podSelector !== undefined) {
    delete copy.spec.podSelector;
    removed.push('spec.podSelector');
  }
  if (spec.containerSelector !== undefined) {
    delete copy.spec.containerSelector;
    removed.push('spec.containerSelector');
  }
  if (manifest.kind === 'TracingPolicyNamespaced') {
    copy.kind = 'TracingPolicy';
    copy.metadata = { ...copy.metadata, name: `${manifest.metadata?.namespace}-${manifest.metadata?.name}` };
    delete copy.metadata.namespace;
    removed.push('kind TracingPolicyNamespaced (now a TracingPolicy for the whole node)');
  }
  return removed.length ? { manifest: copy, removed } : undefined;
}

/** Reads every TracingPolicy of the given paths. Throws on unreadable YAML and on two policies with one agent name. */
export function readPolicies(paths: readonly string[]): PolicyUnderTest[] {
  const out: PolicyUnderTest[] = [];
  for (const p of paths) {
    for (const file of yamlFiles(p)) {
      for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
        if (doc.errors.length) throw new Error(`${file}: YAML does not parse: ${doc.errors[0].message.split('\n')[0]}`);
        const m = doc.toJS();
        if (!isTracingPolicyManifest(m)) continue;
        const variant = podLessVariant(m);
        const loaded = variant?.manifest ?? m;
        const name = m.kind === 'TracingPolicyNamespaced' ? `${m.metadata?.namespace}/${m.metadata?.name}` : String(m.metadata?.name);
        const agentName = String(loaded.metadata?.name);
        const clash = out.find((x) => x.agentName === agentName);
        if (clash)
          throw new Error(
            `${file}: policy ${name} has the name ${agentName} that ${clash.file} already uses; the agent holds one policy per name, so rename one`,
          );
        out.push({ name, agentName, file, manifest: m, loaded, podLess: variant?.removed });
      }
    }
  }
  return out;
}

/** JSON with object keys sorted, so equal props give one variant. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, v[k]]),
        )
      : v,
  );
}

/**
 * The policies scenarios with `props` need: for each policy and set of props, the construct synthesized with them
 * (by `synthesize`), renamed `<policy>-<hash>` so it loads next to the run's own policy, unless the run's policy is
 * that very manifest. Returns the extra policies and, per scenario id, the agent name its verdict is read from.
 */
export function scenarioVariants(
  scenarios: readonly Scenario[],
  policies: readonly PolicyUnderTest[],
  synthesize: (policy: string, props: Readonly<Record<string, unknown>>) => any,
): { variants: PolicyUnderTest[]; policyOf: Map<string, string> } {
  const variants: PolicyUnderTest[] = [];
  const policyOf = new Map<string, string>();
  for (const s of scenarios) {
    if (!s.props) continue;
    const key = `${s.policy}\0${canonical(s.props)}`;
    const name = `${s.policy}-${createHash('sha256').update(key).digest('hex').slice(0, 6)}`;
    let variant = variants.find((v) => v.agentName === name);
    if (!variant) {
      const manifest = synthesize(s.policy, s.props);
      const same = policies.find((p) => p.name === s.policy && canonical(p.manifest) === canonical(manifest));
      if (same) {
        policyOf.set(s.id, same.agentName);
        continue;
      }
      const renamed = { ...manifest, metadata: { ...manifest.metadata, name } };
      const v = podLessVariant(renamed);
      variant = {
        name,
        agentName: name,
        file: `${s.policy} with ${canonical(s.props)}`,
        manifest: renamed,
        loaded: v?.manifest ?? renamed,
        ...(v ? { podLess: v.removed } : {}),
        variantOf: { policy: s.policy, props: s.props },
      };
      variants.push(variant);
    }
    policyOf.set(s.id, variant.agentName);
  }
  return { variants, policyOf };
}
