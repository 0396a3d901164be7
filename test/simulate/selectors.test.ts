/**
 * Selector rules, process filters, workload filters and actions, each against a worked example of
 * docs/content/en/docs/concepts/tracing-policy/selectors.md or k8s-filtering.md (Tetragon v1.7.0).
 */
import { simulate, SimulatedEvent } from '../../lib/simulate';
import { readReference } from '../support/reference';

const meta = (name: string) => ({ apiVersion: 'cilium.io/v1alpha1', kind: 'TracingPolicy', metadata: { name } });

describe('selector semantics', () => {
  // selectors.md, introduction: "mount-example"
  const mountExample = {
    ...meta('mount-example'),
    spec: {
      kprobes: [
        {
          call: 'sys_mount',
          syscall: true,
          selectors: [
            { matchBinaries: [{ operator: 'In', values: ['/usr/bin/mount'] }], matchActions: [{ action: 'NoPost' }] },
            { matchActions: [{ action: 'Post' }] },
          ],
        },
      ],
    },
  };
  const mount = (exe: string): SimulatedEvent => ({ hook: 'kprobe:__x64_sys_mount', process: { binary: exe } });

  test('selectors are ORed with first match deciding the actions: /usr/bin/mount is NoPost, others are posted (mount-example)', () => {
    const byMount = simulate(mountExample, mount('/usr/bin/mount'));
    expect(byMount).toMatchObject({ matched: true, posted: false, actions: [] });
    expect(byMount.matches[0]).toMatchObject({ selector: 0, post: false, actions: [{ action: 'NoPost' }] });
    const other = simulate(mountExample, mount('/tmp/evil'));
    expect(other.matches[0]).toMatchObject({ selector: 1, post: true });
    expect(other.actions).toEqual(['Post']);
  });

  test('syscall: true attaches to __x64_sys_*; an event named sys_mount gets a hint', () => {
    const r = simulate(mountExample, { hook: 'kprobe:sys_mount', process: { binary: '/bin/x' } });
    expect(r.matched).toBe(false);
    expect(r.misses[0].reason).toContain('a syscall hook attaches to __x64_sys_mount');
    expect(simulate(mountExample, { hook: 'kprobe:__arm64_sys_mount', process: { binary: '/x' } }, { arch: 'arm64' }).matched).toBe(true);
  });

  test('a hook without selectors matches every call with Post (examples/tracingpolicy/sys_ptrace.yaml)', () => {
    const r = simulate(readReference('tetragon/v1.7.0/examples/tracingpolicy/sys_ptrace.yaml'), {
      hook: 'kprobe:__x64_sys_ptrace',
      args: { 2: 0 },
      process: { binary: '/usr/bin/strace' },
    });
    expect(r.matches).toEqual([
      expect.objectContaining({ policy: 'syscalls', hook: 'kprobe:__x64_sys_ptrace', actions: [{ action: 'Post' }], post: true }),
    ]);
    expect(r.matches[0].selector).toBeUndefined();
  });

  test('filters inside a selector are ANDed: binary, argument and namespace (selectors.md "example_ns_2")', () => {
    const p = {
      ...meta('example-ns-2'),
      spec: {
        kprobes: [
          {
            call: 'fd_install',
            syscall: false,
            args: [
              { index: 0, type: 'int' },
              { index: 1, type: 'file' },
            ],
            selectors: [
              {
                matchBinaries: [{ operator: 'In', values: ['/bin/cat'] }],
                matchArgs: [{ index: 1, operator: 'Equal', values: ['/etc/shadow'] }],
                matchNamespaces: [
                  { namespace: 'Mnt', operator: 'In', values: ['host_ns'] },
                  { namespace: 'Net', operator: 'In', values: ['host_ns'] },
                ],
              },
            ],
          },
        ],
      },
    };
    const ev = (extra: object): SimulatedEvent => ({
      hook: 'kprobe:fd_install',
      args: [3, '/etc/shadow'],
      process: { binary: '/bin/cat', ...extra },
    });
    expect(simulate(p, ev({})).matched).toBe(true);
    const hostNet = simulate(p, ev({ pod: { namespace: 'shop' }, namespaces: { net: 'host' } }));
    expect(hostNet.matched).toBe(false);
    expect(hostNet.misses[0].reason).toMatch(/Mnt namespace 4026532\d+ In \[host_ns\] does not hold/);
    expect(simulate(p, ev({ pod: { namespace: 'shop' }, hostNamespaces: true })).matched).toBe(true);
  });

  test('a failing selector lists every filter that did not hold', () => {
    const p = {
      ...meta('p'),
      spec: {
        kprobes: [
          {
            call: 'fd_install',
            syscall: false,
            args: [{ index: 1, type: 'file' }],
            selectors: [
              {
                matchBinaries: [{ operator: 'In', values: ['/bin/cat'] }],
                matchArgs: [{ index: 1, operator: 'Equal', values: ['/etc/shadow'] }],
              },
            ],
          },
        ],
      },
    };
    const r = simulate(p, { hook: 'kprobe:fd_install', args: { 1: '/etc/hosts' }, process: { binary: '/usr/bin/less' } });
    expect(r.misses[0].reason).toContain('matchBinaries In [/bin/cat]: resolved executable /usr/bin/less does not match');
    expect(r.misses[0].reason).toContain('matchArgs[0]: arg 1 (file) "/etc/hosts" does not match Equal');
  });
});

