import {
  GuestPlan,
  GuestTrigger,
  agentArguments,
  orderTriggers,
  renderInit,
  renderLibrary,
  renderPlan,
  triggerCommand,
  triggerSetup,
} from '../../lib/verify/guest';

const t = (over: Partial<GuestTrigger>): GuestTrigger => ({
  index: 1,
  argv: ['cat', '/etc/shadow'],
  place: 'host',
  uid: 0,
  gid: 0,
  setup: [],
  timeoutSeconds: 60,
  ...over,
});

describe('trigger commands', () => {
  test('a host trigger runs through vt-run, with ids only when it switches user; an applet through busybox sh, as a shell runs it', () => {
    expect(triggerCommand(t({ argv: ['vt-file', 'open', '/etc/shadow'] }))).toBe(
      'timeout -s KILL 60 vt-run -- vt-file open /etc/shadow > /run/vt/out/trigger-1.txt 2>&1 < /dev/null',
    );
    expect(triggerCommand(t({}))).toBe(
      `timeout -s KILL 60 vt-run -- sh -c 'exec "$@"' sh cat /etc/shadow > /run/vt/out/trigger-1.txt 2>&1 < /dev/null`,
    );
    expect(triggerCommand(t({ uid: 1000, gid: 100, argv: ['/tmp/x'] }))).toContain('vt-run -u 1000 -g 100 -- /tmp/x');
  });

  test("a container trigger is a runc exec into the runtime's long-running container of its kind", () => {
    expect(triggerCommand(t({ place: 'container', runtime: 'sid', uid: 1000, gid: 1000, argv: ['id'] }))).toBe(
      'timeout -s KILL 60 runc exec --user 1000:1000 vt-sid-long id > /run/vt/out/trigger-1.txt 2>&1 < /dev/null',
    );
    expect(
      triggerCommand(t({ place: 'privileged-container', start: 'exec', runtime: 'bookworm', argv: ['cat', '/host/etc/shadow'] })),
    ).toContain('runc exec vt-bookworm-long-priv cat /host/etc/shadow');
  });

  test('a container start runs its own bundle', () => {
    expect(triggerCommand(t({ index: 4, place: 'container', start: 'run', runtime: 'bookworm', argv: ['sh', '-c', 'exit 0'] }))).toBe(
      'timeout -s KILL 60 runc run --no-pivot --bundle /verify/ctr/start-4 vt-start-4 > /run/vt/out/trigger-4.txt 2>&1 < /dev/null',
    );
  });

  test('arguments with shell characters are quoted', () => {
    expect(triggerCommand(t({ argv: ['vt-x', "echo 'x' > /tmp/y"] }))).toContain(`vt-run -- vt-x 'echo '\\''x'\\'' > /tmp/y'`);
  });

  test('binaryPath copies the program first and runs it from there (in the container root for container places)', () => {
    const host = t({ argv: ['vt-passwd', 'x'], binaryPath: '/usr/bin/passwd' });
    expect(triggerSetup(host)).toStrictEqual([
      'mkdir -p /usr/bin && cp "$(command -v vt-passwd)" /usr/bin/passwd && chmod 755 /usr/bin/passwd',
    ]);
    expect(triggerCommand(host)).toContain('vt-run -- /usr/bin/passwd x');
    expect(triggerSetup(t({ place: 'container', runtime: 'bookworm', argv: ['vt-x'], binaryPath: '/bin/x' }))[0]).toContain(
      '/verify/ctr/rootfs/bin/x',
    );
  });
});

