/**
 * The one reader of a TracingPolicy that the checker and the simulator share: canonical operators and actions from
 * the CRD's enums, Tetragon's precedence for options and lists, and the argument a filter reads (argIndexType).
 */
import * as crd from '../../../imports/cilium.io';
import { filterTarget, readPolicy } from '../../../lib/model/private/policy-reader';
import {
  ARG_TYPES,
  ENFORCING_ACTIONS,
  HOOK_KINDS,
  OPERATORS,
  SOCKADDR_OPERATORS,
  canonicalAction,
  canonicalOperator,
  socketOperatorProblem,
} from '../../../lib/model/private/vocabulary';

const policy = (spec: object) => ({ apiVersion: 'cilium.io/v1alpha1', kind: 'TracingPolicy', metadata: { name: 'p' }, spec });

describe("the vocabulary is the CRD's, and one set serves every hook kind", () => {
  test.each([
    [
      'kprobes',
      crd.TracingPolicySpecKprobesSelectorsMatchArgsOperator,
      crd.TracingPolicySpecKprobesSelectorsMatchActionsAction,
      crd.TracingPolicySpecKprobesArgsType,
    ],
    [
      'lsmhooks',
      crd.TracingPolicySpecLsmhooksSelectorsMatchArgsOperator,
      crd.TracingPolicySpecLsmhooksSelectorsMatchActionsAction,
      crd.TracingPolicySpecLsmhooksArgsType,
    ],
    [
      'tracepoints',
      crd.TracingPolicySpecTracepointsSelectorsMatchArgsOperator,
      crd.TracingPolicySpecTracepointsSelectorsMatchActionsAction,
      crd.TracingPolicySpecTracepointsArgsType,
    ],
    [
      'uprobes',
      crd.TracingPolicySpecUprobesSelectorsMatchArgsOperator,
      crd.TracingPolicySpecUprobesSelectorsMatchActionsAction,
      crd.TracingPolicySpecUprobesArgsType,
    ],
    [
      'usdts',
      crd.TracingPolicySpecUsdtsSelectorsMatchArgsOperator,
      crd.TracingPolicySpecUsdtsSelectorsMatchActionsAction,
      crd.TracingPolicySpecUsdtsArgsType,
    ],
    [
      'fentries',
      crd.TracingPolicySpecFentriesSelectorsMatchArgsOperator,
      crd.TracingPolicySpecFentriesSelectorsMatchActionsAction,
      crd.TracingPolicySpecFentriesArgsType,
    ],
  ])('%s: operators, actions and argument types', (kind, operators, actions, types) => {
    expect(HOOK_KINDS).toContain(kind);
    expect(new Set(Object.values(operators))).toStrictEqual(OPERATORS);
    expect(Object.values(actions).map((a) => canonicalAction(a))).toStrictEqual(Object.values(actions));
    expect(new Set(Object.values(types))).toStrictEqual(ARG_TYPES);
  });

  test('operators: the CRD spellings, with GreaterThan and LessThan read as GT and LT; lowercase forms are not operators', () => {
    expect(canonicalOperator('GreaterThan')).toBe('GT');
    expect(canonicalOperator('LessThan')).toBe('LT');
    expect(canonicalOperator('NotSportPriv')).toBe('NotSportPriv');
    for (const spelling of ['lt', 'gt', 'eq', 'prefix', 'NotSPortPriv', 'Saddr', 42, undefined])
      expect(canonicalOperator(spelling)).toBeUndefined();
  });

  test("actions: read case-insensitively as Tetragon's actionTypeTable does; Set enforces, as HasEnforcementAction says", () => {
    expect(canonicalAction('sigkill')).toBe('Sigkill');
    expect(canonicalAction('FOLLOWFD')).toBe('FollowFD');
    expect(canonicalAction('Kill')).toBeUndefined();
    expect([...ENFORCING_ACTIONS].sort()).toStrictEqual(['NotifyEnforcer', 'Override', 'Set', 'Sigkill', 'Signal']);
  });

  test('the sockaddr rule: source address and port, privileged source port and family', () => {
    expect([...SOCKADDR_OPERATORS].sort()).toStrictEqual(['Family', 'NotSAddr', 'NotSPort', 'NotSportPriv', 'SAddr', 'SPort', 'SPortPriv']);
    expect(socketOperatorProblem('DAddr', 'sockaddr')).toBe(
      'sockaddr only supports SAddr, NotSAddr, SPort, NotSPort, SPortPriv, NotSportPriv and Family',
    );
    expect(socketOperatorProblem('SAddr', 'sockaddr')).toBeUndefined();
    expect(socketOperatorProblem('Family', 'sockaddr_un')).toBeUndefined();
    expect(socketOperatorProblem('DPort', 'file')).toContain('socket operators only apply to sock');
  });
});