describe('matchBinaries and matchParentBinaries (selectors.md "Binaries filter")', () => {
  const p = (sel: object) => ({ ...meta('bins'), spec: { kprobes: [{ call: 'sys_write', syscall: true, selectors: [sel] }] } });
  const ev = (process: object, parent?: object): SimulatedEvent => ({
    hook: 'kprobe:__x64_sys_write',
    process: { binary: '/bin/x', ...process },
    ...(parent ? { parent } : {}),
  });

  test("In compares the resolved executable, not the exec'd path: /bin/sh running dash is /usr/bin/dash", () => {
    const sh = p({ matchBinaries: [{ operator: 'In', values: ['/bin/sh'] }] });
    expect(simulate(sh, ev({ binary: '/bin/sh', exe: '/usr/bin/dash' })).matched).toBe(false);
    expect(
      simulate(p({ matchBinaries: [{ operator: 'In', values: ['/usr/bin/dash'] }] }), ev({ binary: '/bin/sh', exe: '/usr/bin/dash' }))
        .matched,
    ).toBe(true);
  });

  test('a script matches its interpreter, not its own path (selectors.md "Scripts with shebangs")', () => {
    const script = ev({ binary: '/opt/scripts/my_script.py', exe: '/usr/bin/python3' });
    expect(simulate(p({ matchBinaries: [{ operator: 'In', values: ['/opt/scripts/my_script.py'] }] }), script).matched).toBe(false);
    expect(simulate(p({ matchBinaries: [{ operator: 'In', values: ['/usr/bin/python3'] }] }), script).matched).toBe(true);
  });

  test('NotIn, Prefix and Postfix', () => {
    expect(
      simulate(p({ matchBinaries: [{ operator: 'NotIn', values: ['/usr/bin/cat', '/usr/bin/tail'] }] }), ev({ binary: '/usr/bin/tail' }))
        .matched,
    ).toBe(false);
    expect(simulate(p({ matchBinaries: [{ operator: 'Prefix', values: ['/tmp/'] }] }), ev({ binary: '/tmp/kworkerd' })).matched).toBe(true);
    expect(simulate(p({ matchBinaries: [{ operator: 'Postfix', values: ['/xmrig'] }] }), ev({ binary: '/opt/x/xmrig' })).matched).toBe(
      true,
    );
    expect(simulate(p({ matchBinaries: [{ operator: 'NotPostfix', values: ['/xmrig'] }] }), ev({ binary: '/opt/x/xmrig' })).matched).toBe(
      false,
    );
  });

  test('followChildren also matches descendants of /usr/sbin/sshd (selectors.md "Follow children")', () => {
    const sshd = p({ matchBinaries: [{ operator: 'In', values: ['/usr/sbin/sshd'], followChildren: true }] });
    expect(
      simulate(sshd, ev({ binary: '/usr/bin/bash', ancestors: [{ binary: '/usr/sbin/sshd' }] }, { binary: '/usr/bin/bash' })).matched,
    ).toBe(true);
    expect(simulate(sshd, ev({ binary: '/usr/bin/bash' }, { binary: '/usr/lib/systemd/systemd' })).matched).toBe(false);
  });

  test('matchParentBinaries: cat run from an interactive shell (selectors.md "Parent binaries filter")', () => {
    const catFromShell = p({
      matchParentBinaries: [{ operator: 'In', values: ['/usr/bin/bash', '/usr/bin/sh', '/usr/bin/zsh'] }],
      matchBinaries: [{ operator: 'In', values: ['/usr/bin/cat'] }],
    });
    expect(simulate(catFromShell, ev({ binary: '/usr/bin/cat' }, { binary: '/usr/bin/bash' })).matched).toBe(true);
    expect(simulate(catFromShell, ev({ binary: '/usr/bin/cat' }, { binary: '/usr/bin/python3' })).matched).toBe(false);
    expect(simulate(catFromShell, ev({ binary: '/usr/bin/cat' })).problems).toEqual([expect.stringContaining('needs the parent')]);
  });
});

