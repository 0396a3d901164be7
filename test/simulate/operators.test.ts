/**
 * matchArgs operators against the worked examples of Tetragon's documentation
 * (docs/content/en/docs/concepts/tracing-policy/selectors.md, "Arguments filter" and "Operator types")
 * and the example policies shipped with v1.7.0.
 */
import { simulate, SimulatedEvent } from '../../lib/simulate';
import { readReference } from '../support/reference';

function kprobePolicy(call: string, args: object[], selectors: object[], extra: object = {}): object {
  return {
    apiVersion: 'cilium.io/v1alpha1',
    kind: 'TracingPolicy',
    metadata: { name: 'example' },
    spec: { kprobes: [{ call, syscall: false, args, selectors, ...extra }] },
  };
}

const cat = { binary: '/usr/bin/cat' };
const fileEvent = (path: string, mask = 4, fileType?: string): SimulatedEvent => ({
  hook: 'kprobe:security_file_permission',
  args: [
    { kind: 'file', path, ...(fileType ? { fileType: fileType as any } : {}) },
    { kind: 'int', value: mask },
  ],
  process: cat,
});
const fileArgs = [
  { index: 0, type: 'file' },
  { index: 1, type: 'int' },
];

describe('string and path operators (selectors.md "Arguments filter")', () => {
  const equal = kprobePolicy('security_file_permission', fileArgs, [
    { matchArgs: [{ index: 0, operator: 'Equal', values: ['/etc/passwd', '/etc/shadow'] }] },
  ]);

  test('Equal compares the full path: /etc/shadow matches, /etc/shadow.bak and /etc do not', () => {
    expect(simulate(equal, fileEvent('/etc/shadow')).matched).toBe(true);
    const miss = simulate(equal, fileEvent('/etc/shadow.bak'));
    expect(miss.matched).toBe(false);
    expect(miss.misses).toHaveLength(1);
    expect(miss.misses[0]).toMatchObject({ policy: 'example', hook: 'kprobe:security_file_permission', selector: 0 });
    expect(miss.misses[0].reason).toContain('"/etc/shadow.bak" does not match Equal');
    expect(simulate(equal, fileEvent('/etc')).matched).toBe(false);
  });

  test('NotEqual holds when the path is none of the values (values ANDed)', () => {
    const p = kprobePolicy('security_file_permission', fileArgs, [
      { matchArgs: [{ index: 0, operator: 'NotEqual', values: ['/etc/passwd', '/etc/shadow'] }] },
    ]);
    expect(simulate(p, fileEvent('/etc/hosts')).matched).toBe(true);
    expect(simulate(p, fileEvent('/etc/passwd')).matched).toBe(false);
  });

  test('Prefix "/etc" matches every file under /etc (selectors.md "Further examples") and also /etcfoo', () => {
    const p = kprobePolicy('security_file_permission', fileArgs, [{ matchArgs: [{ index: 0, operator: 'Prefix', values: ['/etc'] }] }]);
    expect(simulate(p, fileEvent('/etc/ssh/sshd_config')).matched).toBe(true);
    expect(simulate(p, fileEvent('/etcfoo')).matched).toBe(true);
    expect(simulate(p, fileEvent('/usr/etc/x')).matched).toBe(false);
  });

  test('Prefix only sees the first 255 bytes of a long path', () => {
    const long = '/data/' + 'a'.repeat(300);
    const p = kprobePolicy('security_file_permission', fileArgs, [
      { matchArgs: [{ index: 0, operator: 'Prefix', values: [long.slice(0, 256)] }] },
    ]);
    expect(simulate(p, fileEvent(long)).matched).toBe(false);
  });

  test('a dentry argument takes Prefix and Postfix; Equal on it is refused at load ("MatchArgs type dentry unsupported")', () => {
    const ev: SimulatedEvent = {
      hook: 'kprobe:security_path_rename',
      args: { 3: '/etc/passwd' },
      process: { binary: '/usr/sbin/useradd' },
    };
    const rename = (operator: string) =>
      kprobePolicy(
        'security_path_rename',
        [{ index: 3, type: 'dentry' }],
        [{ matchArgs: [{ index: 3, operator, values: ['/etc/passwd'] }] }],
      );
    expect(simulate(rename('Postfix'), ev).matched).toBe(true);
    const refused = simulate(rename('Equal'), ev);
    expect(refused.matched).toBe(false);
    expect(refused.loadErrors.join('\n')).toContain('MatchArgs type dentry unsupported');
  });

  test('Postfix and NotPostfix compare the end of the path', () => {
    const post = kprobePolicy('security_file_permission', fileArgs, [
      { matchArgs: [{ index: 0, operator: 'Postfix', values: ['/.ssh/id_rsa'] }] },
    ]);
    expect(simulate(post, fileEvent('/home/dev/.ssh/id_rsa')).matched).toBe(true);
    expect(simulate(post, fileEvent('/home/dev/.ssh/id_rsa.pub')).matched).toBe(false);
    const notPost = kprobePolicy('security_file_permission', fileArgs, [
      { matchArgs: [{ index: 0, operator: 'NotPostfix', values: ['.pub'] }] },
    ]);
    expect(simulate(notPost, fileEvent('/home/dev/.ssh/id_rsa.pub')).matched).toBe(false);
    expect(simulate(notPost, fileEvent('/home/dev/.ssh/id_rsa')).matched).toBe(true);
  });

  test('NotPrefix holds outside the prefixes; an anonymous file (no path) matches no path operator, negated ones neither', () => {
    const p = kprobePolicy('security_file_permission', fileArgs, [
      { matchArgs: [{ index: 0, operator: 'NotPrefix', values: ['/proc/'] }] },
    ]);
    expect(simulate(p, fileEvent('/etc/hosts')).matched).toBe(true);
    expect(simulate(p, fileEvent('/proc/1/environ')).matched).toBe(false);
    const anon = simulate(p, fileEvent('', 4, 'fifo'));
    expect(anon.matched).toBe(false);
    expect(anon.misses[0].reason).toContain('has no path');
  });

  test('FileType "reg" (selectors.md "File type filtering") skips directories and pipes; NotFileType inverts', () => {
    const p = kprobePolicy('security_file_permission', fileArgs, [{ matchArgs: [{ index: 0, operator: 'FileType', values: ['reg'] }] }]);
    expect(simulate(p, fileEvent('/var/log/app.log')).matched).toBe(true);
    expect(simulate(p, fileEvent('/var/log', 4, 'dir')).matched).toBe(false);
    expect(simulate(p, fileEvent('', 4, 'fifo')).matched).toBe(false);
    const not = kprobePolicy('security_file_permission', fileArgs, [
      { matchArgs: [{ index: 0, operator: 'NotFileType', values: ['reg', 'dir'] }] },
    ]);
    expect(simulate(not, fileEvent('/dev/sda', 4, 'blk')).matched).toBe(true);
  });

  test('string Equal trims a trailing NUL from values (selectors.md "Override action": "/etc/passwd\\0")', () => {
    const p = kprobePolicy(
      'sys_symlinkat',
      [{ index: 0, type: 'string' }],
      [{ matchArgs: [{ index: 0, operator: 'Equal', values: ['/etc/passwd\0'] }] }],
      { syscall: true },
    );
    expect(simulate(p, { hook: 'kprobe:__x64_sys_symlinkat', args: ['/etc/passwd'], process: cat }).matched).toBe(true);
  });
});

