/**
 * container-mount: `security_sb_mount(source, target, type, flags)` with a sensitive file-system type or a
 * host-disk source, `sys_fsopen(type)`, `security_move_mount(from, to)` and `sys_pivot_root`, from pods whose
 * mount namespace is not the host's. security_sb_mount runs before the permission check, so an unprivileged
 * container's attempt is reported; move_mount needs the privilege to reach its hook.
 */
import { SimulatedEvent, SimulatedProcess } from '../../simulate/event';
import { Scenario, VERIFY_POD } from '../scenario';
import { family, kprobe, pathArg, str, sys } from './private/support';

const MS_BIND = 0x1000;
const mount = (source: string, target: string, type: string, flags: number, p: SimulatedProcess): SimulatedEvent =>
  kprobe('security_sb_mount', [str(source), pathArg(target, 'dir'), str(type), flags], p, {
    name: `mount ${type || '(no type)'} ${source} on ${target}`,
  });

export const CONTAINER_MOUNT_SCENARIOS: Scenario[] = family('container-mount', {
  catch: [
    {
      id: 'cgroup-v1-mount',
      summary: "The release_agent escape's first step: `mount -t cgroup -o rdma cgroup /tmp/cgrp`",
      trigger: { argv: ['vt-mount', 'mount', 'cgroup', '/tmp/cgrp', 'cgroup', 'rdma'], place: 'container' },
      events: (p) => [mount('cgroup', '/tmp/cgrp', 'cgroup', 0, p)],
    },
    {
      id: 'host-disk-mount',
      summary: "Mounting the node's disk: `mount /dev/nvme0n1p1 /mnt` (xfs)",
      trigger: { argv: ['vt-mount', 'mount', '/dev/nvme0n1p1', '/mnt', 'xfs'], place: 'container' },
      events: (p) => [mount('/dev/nvme0n1p1', '/mnt', 'xfs', 0, p)],
    },
    {
      id: 'fsopen-proc',
      summary: 'util-linux 2.39 mounting procfs through the new mount API: fsopen("proc")',
      trigger: { argv: ['vt-mount', 'fsopen', 'proc'], place: 'container' },
      events: (p) => [kprobe(sys('fsopen'), [str('proc'), 1], p)],
    },
    {
      id: 'pivot-root',
      summary: 'pivot_root into a host file system mounted in the pod',
      trigger: { argv: ['vt-mount', 'pivot-root', '/mnt/host', '/mnt/host/old'], place: 'container' },
      events: (p) => [kprobe(sys('pivot_root'), [str('/mnt/host'), str('/mnt/host/old')], p)],
    },
    {
      id: 'open-tree-move-mount',
      summary: 'An open_tree clone of / attached with move_mount at /mnt/root (privileged container)',
      trigger: { argv: ['vt-mount', 'move-mount', '/', '/mnt/root'], place: 'privileged-container' },
      events: (p) => [kprobe('security_move_mount', [pathArg('/', 'dir'), pathArg('/mnt/root', 'dir')], p)],
    },
  ],
  ignore: [
    {
      id: 'node-volume-mount',
      summary: 'The kubelet mounting a volume on the node (host process)',
      trigger: { argv: ['vt-mount', 'mount', '/dev/vt-volume', '/tmp/vt-volume', 'ext4'] },
      events: (p) => [mount('/dev/vt-volume', '/tmp/vt-volume', 'ext4', 0, p)],
    },
    {
      id: 'tmpfs-scratch',
      summary: 'A tmpfs scratch mount in a pod',
      trigger: { argv: ['vt-mount', 'mount', 'tmpfs', '/scratch', 'tmpfs'], place: 'container' },
      events: (p) => [mount('tmpfs', '/scratch', 'tmpfs', 0, p)],
    },
    {
      id: 'overlay-builder',
      summary: 'An overlay mount by an image builder',
      trigger: { argv: ['vt-mount', 'mount', 'overlay', '/tmp/vt-overlay', 'overlay'], place: 'container' },
      events: (p) => [mount('overlay', '/tmp/vt-overlay', 'overlay', 0, p)],
    },
    {
      id: 'bind-mount',
      summary: 'A bind mount of a pod path (no type, no /dev source)',
      trigger: { argv: ['vt-mount', 'bind', '/tmp', '/srv/data'], place: 'container' },
      events: (p) => [mount('/tmp', '/srv/data', '', MS_BIND, p)],
    },
    {
      id: 'csi-plugin-scoped-out',
      summary: 'A CSI node plugin in kube-system mounting a block device, scoped out with a podSelector',
      trigger: { argv: ['vt-mount', 'mount', '/dev/xvdba', '/tmp/vt-globalmount', 'ext4'], place: 'container' },
      props: {
        podSelector: { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'NotIn', values: ['kube-system'] }] },
      },
      events: (p) => [mount('/dev/xvdba', '/tmp/vt-globalmount', 'ext4', 0, { ...p, pod: { ...VERIFY_POD, namespace: 'kube-system' } })],
      knownLimit: {
        side: 'agent',
        reason:
          "The guest has no Kubernetes: the trigger's container cannot be placed in kube-system, so only the simulator proves the namespace exclusion.",
      },
    },
  ],
});