describe('matchPIDs (selectors.md "PIDs filter")', () => {
  const p = (f: object) => ({
    ...meta('pids'),
    spec: { kprobes: [{ call: 'sys_write', syscall: true, selectors: [{ matchPIDs: [f] }] }] },
  });
  const ev = (nsPid: number, ancestors: object[] = []): SimulatedEvent => ({
    hook: 'kprobe:__x64_sys_write',
    process: { binary: '/bin/sh', pid: 5000 + nsPid, nsPid, pod: { namespace: 'shop' }, ancestors },
  });

  test('NotIn 1 with isNamespacePID and no followForks: a kubectl exec shell is not the container init', () => {
    const notInit = p({ operator: 'NotIn', followForks: false, isNamespacePID: true, values: [1] });
    expect(simulate(notInit, ev(7)).matched).toBe(true);
    expect(simulate(notInit, ev(1)).matched).toBe(false);
  });

  test('with isNamespacePID and followForks the value 0 is always found (pfilter.h), so NotIn [0, 1] never matches', () => {
    const r = simulate(p({ operator: 'NotIn', followForks: true, isNamespacePID: true, values: [0, 1] }), ev(7));
    expect(r.matched).toBe(false);
    expect(r.misses[0].reason).toContain('the value 0 always counts as found');
  });

  test('In with followForks matches descendants of the listed host PID', () => {
    const f = p({ operator: 'In', followForks: true, values: [4242] });
    expect(simulate(f, { hook: 'kprobe:__x64_sys_write', process: { binary: '/bin/sh', pid: 9000 }, parent: { pid: 4242 } }).matched).toBe(
      true,
    );
    expect(simulate(f, { hook: 'kprobe:__x64_sys_write', process: { binary: '/bin/sh', pid: 9000 }, parent: { pid: 1 } }).matched).toBe(
      false,
    );
  });
});

