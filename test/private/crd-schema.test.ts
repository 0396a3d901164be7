import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { validateAgainstCrd, hasCrdSchema } from '../../lib/private/crd-schema';

const base = { apiVersion: 'cilium.io/v1alpha1', kind: 'TracingPolicy', metadata: { name: 'p' } };

describe('validateAgainstCrd', () => {
  test('accepts a minimal valid TracingPolicy', () => {
    const tp = { ...base, spec: { kprobes: [{ call: 'security_file_open', syscall: false, args: [{ index: 0, type: 'file' }] }] } };
    expect(validateAgainstCrd(tp)).toStrictEqual([]);
  });

  test('reports unknown fields as errors', () => {
    const tp = { ...base, spec: { kprobes: [{ call: 'x', sycsall: false }] } };
    expect(validateAgainstCrd(tp)).toStrictEqual(["/spec/kprobes/0: must NOT have additional properties 'sycsall'"]);
  });

  test('reports values outside an enum', () => {
    const tp = { ...base, spec: { kprobes: [{ call: 'x', args: [{ index: 0, type: 'filez' }] }] } };
    expect(validateAgainstCrd(tp).join('\n')).toMatch(/\/spec\/kprobes\/0\/args\/0\/type: must be equal to one of the allowed values/);
  });

  test('reports a bad metadata name and unknown metadata fields', () => {
    const tp = { ...base, metadata: { name: 'Bad_Name', owner: 'x' }, spec: {} };
    const errors = validateAgainstCrd(tp);
    expect(errors).toContain("/metadata: must NOT have additional properties 'owner'");
    expect(errors.some((e) => e.startsWith('/metadata/name: must match pattern'))).toBe(true);
  });

  test('throws for a kind without a bundled schema', () => {
    expect(hasCrdSchema('v1', 'ConfigMap')).toBe(false);
    expect(() => validateAgainstCrd({ apiVersion: 'v1', kind: 'ConfigMap' })).toThrow(/no pinned CRD schema for v1\/ConfigMap/);
  });
});

describe('jsPattern', () => {
  test('turns an RE2 inline case-insensitive flag into explicit letter classes', () => {
    const { jsPattern } = require('../../scripts/crd-validators');
    const re = new RegExp(jsPattern('^(?i)(abort|warn)?$'));
    expect(re.test('ABORT')).toBe(true);
    expect(re.test('Warn')).toBe(true);
    expect(re.test('')).toBe(true);
    expect(re.test('stop')).toBe(false);
    expect(jsPattern('^[a-z]+$')).toBe('^[a-z]+$');
  });
});

describe('generated validators (scripts/crd-validators.js)', () => {
  test('metadata names are checked with the same patterns the constructs use', () => {
    const { OBJECT_META } = require('../../scripts/crd-validators');
    const { DNS_LABEL, DNS_SUBDOMAIN } = require('../../lib/private/patterns');
    expect([OBJECT_META.properties.name.pattern, OBJECT_META.properties.namespace.pattern]).toStrictEqual([
      DNS_SUBDOMAIN.source,
      DNS_LABEL.source,
    ]);
  });

  test('lib/private/crd-validators is what the generator makes of imports/schemas today', () => {
    const { staleFiles } = require('../../scripts/crd-validators');
    expect(staleFiles()).toStrictEqual([]);
  });

  test('one validator for every schema in imports/schemas, keyed by apiVersion/kind', () => {
    const schemas = readdirSync(join(__dirname, '..', '..', 'imports', 'schemas')).filter((f) => f.endsWith('.json'));
    expect(schemas.length).toBe(9);
    for (const file of schemas) {
      const [kind, version] = file.split('.').slice(-3, -1);
      const group = file.split('.').slice(0, -3).join('.');
      expect(hasCrdSchema(`${group}/${version}`, kind)).toBe(true);
    }
  });
});