describe('integer operators', () => {
  test('Equal on MAY_WRITE and Mask on PROT_WRITE (examples/tracingpolicy/filename_monitoring_filtered.yaml)', () => {
    const policy = readReference('tetragon/v1.7.0/examples/tracingpolicy/filename_monitoring_filtered.yaml');
    const write = simulate(policy, {
      hook: 'kprobe:security_file_permission',
      args: ['/etc/passwd', 2],
      returnValue: 0,
      process: { binary: '/usr/sbin/useradd' },
    });
    expect(write.matches.map((m) => [m.policy, m.hook, m.selector])).toEqual([
      ['file-monitoring-filtered', 'kprobe:security_file_permission', 0],
    ]);
    expect(simulate(policy, { hook: 'kprobe:security_file_permission', args: ['/etc/passwd', 4], process: cat }).matched).toBe(false);
    const mmapRw = simulate(policy, { hook: 'kprobe:security_mmap_file', args: ['/etc/passwd', 3, 1], process: cat });
    expect(mmapRw.matched).toBe(true);
    expect(simulate(policy, { hook: 'kprobe:security_mmap_file', args: ['/etc/passwd', 1, 1], process: cat }).matched).toBe(false);
  });

  test('values use Go syntax: hex, octal and negative numbers (selectors.md "Mask": 0x200)', () => {
    const p = kprobePolicy(
      'sys_openat',
      [{ index: 2, type: 'int' }],
      [{ matchArgs: [{ index: 2, operator: 'Mask', values: ['1', '0x200'] }] }],
      { syscall: true },
    );
    const ev = (flags: number): SimulatedEvent => ({ hook: 'kprobe:__x64_sys_openat', args: { 2: flags }, process: cat });
    expect(simulate(p, ev(0o1101)).matched).toBe(true); // O_WRONLY|O_CREAT|O_TRUNC
    expect(simulate(p, ev(0)).matched).toBe(false);
    const neg = kprobePolicy('sys_lseek', [{ index: 0, type: 'int' }], [{ matchArgs: [{ index: 0, operator: 'Equal', values: ['-1'] }] }], {
      syscall: true,
    });
    expect(simulate(neg, { hook: 'kprobe:__x64_sys_lseek', args: [-1], process: cat }).matched).toBe(true);
  });

  test('LT 500 ANDed with Equal 1 (selectors.md "Multiple operators")', () => {
    const p = kprobePolicy(
      'f',
      [
        { index: 0, type: 'int' },
        { index: 2, type: 'int' },
      ],
      [
        {
          matchArgs: [
            { index: 0, operator: 'Equal', values: ['1'] },
            { index: 2, operator: 'LT', values: ['500'] },
          ],
        },
      ],
    );
    expect(simulate(p, { hook: 'kprobe:f', args: [1, 0, 499], process: cat }).matched).toBe(true);
    expect(simulate(p, { hook: 'kprobe:f', args: [1, 0, 500], process: cat }).matched).toBe(false);
    expect(simulate(p, { hook: 'kprobe:f', args: [2, 0, 10], process: cat }).matched).toBe(false);
    expect(simulate(p, { hook: 'kprobe:f', args: [1, 0, -5], process: cat }).matched).toBe(true); // int compares signed
  });

  test("operator spellings the CRD refuses (lt, prefix) do not load, although Tetragon's parser knows them", () => {
    const p = (operator: string) =>
      kprobePolicy('f', [{ index: 0, type: 'int' }], [{ matchArgs: [{ index: 0, operator, values: ['500'] }] }]);
    const refused = simulate(p('lt'), { hook: 'kprobe:f', args: [1], process: cat });
    expect(refused).toMatchObject({ matched: false, hooked: false });
    expect(refused.loadErrors).toEqual([
      expect.stringMatching(/^crd-schema: policy 'example' spec\.kprobes\[0\]\.selectors\[0\]\.matchArgs\[0\]\.operator: got "lt"/),
    ]);
    // the CRD's own aliases are read as the operator they stand for
    expect(simulate(p('LessThan'), { hook: 'kprobe:f', args: [1], process: cat }).matched).toBe(true);
    expect(simulate(p('GreaterThan'), { hook: 'kprobe:f', args: [1], process: cat }).matched).toBe(false);
  });

  test('GT on uint64 compares unsigned', () => {
    const p = kprobePolicy('f', [{ index: 0, type: 'uint64' }], [{ matchArgs: [{ index: 0, operator: 'GT', values: ['0x1000'] }] }]);
    expect(simulate(p, { hook: 'kprobe:f', args: [{ kind: 'int', value: '18446744073709551615' }], process: cat }).matched).toBe(true);
    expect(simulate(p, { hook: 'kprobe:f', args: [4096], process: cat }).matched).toBe(false);
  });

  test('NotInRange 1:5 (selectors.md "InRange and NotInRange") and InRange', () => {
    const not = kprobePolicy('f', [{ index: 2, type: 'int' }], [{ matchArgs: [{ index: 2, operator: 'NotInRange', values: ['1:5'] }] }]);
    expect([0, 1, 3, 5, 6].map((v) => simulate(not, { hook: 'kprobe:f', args: { 2: v }, process: cat }).matched)).toEqual([
      true,
      false,
      false,
      false,
      true,
    ]);
    const inr = kprobePolicy(
      'f',
      [{ index: 2, type: 'int' }],
      [{ matchArgs: [{ index: 2, operator: 'InRange', values: ['-10:-1', '100:200'] }] }],
    );
    expect([-5, 0, 150].map((v) => simulate(inr, { hook: 'kprobe:f', args: { 2: v }, process: cat }).matched)).toEqual([true, false, true]);
  });

  test('InMap and NotInMap take lists and ranges', () => {
    const p = kprobePolicy(
      'f',
      [{ index: 0, type: 'uint32' }],
      [{ matchArgs: [{ index: 0, operator: 'InMap', values: ['16', '4', '5', '16900:16910'] }] }],
    );
    expect(simulate(p, { hook: 'kprobe:f', args: [16902], process: cat }).matched).toBe(true);
    expect(simulate(p, { hook: 'kprobe:f', args: [3], process: cat }).matched).toBe(false);
  });

  test('more than 4 values for Equal on an int is a load error, not a match', () => {
    const p = kprobePolicy(
      'f',
      [{ index: 0, type: 'int' }],
      [{ matchArgs: [{ index: 0, operator: 'Equal', values: ['1', '2', '3', '4', '5'] }] }],
    );
    const r = simulate(p, { hook: 'kprobe:f', args: [1], process: cat });
    expect(r.matched).toBe(false);
    expect(r.loadErrors).toEqual([expect.stringContaining('Equal on int has 5 values; at most 4 are supported')]);
  });
});