describe('matchCapabilities and changes (selectors.md "Capabilities filter")', () => {
  test('In CAP_CHOWN or CAP_NET_RAW with isNamespaceCapability only outside the host user namespace (examples/tracingpolicy/fd_install_caps.yaml)', () => {
    const policy = readReference('tetragon/v1.7.0/examples/tracingpolicy/fd_install_caps.yaml');
    const ev = (process: object): SimulatedEvent => ({
      hook: 'kprobe:fd_install',
      args: [3, '/etc/hosts'],
      process: { binary: '/bin/cat', ...process },
    });
    expect(simulate(policy, ev({ namespaces: { user: 4026532999 }, capabilities: { effective: ['CAP_NET_RAW'] } })).matched).toBe(true);
    expect(simulate(policy, ev({ capabilities: { effective: ['CAP_NET_RAW'] } })).matched).toBe(false);
    expect(simulate(policy, ev({ namespaces: { user: 4026532999 }, capabilities: { effective: ['CAP_KILL'] } })).matched).toBe(false);
  });

  test('NotIn CAP_SYS_ADMIN on create_user_ns (privileges-raise.yaml) fires for a default root container, not for host root', () => {
    const policy = readReference('tetragon/v1.7.0/examples/policylibrary/privileges/privileges-raise.yaml');
    const ev = (process: object): SimulatedEvent => ({
      hook: 'kprobe:create_user_ns',
      process: { binary: '/usr/bin/unshare', ...process },
    });
    expect(simulate(policy, ev({ pod: { namespace: 'shop' } })).matched).toBe(true);
    expect(simulate(policy, ev({})).matched).toBe(false);
  });

  test('matchCapabilityChanges In CAP_SETUID compares with the capabilities at exec (fd_install_cap_changes.yaml)', () => {
    const p = {
      ...meta('caps'),
      spec: {
        kprobes: [
          {
            call: 'fd_install',
            syscall: false,
            selectors: [{ matchCapabilityChanges: [{ type: 'Effective', operator: 'In', values: ['CAP_SETUID'] }] }],
          },
        ],
      },
    };
    const ev = (atExec: string[], now: string[]): SimulatedEvent => ({
      hook: 'kprobe:fd_install',
      process: { binary: '/x', uid: 1000, capabilitiesAtExec: { effective: atExec }, capabilities: { effective: now } },
    });
    expect(simulate(p, ev([], ['CAP_SETUID'])).matched).toBe(true);
    expect(simulate(p, ev(['CAP_SETUID'], ['CAP_SETUID'])).matched).toBe(false);
  });

  test('names are read as Tetragon reads them: DAC_OVERRIDE (and any case) matches, CAP_DAC_OVERRIDE does not load', () => {
    const p = (values: string[]) => ({
      ...meta('caps'),
      spec: {
        kprobes: [
          { call: 'fd_install', syscall: false, selectors: [{ matchCapabilities: [{ type: 'Effective', operator: 'In', values }] }] },
        ],
      },
    });
    const ev: SimulatedEvent = {
      hook: 'kprobe:fd_install',
      process: { binary: '/x', uid: 1000, capabilities: { effective: ['CAP_DAC_OVERRIDE'] } },
    };
    expect(simulate(p(['DAC_OVERRIDE']), ev).matched).toBe(true);
    expect(simulate(p([' dac_override ']), ev).matched).toBe(true);
    const refused = simulate(p(['CAP_DAC_OVERRIDE']), ev);
    expect(refused.matched).toBe(false);
    expect(refused.loadErrors.join('\n')).toContain('Tetragon spells capability 1 DAC_OVERRIDE');
    // an event may describe the process with either spelling (Tetragon's own events print DAC_OVERRIDE)
    expect(
      simulate(p(['DAC_OVERRIDE']), { ...ev, process: { binary: '/x', uid: 1000, capabilities: { effective: ['DAC_OVERRIDE'] } } }).matched,
    ).toBe(true);
  });

  test('matchNamespaceChanges In Mnt fires after a setns into another mount namespace', () => {
    const p = {
      ...meta('ns'),
      spec: {
        kprobes: [{ call: 'fd_install', syscall: false, selectors: [{ matchNamespaceChanges: [{ operator: 'In', values: ['Mnt'] }] }] }],
      },
    };
    expect(
      simulate(p, {
        hook: 'kprobe:fd_install',
        process: {
          binary: '/usr/bin/nsenter',
          pod: { namespace: 'a' },
          namespaces: { mnt: 'host' },
          namespacesAtExec: { mnt: 4026532300 },
        },
      }).matched,
    ).toBe(true);
    expect(simulate(p, { hook: 'kprobe:fd_install', process: { binary: '/usr/bin/nsenter', pod: { namespace: 'a' } } }).matched).toBe(
      false,
    );
  });
});

describe('matchReturnArgs (selectors.md "Return args filter")', () => {
  const p = {
    ...meta('ret'),
    spec: {
      kprobes: [
        {
          call: 'sys_openat',
          syscall: true,
          return: true,
          args: [{ index: 1, type: 'string' }],
          returnArg: { index: 0, type: 'int' },
          selectors: [
            {
              matchArgs: [{ index: 1, operator: 'Equal', values: ['/etc/shadow'] }],
              matchReturnArgs: [{ operator: 'NotEqual', values: ['0'] }],
            },
          ],
        },
      ],
    },
  };
  test('NotEqual 0 catches the failed open of /etc/shadow by an unprivileged user', () => {
    const ev = (ret: number): SimulatedEvent => ({
      hook: 'kprobe:__x64_sys_openat',
      args: { 1: '/etc/shadow' },
      returnValue: ret,
      process: { binary: '/usr/bin/cat', uid: 1000 },
    });
    expect(simulate(p, ev(-13)).matched).toBe(true);
    expect(simulate(p, ev(0)).matched).toBe(false);
    expect(
      simulate(p, { hook: 'kprobe:__x64_sys_openat', args: { 1: '/etc/shadow' }, process: { binary: '/usr/bin/cat' } }).problems,
    ).toEqual([expect.stringContaining('no returnValue')]);
  });
});

