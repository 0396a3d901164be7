/**
 * msr-access: `security_file_open(file)` of `/dev/cpu/<n>/msr`, `security_kernel_read_file(file, id)` of the
 * msr module, and `security_kernel_module_request(name)` for `msr` or the MSR character major 202, host
 * included. Opening a major-202 node the kernel has no driver for makes it request `char-major-202-<minor>`.
 */
import { SimulatedEvent, SimulatedProcess } from '../../simulate/event';
import { Scenario } from '../scenario';
import { family, file, kprobe, str } from './private/support';

const READING_MODULE = 2;
const READING_KEXEC_IMAGE = 3;
const open = (path: string, p: SimulatedProcess, fileType: 'reg' | 'chr' = 'chr'): SimulatedEvent =>
  kprobe('security_file_open', [file(path, fileType)], p, { name: `open ${path}` });
const request = (name: string, p: SimulatedProcess): SimulatedEvent =>
  kprobe('security_kernel_module_request', [str(name)], p, { name: `request ${name}` });
/** The MSR device of CPU 0, made when the msr module has not made it. */
const MSR_DEVICE = '[ -e /dev/cpu/0/msr ] || { mkdir -p /dev/cpu/0 && mknod /dev/cpu/0/msr c 202 0; }';
/** The msr module file of the running kernel, whatever its compression, at a fixed path. */
export const MSR_MODULE_LINK = 'ln -sf "$(find /lib/modules/$(uname -r) -name \'msr.ko*\' | head -n 1)" /tmp/vt-msr-module';
/** Where Debian 12's kernel package keeps the msr module: what security_kernel_read_file sees once the link is followed. */
export const MSR_MODULE_PATH = '/lib/modules/6.1.0-57-amd64/kernel/arch/x86/kernel/msr.ko';

export const MSR_ACCESS_SCENARIOS: Scenario[] = family('msr-access', {
  catch: [
    {
      id: 'open-msr-device',
      summary: 'XMRig writing MSRs: opening /dev/cpu/0/msr (without the driver the kernel also requests char-major-202-0)',
      trigger: { argv: ['vt-file', 'open', '/dev/cpu/0/msr'], setup: [MSR_DEVICE] },
      events: (p) => [open('/dev/cpu/0/msr', p), request('char-major-202-0', p)],
    },
    {
      id: 'load-msr-module',
      summary: '`modprobe msr allow_writes=on` on the node: finit_module of the msr module file',
      trigger: { argv: ['vt-module', 'finit', '/tmp/vt-msr-module'], setup: ['rmmod msr 2>/dev/null; true', MSR_MODULE_LINK] },
      events: (p) => [kprobe('security_kernel_read_file', [file(MSR_MODULE_PATH), READING_MODULE], p)],
    },
    {
      id: 'msr-major-auto-load',
      summary: 'The kernel asked to load msr for a device node made with mknod (char-major-202-3)',
      trigger: {
        argv: ['vt-file', 'mknod', '/tmp/vt-msr3', 'c', '202', '3', '--', 'open', '/tmp/vt-msr3'],
        setup: ['rmmod msr 2>/dev/null; true'],
      },
      events: (p) => [open('/tmp/vt-msr3', p), request('char-major-202-3', p)],
    },
  ],
  ignore: [
    {
      id: 'cpuid-device',
      summary: 'Reading CPU information from /dev/cpu/0/cpuid (major 203)',
      trigger: { argv: ['vt-file', 'mknod', '/tmp/vt-cpuid0', 'c', '203', '0', '--', 'open', '/tmp/vt-cpuid0'] },
      events: (p) => [open('/tmp/vt-cpuid0', p), request('char-major-203-0', p)],
    },
    {
      id: 'cpuinfo',
      summary: 'Reading /proc/cpuinfo',
      trigger: { argv: ['cat', '/proc/cpuinfo'] },
      events: (p) => [open('/proc/cpuinfo', p, 'reg')],
    },
    {
      id: 'other-module',
      summary: 'Another module being loaded (xt_nat)',
      trigger: { argv: ['vt-module', '--zeros', 'finit', '/tmp/vt-xt_nat.ko'] },
      events: (p) => [kprobe('security_kernel_read_file', [file('/tmp/vt-xt_nat.ko'), READING_MODULE], p)],
    },
    {
      id: 'non-module-file-named-msr',
      summary: 'A kernel file read that is not a module, though named msr.ko (a kexec image)',
      trigger: { argv: ['vt-module', '--zeros', 'kexec', '/tmp/vt-kexec/msr.ko'], setup: ['mkdir -p /tmp/vt-kexec'] },
      events: (p) => [kprobe('security_kernel_read_file', [file('/tmp/vt-kexec/msr.ko'), READING_KEXEC_IMAGE], p)],
    },
    {
      id: 'other-module-request',
      summary: 'A module request for something else (net-pf-12, for a socket family the kernel lacks)',
      trigger: { argv: ['vt-socket', '12', 'stream'] },
      events: (p) => [request('net-pf-12', p)],
    },
    {
      id: 'trusted-power-tool',
      summary: 'turbostat on the node, listed in trustedBinaries, opening /dev/cpu/0/msr',
      trigger: { argv: ['vt-file', 'open', '/dev/cpu/0/msr'], binaryPath: '/usr/bin/turbostat', setup: [MSR_DEVICE] },
      props: { trustedBinaries: ['/usr/bin/turbostat'] },
      events: (p) => [open('/dev/cpu/0/msr', p), request('char-major-202-0', p)],
    },
  ],
});
