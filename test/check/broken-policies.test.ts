import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { RULES, checkManifests, checkPolicy, readYamlManifests } from '../../lib/check';
import { KernelTable, loadKernel } from '../../lib/kernels';

const DIR = join(__dirname, '..', 'fixtures', 'broken-policies');
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const load = (file: string) => parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((d: any) => d.toJS());
/** What `cdk8s-tetragon check` reports for a file: what kept parts of it from being read, then its objects' findings. */
const checkFile = (file: string, options = {}) => {
  const read = readYamlManifests(readFileSync(join(DIR, file), 'utf8'));
  return [...read.findings, ...checkManifests(read.manifests, options)];
};

/** Debian 12's functions without its config: what `kernel add` writes for a node when no config is given. */
function withoutConfig(): KernelTable {
  const base = loadKernel('debian-12-6.1');
  return { name: 'my-node', describe: 'BTF only', size: base.size, features: {}, lookup: (fn) => base.lookup(fn) };
}
/** The kernel set a fixture is checked against: the bundled set, except where a rule is about tables that lack facts. */
const kernelsFor = (file: string) => (file === 'kernel-feature-unknown.yaml' ? { kernels: [withoutConfig()] } : {});

describe('broken-policy corpus', () => {
  test('has one fixture per rule, and every fixture is named after a rule', () => {
    // given the rule index and the corpus
    const ids = RULES.map((r) => r.id).sort();
    // then they match one to one
    expect(files.map((f) => f.replace(/\.yaml$/, '')).sort()).toStrictEqual(ids);
  });

  test.each(files)('%s is reported with its rule id, and nothing else is an error', (file) => {
    // given a policy broken in one way
    const ruleId = file.replace(/\.yaml$/, '');
    // when it is checked
    const findings = checkFile(file, kernelsFor(file));
    // then the rule fires, with the policy named in the message and a fix
    const hits = findings.filter((f) => f.ruleId === ruleId);
    expect(hits.length).toBeGreaterThan(0);
    expect(hits[0].message).toContain(`policy '${hits[0].policy}'`);
    expect(hits[0].fix.length).toBeGreaterThan(5);
    expect(hits[0].severity).toBe(RULES.find((r) => r.id === ruleId)!.severity);
    // and no other rule reports an error (the fixture is broken in one way only)
    const otherErrors = findings.filter((f) => f.ruleId !== ruleId && f.severity === 'error');
    expect(otherErrors).toStrictEqual([]);
  });
});

describe('messages name the policy, hook, selector and field', () => {
  test('an operator on the wrong type points at the matchArgs entry', () => {
    // given a DPort filter on a file argument
    const [policy] = load('operator-type.yaml');
    // when checked
    const [finding] = checkPolicy(policy).filter((f) => f.ruleId === 'operator-type');
    // then the finding locates it precisely
    expect(finding).toMatchObject({
      policy: 'operator-type',
      hook: 'kprobes[0] security_file_open',
      selector: 0,
      field: 'spec.kprobes[0].selectors[0].matchArgs[0].operator',
    });
    expect(finding.message).toBe(
      "policy 'operator-type' kprobes[0] security_file_open spec.kprobes[0].selectors[0].matchArgs[0].operator: " +
        'DPort on argument of type file: socket operators only apply to sock, skb, socket and sockaddr (and Family on sockaddr_un)',
    );
  });

  test('a missing function names the kernels, in one finding for the whole set', () => {
    const [policy] = load('kernel-missing-function.yaml');
    const findings = checkPolicy(policy).filter((f) => f.ruleId === 'kernel-missing-function');
    expect(findings).toHaveLength(1);
    expect(findings[0].kernels).toStrictEqual(['debian-11-5.10', 'debian-12-6.1', 'debian-13-6.12', 'debian-sid-7.2']);
    expect(findings[0].kernel).toBe('debian-11-5.10');
    expect(findings[0].message).toContain(
      'security_path_truncate_typo is not in kernels debian-11-5.10, debian-12-6.1, debian-13-6.12, debian-sid-7.2: the whole policy',
    );
  });

  test('one kernel keeps the singular, and findings that differ per kernel stay apart', () => {
    const [policy] = load('kernel-missing-function.yaml');
    const [one] = checkPolicy(policy, { kernels: ['debian-12-6.1'] }).filter((f) => f.ruleId === 'kernel-missing-function');
    expect(one.message).toContain('is not in kernel debian-12-6.1: the whole policy');
    expect(one.kernels).toStrictEqual(['debian-12-6.1']);
  });
});

describe('clean policies', () => {
  const clean = {
    apiVersion: 'cilium.io/v1alpha1',
    kind: 'TracingPolicy',
    metadata: { name: 'sensitive-file-open' },
    spec: {
      kprobes: [
        {
          call: 'security_file_open',
          syscall: false,
          message: 'Sensitive file opened',
          tags: ['observability.filesystem'],
          args: [{ index: 0, type: 'file' }],
          selectors: [
            {
              matchArgs: [
                { index: 0, operator: 'Prefix', values: ['/root/.ssh/'] },
                { index: 0, operator: 'FileType', values: ['reg'] },
              ],
              matchNamespaces: [{ namespace: 'Pid', operator: 'NotIn', values: ['host_ns'] }],
            },
            {
              matchArgs: [{ index: 0, operator: 'Equal', values: ['/etc/shadow', '/etc/sudoers'] }],
              matchActions: [{ action: 'Post', rateLimit: '1m' }],
            },
          ],
        },
        {
          call: 'sys_setns',
          syscall: true,
          args: [
            { index: 0, type: 'int' },
            { index: 1, type: 'int' },
          ],
          selectors: [{ matchArgs: [{ index: 1, operator: 'Mask', values: ['0x20000000'] }] }],
        },
      ],
      podSelector: {},
    },
  };

  test('a well-formed policy has no findings on any bundled kernel', () => {
    expect(checkPolicy(clean)).toStrictEqual([]);
  });

  test('checkManifests skips other kinds', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 'b' } };
    expect(checkManifests([cm, clean])).toStrictEqual([]);
  });

  test('a non-policy given to checkPolicy is one finding, not an exception', () => {
    expect(checkPolicy({ kind: 'ConfigMap' }).map((f) => f.ruleId)).toStrictEqual(['crd-schema']);
    expect(checkPolicy(null).map((f) => f.ruleId)).toStrictEqual(['crd-schema']);
  });
});

describe('docs/check.md', () => {
  test('lists every rule with its severity', () => {
    const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'check.md'), 'utf8');
    for (const r of RULES) expect(doc).toContain(`| \`${r.id}\` | ${r.severity} |`);
  });
});