describe('workload filters (k8s-filtering.md)', () => {
  const lseek = (spec: object, kind = 'TracingPolicy', namespace?: string) => ({
    apiVersion: 'cilium.io/v1alpha1',
    kind,
    metadata: { name: 'lseek', ...(namespace ? { namespace } : {}) },
    spec: {
      ...spec,
      kprobes: [
        {
          call: 'sys_lseek',
          syscall: true,
          args: [{ index: 0, type: 'int' }],
          selectors: [{ matchArgs: [{ index: 0, operator: 'Equal', values: ['-1'] }], matchActions: [{ action: 'Sigkill' }] }],
        },
      ],
    },
  });
  const python = (pod?: SimulatedEvent['process']['pod']): SimulatedEvent => ({
    hook: 'kprobe:__x64_sys_lseek',
    args: [-1],
    process: { binary: '/usr/local/bin/python3', ...(pod ? { pod } : {}) },
  });

  test('TracingPolicyNamespaced in default kills in default only ("Namespaced policies")', () => {
    const p = lseek({}, 'TracingPolicyNamespaced', 'default');
    expect(simulate(p, python({ namespace: 'default' })).actions).toEqual(['Post', 'Sigkill']);
    expect(simulate(p, python({ namespace: 'test' })).misses[0].reason).toContain(
      'applies only to pods of that namespace; the pod is in test',
    );
    expect(simulate(p, python()).matched).toBe(false);
  });

  test('podSelector app=lseek-test selects labelled pods only ("Pod label filters")', () => {
    const p = lseek({ podSelector: { matchLabels: { app: 'lseek-test' } } });
    expect(simulate(p, python({ namespace: 'default', labels: { app: 'lseek-test' } })).matched).toBe(true);
    expect(simulate(p, python({ namespace: 'default', labels: { run: 'test' } })).misses[0].reason).toContain(
      'label app="lseek-test" required',
    );
    expect(simulate(p, python()).matched).toBe(false);
  });

  test('containerSelector name In [main] ("Container field filters") and repo', () => {
    const p = lseek({ containerSelector: { matchExpressions: [{ key: 'name', operator: 'In', values: ['main'] }] } });
    expect(simulate(p, python({ namespace: 'default', container: { name: 'main' } })).matched).toBe(true);
    expect(simulate(p, python({ namespace: 'default', container: { name: 'sidecar' } })).matched).toBe(false);
    const repo = lseek({
      containerSelector: { matchExpressions: [{ key: 'repo', operator: 'In', values: ['docker.io/library/python'] }] },
    });
    expect(
      simulate(repo, python({ namespace: 'default', container: { name: 'main', image: 'docker.io/library/python:3.12@sha256:abc' } }))
        .matched,
    ).toBe(true);
    // a label value holds no "/", so the CRD refuses a repository in matchLabels
    const asLabel = lseek({ containerSelector: { matchLabels: { repo: 'docker.io/library/python' } } });
    expect(simulate(asLabel, python({ namespace: 'default' })).loadErrors).toEqual([
      expect.stringContaining("crd-schema: policy 'lseek' spec.containerSelector.matchLabels.repo"),
    ]);
  });

  test('hostSelector {} with the namespace label selects host processes and kube-system pods ("Filtering semantics")', () => {
    const p = lseek({
      hostSelector: {},
      podSelector: { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'In', values: ['kube-system'] }] },
    });
    expect(simulate(p, python()).matched).toBe(true);
    expect(simulate(p, python({ namespace: 'kube-system' })).matched).toBe(true);
    expect(simulate(p, python({ namespace: 'default' })).matched).toBe(false);
    expect(simulate(lseek({ podSelector: {} }), python()).matched).toBe(false);
    expect(simulate(lseek({ hostSelector: {} }), python({ namespace: 'default' })).matched).toBe(false);
  });
});

