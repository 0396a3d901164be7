import { EnforcementAction } from '../../lib/detections/detection-props';
import { KubernetesApiContactDetection, KubernetesApiContactDetectionProps } from '../../lib/detections/kubernetes-api-contact-detection';
import { EnforcementScope, PolicyMode } from '../../lib/policy/enforcement';
import { tetragonMatchers } from '../../lib/testing';
import { kprobe, newChart, policyNamed, synth } from '../support/synth';
import { call, inPod, problemsOf } from './_support';

expect.extend(tetragonMatchers);

const API = ['10.96.0.1', '192.0.2.10', '192.0.2.11'];
function render(props: Partial<KubernetesApiContactDetectionProps> = {}) {
  const chart = newChart();
  new KubernetesApiContactDetection(chart, 'Api', { apiServerAddresses: API, ...props });
  return policyNamed(synth(chart), 'kubernetes-api-contact');
}

const observed = render();
// security_socket_connect(sock, address, addrlen): the address the caller passed to connect().
const connect = (addr: string, port: number, proc = inPod('/usr/bin/curl'), family: 'AF_INET' | 'AF_INET6' = 'AF_INET') =>
  call('security_socket_connect', [null, { kind: 'sockaddr', family, addr, port }, family === 'AF_INET' ? 16 : 28], proc);

describe('KubernetesApiContactDetection', () => {
  test('security_socket_connect sockaddr: SAddr (the destination asked for) and SPort; pods only, kube-system excluded', () => {
    const hook = kprobe(observed, 'security_socket_connect');
    expect(hook.syscall).toBe(false);
    expect(hook.args).toStrictEqual([
      { index: 1, type: 'sockaddr', label: 'address' },
      { index: 2, type: 'int', label: 'addrlen' },
    ]);
    expect(hook.selectors[0].matchArgs).toStrictEqual([
      { index: 1, operator: 'SAddr', values: [...API, '::ffff:10.96.0.1', '::ffff:192.0.2.10', '::ffff:192.0.2.11'] },
      { index: 1, operator: 'SPort', values: ['443', '6443'] },
    ]);
    expect(observed.spec.podSelector).toStrictEqual({
      matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'NotIn', values: ['kube-system'] }],
    });
    expect(problemsOf(observed)).toStrictEqual([]);
  });

  test('catches kubectl with a mounted token, curl to the ClusterIP and a direct dial of an endpoint', () => {
    expect(observed).toMatchEvent(connect('10.96.0.1', 443, inPod('/usr/local/bin/kubectl', 'shop', { arguments: 'get secrets -A' })));
    expect(observed).toMatchEvent(connect('10.96.0.1', 443));
    expect(observed).toMatchEvent(connect('192.0.2.11', 6443, inPod('/usr/bin/python3', 'ci')));
  });

  test('catches a dual-stack client whose IPv6 socket connects to ::ffff:10.96.0.1', () => {
    expect(observed).toMatchEvent(connect('::ffff:10.96.0.1', 443, inPod('/usr/bin/java'), 'AF_INET6'));
  });

  test('ignores other services, the API address on another port, and kube-system controllers', () => {
    expect(observed).not.toMatchEvent(connect('10.96.0.10', 53, inPod('/usr/sbin/nginx')));
    expect(observed).not.toMatchEvent(connect('10.96.0.1', 80));
    expect(observed).not.toMatchEvent(connect('10.96.14.2', 443));
    expect(observed).not.toMatchEvent(connect('10.96.0.1', 443, inPod('/coredns', 'kube-system')));
  });

  test('the addresses are required; bad addresses and ports are refused with the field', () => {
    const chart = newChart();
    expect(() => new KubernetesApiContactDetection(chart, 'None', { apiServerAddresses: [] })).toThrow(
      "test/None: apiServerAddresses: got []; the API server's ClusterIP and endpoint addresses are required",
    );
    expect(() => render({ apiServerAddresses: ['kubernetes.default'] })).toThrow(
      /test\/Api: addresses: got "kubernetes.default"; expected an IPv4 or IPv6 address/,
    );
    expect(() => render({ ports: [70000] })).toThrow(/test\/Api: ports: got 70000; expected a port 0-65535/);
  });

  test('pod selector and exclusions combine; enforcement refuses the connect in the scoped pods', () => {
    const scoped = render({ podSelector: { matchLabels: { tier: 'frontend' } }, excludeNamespaces: [] });
    expect(scoped.spec.podSelector).toStrictEqual({ matchLabels: { tier: 'frontend' } });
    const enforce = render({
      enforcement: { action: EnforcementAction.override(111), mode: PolicyMode.ENFORCE, scope: EnforcementScope.namespaces(['shop']) },
    });
    expect(kprobe(enforce, 'security_socket_connect').selectors[0].matchActions).toStrictEqual([{ action: 'Override', argError: -111 }]);
    expect(enforce.spec.podSelector.matchExpressions).toHaveLength(2);
    expect(enforce).toMatchEvent(connect('10.96.0.1', 443), { actions: ['Override'] });
    expect(problemsOf(enforce)).toStrictEqual([]);
  });
});
