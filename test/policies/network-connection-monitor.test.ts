import { NetworkConnectionMonitor } from '../../lib';
import { validateAgainstCrd } from '../../lib/private/crd-schema';
import { kprobe, newChart, policyNamed, synth } from '../support/synth';

function render(props = {}) {
  const chart = newChart();
  new NetworkConnectionMonitor(chart, 'Net', props);
  return policyNamed(synth(chart), 'network-connection-monitor');
}

describe('NetworkConnectionMonitor', () => {
  test('probes tcp_connect with a sock argument and drops loopback in the kernel', () => {
    const policy = render();
    const connect = kprobe(policy, 'tcp_connect');
    expect(connect.syscall).toBe(false);
    expect(connect.args).toStrictEqual([{ index: 0, type: 'sock' }]);
    expect(connect.selectors[0].matchArgs).toStrictEqual([
      { index: 0, operator: 'NotDAddr', values: ['127.0.0.0/8', '::1/128', '::ffff:127.0.0.0/104'] },
    ]);
    expect(validateAgainstCrd(policy)).toStrictEqual([]);
  });

  test('pod and service CIDRs are excluded too (IPv4 and IPv6), every IPv4 CIDR also in its IPv4-mapped form', () => {
    const connect = kprobe(render({ podCidrs: ['10.244.0.0/16', 'fd00:10:244::/56'], serviceCidrs: ['10.96.0.0/12'] }), 'tcp_connect');
    expect(connect.selectors[0].matchArgs[0].values).toStrictEqual([
      '127.0.0.0/8',
      '::1/128',
      '10.244.0.0/16',
      'fd00:10:244::/56',
      '10.96.0.0/12',
      '::ffff:127.0.0.0/104',
      '::ffff:10.244.0.0/112',
      '::ffff:10.96.0.0/108',
    ]);
  });

  test('an invalid CIDR names the field and what is allowed', () => {
    expect(() => render({ podCidrs: ['10.244.0.0/40'] })).toThrow(
      /tcp_connect\)\.selectors\[0\]\.matchArgs\[0\]\.values\[2\]: got "10.244.0.0\/40"; prefix length must be 0-32 for IPv4/,
    );
  });
});
