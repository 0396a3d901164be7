/**
 * kernel-control-write: `security_file_permission(file, mask)` with Postfix on core_pattern, modprobe,
 * uevent_helper, hotplug, binfmt_misc/register and sysrq-trigger AND Mask MAY_WRITE; systemd-sysctl trusted.
 * The triggers write back the value they read (or a harmless or invalid one), so nothing changes.
 */
import { SimulatedEvent, SimulatedProcess } from '../../simulate/event';
import { Scenario } from '../scenario';
import { MAY_READ, MAY_WRITE, family, file, kprobe } from './private/support';

const access = (path: string, mask: number, p: SimulatedProcess): SimulatedEvent =>
  kprobe('security_file_permission', [file(path), mask], p, { name: `${mask === MAY_WRITE ? 'write' : 'read'} ${path}` });
/** `vt-file rewrite`: a read, then the same bytes written back. */
const rewrite = (path: string, p: SimulatedProcess): SimulatedEvent[] => [access(path, MAY_READ, p), access(path, MAY_WRITE, p)];

export const KERNEL_CONTROL_WRITE_SCENARIOS: Scenario[] = family('kernel-control-write', {
  catch: [
    {
      id: 'core-pattern-from-privileged-pod',
      summary: 'The core_pattern pipe escape: writing /proc/sys/kernel/core_pattern from a privileged pod',
      trigger: { argv: ['vt-file', 'rewrite', '/proc/sys/kernel/core_pattern'], place: 'privileged-container' },
      events: (p) => rewrite('/proc/sys/kernel/core_pattern', p),
    },
    {
      id: 'core-pattern-through-host-proc',
      summary: "core_pattern through the node's /proc mounted elsewhere (/host/proc/sys/kernel/core_pattern)",
      trigger: {
        argv: ['vt-file', 'rewrite', '/host/proc/sys/kernel/core_pattern'],
        setup: ['mkdir -p /host/proc && { grep -q " /host/proc " /proc/mounts || mount -t proc proc /host/proc; }'],
      },
      events: (p) => rewrite('/host/proc/sys/kernel/core_pattern', p),
    },
    {
      id: 'modprobe-path',
      summary: "Overwriting the kernel's modprobe path",
      trigger: { argv: ['vt-file', 'rewrite', '/proc/sys/kernel/modprobe'] },
      events: (p) => rewrite('/proc/sys/kernel/modprobe', p),
    },
    {
      id: 'sysrq-trigger',
      summary: 'Writing /proc/sysrq-trigger on the node (h: print the help, instead of c: crash)',
      trigger: { argv: ['vt-file', 'write', '/proc/sysrq-trigger', 'h'] },
      events: (p) => [access('/proc/sysrq-trigger', MAY_WRITE, p)],
    },
    {
      id: 'binfmt-misc-register',
      summary: 'Registering a binfmt_misc interpreter (an invalid rule here, refused after the hook)',
      trigger: {
        argv: ['vt-file', 'write', '/proc/sys/fs/binfmt_misc/register', 'vt-invalid'],
        setup: ['grep -q binfmt_misc /proc/mounts || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc'],
      },
      events: (p) => [access('/proc/sys/fs/binfmt_misc/register', MAY_WRITE, p)],
    },
  ],
  ignore: [
    {
      id: 'read-core-pattern',
      summary: 'Reading core_pattern from a pod',
      trigger: { argv: ['cat', '/proc/sys/kernel/core_pattern'], place: 'container' },
      events: (p) => [access('/proc/sys/kernel/core_pattern', MAY_READ, p)],
    },
    {
      id: 'boot-time-sysctl',
      summary: 'systemd-sysctl applying sysctl.d at boot (trusted by default)',
      trigger: { argv: ['vt-file', 'rewrite', '/proc/sys/kernel/core_pattern'], binaryPath: '/usr/lib/systemd/systemd-sysctl' },
      events: (p) => rewrite('/proc/sys/kernel/core_pattern', p),
    },
    {
      id: 'other-sysctl-on-node',
      summary: 'A network agent on the node writing net.ipv4.ip_forward',
      trigger: { argv: ['vt-file', 'rewrite', '/proc/sys/net/ipv4/ip_forward'] },
      events: (p) => rewrite('/proc/sys/net/ipv4/ip_forward', p),
    },
    {
      id: 'other-sysctl-in-pod',
      summary: "A privileged pod writing vm.max_map_count (Elasticsearch's init container)",
      trigger: { argv: ['vt-file', 'rewrite', '/proc/sys/vm/max_map_count'], place: 'privileged-container' },
      events: (p) => rewrite('/proc/sys/vm/max_map_count', p),
    },
  ],
});
