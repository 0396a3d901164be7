import { EnforcementAction } from '../../lib/detections/detection-props';
import { RuntimeSocketDetection } from '../../lib/detections/runtime-socket-detection';
import { EnforcementScope, PolicyMode } from '../../lib/policy/enforcement';
import { tetragonMatchers } from '../../lib/testing';
import { kprobe, newChart, policyNamed, synth } from '../support/synth';
import { call, inPod, onHost, problemsOf } from './_support';

expect.extend(tetragonMatchers);

const SOCKADDR_UN_LEN = 110;
const unix = (path: string) => [null, { kind: 'sockaddr_un' as const, path }, SOCKADDR_UN_LEN];

function render(props = {}) {
  const chart = newChart();
  new RuntimeSocketDetection(chart, 'Sock', props);
  return policyNamed(synth(chart), 'runtime-socket');
}

describe('RuntimeSocketDetection', () => {
  const policy = render();

  test('security_socket_connect reads the sockaddr_un path and filters it with Equal (the type has no Postfix)', () => {
    const hook = kprobe(policy, 'security_socket_connect');
    expect(hook.syscall).toBe(false);
    expect(hook.args).toStrictEqual([
      { index: 1, type: 'sockaddr_un', label: 'address' },
      { index: 2, type: 'int', label: 'addrlen' },
    ]);
    expect(hook.selectors).toHaveLength(1);
    const filter = hook.selectors[0].matchArgs[0];
    expect(filter.operator).toBe('Equal');
    expect(filter.values).toEqual(
      expect.arrayContaining([
        '/run/containerd/containerd.sock',
        '/var/run/docker.sock',
        '/run/crio/crio.sock',
        '/host/run/containerd/containerd.sock',
      ]),
    );
    expect(policy.spec.podSelector).toStrictEqual({});
  });

  test('is clean against the CRD and the checker, except that Debian 11 (5.10) compiles the sockaddr_un filter out', () => {
    expect(problemsOf(policy, ['sockaddr-un-filter'])).toStrictEqual([]);
    expect(problemsOf(policy)).toStrictEqual([
      expect.stringMatching(/^sockaddr-un-filter debian-11-5.10: .*this filter passes every call/),
    ]);
  });

  test('says so at synth time: the policy carries the kernel note for the kernels in use', () => {
    expect(policy.metadata.annotations['cdk8s-tetragon/kernel-notes']).toMatch(
      /^sockaddr-un-filter \(debian-11-5.10\): Tetragon reads and filters sockaddr_un arguments only from kernel 5.11 .* this filter passes every call$/,
    );
    // with a kernel set of 5.11+ only, the note is gone
    const chart = newChart();
    chart.node.setContext('cdk8s-tetragon:kernels', ['debian-12-6.1', 'debian-13-6.12']);
    new RuntimeSocketDetection(chart, 'Sock', {});
    expect(policyNamed(synth(chart), 'runtime-socket').metadata.annotations).toStrictEqual({
      description: 'Connections from pods to container runtime API sockets',
    });
  });

  describe('must catch', () => {
    test('docker CLI in a CI pod with the host Docker socket mounted', () => {
      expect(policy).toMatchEvent(
        call(
          'security_socket_connect',
          unix('/var/run/docker.sock'),
          inPod('/usr/local/bin/docker', 'ci', { arguments: 'run --privileged -v /:/host alpine chroot /host' }),
        ),
      );
    });
    test('ctr talking to containerd through a hostPath mount', () => {
      expect(policy).toMatchEvent(call('security_socket_connect', unix('/run/containerd/containerd.sock'), inPod('/usr/bin/ctr')));
    });
    test('crictl against CRI-O', () => {
      expect(policy).toMatchEvent(call('security_socket_connect', unix('/var/run/crio/crio.sock'), inPod('/usr/local/bin/crictl')));
    });
    test('a script speaking HTTP to Docker through the socket mounted under /host', () => {
      expect(policy).toMatchEvent(call('security_socket_connect', unix('/host/var/run/docker.sock'), inPod('/usr/bin/curl')));
    });
  });

  describe('must ignore', () => {
    test('kubelet on the node talking to containerd (host process)', () => {
      expect(policy).not.toMatchEvent(call('security_socket_connect', unix('/run/containerd/containerd.sock'), onHost('/usr/bin/kubelet')));
    });
    test('an app connecting to its own Unix socket (PostgreSQL)', () => {
      expect(policy).not.toMatchEvent(call('security_socket_connect', unix('/var/run/postgresql/.s.PGSQL.5432'), inPod('/usr/bin/psql')));
    });
    test('nscd/systemd sockets used by glibc lookups', () => {
      expect(policy).not.toMatchEvent(call('security_socket_connect', unix('/run/systemd/journal/socket'), inPod('/usr/sbin/nginx')));
    });
    test('a trusted monitoring agent', () => {
      const p = render({ trustedBinaries: ['/opt/datadog-agent/bin/agent/agent'] });
      expect(p).not.toMatchEvent(
        call(
          'security_socket_connect',
          unix('/var/run/containerd/containerd.sock'),
          inPod('/opt/datadog-agent/bin/agent/agent', 'datadog'),
        ),
      );
    });
  });

  test('sockets can be replaced; bad paths fail with the fix', () => {
    const p = render({ sockets: ['/custom/dockerd.sock'] });
    expect(kprobe(p, 'security_socket_connect').selectors[0].matchArgs[0].values).toStrictEqual(['/custom/dockerd.sock']);
    expect(() => render({ sockets: ['docker.sock'] })).toThrow('test/Sock: sockets: got ["docker.sock"]; give absolute Unix socket paths');
    expect(() => render({ sockets: ['/' + 'x'.repeat(120)] })).toThrow('at most 107 characters');
  });

  test('enforcement: Override refuses the connect in enforce mode, only reports in monitor mode', () => {
    const scope = EnforcementScope.namespaces(['ci']);
    const enforce = render({ enforcement: { action: EnforcementAction.override(13), scope, mode: PolicyMode.ENFORCE } });
    const ev = call('security_socket_connect', unix('/var/run/docker.sock'), inPod('/usr/local/bin/docker', 'ci'));
    expect(enforce).toMatchEvent(ev, { actions: ['Override'] });
    expect(kprobe(enforce, 'security_socket_connect').selectors[0].matchActions).toStrictEqual([{ action: 'Override', argError: -13 }]);
    expect(enforce.spec.options).toContainEqual({ name: 'disable-kprobe-multi', value: '1' });
    expect(problemsOf(enforce, ['sockaddr-un-filter'])).toStrictEqual([]);
    const monitor = render({ enforcement: { action: EnforcementAction.override(13), scope } });
    expect(monitor.spec.options).toContainEqual({ name: 'policy-mode', value: 'monitor' });
    expect(monitor).not.toMatchEvent(ev, { actions: ['Override'] });
    expect(monitor).toMatchEvent(ev);
  });
});