describe('socket operators (selectors.md "Operator types")', () => {
  const connect = (daddr: string, dport: number, extra: object = {}): SimulatedEvent => ({
    hook: 'kprobe:tcp_connect',
    args: [
      {
        kind: 'sock',
        family: daddr.includes(':') ? 'AF_INET6' : 'AF_INET',
        saddr: daddr.includes(':') ? '::1' : '10.244.1.23',
        daddr,
        sport: 41234,
        dport,
        ...extra,
      },
    ],
    process: { binary: '/usr/bin/curl' },
  });

  test('NotDAddr with private CIDRs kills public connections (examples/tracingpolicy/tcp-connect-only-private-addrs.yaml)', () => {
    const policy = readReference('tetragon/v1.7.0/examples/tracingpolicy/tcp-connect-only-private-addrs.yaml');
    const pub = simulate(policy, connect('198.51.100.7', 443));
    expect(pub.matches[0].actions).toEqual([{ action: 'Sigkill', argSig: 9, enforced: true }]);
    expect(pub.actions).toEqual(['Post', 'Sigkill']);
    expect(simulate(policy, connect('10.96.0.1', 443)).matched).toBe(false);
    expect(simulate(policy, connect('172.31.255.255', 443)).matched).toBe(false);
    expect(simulate(policy, connect('172.32.0.1', 443)).matched).toBe(true);
    // An IPv6 destination is looked up in the (empty) IPv6 map: NotDAddr holds.
    expect(simulate(policy, connect('2001:db8::1', 443)).matched).toBe(true);
  });

  test('DAddr, DPort with ranges, DPortPriv and NotDPortPriv', () => {
    const p = kprobePolicy(
      'tcp_connect',
      [{ index: 0, type: 'sock' }],
      [
        { matchArgs: [{ index: 0, operator: 'DAddr', values: ['169.254.169.254/32'] }] },
        { matchArgs: [{ index: 0, operator: 'DPort', values: ['3333:3336', '14444'] }] },
      ],
    );
    expect(simulate(p, connect('169.254.169.254', 80)).matches[0].selector).toBe(0);
    expect(simulate(p, connect('203.0.113.9', 3334)).matches[0].selector).toBe(1);
    expect(simulate(p, connect('203.0.113.9', 443)).matched).toBe(false);
    const priv = kprobePolicy('tcp_connect', [{ index: 0, type: 'sock' }], [{ matchArgs: [{ index: 0, operator: 'DPortPriv' }] }]);
    expect(simulate(priv, connect('203.0.113.9', 1023)).matched).toBe(true);
    expect(simulate(priv, connect('203.0.113.9', 1024)).matched).toBe(false);
    const notPriv = kprobePolicy('tcp_connect', [{ index: 0, type: 'sock' }], [{ matchArgs: [{ index: 0, operator: 'NotDPortPriv' }] }]);
    expect(simulate(notPriv, connect('203.0.113.9', 8080)).matched).toBe(true);
  });

  test('Protocol, Family and State accept names or numbers', () => {
    const p = kprobePolicy(
      'tcp_set_state',
      [{ index: 0, type: 'sock' }],
      [
        {
          matchArgs: [
            { index: 0, operator: 'Protocol', values: ['IPPROTO_TCP'] },
            { index: 0, operator: 'Family', values: ['2'] },
            { index: 0, operator: 'State', values: ['TCP_ESTABLISHED'] },
          ],
        },
      ],
    );
    const ev = (state: string): SimulatedEvent => ({
      hook: 'kprobe:tcp_set_state',
      args: [{ kind: 'sock', daddr: '10.0.0.1', state }],
      process: cat,
    });
    expect(simulate(p, ev('TCP_ESTABLISHED')).matched).toBe(true);
    expect(simulate(p, ev('TCP_CLOSE')).matched).toBe(false);
  });

  test('sockaddr Family AF_INET/AF_INET6 (examples/tracingpolicy/security-socket-connect.yaml)', () => {
    const policy = readReference('tetragon/v1.7.0/examples/tracingpolicy/security-socket-connect.yaml');
    const ev = (family: string): SimulatedEvent => ({
      hook: 'kprobe:security_socket_connect',
      args: { 1: { kind: 'sockaddr', family: family as any, addr: '203.0.113.9', port: 443 }, 2: 16 },
      process: cat,
    });
    expect(simulate(policy, ev('AF_INET')).matched).toBe(true);
    expect(simulate(policy, ev('AF_UNIX')).matched).toBe(false);
  });

  test('sockaddr only supports SAddr, SPort and Family: DAddr makes the policy fail to load', () => {
    const p = kprobePolicy(
      'security_socket_connect',
      [{ index: 1, type: 'sockaddr' }],
      [{ matchArgs: [{ index: 1, operator: 'DAddr', values: ['10.0.0.0/8'] }] }],
    );
    const r = simulate(p, { hook: 'kprobe:security_socket_connect', args: { 1: { kind: 'sockaddr', addr: '10.0.0.1' } }, process: cat });
    expect(r.loadErrors).toEqual([expect.stringContaining('sockaddr only supports')]);
  });
});

