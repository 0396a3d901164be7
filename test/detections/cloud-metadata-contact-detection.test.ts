import { CloudMetadataContactDetection } from '../../lib/detections/cloud-metadata-contact-detection';
import { EnforcementAction } from '../../lib/detections/detection-props';
import { Errno } from '../../lib/policies/library-policy-props';
import { EnforcementScope } from '../../lib/policy/enforcement';
import { tetragonMatchers } from '../../lib/testing';
import { kprobe, newChart, policyNamed, synth } from '../support/synth';
import { call, inPod, onHost, problemsOf } from './_support';

expect.extend(tetragonMatchers);

function render(props = {}) {
  const chart = newChart();
  new CloudMetadataContactDetection(chart, 'Imds', props);
  return policyNamed(synth(chart), 'cloud-metadata-contact');
}

const observed = render();
const connect = (addr: string, port: number, proc = inPod('/usr/bin/curl'), family: 'AF_INET' | 'AF_INET6' = 'AF_INET') =>
  call('security_socket_connect', [null, { kind: 'sockaddr', family, addr, port }, family === 'AF_INET' ? 16 : 28], proc);

describe('CloudMetadataContactDetection', () => {
  test('SAddr on the metadata addresses, any port, pods only', () => {
    const hook = kprobe(observed, 'security_socket_connect');
    expect(hook.selectors[0].matchArgs).toStrictEqual([
      {
        index: 1,
        operator: 'SAddr',
        values: [
          '169.254.169.254/32',
          'fd00:ec2::254/128',
          '100.100.100.200/32',
          '::ffff:169.254.169.254/128',
          '::ffff:100.100.100.200/128',
        ],
      },
    ]);
    expect(hook.tags).toStrictEqual(['observability.network', 'mitre.T1552.005']);
    expect(problemsOf(observed)).toStrictEqual([]);
  });

  test('catches curl of the IMDS role credentials, IPv6 IMDS and Alibaba metadata', () => {
    expect(observed).toMatchEvent(
      connect(
        '169.254.169.254',
        80,
        inPod('/usr/bin/curl', 'shop', { arguments: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/' }),
      ),
    );
    expect(observed).toMatchEvent(connect('fd00:ec2::254', 80, inPod('/usr/bin/wget'), 'AF_INET6'));
    expect(observed).toMatchEvent(connect('100.100.100.200', 80, inPod('/usr/bin/python3', 'ml')));
    // a dual-stack client (IPv6 socket) passes the IPv4-mapped address
    expect(observed).toMatchEvent(connect('::ffff:100.100.100.200', 80, inPod('/usr/bin/java', 'ml'), 'AF_INET6'));
  });

  test('ignores link-local neighbours, DNS, the node itself and kube-system agents', () => {
    expect(observed).not.toMatchEvent(connect('169.254.20.10', 53, inPod('/usr/bin/dig')));
    expect(observed).not.toMatchEvent(connect('10.96.0.10', 53, inPod('/usr/sbin/nginx')));
    expect(observed).not.toMatchEvent(connect('169.254.169.254', 80, onHost('/usr/bin/cloud-init')));
    expect(observed).not.toMatchEvent(connect('169.254.169.254', 80, inPod('/usr/bin/aws-node', 'kube-system')));
  });

  test('enforcement with Override EACCES renders monitor mode first', () => {
    const policy = render({ enforcement: { action: EnforcementAction.override(Errno.EACCES), scope: EnforcementScope.allPods() } });
    expect(policy.spec.options).toStrictEqual([
      { name: 'disable-kprobe-multi', value: '1' },
      { name: 'policy-mode', value: 'monitor' },
    ]);
    expect(policy).toMatchEvent(connect('169.254.169.254', 80), { actions: ['Post'] });
    expect(() => render({ addresses: ['169.254.169.254/33'] })).toThrow(
      /test\/Imds: addresses: got "169.254.169.254\/33"; prefix length must be 0-32/,
    );
  });
});
