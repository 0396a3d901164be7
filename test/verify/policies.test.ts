import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { podLessVariant, readPolicies } from '../../lib/verify/policies';

const policy = (name: string, spec: object = {}, kind = 'TracingPolicy', namespace?: string) => ({
  apiVersion: 'cilium.io/v1alpha1',
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
  spec: { kprobes: [{ call: 'security_file_open', syscall: false, args: [{ index: 0, type: 'file' }] }], ...spec },
});

describe('pod-less variants', () => {
  test('a policy without pod scope loads as written', () => {
    expect(podLessVariant(policy('p'))).toBeUndefined();
  });

  test('podSelector and containerSelector are removed and named; the original is not touched', () => {
    const p = policy('p', {
      podSelector: { matchLabels: { app: 'web' } },
      containerSelector: { matchExpressions: [{ key: 'name', operator: 'In', values: ['web'] }] },
    });
    const v = podLessVariant(p)!;
    expect(v.removed).toStrictEqual(['spec.podSelector', 'spec.containerSelector']);
    expect(v.manifest.spec.podSelector).toBeUndefined();
    expect(v.manifest.spec.kprobes).toStrictEqual(p.spec.kprobes);
    expect((p.spec as any).podSelector).toStrictEqual({ matchLabels: { app: 'web' } });
  });

  test('a namespaced policy becomes a node-wide TracingPolicy named after its namespace', () => {
    const v = podLessVariant(policy('secret', {}, 'TracingPolicyNamespaced', 'payments'))!;
    expect(v.manifest.kind).toBe('TracingPolicy');
    expect(v.manifest.metadata).toStrictEqual({ name: 'payments-secret' });
    expect(v.removed).toStrictEqual(['kind TracingPolicyNamespaced (now a TracingPolicy for the whole node)']);
  });
});

describe('reading policies', () => {
  const dir = mkdtempSync(join(tmpdir(), 'policies-'));
  const yaml = (o: object) => JSON.stringify(o);

  test('multi-document files in folders; other kinds skipped; the loaded manifest and the agent name set', () => {
    writeFileSync(
      join(dir, 'a.yaml'),
      `${yaml(policy('a'))}\n---\n${yaml({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } })}\n---\n${yaml(policy('b', { podSelector: {} }))}\n`,
    );
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    const read = readPolicies([dir]);
    expect(read.map((p) => [p.name, p.agentName, p.podLess])).toStrictEqual([
      ['a', 'a', undefined],
      ['b', 'b', ['spec.podSelector']],
    ]);
    expect(read[1].loaded.spec.podSelector).toBeUndefined();
  });

  test('two policies the agent would know by one name are refused with both files', () => {
    const d = mkdtempSync(join(tmpdir(), 'dup-'));
    writeFileSync(join(d, '1.yaml'), yaml(policy('same')));
    writeFileSync(join(d, '2.yaml'), yaml(policy('same')));
    expect(() => readPolicies([d])).toThrow(/2\.yaml: policy same has the name same that .*1\.yaml already uses/);
  });

  test('YAML that does not parse names the file', () => {
    const d = mkdtempSync(join(tmpdir(), 'bad-'));
    writeFileSync(join(d, 'bad.yaml'), 'kind: [unclosed');
    expect(() => readPolicies([d])).toThrow(/bad\.yaml: YAML does not parse/);
  });
});