describe('actions', () => {
  const p = (actions: object[], options?: object[]) => ({
    ...meta('act'),
    spec: {
      ...(options ? { options } : {}),
      kprobes: [
        {
          call: 'security_file_open',
          syscall: false,
          args: [{ index: 0, type: 'file' }],
          selectors: [{ matchArgs: [{ index: 0, operator: 'Equal', values: ['/etc/shadow'] }], matchActions: actions }],
        },
      ],
    },
  });
  const ev: SimulatedEvent = { hook: 'kprobe:security_file_open', args: ['/etc/shadow'], process: { binary: '/usr/bin/cat' } };

  test('Override returns argError (selectors.md "Override action")', () => {
    const r = simulate(p([{ action: 'Override', argError: -1 }]), ev);
    expect(r.matches[0].actions).toEqual([{ action: 'Override', argError: -1, enforced: true }]);
    expect(r.actions).toEqual(['Override', 'Post']);
  });

  test('Signal argSig 9 (selectors.md "Signal action") and rate-limited Post with scope', () => {
    expect(simulate(p([{ action: 'Signal', argSig: 9 }]), ev).matches[0].actions).toEqual([
      { action: 'Signal', argSig: 9, enforced: true },
    ]);
    expect(simulate(p([{ action: 'Post', rateLimit: '5m', rateLimitScope: 'process' }]), ev).matches[0].actions).toEqual([
      { action: 'Post', rateLimit: '5m', rateLimitScope: 'process' },
    ]);
  });

  test('policy-mode: monitor turns enforcement into a post', () => {
    const r = simulate(p([{ action: 'Sigkill' }], [{ name: 'policy-mode', value: 'monitor' }]), ev);
    expect(r.matches[0]).toMatchObject({ mode: 'monitor', post: true, actions: [{ action: 'Sigkill', enforced: false }] });
    expect(r.actions).toEqual(['Post']);
  });

  test('rateLimit on anything but Post, and more than 3 actions, make the policy fail to load', () => {
    expect(simulate(p([{ action: 'Sigkill', rateLimit: '1m' }]), ev).loadErrors).toEqual([
      expect.stringContaining("rate-limit: policy 'act'"),
    ]);
    expect(simulate(p([{ action: 'Sigkill', rateLimit: '1m' }]), ev).loadErrors[0]).toContain(
      'rateLimit can only be used on Post, not on Sigkill',
    );
    expect(simulate(p([{ action: 'Post' }, { action: 'Post' }, { action: 'Post' }, { action: 'Post' }]), ev).loadErrors).toEqual([
      expect.stringContaining(
        "max-actions: policy 'act' kprobes[0] security_file_open spec.kprobes[0].selectors[0].matchActions: 4 actions given, at most 3",
      ),
    ]);
  });

  test('message and tags of the hook are carried on the match', () => {
    const policy = {
      ...meta('tagged'),
      spec: {
        kprobes: [{ call: 'security_file_open', syscall: false, message: 'Sensitive file opened', tags: ['observability.filesystem'] }],
      },
    };
    expect(simulate(policy, ev).matches[0]).toMatchObject({ message: 'Sensitive file opened', tags: ['observability.filesystem'] });
  });
});