describe('capability arguments', () => {
  test('NotEqual "0" on cap_effective (examples/policylibrary/privileges/privileges-raise.yaml, security_capset)', () => {
    const policy = readReference('tetragon/v1.7.0/examples/policylibrary/privileges/privileges-raise.yaml');
    const capset = (eff: string[]): SimulatedEvent => ({
      hook: 'kprobe:security_capset',
      args: {
        1: { kind: 'cred' },
        2: { kind: 'capabilities', value: eff },
        3: { kind: 'capabilities', value: [] },
        4: { kind: 'capabilities', value: eff },
      },
      process: { binary: '/usr/bin/capsh', pod: { namespace: 'shop' } },
    });
    const r = simulate(policy, capset(['CAP_SYS_ADMIN']));
    expect(r.matched).toBe(true);
    expect(r.matches[0].actions).toEqual([{ action: 'Post', rateLimit: '1m', rateLimitScope: 'thread' }]);
    expect(simulate(policy, capset([])).matched).toBe(false);
  });

  test('CapabilitiesGained takes args [old, new] and holds when new has a bit old lacks', () => {
    const p = kprobePolicy(
      'commit_creds',
      [
        { index: 0, type: 'cap_effective' },
        { index: 1, type: 'cap_effective' },
      ],
      [{ matchArgs: [{ args: [0, 1], operator: 'CapabilitiesGained' }] }],
    );
    const ev = (oldC: string[], newC: string[]): SimulatedEvent => ({
      hook: 'kprobe:commit_creds',
      args: [
        { kind: 'capabilities', value: oldC },
        { kind: 'capabilities', value: newC },
      ],
      process: cat,
    });
    expect(simulate(p, ev(['CAP_CHOWN'], ['CAP_CHOWN', 'CAP_SYS_ADMIN'])).matched).toBe(true);
    expect(simulate(p, ev(['CAP_CHOWN', 'CAP_SYS_ADMIN'], ['CAP_CHOWN'])).matched).toBe(false);
  });
});

