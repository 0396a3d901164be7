import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { validateAgainstCrd } from '../lib/private/crd-schema';
import { sharedTree } from './support/shared-trees';

/**
 * README examples are files under examples/; `npm test`'s type-check pass compiles them first, and the run's global
 * setup synthesizes each once (`node scripts/synth.mjs --no-typecheck examples/<name>.ts`) for the suites that read it.
 */
function runExample(name: 'custom-policy' | 'enforcement' | 'detections'): string {
  return sharedTree(name);
}

describe('README examples', () => {
  test('custom-policy.ts synthesizes a valid TracingPolicyNamespaced', () => {
    const out = runExample('custom-policy');
    const policy = parse(readFileSync(join(out, 'policies', 'tracingpolicynamespaced-payments.payments-secret-access.yaml'), 'utf8'));
    expect(policy.kind).toBe('TracingPolicyNamespaced');
    expect(policy.metadata).toStrictEqual({ name: 'payments-secret-access', namespace: 'payments' });
    expect(policy.spec.kprobes[0]).toMatchObject({ call: 'security_file_open', syscall: false, args: [{ index: 0, type: 'file' }] });
    expect(validateAgainstCrd(policy)).toStrictEqual([]);
  });
});

describe('enforcement example', () => {
  test('enforcement.ts renders a monitor-mode Override scoped to one namespace', () => {
    const out = runExample('enforcement');
    const policy = parse(readFileSync(join(out, 'policies', 'tracingpolicy-block-shadow-opens.yaml'), 'utf8'));
    expect(policy.spec.options).toStrictEqual([
      { name: 'disable-kprobe-multi', value: '1' },
      { name: 'policy-mode', value: 'monitor' },
    ]);
    expect(policy.spec.kprobes[0].selectors[0].matchActions).toStrictEqual([{ action: 'Override', argError: -13 }]);
    expect(policy.spec.podSelector.matchExpressions[0].values).toStrictEqual(['shop']);
    expect(validateAgainstCrd(policy)).toStrictEqual([]);
  });
});

describe('detections example', () => {
  test("detections.ts adds the bundles' policies, all clean under the check engine on every bundled kernel", () => {
    const { checkManifests } = require('../lib');
    const { parseAllDocuments } = require('yaml');
    const { readdirSync } = require('node:fs');
    const out = runExample('detections');
    const dir = join(out, 'prod', 'policies');
    const manifests = readdirSync(dir).flatMap((f: string) =>
      parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d: any) => d.toJS()),
    );
    expect(manifests.length).toBeGreaterThanOrEqual(20);
    const findings = checkManifests(manifests).filter((f: any) => f.severity !== 'info');
    // The one limit of the bundled kernels: Debian 11 (5.10) compiles the runtime-socket sockaddr_un filter out, which
    // the policy states in its kernel-notes annotation.
    expect(findings.map((f: any) => `${f.ruleId} ${f.policy} ${f.kernels}`)).toStrictEqual([
      'sockaddr-un-filter runtime-socket debian-11-5.10',
    ]);
    const runtime = manifests.find((m: any) => m.metadata.name === 'runtime-socket');
    expect(runtime.metadata.annotations['cdk8s-tetragon/kernel-notes']).toContain('sockaddr-un-filter (debian-11-5.10)');
    for (const m of manifests)
      expect({ name: m.metadata.name, errors: validateAgainstCrd(m) }).toStrictEqual({ name: m.metadata.name, errors: [] });
  });
});