describe('readPolicy', () => {
  test("hooks in Tetragon's order, with labels, paths, declared arguments and selectors read once", () => {
    const read = readPolicy(
      policy({
        lsmhooks: [{ hook: 'file_open', args: [{ index: 0, type: 'file' }] }],
        kprobes: [
          {
            call: 'security_file_open',
            syscall: false,
            args: [{ index: 0 }],
            returnArg: { index: 0, type: 'int' },
            selectors: [{ matchArgs: [{ index: 0, operator: 'GreaterThan', values: [1] }], matchActions: [{ action: 'sigkill' }] }],
          },
        ],
      }),
    );
    expect(read.hookKinds).toStrictEqual(['kprobes', 'lsmhooks']);
    expect(read.hooks.map((h) => [h.label, h.path])).toStrictEqual([
      ['kprobes[0] security_file_open', 'spec.kprobes[0]'],
      ['lsmhooks[0] file_open', 'spec.lsmhooks[0]'],
    ]);
    const [kprobe] = read.hooks;
    expect(kprobe.args[0]).toMatchObject({ index: 0, type: 'auto' });
    expect(kprobe.returnArg).toMatchObject({ index: 0, type: 'int', knownType: 'int' });
    const [sel] = kprobe.selectors;
    expect(sel.matchArgs[0]).toMatchObject({ operator: 'GT', operatorText: 'GreaterThan', index: 0, args: [], values: ['1'] });
    expect(sel.matchActions[0]).toMatchObject({ action: 'Sigkill', text: 'sigkill', enforces: true });
    expect(sel).toMatchObject({ filtered: true, enforces: true });
    expect(read).toMatchObject({ enforces: true, mode: 'enforce', name: 'p' });
  });

  test('options: the last entry of a name wins (getSpecOptions); lists: the first of a name (isList)', () => {
    const read = readPolicy(
      policy({
        options: [
          { name: 'policy-mode', value: 'enforce' },
          { name: 'policy-mode', value: 'monitor' },
        ],
        lists: [
          { name: 'l', type: 'syscalls', values: ['sys_dup'] },
          { name: 'l', type: '', values: ['fd_install'] },
        ],
      }),
    );
    expect(read.mode).toBe('monitor');
    expect(read.lists.get('l')).toStrictEqual({ name: 'l', type: 'syscalls', values: ['sys_dup'] });
  });

  test('a namespaced policy is named namespace/name; garbage reads as an empty policy, never throws', () => {
    expect(readPolicy({ kind: 'TracingPolicyNamespaced', metadata: { name: 'p', namespace: 'shop' } }).name).toBe('shop/p');
    expect(readPolicy(null)).toMatchObject({ name: '<unnamed>', hooks: [], enforces: false, mode: 'enforce' });
    expect(readPolicy(policy({ kprobes: 'x', options: [null] })).hooks).toStrictEqual([]);
  });
});

describe('filterTarget (argIndexType)', () => {
  const [hook] = readPolicy(
    policy({
      kprobes: [
        {
          call: 'f',
          args: [
            { index: 2, type: 'int' },
            { index: 0, type: 'file' },
          ],
        },
      ],
    }),
  ).hooks;
  const filter = (entry: object) =>
    readPolicy(policy({ kprobes: [{ call: 'f', selectors: [{ matchArgs: [entry] }] }] })).hooks[0].selectors[0].matchArgs[0];

  test('index names the declared argument by its function index; args by position, and wins', () => {
    expect(filterTarget(filter({ index: 0, operator: 'Equal' }), hook.args)?.type).toBe('file');
    expect(filterTarget(filter({ index: 0, args: [0], operator: 'Equal' }), hook.args)?.type).toBe('int');
    expect(filterTarget(filter({ index: 1, operator: 'Equal' }), hook.args)).toBeUndefined();
  });

  test('matchData names by position; a tracepoint index that matches no field names the argument at that position', () => {
    expect(filterTarget(filter({ index: 1, operator: 'Equal' }), hook.args, { byPosition: true })?.type).toBe('file');
    expect(filterTarget(filter({ index: 1, operator: 'Equal' }), hook.args, { tracepoint: true })?.type).toBe('file');
  });
});
