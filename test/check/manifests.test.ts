/**
 * Reading third-party YAML: lists, apiVersions no CRD serves, Helm templates, and schema errors that say what was
 * received.
 */
import { checkManifests, checkPolicy, readYamlManifests } from '../../lib/check';

const POLICY = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: files
spec:
  kprobes:
  - call: security_file_open
    syscall: false
    args: [{index: 0, type: file}]`;

describe('what check reads', () => {
  test('a kind: List (as kubectl get -o yaml writes it) is looked into, items and nested lists alike', () => {
    const text = `apiVersion: v1
kind: List
items:
- ${POLICY.split('\n').join('\n  ')}
- apiVersion: cilium.io/v1alpha1
  kind: TracingPolicyList
  items:
  - {apiVersion: cilium.io/v1alpha1, kind: TracingPolicy, metadata: {name: bad}, spec: {kprobes: [{call: security_file_open, args: [{index: 0, type: file}]}]}}
`;
    const { manifests, findings } = readYamlManifests(text);
    expect(findings).toStrictEqual([]);
    expect(manifests.map((m: any) => m.metadata.name)).toStrictEqual(['files', 'bad']);
    expect(checkManifests(manifests).map((f) => `${f.policy} ${f.ruleId}`)).toStrictEqual(['bad implicit-syscall']);
    // checkManifests expands lists itself too
    expect(checkManifests([{ apiVersion: 'v1', kind: 'List', items: manifests }]).map((f) => f.policy)).toStrictEqual(['bad']);
  });

  test('a TracingPolicy under an apiVersion no CRD serves is reported, not skipped', () => {
    for (const [apiVersion, kind] of [
      ['cilium.io/v1', 'TracingPolicy'],
      ['tetragon.io/v1alpha1', 'TracingPolicy'],
      ['cilium.io/v1alpha1', 'TracingPolicies'],
    ]) {
      const findings = checkManifests([{ apiVersion, kind, metadata: { name: 'p' }, spec: {} }]);
      expect(findings.map((f) => f.ruleId)).toStrictEqual(['api-version']);
      expect(findings[0].message).toContain(`no CRD serves ${JSON.stringify(kind)} in ${JSON.stringify(apiVersion)}`);
    }
    // other kinds of the cilium.io group are not TracingPolicies
    expect(checkManifests([{ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'n' } }])).toStrictEqual([]);
  });

  test('a Helm template is said plainly, not "fix the YAML syntax"', () => {
    const template = `{{- if .Values.enabled }}\n${POLICY.replace('name: files', 'name: {{ .Release.Name }}-files')}\n{{- end }}\n`;
    const { findings } = readYamlManifests(template);
    expect(findings.map((f) => [f.ruleId, f.severity])).toStrictEqual([['helm-template', 'warning']]);
    expect(findings[0].message).toContain('this is a Helm template, not YAML');
    expect(findings[0].fix).toBe('Render it with `helm template` and check the output');
    // a broken file that is not a template is a syntax error with the line
    const broken = readYamlManifests('a: [1, 2\nb: 3\n').findings;
    expect(broken.map((f) => f.ruleId)).toStrictEqual(['yaml-syntax']);
    expect(broken[0].message).toMatch(/^policy '<yaml>' \(document\): YAML does not parse \(line \d+\)/);
  });

  test('schema errors show the value received and name a missing field plainly', () => {
    const policy = {
      apiVersion: 'cilium.io/v1alpha1',
      kind: 'TracingPolicy',
      metadata: { name: 'p' },
      spec: {
        kprobes: [
          {
            call: 'security_file_open',
            syscall: false,
            args: [{ index: 0, type: 'files' }],
            selectors: [
              { matchArgs: [{ index: 0, values: ['/etc/shadow'] }], matchNamespaces: [{ namespace: 'Mnt', values: ['host_ns'] }] },
            ],
          },
        ],
      },
    };
    const messages = checkPolicy(policy, { skipKernelChecks: true }).map(
      (f) => `${f.ruleId} ${f.field}: ${f.message.split(': ').slice(1).join(': ')}`,
    );
    expect(messages).toContainEqual(
      expect.stringMatching(/^crd-schema spec\.kprobes\[0\]\.args\[0\]\.type: got "files"; must be equal to one of the allowed values/),
    );
    expect(messages).toContainEqual('crd-schema spec.kprobes[0].selectors[0].matchArgs[0]: operator is missing (the CRD requires it)');
    expect(messages).toContainEqual(
      'match-namespaces spec.kprobes[0].selectors[0].matchNamespaces[0].operator: operator is missing; allowed: In, NotIn',
    );
    expect(messages.join('\n')).not.toContain('undefined');
    // the unknown type and the missing operator do not cascade into operator-type findings
    expect(messages.filter((m) => m.startsWith('operator-type'))).toStrictEqual([]);
  });
});

describe('third-party hazards', () => {
  const kprobe = (hook: object, spec: object = {}) => ({
    apiVersion: 'cilium.io/v1alpha1',
    kind: 'TracingPolicy',
    metadata: { name: 'p' },
    spec: { kprobes: [{ syscall: false, ...hook }], ...spec },
  });
  const rules = (p: unknown) =>
    checkPolicy(p, { skipKernelChecks: true })
      .filter((f) => f.severity !== 'info')
      .map((f) => f.ruleId);

  test('relative paths: matchBinaries In/NotIn/Prefix and Equal/Prefix on resolved paths never match', () => {
    const bin = (operator: string, values: string[]) =>
      kprobe({ call: 'security_file_open', args: [{ index: 0, type: 'file' }], selectors: [{ matchBinaries: [{ operator, values }] }] });
    expect(rules(bin('NotIn', ['sh']))).toStrictEqual(['relative-path']);
    expect(rules(bin('Postfix', ['/sh']))).toStrictEqual([]);
    expect(rules(bin('In', ['/bin/sh']))).toStrictEqual([]);
    const file = (operator: string, values: string[]) =>
      kprobe({
        call: 'security_file_open',
        args: [{ index: 0, type: 'file' }],
        selectors: [{ matchArgs: [{ index: 0, operator, values }] }],
      });
    expect(rules(file('Equal', ['etc/shadow']))).toStrictEqual(['relative-path']);
    expect(rules(file('Postfix', ['.bash_history']))).toStrictEqual([]);
    // a string argument holds the name as the caller wrote it: relative names are fine there
    expect(
      rules(
        kprobe({
          call: 'sys_unlink',
          syscall: true,
          args: [{ index: 0, type: 'string' }],
          selectors: [{ matchArgs: [{ index: 0, operator: 'Equal', values: ['.bash_history'] }] }],
        }),
      ),
    ).toStrictEqual([]);
  });

  test('an enforcing selector without any filter on a hot hook, unless a pod selector narrows the policy', () => {
    const kill = (call: string, spec: object = {}, selector: object = {}) =>
      kprobe(
        { call, syscall: true, args: [{ index: 0, type: 'int' }], selectors: [{ ...selector, matchActions: [{ action: 'Sigkill' }] }] },
        spec,
      );
    const monitor = { options: [{ name: 'policy-mode', value: 'monitor' }] };
    const [f] = checkPolicy(kill('sys_read', monitor), { skipKernelChecks: true }).filter((x) => x.ruleId === 'enforce-unfiltered');
    expect(f.message).toContain(
      'Sigkill with no filter on sys_read, which nearly every process calls: every call on every node is killed, the kubelet',
    );
    expect(rules(kill('sys_read', { ...monitor, podSelector: {} }))).toStrictEqual(['enforce-unfiltered']);
    expect(rules(kill('sys_read', { ...monitor, podSelector: { matchLabels: { app: 'web' } } }))).toStrictEqual([]);
    expect(rules(kill('sys_read', monitor, { matchBinaries: [{ operator: 'In', values: ['/tmp/x'] }] }))).toStrictEqual([]);
    expect(rules(kill('sys_ptrace', monitor))).toStrictEqual([]); // not a hot hook: killing every ptrace is a choice
    // an fd argument only reads descriptors FollowFD recorded; other calls are dropped, so the hook is filtered
    const followed = kprobe(
      { call: 'sys_read', syscall: true, args: [{ index: 0, type: 'fd' }], selectors: [{ matchActions: [{ action: 'Sigkill' }] }] },
      monitor,
    );
    expect(rules(followed)).toStrictEqual([]);
  });
});