describe('the plan', () => {
  const plan: GuestPlan = {
    token: '@@vt-abc',
    agentArgs: agentArguments(),
    readySeconds: 300,
    addSeconds: 1800,
    maxRestarts: 2,
    settleSeconds: 3,
    policies: [
      { index: 1, name: 'a', file: '/verify/policies/001-a.yaml' },
      { index: 2, name: 'b', file: '/verify/policies/002-b.yaml' },
    ],
    runtimes: ['bookworm', 'sid'],
    triggers: [
      t({ index: 1 }),
      t({ index: 2, place: 'container', runtime: 'bookworm', argv: ['true'], setup: ['touch /tmp/x'] }),
      t({ index: 3, place: 'container', start: 'run', runtime: 'bookworm', argv: ['true'] }),
      t({ index: 4, place: 'privileged-container', start: 'exec', runtime: 'sid', argv: ['true'] }),
    ],
  };
  const text = renderPlan(plan);
  const lines = text.split('\n');

  test('starts the agent, adds policies in order, lists them, then runs the triggers', () => {
    const at = (needle: string) => lines.findIndex((l) => l.includes(needle));
    expect(at('vt_agent_start')).toBeLessThan(at('vt_add 1 /verify/policies/001-a.yaml'));
    expect(at('vt_add 1 ')).toBeLessThan(at('vt_add 2 '));
    expect(at('vt_add 2 ')).toBeLessThan(at('vt_list loaded'));
    expect(at('vt_list loaded')).toBeLessThan(at('if vt_begin 1; then'));
  });

  test('each trigger sits between vt_begin and vt_end, setup before the begin marker', () => {
    const begin = lines.indexOf('if vt_begin 2; then');
    expect(lines[begin - 1]).toBe("vt_setup 2 'touch /tmp/x'");
    expect(lines[begin + 2]).toBe('  vt_end 2 $?');
  });

  test('switches runtime once per runc, before its first container trigger', () => {
    expect(lines.filter((l) => l.startsWith('vt_runtime'))).toStrictEqual(['vt_runtime bookworm long', 'vt_runtime sid long-priv']);
    expect(lines.indexOf('vt_runtime sid long-priv')).toBe(lines.indexOf('if vt_begin 4; then') - 1);
  });

  test('a started container is deleted after its end marker', () => {
    expect(lines[lines.indexOf('if vt_begin 3; then') + 4]).toBe('runc delete -f vt-start-3 > /dev/null 2>&1');
  });

  test('the token and limits reach the shell', () => {
    expect(lines).toContain('VT_TOKEN=@@vt-abc');
    expect(lines).toContain('VT_ADD_SECONDS=1800');
    expect(lines).toContain('VT_MAX_RESTARTS=2');
  });

  test("host triggers first, then each runtime's, order kept within a group", () => {
    const x = (id: string, place: 'host' | 'container' | 'privileged-container', runtime?: string) => ({
      id,
      place,
      ...(runtime ? { runtime } : {}),
    });
    const ordered = orderTriggers(
      [x('a', 'container', 'sid'), x('b', 'host'), x('c', 'privileged-container', 'bookworm'), x('d', 'host'), x('e', 'container')],
      ['bookworm', 'sid'],
    );
    expect(ordered.map((o) => o.id)).toStrictEqual(['b', 'd', 'c', 'e', 'a']);
  });
});

describe('agent and init', () => {
  test("the agent runs as the library's install configures it, outside Kubernetes, with policies only from tetra", () => {
    const args = agentArguments();
    expect(args).toEqual(
      expect.arrayContaining([
        '--enable-k8s-api=false',
        '--enable-process-cred',
        '--enable-process-ns',
        '--metrics-server',
        '127.0.0.1:2112',
      ]),
    );
    expect(args[args.indexOf('--tracing-policy-dir') + 1]).toBe('/run/vt/no-policies');
  });

  test('init mounts what the agent needs, routes through loopback and opens the result channel', () => {
    const init = renderInit();
    for (const fs of [
      'bpf bpf /sys/fs/bpf',
      'tracefs tracefs /sys/kernel/tracing',
      'cgroup2 cgroup2 /sys/fs/cgroup',
      'debugfs debugfs /sys/kernel/debug',
    ])
      expect(init).toContain(`mount -t ${fs}`);
    expect(init).toContain('ip link add vt0 type dummy 2>/dev/null && ip link set vt0 up && vt_if=vt0');
    expect(init).toContain('echo 0 > /proc/sys/net/ipv6/conf/$vt_if/accept_dad\nip -6 addr add fec0::15/64 dev $vt_if');
    expect(init).toContain('stty -F /dev/ttyS1 raw -echo');
    expect(init.indexOf('. /verify/plan.sh')).toBeLessThan(init.indexOf('vt_finish'));
  });

  test('sections are sent from a snapshot with their length', () => {
    const lib = renderLibrary();
    expect(lib).toContain('cp "$3" /run/vt/section.snapshot');
    expect(lib).toContain('vt_rec section "$1" "$2" $vt_n');
  });
});
