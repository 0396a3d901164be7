/**
 * kernel-module-load: `security_kernel_read_file(file, id)` and `security_kernel_load_data(id, contents)` with
 * the module ids (2), `do_init_module` (a module that really loads) and `security_kernel_module_request(name)`,
 * node and pods alike unless `containersOnly`. A file of zeros reaches the read and load hooks and is refused;
 * the real load uses the kernel's own msr module.
 */
import { SimulatedEvent, SimulatedProcess } from '../../simulate/event';
import { Scenario } from '../scenario';
import { MSR_MODULE_LINK, MSR_MODULE_PATH } from './msr-access';
import { family, file, kprobe, str } from './private/support';

const READING_MODULE = 2;
const READING_KEXEC_IMAGE = 3;
const CONTAINERS_ONLY = { containersOnly: true };
const readFile = (path: string, id: number, p: SimulatedProcess): SimulatedEvent =>
  kprobe('security_kernel_read_file', [file(path), id], p, { name: `read ${path} id ${id}` });
const request = (name: string, p: SimulatedProcess): SimulatedEvent =>
  kprobe('security_kernel_module_request', [str(name)], p, { name: `request ${name}` });

export const KERNEL_MODULE_LOAD_SCENARIOS: Scenario[] = family('kernel-module-load', {
  catch: [
    {
      id: 'insmod-file',
      summary: '`insmod ./rootkit.ko` on the node (finit_module reads the file; zeros are refused after the hook)',
      trigger: { argv: ['vt-module', '--zeros', 'finit', '/root/rootkit.ko'] },
      events: (p) => [readFile('/root/rootkit.ko', READING_MODULE, p)],
    },
    {
      id: 'init-module-in-privileged-pod',
      summary: 'init_module from memory in a privileged pod (containersOnly)',
      trigger: { argv: ['vt-module', '--zeros', 'init', '/tmp/loader.ko'], place: 'privileged-container' },
      props: CONTAINERS_ONLY,
      events: (p) => [kprobe('security_kernel_load_data', [READING_MODULE, 1], p)],
    },
    {
      id: 'finit-in-privileged-pod',
      summary: 'insmod of a module file in a privileged pod (containersOnly)',
      trigger: { argv: ['vt-module', '--zeros', 'finit', '/tmp/diamorphine.ko'], place: 'privileged-container' },
      props: CONTAINERS_ONLY,
      events: (p) => [readFile('/tmp/diamorphine.ko', READING_MODULE, p)],
    },
    {
      id: 'module-initialised',
      summary: "A module that really loads (the kernel's msr module) reaching do_init_module",
      trigger: { argv: ['vt-module', 'finit', '/tmp/vt-msr-module'], setup: ['rmmod msr 2>/dev/null; true', MSR_MODULE_LINK] },
      events: (p) => [readFile(MSR_MODULE_PATH, READING_MODULE, p), kprobe('do_init_module', [{ kind: 'opaque', value: 'msr' }], p)],
    },
    {
      id: 'module-request',
      summary: 'The kernel asked to load a module for an unknown socket family (net-pf-12)',
      trigger: { argv: ['vt-socket', '12', 'stream'] },
      events: (p) => [request('net-pf-12', p)],
    },
  ],
  ignore: [
    {
      id: 'kexec-image-read',
      summary: 'A kexec kernel image read (id READING_KEXEC_IMAGE; refused: zeros are no kernel)',
      trigger: { argv: ['vt-module', '--zeros', 'kexec', '/tmp/vt-vmlinuz'] },
      events: (p) => [readFile('/tmp/vt-vmlinuz', READING_KEXEC_IMAGE, p)],
    },
    {
      id: 'node-load-containers-only',
      summary: 'A module load on the node with containersOnly',
      trigger: { argv: ['vt-module', '--zeros', 'finit', '/tmp/vt-xt_conntrack.ko'] },
      props: CONTAINERS_ONLY,
      events: (p) => [readFile('/tmp/vt-xt_conntrack.ko', READING_MODULE, p)],
    },
    {
      id: 'node-request-containers-only',
      summary: 'A module request on the node with containersOnly',
      trigger: { argv: ['vt-socket', '12', 'stream'] },
      props: CONTAINERS_ONLY,
      events: (p) => [request('net-pf-12', p)],
    },
  ],
});