describe('hooks of other kinds', () => {
  test('LSM file_open (examples/tracingpolicy/lsm_file_open.yaml) and tracepoints by subsystem/event', () => {
    const lsm = readReference('tetragon/v1.7.0/examples/tracingpolicy/lsm_file_open.yaml');
    const r = simulate(lsm, { hook: 'lsm:file_open', args: ['/etc/shadow'], process: { binary: '/usr/bin/cat' } });
    expect(r.matched).toBe(true);
    expect(r.matches[0].hook).toBe('lsm:file_open');
    const tp = {
      ...meta('tp'),
      spec: {
        tracepoints: [
          {
            subsystem: 'syscalls',
            event: 'sys_enter_openat',
            args: [{ index: 6, type: 'string' }],
            selectors: [{ matchArgs: [{ index: 6, operator: 'Prefix', values: ['/etc/'] }] }],
          },
        ],
      },
    };
    expect(
      simulate(tp, { hook: 'tracepoint:syscalls/sys_enter_openat', args: { 6: '/etc/hosts' }, process: { binary: '/bin/x' } }).matched,
    ).toBe(true);
    expect(
      simulate(tp, { hook: 'tracepoint:syscalls/sys_enter_openat', args: { 6: '/tmp/x' }, process: { binary: '/bin/x' } }).matched,
    ).toBe(false);
  });

  test('a policy that mixes hook kinds does not load', () => {
    const mixed = { ...meta('mixed'), spec: { kprobes: [{ call: 'f', syscall: false }], lsmhooks: [{ hook: 'file_open' }] } };
    expect(simulate(mixed, { hook: 'kprobe:f', process: { binary: '/x' } }).loadErrors).toEqual([
      expect.stringContaining("one-hook-kind: policy 'mixed' spec: has kprobes and lsmhooks"),
    ]);
  });

  test('syscall lists expand to prefixed symbols (selectors.md "Notify Enforcer action", kprobe_multi form)', () => {
    const p = {
      ...meta('dups'),
      spec: {
        lists: [{ name: 'syscalls', type: 'syscalls', values: ['sys_dup', 'sys_dup2'] }],
        kprobes: [
          {
            call: 'list:syscalls',
            selectors: [{ matchBinaries: [{ operator: 'In', values: ['/usr/bin/bash'] }], matchActions: [{ action: 'Sigkill' }] }],
          },
        ],
      },
    };
    expect(simulate(p, { hook: 'kprobe:__x64_sys_dup2', process: { binary: '/usr/bin/bash' } }).actions).toEqual(['Post', 'Sigkill']);
    expect(simulate(p, { hook: 'kprobe:__x64_sys_dup3', process: { binary: '/usr/bin/bash' } }).matched).toBe(false);
  });
});

