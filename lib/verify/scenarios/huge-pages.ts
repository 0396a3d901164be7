/**
 * huge-pages: `security_file_permission(file, mask)` with MAY_WRITE on the vm.nr_hugepages sysctls (Equal)
 * and the sysfs pool files (Prefix AND Postfix), host included. The triggers write back the value they read.
 */
import { SimulatedEvent, SimulatedProcess } from '../../simulate/event';
import { Scenario } from '../scenario';
import { MAY_READ, MAY_WRITE, family, file, kprobe } from './private/support';

const access = (path: string, mask: number, p: SimulatedProcess): SimulatedEvent =>
  kprobe('security_file_permission', [file(path), mask], p, { name: `${mask === MAY_WRITE ? 'write' : 'read'} ${path}` });
const rewrite = (path: string, p: SimulatedProcess): SimulatedEvent[] => [access(path, MAY_READ, p), access(path, MAY_WRITE, p)];
const NODE0_2M = '/sys/devices/system/node/node0/hugepages/hugepages-2048kB/nr_hugepages';
const POOL_2M = '/sys/kernel/mm/hugepages/hugepages-2048kB';

export const HUGE_PAGES_SCENARIOS: Scenario[] = family('huge-pages', {
  catch: [
    {
      id: 'sysctl-from-privileged-pod',
      summary: '`sysctl -w vm.nr_hugepages=...` from a privileged pod',
      trigger: { argv: ['vt-file', 'rewrite', '/proc/sys/vm/nr_hugepages'], place: 'privileged-container' },
      events: (p) => rewrite('/proc/sys/vm/nr_hugepages', p),
    },
    {
      id: 'numa-node-pool',
      summary: 'XMRig reserving RandomX pages on NUMA node 0',
      trigger: { argv: ['vt-file', 'rewrite', NODE0_2M] },
      events: (p) => rewrite(NODE0_2M, p),
    },
    {
      id: 'global-pool',
      summary: 'A miner on the node sizing the global 2 MB pool',
      trigger: { argv: ['vt-file', 'rewrite', `${POOL_2M}/nr_hugepages`] },
      events: (p) => rewrite(`${POOL_2M}/nr_hugepages`, p),
    },
  ],
  ignore: [
    {
      id: 'read-pool-size',
      summary: 'node-exporter reading the pool sizes',
      trigger: { argv: ['cat', NODE0_2M] },
      events: (p) => [access(NODE0_2M, MAY_READ, p)],
    },
    {
      id: 'other-vm-sysctl',
      summary: 'A write to another vm sysctl (vm.max_map_count)',
      trigger: { argv: ['vt-file', 'rewrite', '/proc/sys/vm/max_map_count'] },
      events: (p) => rewrite('/proc/sys/vm/max_map_count', p),
    },
    {
      id: 'free-hugepages-read-only',
      summary: 'free_hugepages is read-only status: opening it for writing is refused, so no write reaches the hook',
      trigger: { argv: ['vt-file', 'write', `${POOL_2M}/free_hugepages`, '0'] },
      events: () => [],
    },
    {
      id: 'trusted-dpdk',
      summary: 'A DPDK application listed in trustedBinaries sizing the pool',
      trigger: { argv: ['vt-file', 'rewrite', '/proc/sys/vm/nr_hugepages'], binaryPath: '/usr/bin/dpdk-testpmd' },
      props: { trustedBinaries: ['/usr/bin/dpdk-testpmd'] },
      events: (p) => rewrite('/proc/sys/vm/nr_hugepages', p),
    },
  ],
});
