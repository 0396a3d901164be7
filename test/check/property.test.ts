import fc from 'fast-check';
import { RULES, checkPolicy } from '../../lib/check';
import { loadKernel } from '../../lib/kernels';
import { validateAgainstCrd } from '../../lib/private/crd-schema';

const RUNS = Number(process.env.CHECK_PROPERTY_RUNS ?? 10_000);
const RULE_IDS = new Set(RULES.map((r) => r.id));
const KERNELS = [loadKernel('debian-12-6.1')];

// Well-typed pieces drawn from the CRD's enums, with values that are sometimes valid and sometimes not.
const argType = fc.constantFrom(
  'int',
  'uint32',
  'uint64',
  'string',
  'file',
  'path',
  'sock',
  'skb',
  'sockaddr',
  'fd',
  'char_buf',
  'cred',
  'nop',
  'auto',
  'syscall64',
  'kernel_cap_t',
);
const operator = fc.constantFrom(
  'Equal',
  'NotEqual',
  'Prefix',
  'Postfix',
  'GT',
  'LT',
  'Mask',
  'DPort',
  'SAddr',
  'Family',
  'InRange',
  'InMap',
  'FileType',
  'SubString',
  'CapabilitiesGained',
  'State',
);
const value = fc.oneof(
  fc.constantFrom('0', '0x10', '-1', '22', '1:1024', '10.0.0.0/8', 'reg', '/etc/shadow', 'AF_INET', 'CAP_SYS_ADMIN', ''),
  fc.string({ maxLength: 8 }),
);
const action = fc.record(
  {
    action: fc.constantFrom('Post', 'NoPost', 'Sigkill', 'Override', 'Signal', 'NotifyEnforcer', 'FollowFD'),
    rateLimit: fc.option(fc.constantFrom('1m', '10', 'x', '5h'), { nil: undefined }),
    kernelStackTrace: fc.option(fc.boolean(), { nil: undefined }),
  },
  { requiredKeys: ['action'] },
);
const selector = fc.record(
  {
    matchArgs: fc.array(fc.record({ index: fc.nat(5), operator, values: fc.array(value, { maxLength: 6 }) }), { maxLength: 6 }),
    matchActions: fc.array(action, { maxLength: 4 }),
    matchBinaries: fc.array(
      fc.record({
        operator: fc.constantFrom('In', 'NotIn', 'Prefix', 'Postfix'),
        values: fc.array(fc.constantFrom('/usr/bin/sh', '/bin/'), { maxLength: 2 }),
        followChildren: fc.boolean(),
      }),
      { maxLength: 2 },
    ),
    matchNamespaces: fc.array(
      fc.record({
        namespace: fc.constantFrom('Pid', 'Mnt', 'Net'),
        operator: fc.constantFrom('In', 'NotIn'),
        values: fc.array(fc.constantFrom('host_ns', '4026531836', 'x'), { maxLength: 5 }),
      }),
      { maxLength: 2 },
    ),
    matchCapabilities: fc.array(
      fc.record({
        type: fc.constantFrom('Effective', 'Permitted'),
        operator: fc.constantFrom('In', 'NotIn'),
        values: fc.array(fc.constantFrom('CAP_SYS_ADMIN', 'CAP_BPF', 'SYS_ADMIN'), { maxLength: 2 }),
      }),
      { maxLength: 1 },
    ),
  },
  { requiredKeys: [] },
);
const kprobe = fc.record(
  {
    call: fc.constantFrom(
      'security_file_open',
      'sys_setns',
      'tcp_connect',
      'setns',
      '__x64_sys_ptrace',
      'fd_install',
      'security_path_truncate',
      'no_such_function',
    ),
    syscall: fc.option(fc.boolean(), { nil: undefined }),
    return: fc.option(fc.boolean(), { nil: undefined }),
    message: fc.option(fc.string({ maxLength: 4 }), { nil: undefined }),
    ignore: fc.option(fc.record({ callNotFound: fc.boolean() }), { nil: undefined }),
    args: fc.array(fc.record({ index: fc.nat(6), type: argType }), { maxLength: 6 }),
    selectors: fc.array(selector, { maxLength: 6 }),
  },
  { requiredKeys: ['call'] },
);
const lsm = fc.record({
  hook: fc.constantFrom('file_open', 'bprm_check_security', 'no_hook'),
  args: fc.array(fc.record({ index: fc.nat(5), type: argType }), { maxLength: 3 }),
  selectors: fc.array(selector, { maxLength: 2 }),
});
const policy = fc
  .record({
    kind: fc.constantFrom('TracingPolicy', 'TracingPolicyNamespaced'),
    kprobes: fc.array(kprobe, { maxLength: 3 }),
    lsmhooks: fc.array(lsm, { maxLength: 1 }),
    options: fc.array(
      fc.record({
        name: fc.constantFrom('policy-mode', 'disable-kprobe-multi', 'typo'),
        value: fc.constantFrom('enforce', 'monitor', 'true', 'nope'),
      }),
      { maxLength: 2 },
    ),
  })
  .map(({ kind, kprobes, lsmhooks, options }) => ({
    apiVersion: 'cilium.io/v1alpha1',
    kind,
    metadata: kind === 'TracingPolicy' ? { name: 'p' } : { name: 'p', namespace: 'ns' },
    spec: {
      ...(kprobes.length ? { kprobes } : {}),
      ...(lsmhooks.length ? { lsmhooks } : {}),
      ...(options.length ? { options } : {}),
    },
  }));

describe('property: random well-typed policies', () => {
  test(`${RUNS} random policies either pass both the schema and the engine, or fail only with the checker's own rules`, () => {
    let clean = 0;
    let failing = 0;
    fc.assert(
      fc.property(policy, (p) => {
        // when the engine checks a random policy, it never throws
        const findings = checkPolicy(p, { kernels: KERNELS });
        // then every finding is one of the documented rules, fully filled in
        for (const f of findings) {
          if (!RULE_IDS.has(f.ruleId) || !f.message.startsWith(`policy '${f.policy}'`) || !f.field)
            throw new Error(`bad finding ${JSON.stringify(f)}`);
        }
        const errors = findings.filter((f) => f.severity === 'error');
        if (errors.length === 0) {
          // and a policy without errors also passes the strict CRD schema on its own
          const schema = validateAgainstCrd(p);
          if (schema.length > 0) throw new Error(`clean by the engine but not by the schema: ${schema.join('; ')}`);
          clean++;
        } else {
          failing++;
        }
      }),
      { numRuns: RUNS, seed: 20260501 },
    );
    // both outcomes occur, so the property is not vacuous
    expect(clean).toBeGreaterThan(0);
    expect(failing).toBeGreaterThan(0);
    process.stdout.write(`property runs: ${RUNS} (${clean} clean, ${failing} with errors)\n`);
  });
});