describe('load errors come from the policy checker; what the model cannot evaluate is a problem', () => {
  const ev: SimulatedEvent = { hook: 'kprobe:security_file_open', args: ['/etc/shadow'], process: { binary: '/usr/bin/cat' } };
  const open = (hook: object, spec: object = {}) => ({
    ...meta('p'),
    spec: { ...spec, kprobes: [{ call: 'security_file_open', syscall: false, args: [{ index: 0, type: 'file' }], ...hook }] },
  });

  test("a refused policy is reported whatever the event hooks, with the checker's rule id, and selects nothing", () => {
    const refused = {
      ...meta('refused'),
      spec: {
        kprobes: [
          {
            call: 'security_file_open',
            syscall: false,
            args: [{ index: 0, type: 'file' }],
            selectors: [
              {
                matchArgs: [{ index: 0, operator: 'Equal', values: ['/etc/shadow'] }],
                matchActions: [{ action: 'Sigkill', rateLimit: '1m' }],
              },
            ],
          },
        ],
      },
    };
    const other = simulate(refused, { hook: 'lsm:bprm_check_security', process: { binary: '/x' } });
    expect(other.loadErrors).toEqual([expect.stringMatching(/^rate-limit: policy 'refused' /)]);
    expect(simulate(refused, ev)).toMatchObject({ matched: false, hooked: false, matches: [] });
  });

  test('matchReturnArgs is not evaluated on a kprobe without return: true (Tetragon parses it for return probes only)', () => {
    const r = simulate(open({ selectors: [{ matchReturnArgs: [{ index: 0, operator: 'Equal', values: ['-13'] }] }] }), ev);
    expect(r.matched).toBe(true);
    expect(r.matches[0].because).toEqual(['matchReturnArgs is not evaluated: only a kprobe with return: true has a return probe']);
  });

  test('a filter on a filename argument passes every call: BPF has no filter for that type', () => {
    const p = {
      ...meta('p'),
      spec: {
        kprobes: [
          {
            call: 'do_sys_open',
            syscall: false,
            args: [{ index: 1, type: 'filename' }],
            selectors: [{ matchArgs: [{ index: 1, operator: 'Prefix', values: ['/etc/'] }] }],
          },
        ],
      },
    };
    const r = simulate(p, { hook: 'kprobe:do_sys_open', args: { 1: '/tmp/x' }, process: { binary: '/bin/x' } });
    expect(r.matched).toBe(true);
    expect(r.matches[0].because[0]).toContain('no filter for filename arguments');
  });

  test('CelExpr, and lists the agent expands from the node, are problems, not load errors', () => {
    const cel = simulate(open({ selectors: [{ matchArgs: [{ index: 0, operator: 'CelExpr', values: ['true'] }] }] }), ev);
    expect(cel).toMatchObject({ matched: false, loadErrors: [] });
    expect(cel.problems).toEqual([expect.stringContaining('operator CelExpr is not modeled by the simulator')]);
    const generated = {
      ...meta('gen'),
      spec: { lists: [{ name: 'all', type: 'generated_syscalls' }], kprobes: [{ call: 'list:all', syscall: true }] },
    };
    const r = simulate(generated, { hook: 'kprobe:__x64_sys_dup', process: { binary: '/x' } });
    expect(r.loadErrors).toEqual([]);
    expect(r.problems).toEqual(["gen: list all has type 'generated_syscalls', which the simulator cannot expand offline"]);
  });

  test('a containerSelector key other than name and repo never matches (the checker warns), and NotIn on it holds', () => {
    const lseek = (expr: object) => ({
      ...meta('p'),
      spec: { containerSelector: { matchExpressions: [expr] }, kprobes: [{ call: 'sys_lseek', syscall: true }] },
    });
    const ev2: SimulatedEvent = {
      hook: 'kprobe:__x64_sys_lseek',
      process: { binary: '/x', pod: { namespace: 'a', container: { name: 'main' } } },
    };
    expect(simulate(lseek({ key: 'image', operator: 'In', values: ['nginx'] }), ev2)).toMatchObject({
      matched: false,
      loadErrors: [],
      problems: [],
    });
    expect(simulate(lseek({ key: 'image', operator: 'NotIn', values: ['nginx'] }), ev2).matched).toBe(true);
  });

  test('a TracingPolicyNamespaced without metadata.namespace is a problem: its namespace is decided when it is applied', () => {
    const p = {
      apiVersion: 'cilium.io/v1alpha1',
      kind: 'TracingPolicyNamespaced',
      metadata: { name: 'p' },
      spec: { kprobes: [{ call: 'sys_lseek', syscall: true }] },
    };
    const r = simulate(p, { hook: 'kprobe:__x64_sys_lseek', process: { binary: '/x', pod: { namespace: 'a' } } });
    expect(r.loadErrors).toEqual([]);
    expect(r.problems).toEqual([expect.stringContaining('without metadata.namespace')]);
  });

  test('Set is an enforcing action (HasEnforcementAction): under policy-mode monitor it does not act', () => {
    const set = (options?: object[]) =>
      open({ selectors: [{ matchActions: [{ action: 'Set', argIndex: 0, argValue: 1 }] }] }, options ? { options } : {});
    expect(simulate(set([{ name: 'policy-mode', value: 'monitor' }]), ev).matches[0].actions).toEqual([
      { action: 'Set', enforced: false, args: { argIndex: 0, argValue: 1 } },
    ]);
    expect(simulate(set(), ev).actions).toEqual(['Post', 'Set']);
  });
});

describe('selectorsMacros', () => {
  test('a selector that uses a macro is a problem, not a match on its own filters', () => {
    const p = {
      ...meta('p'),
      spec: {
        selectorsMacros: { cat: { matchBinaries: [{ operator: 'In', values: ['/usr/bin/cat'] }] } },
        kprobes: [{ call: 'security_file_open', syscall: false, args: [{ index: 0, type: 'file' }], selectors: [{ macros: ['cat'] }] }],
      },
    };
    const r = simulate(p, { hook: 'kprobe:security_file_open', args: ['/etc/shadow'], process: { binary: '/usr/bin/less' } });
    expect(r).toMatchObject({ matched: false, loadErrors: [] });
    expect(r.problems).toEqual(['p kprobe:security_file_open selector 0: macros cat: the simulator does not model selectorsMacros']);
  });
});
