/**
 * bpf-activity: `bpf_check` (every program load), `security_bpf_map_alloc` (before 6.9) or
 * `security_bpf_map_create` (6.9 on), `security_perf_event_alloc`, and `security_file_permission` on
 * `/sys/fs/bpf/` with MAY_READ or MAY_WRITE (listing a bpffs directory reads it), host included; Cilium,
 * Tetragon, systemd and runc trusted.
 */
import { SimulatedEvent, SimulatedProcess } from '../../simulate/event';
import { Scenario } from '../scenario';
import { MAY_READ, family, file, kprobe, runcProcess } from './private/support';

const progLoad = (p: SimulatedProcess): SimulatedEvent =>
  kprobe('bpf_check', [null, { kind: 'opaque', value: { prog_type: 'BPF_PROG_TYPE_SOCKET_FILTER' } }, null], p);
const mapCreate = (p: SimulatedProcess): SimulatedEvent[] => [
  kprobe('security_bpf_map_alloc', [{ kind: 'opaque' }], p, { name: 'map create (before 6.9)' }),
  kprobe('security_bpf_map_create', [{ kind: 'opaque' }], p, { name: 'map create (6.9 on)' }),
];
const read = (path: string, p: SimulatedProcess): SimulatedEvent =>
  kprobe('security_file_permission', [file(path, 'dir'), MAY_READ], p, { name: `read ${path}` });

export const BPF_ACTIVITY_SCENARIOS: Scenario[] = family('bpf-activity', {
  catch: [
    {
      id: 'prog-load-in-pod',
      summary: '`bpftool prog load` in a privileged pod',
      trigger: { argv: ['vt-bpf', 'prog-load'], place: 'privileged-container' },
      events: (p) => [progLoad(p)],
    },
    {
      id: 'rootkit-loader-on-node',
      summary: 'A BPF rootkit loader on the node (/tmp/.cache/boopkit)',
      trigger: { argv: ['vt-bpf', 'prog-load'], binaryPath: '/tmp/.cache/boopkit' },
      events: (p) => [progLoad(p)],
    },
    {
      id: 'map-create',
      summary: 'A BPF map created by a script',
      trigger: { argv: ['vt-bpf', 'map-create'] },
      events: mapCreate,
    },
    {
      id: 'bpffs-read',
      summary: 'Listing pinned BPF objects under /sys/fs/bpf/',
      trigger: { argv: ['ls', '/sys/fs/bpf/vt'], setup: ['mkdir -p /sys/fs/bpf/vt'] },
      events: (p) => [read('/sys/fs/bpf/vt', p)],
    },
    {
      id: 'perf-event',
      summary: 'A profiler opening a perf event',
      trigger: { argv: ['vt-bpf', 'perf-open'] },
      events: (p) => [kprobe('security_perf_event_alloc', [{ kind: 'opaque' }], p)],
    },
  ],
  ignore: [
    {
      id: 'cilium-agent',
      summary: 'The Cilium agent loading its programs (trusted by default)',
      trigger: { argv: ['vt-bpf', 'prog-load', 'map-create'], place: 'privileged-container', binaryPath: '/usr/bin/cilium-agent' },
      events: (p) => [progLoad(p), ...mapCreate(p)],
    },
    {
      id: 'runc-device-filter',
      summary: "A container start: runc loads the container's cgroup device program (trusted by default)",
      trigger: { argv: ['true'], place: 'container', start: 'run' },
      events: () => [progLoad(runcProcess(false))],
    },
    {
      id: 'cgroup-file',
      summary: 'Reading a cgroup file, not a BPF one',
      trigger: { argv: ['cat', '/sys/fs/cgroup/cgroup.controllers'] },
      events: (p) => [kprobe('security_file_permission', [file('/sys/fs/cgroup/cgroup.controllers'), MAY_READ], p)],
    },
    {
      id: 'bpffs-root-listing',
      summary: 'Listing /sys/fs/bpf itself (the prefix is /sys/fs/bpf/, below the mount point)',
      trigger: { argv: ['ls', '/sys/fs/bpf'] },
      events: (p) => [read('/sys/fs/bpf', p)],
    },
  ],
});
