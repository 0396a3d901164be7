import { EnforcementAction } from '../../lib/detections/detection-props';
import { HugePagesDetection } from '../../lib/detections/huge-pages-detection';
import { EnforcementScope, PolicyMode } from '../../lib/policy/enforcement';
import { tetragonMatchers } from '../../lib/testing';
import { kprobe, newChart, policyNamed, synth } from '../support/synth';
import { call, inPod, onHost, problemsOf } from './_support';

expect.extend(tetragonMatchers);

const MAY_WRITE = 0x2;
const MAY_READ = 0x4;
const access = (path: string, mask: number) => [{ kind: 'file' as const, path }, mask];

function render(props = {}) {
  const chart = newChart();
  new HugePagesDetection(chart, 'HP', props);
  return policyNamed(synth(chart), 'huge-pages');
}

describe('HugePagesDetection', () => {
  const policy = render();

  test('security_file_permission: sysctl files Equal, sysfs pools Prefix+Postfix, each ANDed with Mask MAY_WRITE', () => {
    const hook = kprobe(policy, 'security_file_permission');
    expect(hook.args).toStrictEqual([
      { index: 0, type: 'file' },
      { index: 1, type: 'int', label: 'mask' },
    ]);
    expect(hook.selectors.map((s: any) => s.matchArgs)).toStrictEqual([
      [
        {
          index: 0,
          operator: 'Equal',
          values: ['/proc/sys/vm/nr_hugepages', '/proc/sys/vm/nr_hugepages_mempolicy', '/proc/sys/vm/nr_overcommit_hugepages'],
        },
        { index: 1, operator: 'Mask', values: ['2'] },
      ],
      [
        { index: 0, operator: 'Prefix', values: ['/sys/devices/system/node/', '/sys/kernel/mm/hugepages/'] },
        { index: 0, operator: 'Postfix', values: ['/nr_hugepages', '/nr_overcommit_hugepages'] },
        { index: 1, operator: 'Mask', values: ['2'] },
      ],
    ]);
  });

  test('is clean against the CRD and the checker on every bundled kernel', () => {
    expect(problemsOf(policy)).toStrictEqual([]);
  });

  describe('must catch', () => {
    test('sysctl -w vm.nr_hugepages=1280 from a privileged pod', () => {
      expect(policy).toMatchEvent(call('security_file_permission', access('/proc/sys/vm/nr_hugepages', MAY_WRITE), inPod('/sbin/sysctl')));
    });
    test('XMRig reserving RandomX pages on NUMA node 0', () => {
      expect(policy).toMatchEvent(
        call(
          'security_file_permission',
          access('/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages', MAY_WRITE),
          inPod('/tmp/xmrig'),
        ),
      );
    });
    test('a miner on the node reserving 1 GB pages', () => {
      expect(policy).toMatchEvent(
        call(
          'security_file_permission',
          access('/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages', MAY_WRITE),
          onHost('/var/tmp/.x'),
        ),
      );
    });
  });

  describe('must ignore', () => {
    test('node-exporter reading the pool sizes', () => {
      expect(policy).not.toMatchEvent(
        call(
          'security_file_permission',
          access('/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages', MAY_READ),
          inPod('/bin/node_exporter'),
        ),
      );
    });
    test('writes to other vm sysctls', () => {
      expect(policy).not.toMatchEvent(
        call(
          'security_file_permission',
          access('/proc/sys/vm/max_map_count', MAY_WRITE),
          inPod('/usr/share/elasticsearch/bin/elasticsearch'),
        ),
      );
    });
    test('free_hugepages is read-only status, never matched', () => {
      expect(policy).not.toMatchEvent(
        call(
          'security_file_permission',
          access('/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages', MAY_WRITE),
          onHost('/usr/bin/tuned'),
        ),
      );
    });
    test('a trusted DPDK application', () => {
      const p = render({ trustedBinaries: ['/usr/bin/dpdk-testpmd'] });
      expect(p).not.toMatchEvent(
        call('security_file_permission', access('/proc/sys/vm/nr_hugepages', MAY_WRITE), inPod('/usr/bin/dpdk-testpmd')),
      );
    });
  });

  test('enforcement: Override fails the write in enforce mode; monitor mode only reports', () => {
    const scope = EnforcementScope.namespaces(['web']);
    const ev = call('security_file_permission', access('/proc/sys/vm/nr_hugepages', MAY_WRITE), inPod('/sbin/sysctl', 'web'));
    const enforce = render({ enforcement: { action: EnforcementAction.override(1), scope, mode: PolicyMode.ENFORCE } });
    expect(enforce).toMatchEvent(ev, { actions: ['Override'] });
    expect(problemsOf(enforce)).toStrictEqual([]);
    const monitor = render({ enforcement: { action: EnforcementAction.override(1), scope } });
    expect(monitor.spec.options).toContainEqual({ name: 'policy-mode', value: 'monitor' });
    expect(monitor).not.toMatchEvent(ev, { actions: ['Override'] });
    expect(monitor).toMatchEvent(ev);
  });
});
