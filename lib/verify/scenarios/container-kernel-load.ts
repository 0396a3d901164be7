/**
 * container-kernel-load: `security_bpf(cmd, attr)` with BPF_PROG_LOAD (5), `security_kernel_read_file(file, id)`
 * and `security_kernel_load_data(id, contents)` with the module ids (2), from pods. Loading needs
 * CAP_SYS_MODULE or CAP_BPF, so the triggers run in a privileged container; a file of zeros reaches the hooks
 * and is then refused without loading anything.
 */
import { SimulatedEvent, SimulatedProcess } from '../../simulate/event';
import { Scenario } from '../scenario';
import { family, file, kprobe } from './private/support';

const BPF_MAP_CREATE = 0;
const BPF_PROG_LOAD = 5;
const READING_MODULE = 2;
const READING_KEXEC_IMAGE = 3;
const bpf = (cmd: number, p: SimulatedProcess): SimulatedEvent =>
  kprobe('security_bpf', [cmd, { kind: 'opaque' }], p, { name: `bpf cmd ${cmd}` });
const readFile = (path: string, id: number, p: SimulatedProcess): SimulatedEvent =>
  kprobe('security_kernel_read_file', [file(path), id], p, { name: `read ${path} id ${id}` });

export const CONTAINER_KERNEL_LOAD_SCENARIOS: Scenario[] = family('container-kernel-load', {
  catch: [
    {
      id: 'bpf-prog-load',
      summary: '`bpftool prog load` from a privileged pod (BPF_PROG_LOAD of a socket filter)',
      trigger: { argv: ['vt-bpf', 'prog-load'], place: 'privileged-container' },
      events: (p) => [bpf(BPF_PROG_LOAD, p)],
    },
    {
      id: 'insmod-file',
      summary: 'insmod of a rootkit module (finit_module reads /tmp/diamorphine.ko)',
      trigger: { argv: ['vt-module', '--zeros', 'finit', '/tmp/diamorphine.ko'], place: 'privileged-container' },
      events: (p) => [readFile('/tmp/diamorphine.ko', READING_MODULE, p)],
    },
    {
      id: 'init-module-memory',
      summary: 'init_module from memory by a dropped loader',
      trigger: { argv: ['vt-module', '--zeros', 'init', '/dev/shm/.l'], place: 'privileged-container' },
      events: (p) => [kprobe('security_kernel_load_data', [READING_MODULE, 1], p)],
    },
  ],
  ignore: [
    {
      id: 'bpf-loader-agent',
      summary: 'The Cilium agent (a default bpfLoaders entry) loading its datapath programs',
      trigger: { argv: ['vt-bpf', 'prog-load'], place: 'privileged-container', binaryPath: '/usr/bin/cilium-agent' },
      events: (p) => [bpf(BPF_PROG_LOAD, p)],
    },
    {
      id: 'bpf-map-only',
      summary: 'An application creating a BPF map only (no program)',
      trigger: { argv: ['vt-bpf', 'map-create'], place: 'privileged-container' },
      events: (p) => [bpf(BPF_MAP_CREATE, p)],
    },
    {
      id: 'non-module-file-read',
      summary: 'A kernel file read that is not a module (a kexec image; firmware loads look the same with id 1)',
      trigger: { argv: ['vt-module', '--zeros', 'kexec', '/tmp/vt-vmlinuz'], place: 'privileged-container' },
      events: (p) => [readFile('/tmp/vt-vmlinuz', READING_KEXEC_IMAGE, p)],
    },
    {
      id: 'node-module-load',
      summary: 'A module load on the node (systemd-modules-load; host process)',
      trigger: { argv: ['vt-module', '--zeros', 'finit', '/tmp/vt-nf_tables.ko'] },
      events: (p) => [readFile('/tmp/vt-nf_tables.ko', READING_MODULE, p)],
    },
  ],
});
