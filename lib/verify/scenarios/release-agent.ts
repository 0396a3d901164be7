/**
 * release-agent: `security_file_permission(file, mask)` with Postfix `/release_agent` or `/notify_on_release`
 * AND Mask MAY_WRITE, from pods. A write(2) passes MAY_WRITE alone (also with `>>`). The escape mounts a
 * cgroup v1 hierarchy first. The kernel creates hierarchies only in the initial cgroup namespace, so the node
 * creates a named one (`none,name=vt`, beside the guest's cgroup v2) and the container mounts that one, as the
 * attack mounts a controller the node already uses.
 */
import { SimulatedEvent, SimulatedProcess } from '../../simulate/event';
import { Scenario } from '../scenario';
import { MAY_READ, MAY_WRITE, family, file, kprobe } from './private/support';

const access = (path: string, mask: number, p: SimulatedProcess): SimulatedEvent =>
  kprobe('security_file_permission', [file(path), mask], p, { name: `${mask === MAY_WRITE ? 'write' : 'read'} ${path}` });
/** Mounts the named cgroup v1 hierarchy at DIR unless it is there already (busybox sh). */
const mountV1 = (dir: string) =>
  `mkdir -p ${dir} && { grep -q " ${dir} cgroup " /proc/mounts || mount -t cgroup -o none,name=vt cgroup ${dir}; }`;
/** The node's mount of the hierarchy, which creates it in the initial cgroup namespace and keeps it alive. */
const NODE_HIERARCHY = [mountV1('/tmp/vt-cgroup-v1')];

export const RELEASE_AGENT_SCENARIOS: Scenario[] = family('release-agent', {
  catch: [
    {
      id: 'write-release-agent',
      summary: '`echo $host_path/cmd > /tmp/cgrp/release_agent` after mounting cgroup v1 in a privileged pod',
      trigger: {
        argv: ['sh', '-c', `${mountV1('/tmp/cgrp')} && echo /vt-cmd > /tmp/cgrp/release_agent`],
        place: 'privileged-container',
        setup: NODE_HIERARCHY,
      },
      events: (p) => [access('/tmp/cgrp/release_agent', MAY_WRITE, p)],
    },
    {
      id: 'write-notify-on-release',
      summary: '`echo 1 > /tmp/cgrp/x/notify_on_release`',
      trigger: {
        argv: ['sh', '-c', `${mountV1('/tmp/cgrp')} && mkdir -p /tmp/cgrp/x && echo 1 > /tmp/cgrp/x/notify_on_release`],
        place: 'privileged-container',
        setup: NODE_HIERARCHY,
      },
      events: (p) => [access('/tmp/cgrp/x/notify_on_release', MAY_WRITE, p)],
    },
    {
      id: 'append-release-agent-elsewhere',
      summary: 'The same hierarchy mounted elsewhere (/mnt/rdma), release_agent appended with >>',
      trigger: {
        argv: ['sh', '-c', `${mountV1('/mnt/rdma')} && echo /vt-cmd >> /mnt/rdma/release_agent`],
        place: 'privileged-container',
        setup: NODE_HIERARCHY,
      },
      events: (p) => [access('/mnt/rdma/release_agent', MAY_WRITE, p)],
    },
  ],
  ignore: [
    {
      id: 'node-sets-release-agent',
      summary: 'systemd setting release_agent on a cgroup v1 node (host process)',
      trigger: { argv: ['vt-file', 'rewrite', '/tmp/vt-cgroup-v1/release_agent'], setup: NODE_HIERARCHY },
      events: (p) => [access('/tmp/vt-cgroup-v1/release_agent', MAY_WRITE, p)],
    },
    {
      id: 'read-notify-on-release',
      summary: 'A monitoring agent reading notify_on_release',
      trigger: {
        argv: ['sh', '-c', `${mountV1('/tmp/cgrp')} && cat /tmp/cgrp/notify_on_release`],
        place: 'privileged-container',
        setup: NODE_HIERARCHY,
      },
      events: (p) => [access('/tmp/cgrp/notify_on_release', MAY_READ, p)],
    },
    {
      id: 'similar-file-name',
      summary: 'An application writing its own file whose name merely ends in "agent" (/var/lib/app/user_agent)',
      trigger: { argv: ['vt-file', 'append', '-p', '/var/lib/app/user_agent', 'vt'], place: 'container' },
      events: (p) => [access('/var/lib/app/user_agent', MAY_WRITE, p)],
    },
  ],
});
