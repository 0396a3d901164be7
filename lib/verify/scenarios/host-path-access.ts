/**
 * host-path-access: `security_file_open(file)` of node files through a host mount (Prefix `/host/`, ... and
 * NotPrefix their `proc/` and `sys/`) or of block devices (FileType blk), from pods. The privileged container
 * has the node's root at /host, as a privileged pod with a hostPath volume of `/`.
 */
import { SimulatedEvent, SimulatedProcess } from '../../simulate/event';
import { Scenario } from '../scenario';
import { MAY_READ, family, file, kprobe } from './private/support';

const open = (path: string, p: SimulatedProcess, fileType: 'reg' | 'blk' = 'reg'): SimulatedEvent =>
  kprobe('security_file_open', [file(path, fileType)], p, { name: `open ${path}` });
/** A block device node made in place (the device need not exist: the open is hooked before the driver runs). */
const OPEN_DISK = ['vt-file', 'mknod', '/tmp/vt-disk', 'b', '259', '1', '--', 'open', '/tmp/vt-disk'];

export const HOST_PATH_ACCESS_SCENARIOS: Scenario[] = family('host-path-access', {
  catch: [
    {
      id: 'node-shadow',
      summary: "Reading the node's shadow file through a hostPath mount of / (/host/etc/shadow)",
      trigger: { argv: ['cat', '/host/etc/shadow'], place: 'privileged-container' },
      events: (p) => [open('/host/etc/shadow', p)],
    },
    {
      id: 'plant-node-ssh-key',
      summary: 'Planting an SSH key on the node (/host/root/.ssh/authorized_keys)',
      trigger: {
        argv: ['vt-file', 'append', '-p', '/host/root/.ssh/authorized_keys', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHZ0 vt'],
        place: 'privileged-container',
      },
      events: (p) => [open('/host/root/.ssh/authorized_keys', p)],
    },
    {
      id: 'node-credentials',
      summary: "Reading the node's account database through the host mount (/host/etc/passwd)",
      trigger: { argv: ['vt-file', 'open', '/host/etc/passwd'], place: 'privileged-container' },
      events: (p) => [open('/host/etc/passwd', p)],
    },
    {
      id: 'block-device',
      summary: "Opening a disk's block device from a privileged pod, as debugfs -w /dev/nvme0n1p1 does",
      trigger: { argv: OPEN_DISK, place: 'privileged-container' },
      events: (p) => [open('/tmp/vt-disk', p, 'blk')],
    },
  ],
  ignore: [
    {
      id: 'node-proc',
      summary: "node-exporter reading the node's /proc through /host/proc",
      trigger: { argv: ['cat', '/host/proc/stat'], place: 'privileged-container' },
      events: (p) => [open('/host/proc/stat', p), kprobe('security_file_permission', [file('/host/proc/stat'), MAY_READ], p)],
    },
    {
      id: 'node-opens-disk',
      summary: "The node itself opening a disk's block device (host process)",
      trigger: { argv: OPEN_DISK },
      events: (p) => [open('/tmp/vt-disk', p, 'blk')],
    },
    {
      id: 'hosts-file',
      summary: 'An application reading a file whose path merely contains "host" (/etc/hosts)',
      trigger: { argv: ['cat', '/etc/hosts'], place: 'container' },
      events: (p) => [open('/etc/hosts', p)],
    },
    {
      id: 'trusted-log-shipper',
      summary: 'A log shipper listed in trustedBinaries reading node files through /host',
      trigger: { argv: ['vt-file', 'open', '/host/etc/passwd'], place: 'privileged-container', binaryPath: '/bin/fluent-bit' },
      props: { trustedBinaries: ['/bin/fluent-bit'] },
      events: (p) => [open('/host/etc/passwd', p)],
    },
  ],
});
