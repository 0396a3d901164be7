#!/usr/bin/env node
// Regenerates imports/ offline from the pinned CRDs in ../shared/reference (or REFERENCE_DIR).
// CRDs of one API group are concatenated first: `cdk8s import` writes one file per group,
// so importing them one by one would overwrite the first.
// Besides the TypeScript types it writes imports/schemas/<group>.<kind>.json: the CRD's
// openAPIV3Schema for the served storage version, descriptions stripped, used to validate
// synthesized objects strictly at run time.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const reference = resolve(process.env.REFERENCE_DIR ?? join(root, '..', 'shared', 'reference'));
if (!existsSync(reference)) {
  console.error(`import-crds: ${reference} not found; set REFERENCE_DIR to a folder holding the pinned CRDs`);
  process.exit(1);
}

/** API group → CRD files, relative to the reference folder. Versions are pinned in cdk8s.yaml. */
const groups = {
  'cilium.io': ['tetragon/v1.7.0/crds/cilium.io_tracingpolicies.yaml', 'tetragon/v1.7.0/crds/cilium.io_tracingpoliciesnamespaced.yaml'],
  'helm.toolkit.fluxcd.io': ['flux/helm.toolkit.fluxcd.io_helmreleases.yaml'],
  'source.toolkit.fluxcd.io': [
    'flux/source.toolkit.fluxcd.io_gitrepositories.yaml',
    'flux/source.toolkit.fluxcd.io_helmrepositories.yaml',
    'flux/source.toolkit.fluxcd.io_ocirepositories.yaml',
  ],
  'kustomize.toolkit.fluxcd.io': ['flux/kustomize.toolkit.fluxcd.io_kustomizations.yaml'],
  'monitoring.coreos.com': [
    'prometheus-operator/monitoring.coreos.com_prometheusrules.yaml',
    'prometheus-operator/monitoring.coreos.com_servicemonitors.yaml',
  ],
};

const out = join(root, 'imports');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'schemas'), { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'import-crds-'));
const cli = join(root, 'node_modules', '.bin', 'cdk8s');

function stripDescriptions(node) {
  if (Array.isArray(node)) return node.map(stripDescriptions);
  if (node && typeof node === 'object') {
    const result = {};
    for (const key of Object.keys(node).sort()) {
      if (key === 'description' && typeof node[key] === 'string') continue;
      result[key] = stripDescriptions(node[key]);
    }
    return result;
  }
  return node;
}

for (const [group, files] of Object.entries(groups)) {
  const texts = files.map((f) => readFileSync(join(reference, f), 'utf8'));
  const combined = join(work, `${group}.yaml`);
  writeFileSync(combined, texts.join('\n---\n'));
  execFileSync(cli, ['--no-check-upgrade', 'import', combined, '--language', 'typescript', '--output', out], { stdio: 'inherit' });
  for (const text of texts) {
    const crd = YAML.parse(text);
    for (const version of crd.spec.versions.filter((v) => v.served)) {
      const schema = stripDescriptions(version.schema.openAPIV3Schema);
      const name = `${crd.spec.group}.${crd.spec.names.kind}.${version.name}.json`;
      writeFileSync(join(out, 'schemas', name), JSON.stringify(schema) + '\n');
    }
  }
}
rmSync(work, { recursive: true, force: true });
console.log(`imports/ regenerated from ${reference}`);
// The validators synthesis and `check` run are generated from imports/schemas.
execFileSync(process.execPath, [join(root, 'scripts', 'crd-validators.js')], { stdio: 'inherit' });
