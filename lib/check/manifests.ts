import { parseAllDocuments } from 'yaml';
import { obj, str } from '../model/private/policy-reader';
import { POLICY_KINDS } from '../model/private/vocabulary';
import { Finding, FindingSink } from './finding';

/**
 * Whether a manifest is meant as a TracingPolicy: one of its kinds (whatever the apiVersion), or a kind spelled like one
 * in the `cilium.io` group. Such objects are checked, so a wrong apiVersion or kind is reported instead of skipped.
 */
export function looksLikeTracingPolicy(manifest: unknown): boolean {
  const m = obj(manifest);
  if (!m) return false;
  const kind = str(m.kind) ?? '';
  if (POLICY_KINDS.has(kind)) return true;
  return (str(m.apiVersion) ?? '').startsWith('cilium.io/') && /^tracingpolic/i.test(kind) && !/list$/i.test(kind);
}

/**
 * The objects of a manifest list: the items of `kind: List` (and `TracingPolicyList`, as `kubectl get -o yaml`
 * writes them), recursively; other objects as they are.
 */
export function expandLists(manifests: readonly unknown[]): unknown[] {
  return manifests.flatMap((m) => {
    const o = obj(m);
    if (o && /List$/.test(str(o.kind) ?? '') && Array.isArray(o.items)) return expandLists(o.items);
    return [m];
  });
}

/** Go template actions, as Helm charts write them (`{{ .Values.x }}`, `{{- if ... }}`). */
const TEMPLATE = /\{\{-?\s*[^}]*\}\}/;

/** The result of reading a YAML file: its objects (lists expanded) and what kept parts of it from being read. */
export interface YamlManifests {
  readonly manifests: unknown[];
  readonly findings: Finding[];
}

/**
 * Reads multi-document YAML for the checker. A document that does not parse is a `yaml-syntax` error, unless the
 * text is a Helm template (`{{ ... }}` actions), which is said plainly as `helm-template`: render it first.
 */
export function readYamlManifests(text: string): YamlManifests {
  const helm = TEMPLATE.exec(text);
  const manifests: unknown[] = [];
  const findings: Finding[] = [];
  for (const doc of parseAllDocuments(text)) {
    if ('errors' in doc && doc.errors.length > 0) {
      const sink = new FindingSink('<yaml>');
      if (helm) {
        sink.add(
          'helm-template',
          { field: '(document)' },
          `this is a Helm template, not YAML (it holds template actions such as ${JSON.stringify(helm[0].slice(0, 40))}), so it cannot be checked as written`,
        );
      } else {
        const line = doc.errors[0].linePos?.[0]?.line;
        sink.add(
          'yaml-syntax',
          { field: '(document)' },
          `YAML does not parse${line ? ` (line ${line})` : ''}: ${doc.errors[0].message.split('\n')[0]}`,
        );
      }
      findings.push(...sink.findings);
      continue;
    }
    const value = doc.toJS();
    if (value === null || value === undefined) continue;
    manifests.push(...expandLists([value]));
  }
  if (helm && findings.length === 0 && manifests.some(looksLikeTracingPolicy)) {
    const sink = new FindingSink('<yaml>');
    sink.add(
      'helm-template',
      { field: '(document)' },
      `this file holds Helm template actions (${JSON.stringify(helm[0].slice(0, 40))}) that parse as plain strings: the findings are about the unrendered text`,
    );
    findings.push(...sink.findings);
  }
  return { manifests, findings };
}

/** Every value at a JSON path written as `spec.kprobes[0].args[1].type`, or undefined. */
export function valueAt(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const part of path.match(/[^.[\]]+/g) ?? []) {
    if (Array.isArray(cur) && /^\d+$/.test(part)) cur = cur[Number(part)];
    else if (obj(cur)) cur = obj(cur)![part];
    else return undefined;
  }
  return cur;
}
