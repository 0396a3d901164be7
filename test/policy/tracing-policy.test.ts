import { Duration, Testing } from 'cdk8s';
import {
  Action,
  Arg,
  ArgFilter,
  BinaryFilter,
  Capability,
  CapabilityFilter,
  KprobeHook,
  LsmHook,
  Selector,
  TracepointHook,
  TracingPolicy,
} from '../../lib';
import { validateAgainstCrd } from '../../lib/private/crd-schema';
import { newChart, synth } from '../support/synth';

const file = Arg.file(0);
const mask = Arg.int(1, { label: 'mask' });
const sock = Arg.sock(0);

function fileHook(selectors: Selector[], extra: Partial<Parameters<typeof KprobeHook.function>[1]> = {}) {
  return KprobeHook.function('security_file_permission', {
    message: 'File accessed',
    tags: ['observability.filesystem'],
    args: [file, mask],
    selectors,
    ...extra,
  });
}

/** Builds a policy and returns the error message it throws. */
function errorOf(build: (chart: ReturnType<typeof newChart>) => void): string {
  const chart = newChart();
  try {
    build(chart);
    synth(chart);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('TracingPolicy rendering', () => {
  test('emits syscall, argument types, message, tags and a rate-limited Post on every selector', () => {
    // given
    const chart = newChart();
    new TracingPolicy(chart, 'P', {
      name: 'file-watch',
      hooks: [fileHook([new Selector({ matchArgs: [ArgFilter.equal(file, ['/etc/shadow']), ArgFilter.mask(mask, [4])] })])],
    });
    // when
    const [policy] = synth(chart);
    // then
    expect(policy.apiVersion).toBe('cilium.io/v1alpha1');
    expect(policy.kind).toBe('TracingPolicy');
    expect(policy.spec.kprobes).toStrictEqual([
      {
        call: 'security_file_permission',
        syscall: false,
        message: 'File accessed',
        tags: ['observability.filesystem'],
        args: [
          { index: 0, type: 'file' },
          { index: 1, type: 'int', label: 'mask' },
        ],
        selectors: [
          {
            matchArgs: [
              { index: 0, operator: 'Equal', values: ['/etc/shadow'] },
              { index: 1, operator: 'Mask', values: ['4'] },
            ],
            matchActions: [{ action: 'Post', rateLimit: '1m' }],
          },
        ],
      },
    ]);
    expect(validateAgainstCrd(policy)).toStrictEqual([]);
  });

  test('a namespace makes a TracingPolicyNamespaced; pod and container selectors render sorted', () => {
    const chart = newChart();
    new TracingPolicy(chart, 'P', {
      name: 'ns-policy',
      namespace: 'shop',
      podSelector: { matchLabels: { tier: 'web', app: 'shop' } },
      containerSelector: { matchExpressions: [{ key: 'name', operator: 'In', values: ['main'] }] },
      hooks: [fileHook([])],
    });
    const [policy] = synth(chart);
    expect(policy.kind).toBe('TracingPolicyNamespaced');
    expect(policy.metadata).toStrictEqual({ name: 'ns-policy', namespace: 'shop' });
    expect(Object.keys(policy.spec.podSelector.matchLabels)).toStrictEqual(['app', 'tier']);
    expect(policy.spec.containerSelector).toStrictEqual({ matchExpressions: [{ key: 'name', operator: 'In', values: ['main'] }] });
    expect(validateAgainstCrd(policy)).toStrictEqual([]);
  });

  test('hooks added after construction reach the output', () => {
    const chart = newChart();
    const policy = new TracingPolicy(chart, 'P', { name: 'late' });
    policy.addHook(KprobeHook.function('tcp_connect', { message: 'Connect', tags: ['observability.network'], args: [sock] }));
    expect(synth(chart)[0].spec.kprobes.map((k: any) => k.call)).toStrictEqual(['tcp_connect']);
  });

  test('rate limits render in the largest whole unit, null posts every event, and scope is kept', () => {
    const chart = newChart();
    new TracingPolicy(chart, 'P', {
      name: 'rates',
      defaultRateLimit: Duration.hours(2),
      hooks: [
        fileHook([
          new Selector({ matchArgs: [ArgFilter.equal(file, ['/a'])] }),
          new Selector({
            matchArgs: [ArgFilter.equal(file, ['/b'])],
            actions: [Action.post({ rateLimit: Duration.seconds(90), rateLimitScope: 'process' as any })],
          }),
          new Selector({ matchArgs: [ArgFilter.equal(file, ['/c'])], actions: [Action.post({ rateLimit: null })] }),
        ]),
      ],
    });
    const actions = synth(chart)[0].spec.kprobes[0].selectors.map((s: any) => s.matchActions);
    // (the two plain Posts after a lone Post keep selectors other than the last correct on kernels before 5.11)
    expect(actions).toStrictEqual([
      [{ action: 'Post', rateLimit: '2h' }, { action: 'Post' }, { action: 'Post' }],
      [{ action: 'Post', rateLimit: '90s', rateLimitScope: 'process' }, { action: 'Post' }, { action: 'Post' }],
      [{ action: 'Post' }],
    ]);
  });

  test('tracepoint and LSM hooks render in their own spec fields', () => {
    const chart = newChart();
    new TracingPolicy(chart, 'T', {
      name: 'tp',
      hooks: [
        new TracepointHook({
          subsystem: 'syscalls',
          event: 'sys_enter_ptrace',
          message: 'ptrace called',
          tags: ['observability.process'],
          args: [Arg.int(5)],
        }),
      ],
    });
    new TracingPolicy(chart, 'L', {
      name: 'lsm',
      hooks: [new LsmHook({ hook: 'file_open', message: 'File opened', tags: ['observability.filesystem'], args: [file] })],
    });
    const [tp, lsm] = synth(chart);
    expect(tp.spec.tracepoints[0]).toMatchObject({ subsystem: 'syscalls', event: 'sys_enter_ptrace', args: [{ index: 5, type: 'int' }] });
    expect(lsm.spec.lsmhooks[0]).toMatchObject({ hook: 'file_open', args: [{ index: 0, type: 'file' }] });
    expect(validateAgainstCrd(tp)).toStrictEqual([]);
    expect(validateAgainstCrd(lsm)).toStrictEqual([]);
  });
});

describe('bad input fails at synth time with construct path, field, value and fix', () => {
  test('a relative path on a file argument', () => {
    const msg = errorOf(
      (c) =>
        new TracingPolicy(c, 'Rel', {
          name: 'rel',
          hooks: [fileHook([new Selector({ matchArgs: [ArgFilter.equal(file, ['etc/shadow'])] })])],
        }),
    );
    expect(msg).toContain('test/Rel: invalid TracingPolicy');
    expect(msg).toContain(
      'kprobes[0](security_file_permission).selectors[0].matchArgs[0].values[0]: got "etc/shadow"; file and path arguments are absolute paths',
    );
    expect(msg).toContain('"/etc/shadow"');
  });

  test('an empty path', () => {
    const msg = errorOf(
      (c) =>
        new TracingPolicy(c, 'Empty', { name: 'empty', hooks: [fileHook([new Selector({ matchArgs: [ArgFilter.prefix(file, [''])] })])] }),
    );
    expect(msg).toMatch(/matchArgs\[0\]\.values\[0\]: got ""; an empty string matches nothing useful/);
  });

  test('an operator that does not fit the argument type', () => {
    const msg = errorOf(
      (c) =>
        new TracingPolicy(c, 'Op', {
          name: 'op',
          hooks: [fileHook([new Selector({ matchArgs: [ArgFilter.prefix(mask as any, ['/x'])] })])],
        }),
    );
    expect(msg).toContain(
      'matchArgs[0].operator: Prefix does not work on a int argument (index 1); operators for int: Equal, NotEqual, GT, LT, Mask, InRange, NotInRange',
    );
  });

  test('a filter on an argument the hook does not declare', () => {
    const msg = errorOf(
      (c) =>
        new TracingPolicy(c, 'Undeclared', {
          name: 'undeclared',
          hooks: [fileHook([new Selector({ matchArgs: [ArgFilter.equal(Arg.int(3), [1])] })])],
        }),
    );
    expect(msg).toContain('matchArgs[0].index: reads argument 3, which the hook does not declare');
  });

  test('more than 5 selectors per hook', () => {
    const six = Array.from({ length: 6 }, (_, i) => new Selector({ matchArgs: [ArgFilter.equal(file, [`/f${i}`])] }));
    const msg = errorOf((c) => new TracingPolicy(c, 'Six', { name: 'six', hooks: [fileHook(six)] }));
    expect(msg).toContain('kprobes[0](security_file_permission).selectors: 6 selectors given; Tetragon takes at most 5 per hook');
  });

  test('more than 5 matchArgs per selector', () => {
    const six = Array.from({ length: 6 }, (_, i) => ArgFilter.equal(file, [`/f${i}`]));
    const msg = errorOf((c) => new TracingPolicy(c, 'Args', { name: 'args', hooks: [fileHook([new Selector({ matchArgs: six })])] }));
    expect(msg).toContain('selectors[0].matchArgs: 6 filters given; Tetragon takes at most 5 per selector');
  });

  test('more than 4 values in a numeric filter', () => {
    const msg = errorOf(
      (c) =>
        new TracingPolicy(c, 'Num', {
          name: 'num',
          hooks: [fileHook([new Selector({ matchArgs: [ArgFilter.equal(mask, [1, 2, 4, 8, 16])] })])],
        }),
    );
    expect(msg).toContain('matchArgs[0].values: 5 values given; Tetragon takes at most 4 per numeric Equal filter');
  });

  test('a non-integer in a numeric filter', () => {
    const msg = errorOf(
      (c) =>
        new TracingPolicy(c, 'NaN', { name: 'nan', hooks: [fileHook([new Selector({ matchArgs: [ArgFilter.equal(mask, ['write'])] })])] }),
    );
    expect(msg).toContain('matchArgs[0].values[0]: got "write"; expected an integer');
  });

  test('a Prefix over 255 bytes (256 loads but never matches) and a Postfix over 127 characters', () => {
    const long = '/' + 'a'.repeat(255);
    const msg = errorOf(
      (c) =>
        new TracingPolicy(c, 'Long', {
          name: 'long',
          hooks: [
            fileHook([
              new Selector({ matchArgs: [ArgFilter.prefix(file, [long])] }),
              new Selector({ matchArgs: [ArgFilter.postfix(file, ['/' + 'b'.repeat(127)])] }),
            ]),
          ],
        }),
    );
    expect(msg).toContain('selectors[0].matchArgs[0].values[0]: got');
    expect(msg).toContain('256 bytes; Prefix values are at most 255 (Tetragon accepts 256, but its BPF side compares at most 255 bytes');
    expect(msg).toContain('128 characters; Postfix values are at most 127');
    // 255 bytes is fine
    const chart = newChart();
    new TracingPolicy(chart, 'Ok', {
      name: 'ok',
      hooks: [fileHook([new Selector({ matchArgs: [ArgFilter.prefix(file, ['/' + 'a'.repeat(254)])] })])],
    });
    expect(() => synth(chart)).not.toThrow();
  });

  test('Postfix on a sockaddr_un argument, which Tetragon loads but never matches', () => {
    const addr = Arg.sockaddrUn(1);
    const msg = errorOf(
      (c) =>
        new TracingPolicy(c, 'Unix', {
          name: 'unix',
          hooks: [
            KprobeHook.syscall('sys_connect', {
              message: 'Connect',
              tags: ['net'],
              args: [addr],
              selectors: [new Selector({ matchArgs: [ArgFilter.postfix(addr, ['/docker.sock'])] })],
            }),
          ],
        }),
    );
    expect(msg).toContain('selectors[0].matchArgs[0].operator: Postfix on a sockaddr_un argument loads but never matches');
  });

  test('capability names render as Tetragon spells them, and a CAP_DAC_OVERRIDE slipped in is refused', () => {
    const chart = newChart();
    new TracingPolicy(chart, 'Caps', {
      name: 'caps',
      hooks: [fileHook([new Selector({ matchCapabilities: [CapabilityFilter.in([Capability.DAC_OVERRIDE, Capability.SYS_ADMIN])] })])],
    });
    const [policy] = synth(chart);
    expect(policy.spec.kprobes[0].selectors[0].matchCapabilities).toStrictEqual([
      { type: 'Effective', operator: 'In', values: ['DAC_OVERRIDE', 'CAP_SYS_ADMIN'] },
    ]);
    const msg = errorOf(
      (c) =>
        new TracingPolicy(c, 'Bad', {
          name: 'bad-caps',
          hooks: [fileHook([new Selector({ matchCapabilities: [CapabilityFilter.in(['CAP_DAC_OVERRIDE' as Capability])] })])],
        }),
    );
    expect(msg).toContain('matchCapabilities[0].values[0]: got "CAP_DAC_OVERRIDE"; Tetragon spells capability 1 DAC_OVERRIDE');
  });

  test('more than 3 actions', () => {
    const msg = errorOf(
      (c) =>
        new TracingPolicy(c, 'Act', {
          name: 'act',
          hooks: [fileHook([new Selector({ actions: [Action.post(), Action.post(), Action.noPost(), Action.post()] })])],
        }),
    );
    expect(msg).toContain('selectors[0].matchActions: 4 actions given; Tetragon takes at most 3');
  });

  test('more than 16 tags, and a message too short or too long', () => {
    const tags = Array.from({ length: 17 }, (_, i) => `tag.${i}`);
    expect(errorOf((c) => new TracingPolicy(c, 'Tags', { name: 'tags', hooks: [fileHook([], { tags })] }))).toContain(
      'kprobes[0](security_file_permission).tags: 17 tags given; Tetragon takes at most 16',
    );
    expect(errorOf((c) => new TracingPolicy(c, 'Short', { name: 'short', hooks: [fileHook([], { message: 'x' })] }))).toContain(
      'kprobes[0](security_file_permission).message: got 1 characters ("x"); a message has 2-256 characters',
    );
    expect(
      errorOf((c) => new TracingPolicy(c, 'LongMsg', { name: 'long-msg', hooks: [fileHook([], { message: 'm'.repeat(257) })] })),
    ).toContain('message: got 257 characters');
  });

  test('invalid CIDRs and ports', () => {
    const hook = (f: ArgFilter) =>
      KprobeHook.function('tcp_connect', {
        message: 'Connect',
        tags: ['net'],
        args: [sock],
        selectors: [new Selector({ matchArgs: [f] })],
      });
    expect(
      errorOf((c) => new TracingPolicy(c, 'Cidr', { name: 'cidr', hooks: [hook(ArgFilter.notDaddr(sock, ['10.0.0.0/33']))] })),
    ).toContain('matchArgs[0].values[0]: got "10.0.0.0/33"; prefix length must be 0-32 for IPv4');
    expect(errorOf((c) => new TracingPolicy(c, 'Addr', { name: 'addr', hooks: [hook(ArgFilter.daddr(sock, ['10.0.0/8']))] }))).toContain(
      'got "10.0.0/8"; expected an IPv4 or IPv6 address or CIDR',
    );
    expect(errorOf((c) => new TracingPolicy(c, 'Port', { name: 'port', hooks: [hook(ArgFilter.dport(sock, [70000]))] }))).toContain(
      'got "70000"; expected a port 0-65535 or a range \'low:high\'',
    );
    expect(errorOf((c) => new TracingPolicy(c, 'Range', { name: 'range', hooks: [hook(ArgFilter.dport(sock, ['9000:80']))] }))).toContain(
      'got "9000:80"',
    );
  });

  test('address filters add the IPv4-mapped form of IPv4 values (not for skb, not when switched off)', () => {
    const connect = (f: ArgFilter) =>
      KprobeHook.function('tcp_connect', {
        message: 'Connect',
        tags: ['net'],
        args: [sock],
        selectors: [new Selector({ matchArgs: [f] })],
      });
    const chart = newChart();
    new TracingPolicy(chart, 'Mapped', {
      name: 'mapped',
      hooks: [connect(ArgFilter.notDaddr(sock, ['10.0.0.0/8', '192.0.2.1', 'fd00::/8', '::ffff:10.0.0.0/104']))],
    });
    new TracingPolicy(chart, 'Plain', { name: 'plain', hooks: [connect(ArgFilter.daddr(sock, ['10.0.0.0/8'], { ipv4Mapped: false }))] });
    const skb = Arg.skb(0);
    new TracingPolicy(chart, 'Skb', {
      name: 'skb',
      hooks: [
        KprobeHook.function('ip_output', {
          message: 'Out',
          tags: ['net'],
          args: [skb],
          selectors: [new Selector({ matchArgs: [ArgFilter.daddr(skb, ['10.0.0.0/8'])] })],
        }),
      ],
    });
    const [mapped, plain, onSkb] = Testing.synth(chart);
    expect(mapped.spec.kprobes[0].selectors[0].matchArgs[0].values).toStrictEqual([
      '10.0.0.0/8',
      '192.0.2.1',
      'fd00::/8',
      '::ffff:10.0.0.0/104',
      '::ffff:192.0.2.1',
    ]);
    expect(plain.spec.kprobes[0].selectors[0].matchArgs[0].values).toStrictEqual(['10.0.0.0/8']);
    expect(onSkb.spec.kprobes[0].selectors[0].matchArgs[0].values).toStrictEqual(['10.0.0.0/8']);
  });

  test('invalid and duplicate policy names', () => {
    expect(errorOf((c) => new TracingPolicy(c, 'Bad', { name: 'Bad_Name', hooks: [fileHook([])] }))).toContain(
      'test/Bad: invalid TracingPolicy\n  - name: got "Bad_Name"; a policy name is a DNS subdomain',
    );
    const msg = errorOf((c) => {
      new TracingPolicy(c, 'A', { name: 'same', hooks: [fileHook([])] });
      new TracingPolicy(c, 'B', { name: 'same', hooks: [fileHook([])] });
    });
    expect(msg).toContain('test/A: policy name "same" is also used by test/B');
  });

  test('mixed hook kinds and the same call twice', () => {
    const tp = new TracepointHook({ subsystem: 'syscalls', event: 'sys_enter_ptrace', message: 'ptrace', tags: ['x.y'] });
    expect(errorOf((c) => new TracingPolicy(c, 'Mixed', { name: 'mixed', hooks: [fileHook([]), tp] }))).toContain(
      'tracepoints[0](syscalls/sys_enter_ptrace): this policy holds kprobes and Tetragon refuses a policy that mixes hook kinds',
    );
    expect(errorOf((c) => new TracingPolicy(c, 'Twice', { name: 'twice', hooks: [fileHook([]), fileHook([])] }))).toContain(
      'kprobes[1](security_file_permission).call: "security_file_permission" is already probed by this policy',
    );
  });

  test('syscall naming mistakes', () => {
    const hook = (call: string, syscall: boolean) => new KprobeHook({ call, syscall, message: 'msg', tags: ['x.y'] });
    expect(errorOf((c) => new TracingPolicy(c, 'Prefixed', { name: 'p1', hooks: [hook('__x64_sys_setns', true)] }))).toContain(
      'got "__x64_sys_setns" with syscall: true; Tetragon adds the arch prefix itself, so write "sys_setns"',
    );
    expect(errorOf((c) => new TracingPolicy(c, 'NotSys', { name: 'p2', hooks: [hook('security_file_open', true)] }))).toContain(
      'got "security_file_open" with syscall: true; Tetragon would probe __x64_security_file_open',
    );
    expect(errorOf((c) => new TracingPolicy(c, 'SysFalse', { name: 'p3', hooks: [hook('sys_setns', false)] }))).toContain(
      'syscall: is false for "sys_setns"',
    );
  });

  test('a policy without hooks and a binary filter with a relative path', () => {
    expect(errorOf((c) => new TracingPolicy(c, 'Empty', { name: 'empty' }))).toContain('test/Empty: policy "empty" has no hooks');
    expect(
      errorOf(
        (c) =>
          new TracingPolicy(c, 'Bin', { name: 'bin', hooks: [fileHook([new Selector({ matchBinaries: BinaryFilter.notIn(['sshd']) })])] }),
      ),
    ).toContain('selectors[0].matchBinaries[0].values[0]: got "sshd"; executables are matched by absolute path, e.g. "/usr/bin/sshd"');
  });

  test('a loader policy refuses what needs policy filtering: namespace, pod and container selectors', () => {
    const msg = errorOf(
      (c) =>
        new TracingPolicy(c, 'Loader', {
          name: 'libs',
          loader: true,
          namespace: 'shop',
          podSelector: {},
          containerSelector: { matchLabels: { name: 'web' } },
        }),
    );
    for (const field of ['namespace', 'podSelector', 'containerSelector']) {
      expect(msg).toContain(`- ${field}: is set on a loader policy, and Tetragon's loader sensor refuses policy filtering`);
    }
  });

  test('an invalid container selector key and namespace', () => {
    const msg = errorOf(
      (c) =>
        new TracingPolicy(c, 'Sel', {
          name: 'sel',
          namespace: 'Shop',
          containerSelector: { matchLabels: { image: 'x' } },
          hooks: [fileHook([])],
        }),
    );
    expect(msg).toContain('namespace: got "Shop"; a namespace is a DNS label');
    expect(msg).toContain('containerSelector.matchLabels: key "image" is not supported; use name or repo');
  });
});

describe('loader policies', () => {
  test('spec.loader renders before the options; no hooks needed', () => {
    const chart = newChart();
    chart.node.setContext('cdk8s-tetragon:kernels', ['debian-12-6.1']);
    const policy = new TracingPolicy(chart, 'Libs', { name: 'libs', loader: true, disableKprobeMulti: true });
    const [manifest] = synth(chart);
    expect(manifest.spec).toStrictEqual({ loader: true, options: [{ name: 'disable-kprobe-multi', value: '1' }] });
    expect(Object.keys(manifest.spec)).toStrictEqual(['loader', 'options']);
    expect(validateAgainstCrd(manifest)).toStrictEqual([]);
    expect(policy.kernelNotes).toStrictEqual([]);
  });

  test('the synth-time check refuses a kernel set with a kernel older than 5.19, naming it', () => {
    const msg = errorOf((c) => new TracingPolicy(c, 'Libs', { name: 'libs', loader: true }));
    expect(msg).toMatch(
      /^test\/Libs: \[loader-kernel\] policy 'libs' spec.loader: the loader sensor needs kernel 5.19\+: the policy fails to load on kernel debian-11-5.10/m,
    );
  });
});

describe('synth-time check engine', () => {
  test('a policy the building blocks accept but Tetragon would refuse on a kernel fails synth with the construct path and rule id', () => {
    // given: a function that exists on no bundled kernel, without ignore.callNotFound
    const msg = errorOf(
      (c) =>
        new TracingPolicy(c, 'Ghost', {
          name: 'ghost',
          hooks: [KprobeHook.function('security_no_such_hook', { message: 'Never fires', tags: ['x.y'], args: [file] })],
        }),
    );
    // then
    expect(msg).toMatch(/^test\/Ghost: \[kernel-missing-function\] .*security_no_such_hook.*debian-11-5\.10/m);
  });

  test('the kernel set can be narrowed by context', () => {
    const chart = newChart();
    chart.node.setContext('cdk8s-tetragon:kernels', ['debian-13-6.12']);
    new TracingPolicy(chart, 'New', {
      name: 'new-only',
      hooks: [KprobeHook.function('security_file_truncate', { message: 'Truncated', tags: ['x.y'], args: [file] })],
    });
    expect(() => synth(chart)).not.toThrow();
  });
});
