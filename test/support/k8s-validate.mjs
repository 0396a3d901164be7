#!/usr/bin/env node
// Validates Kubernetes core objects (JSON array on stdin) against the Kubernetes API's own OpenAPI schemas, as
// shipped by the kubernetes-models package (ES modules only, hence a separate process). Prints a JSON array of
// { kind, name, errors } and exits 0; objects of kinds it does not know are reported with `unknown: true`.
const input = JSON.parse(
  await new Promise((resolve) => {
    let text = '';
    process.stdin.on('data', (c) => {
      text += c;
    });
    process.stdin.on('end', () => resolve(text));
  }),
);

const GROUPS = {
  v1: 'kubernetes-models/v1',
  'apps/v1': 'kubernetes-models/apps/v1',
  'rbac.authorization.k8s.io/v1': 'kubernetes-models/rbac.authorization.k8s.io/v1',
  'apiextensions.k8s.io/v1': 'kubernetes-models/apiextensions.k8s.io/v1',
  'policy/v1': 'kubernetes-models/policy/v1',
  'scheduling.k8s.io/v1': 'kubernetes-models/scheduling.k8s.io/v1',
};

const results = [];
for (const object of input) {
  const module = GROUPS[object.apiVersion];
  const Model = module ? (await import(module))[object.kind] : undefined;
  if (!Model) {
    results.push({ kind: object.kind, name: object.metadata?.name, unknown: true, errors: [] });
    continue;
  }
  let errors = [];
  try {
    new Model(object).validate();
  } catch (e) {
    errors = [String(e.message ?? e)];
  }
  results.push({ kind: object.kind, name: object.metadata?.name, errors });
}
process.stdout.write(JSON.stringify(results));