describe('argument references', () => {
  test('matchArgs "args" refers to spec positions and wins over "index" (selectors.md "Arguments filter", 0xcoffee example)', () => {
    const p = kprobePolicy(
      'f',
      [
        { index: 2, type: 'int' },
        { index: 0, type: 'int' },
        { index: 1, type: 'int' },
      ],
      [{ matchArgs: [{ args: [1], index: 2, operator: 'Equal', values: ['0xc0ffee'] }] }],
    );
    expect(simulate(p, { hook: 'kprobe:f', args: [0xc0ffee, 0, 0], process: cat }).matched).toBe(true);
    expect(simulate(p, { hook: 'kprobe:f', args: [0, 0, 0xc0ffee], process: cat }).matched).toBe(false);
  });

  test('an index that no declared argument has is a load error', () => {
    const p = kprobePolicy('f', [{ index: 0, type: 'int' }], [{ matchArgs: [{ index: 3, operator: 'Equal', values: ['1'] }] }]);
    expect(simulate(p, { hook: 'kprobe:f', args: [1], process: cat }).loadErrors).toEqual([
      expect.stringContaining(
        "match-args-index: policy 'example' kprobes[0] f spec.kprobes[0].selectors[0].matchArgs[0].index: index 3 is not read by the hook",
      ),
    ]);
  });

  test('an event without the filtered argument is reported as a problem, not as a miss', () => {
    const p = kprobePolicy('security_file_permission', fileArgs, [{ matchArgs: [{ index: 1, operator: 'Equal', values: ['4'] }] }]);
    const r = simulate(p, { hook: 'kprobe:security_file_permission', args: ['/etc/shadow'], process: cat });
    expect(r.problems).toEqual([expect.stringContaining('no value for argument index 1 (int)')]);
  });
});
