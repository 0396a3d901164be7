#!/usr/bin/env node
// Generates lib/private/crd-validators/: one ajv standalone validator per CRD schema in imports/schemas, so synthesis
// and `check` run precompiled code instead of compiling the schemas with ajv at every start.
//
// Usage: node scripts/crd-validators.js [--check]   (npm run crd-validators; --check only reports stale files)
//
// The schemas are made strict first (what the API server would prune becomes an error) and repeated subschemas are
// shared, as described at each function below. The output is deterministic: the same schemas and ajv version give
// the same files, which a test compares with the committed ones.
'use strict';
const { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..');
const SCHEMA_DIR = join(ROOT, 'imports', 'schemas');
const OUT_DIR = join(ROOT, 'lib', 'private', 'crd-validators');

const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

/** The ObjectMeta fields a manifest may set (the CRD schemas only say `type: object`). */
const OBJECT_META = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', maxLength: 253, pattern: DNS_SUBDOMAIN },
    namespace: { type: 'string', maxLength: 63, pattern: DNS_LABEL },
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
function strictSchema(node) {
  if (Array.isArray(node)) return node.map(strictSchema);
  if (!node || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-kubernetes-')) continue;
    if (key === 'pattern' && typeof value === 'string') {
      out.pattern = jsPattern(value);
    } else if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strictSchema(v)]));
    } else {
      out[key] = strictSchema(value);
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
 * into `$defs`, so ajv generates each once: the TracingPolicy validator is about a third of the size.
 */
function dedupe(root, minSize = 500) {
  // Only subschemas are replaced by refs: the values of `properties`, `items`, `additionalProperties`, `anyOf`...
  const children = (schema) => {
    const out = [];
    for (const [k, v] of Object.entries(schema.properties ?? {})) out.push([`properties.${k}`, v]);
    if (schema.items && typeof schema.items === 'object') out.push(['items', schema.items]);
    if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
      out.push(['additionalProperties', schema.additionalProperties]);
    for (const key of ['anyOf', 'oneOf', 'allOf']) (schema[key] ?? []).forEach((v, i) => out.push([`${key}.${i}`, v]));
    return out;
  };
  const counts = new Map();
  const count = (schema) => {
    const key = JSON.stringify(schema);
    if (key.length >= minSize) counts.set(key, (counts.get(key) ?? 0) + 1);
    children(schema).forEach(([, c]) => count(c));
  };
  count(root);
  const defs = {};
  const names = new Map();
  const rewrite = (schema, top) => {
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
    if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
      out.additionalProperties = rewrite(schema.additionalProperties, false);
    for (const k of ['anyOf', 'oneOf', 'allOf']) if (schema[k]) out[k] = schema[k].map((v) => rewrite(v, false));
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
function jsPattern(pattern) {
  if (!pattern.includes('(?i)')) return pattern;
  let out = '';
  let inClass = false;
  const p = pattern.replace(/\(\?i\)/g, '');
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      out += c + (p[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '[') inClass = true;
    if (c === ']') inClass = false;
    out += !inClass && /[a-zA-Z]/.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c;
  }
  return out;
}

/** The schemas in imports/schemas (`<group>.<Kind>.<version>.json`), keyed by `apiVersion/kind`, sorted. */
function schemaFiles() {
  return readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const parts = file.slice(0, -'.json'.length).split('.');
      const [kind, version] = parts.slice(-2);
      const group = parts.slice(0, -2).join('.');
      return { key: `${group}/${version}/${kind}`, group, version, kind, file, module: file.slice(0, -'.json'.length) };
    });
}

/** The full schema of one kind: strict, with apiVersion, kind and metadata pinned, repeated parts shared. */
function manifestSchema({ group, version, kind, file }) {
  const full = strictSchema(JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8')));
  full.properties = { ...full.properties, apiVersion: { const: `${group}/${version}` }, kind: { const: kind }, metadata: OBJECT_META };
  full.required = Array.from(new Set([...(full.required ?? []), 'apiVersion', 'kind', 'metadata']));
  return dedupe(full);
}

/** The generated files (name → text), computed in memory. */
function crdValidatorSources() {
  const { default: Ajv } = require('ajv');
  const { default: standaloneCode } = require('ajv/dist/standalone');
  const { transformSync } = require('esbuild');
  const ajvVersion = require('ajv/package.json').version;
  const header = (what) =>
    `// Generated by scripts/crd-validators.js (npm run crd-validators) from ${what} with ajv ${ajvVersion}. Do not edit.\n`;
  const files = new Map();
  const entries = schemaFiles();
  for (const entry of entries) {
    // Kubernetes formats (int32, int64, duration, date-time, ...) are not checked by the API server for custom
    // resources beyond their type, so they are accepted as-is here too.
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, code: { source: true } });
    const code = standaloneCode(ajv, ajv.compile(manifestSchema(entry)));
    // Laid out one statement a line, so a schema change shows as a readable diff.
    files.set(
      `${entry.module}.js`,
      header(`imports/schemas/${entry.file}`) + transformSync(code, { loader: 'js', format: 'cjs', charset: 'utf8' }).code,
    );
  }
  // The validators are plain JavaScript that the compiler never reads: this typed table loads each on first use.
  const index = [
    header('the file names in imports/schemas'),
    "import type { ValidateFunction } from 'ajv';",
    '',
    '/** The validator of each pinned CRD schema, by `apiVersion/kind`, loaded on first use. */',
    'export const CRD_VALIDATORS: Readonly<Record<string, () => ValidateFunction>> = {',
    ...entries.map((e) => `  '${e.key}': () => require('./${e.module}.js'),`),
    '};',
    '',
  ].join('\n');
  files.set('index.ts', index);
  return files;
}

/** Names of the committed files that differ from what the schemas generate (missing and extra files included). */
function staleFiles(files = crdValidatorSources()) {
  const present = existsSync(OUT_DIR) ? readdirSync(OUT_DIR) : [];
  const stale = [...files]
    .filter(([name, text]) => !present.includes(name) || readFileSync(join(OUT_DIR, name), 'utf8') !== text)
    .map(([n]) => n);
  return [...stale, ...present.filter((n) => !files.has(n))].sort();
}

module.exports = { OUT_DIR, OBJECT_META, crdValidatorSources, dedupe, jsPattern, staleFiles, strictSchema };

if (require.main === module) {
  const files = crdValidatorSources();
  if (process.argv.includes('--check')) {
    const stale = staleFiles(files);
    if (stale.length) {
      console.error(`lib/private/crd-validators is out of date (${stale.join(', ')}); run npm run crd-validators`);
      process.exit(1);
    }
  } else {
    rmSync(OUT_DIR, { recursive: true, force: true });
    mkdirSync(OUT_DIR, { recursive: true });
    for (const [name, text] of files) writeFileSync(join(OUT_DIR, name), text);
    console.log(`lib/private/crd-validators: ${files.size - 1} validators generated from imports/schemas`);
  }
}
