import { ContainerMountDetection } from '../../lib/detections/container-mount-detection';
import { EnforcementAction } from '../../lib/detections/detection-props';
import { EnforcementScope, PolicyMode } from '../../lib/policy/enforcement';
import { tetragonMatchers } from '../../lib/testing';
import { kprobe, newChart, policyNamed, synth } from '../support/synth';
import { OVERRIDE_KERNELS, call, inPod, onHost, problemsOf } from './_support';

expect.extend(tetragonMatchers);

const dir = (path: string) => ({ kind: 'path' as const, path, fileType: 'dir' as const });
const MS_BIND = 0x1000;

/** Renders the detection; `kernels` sets the kernel set (context cdk8s-tetragon:kernels). */
function render(props = {}, kernels?: unknown[]) {
  const chart = newChart();
  if (kernels) chart.node.setContext('cdk8s-tetragon:kernels', kernels);
  new ContainerMountDetection(chart, 'Mount', props);
  return policyNamed(synth(chart), 'container-mount');
}

describe('ContainerMountDetection', () => {
  const policy = render();

  test('mount(2) at security_sb_mount: type Equal and source Prefix in separate selectors, pods only', () => {
    expect(policy.spec.podSelector).toStrictEqual({});
    const sb = kprobe(policy, 'security_sb_mount');
    expect(sb.syscall).toBe(false);
    expect(sb.args).toStrictEqual([
      { index: 0, type: 'string', label: 'source' },
      { index: 1, type: 'path', label: 'target' },
      { index: 2, type: 'string', label: 'type' },
      { index: 3, type: 'ulong', label: 'flags' },
    ]);
    expect(sb.selectors.map((s: any) => s.matchArgs)).toStrictEqual([
      [{ index: 2, operator: 'Equal', values: [...ContainerMountDetection.DEFAULT_FILESYSTEMS] }],
      [{ index: 0, operator: 'Prefix', values: [...ContainerMountDetection.DEFAULT_DEVICE_PREFIXES] }],
    ]);
    expect(ContainerMountDetection.DEFAULT_FILESYSTEMS).toEqual(expect.arrayContaining(['cgroup', 'proc']));
    for (const s of sb.selectors) expect(s.matchNamespaces).toStrictEqual([{ namespace: 'Mnt', operator: 'NotIn', values: ['host_ns'] }]);
  });

  test('the new mount API and pivot_root are watched as syscalls or security_* functions', () => {
    expect(kprobe(policy, 'sys_fsopen')).toMatchObject({
      syscall: true,
      args: [
        { index: 0, type: 'string' },
        { index: 1, type: 'uint32' },
      ],
    });
    expect(kprobe(policy, 'sys_fsopen').selectors[0].matchArgs[0].operator).toBe('Equal');
    expect(kprobe(policy, 'security_move_mount')).toMatchObject({
      syscall: false,
      args: [
        { index: 0, type: 'path' },
        { index: 1, type: 'path' },
      ],
    });
    expect(kprobe(policy, 'sys_pivot_root')).toMatchObject({
      syscall: true,
      args: [
        { index: 0, type: 'string' },
        { index: 1, type: 'string' },
      ],
    });
  });

  test('is clean against the CRD and the checker on every bundled kernel', () => {
    expect(problemsOf(policy)).toStrictEqual([]);
  });

  describe('must catch', () => {
    test('the cgroup v1 release_agent escape: mount -t cgroup -o rdma cgroup /tmp/cgrp', () => {
      expect(policy).toMatchEvent(
        call(
          'security_sb_mount',
          ['cgroup', dir('/tmp/cgrp'), 'cgroup', 0],
          inPod('/usr/bin/mount', 'web', { arguments: '-t cgroup -o rdma cgroup /tmp/cgrp' }),
        ),
      );
    });
    test("mounting the node's disk from a privileged pod: mount /dev/nvme0n1p1 /mnt", () => {
      expect(policy).toMatchEvent(call('security_sb_mount', ['/dev/nvme0n1p1', dir('/mnt'), 'xfs', 0], inPod('/bin/busybox')));
    });
    test('util-linux 2.39 mounting procfs through the new API: fsopen("proc")', () => {
      expect(policy).toMatchEvent(call('__x64_sys_fsopen', ['proc', 1], inPod('/usr/bin/mount')));
    });
    test('pivot_root into a host file system mounted in the pod', () => {
      expect(policy).toMatchEvent(call('__x64_sys_pivot_root', ['/mnt/host', '/mnt/host/old'], inPod('/usr/sbin/pivot_root')));
    });
    test('an open_tree bind mount attached with move_mount', () => {
      expect(policy).toMatchEvent(call('security_move_mount', [dir('/'), dir('/mnt/root')], inPod('/tmp/escape')));
    });
  });

  describe('must ignore', () => {
    test('kubelet mounting a persistent volume on the node (host process)', () => {
      expect(policy).not.toMatchEvent(
        call(
          'security_sb_mount',
          ['/dev/nvme1n1', dir('/var/lib/kubelet/pods/x/volumes/kubernetes.io~csi/pv/mount'), 'ext4', 0],
          onHost('/usr/bin/mount'),
        ),
      );
    });
    test('a tmpfs scratch mount in a pod', () => {
      expect(policy).not.toMatchEvent(call('security_sb_mount', ['tmpfs', dir('/scratch'), 'tmpfs', 0], inPod('/usr/bin/mount')));
    });
    test('an overlay mount by a BuildKit worker', () => {
      expect(policy).not.toMatchEvent(
        call(
          'security_sb_mount',
          ['overlay', dir('/var/lib/buildkit/runc-overlayfs/snapshots/12/fs'), 'overlay', 0],
          inPod('/usr/bin/buildkitd', 'ci'),
        ),
      );
    });
    test('a bind mount of a pod path (no type, no /dev source)', () => {
      expect(policy).not.toMatchEvent(call('security_sb_mount', ['/data', dir('/srv/data'), '', MS_BIND], inPod('/usr/bin/mount')));
    });
    test('a CSI node plugin in kube-system, scoped out with a podSelector', () => {
      const scoped = render({
        podSelector: { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'NotIn', values: ['kube-system'] }] },
      });
      expect(scoped).not.toMatchEvent(
        call(
          'security_sb_mount',
          ['/dev/xvdba', dir('/var/lib/kubelet/plugins/kubernetes.io/csi/pv/globalmount'), 'ext4', 0],
          inPod('/bin/aws-ebs-csi-driver', 'kube-system'),
        ),
      );
      expect(scoped).toMatchEvent(call('security_sb_mount', ['/dev/xvda1', dir('/mnt'), 'ext4', 0], inPod('/usr/bin/mount', 'web')));
    });
  });

  test('parts can be switched off and lists replaced', () => {
    const p = render({ filesystems: ['cgroup'], devicePrefixes: [], watchMoveMount: false, watchPivotRoot: false });
    expect(p.spec.kprobes.map((k: any) => k.call)).toStrictEqual(['security_sb_mount', 'sys_fsopen']);
    expect(kprobe(p, 'security_sb_mount').selectors).toHaveLength(1);
  });

  test('bad lists fail with the construct path and the fix', () => {
    expect(() => render({ filesystems: [] })).toThrow('test/Mount: filesystems: got []; give file-system type names');
    expect(() => render({ devicePrefixes: ['sda'] })).toThrow(
      'test/Mount: devicePrefixes: got ["sda"]; give device path prefixes starting with /dev/',
    );
  });

  describe('enforcement', () => {
    test('Override blocks the mount in enforce mode; security_* Override turns off kprobe_multi', () => {
      const p = render(
        { enforcement: { action: EnforcementAction.override(1), scope: EnforcementScope.namespaces(['web']), mode: PolicyMode.ENFORCE } },
        OVERRIDE_KERNELS,
      );
      expect(p.spec.options).toStrictEqual([
        { name: 'disable-kprobe-multi', value: '1' },
        { name: 'policy-mode', value: 'enforce' },
      ]);
      expect(p).toMatchEvent(call('security_sb_mount', ['cgroup', dir('/tmp/cgrp'), 'cgroup', 0], inPod('/usr/bin/mount', 'web')), {
        actions: ['Override'],
      });
      expect(problemsOf(p, [], OVERRIDE_KERNELS)).toStrictEqual([]);
    });
    test('monitor mode keeps the action but only reports', () => {
      const p = render(
        { enforcement: { action: EnforcementAction.override(1), scope: EnforcementScope.namespaces(['web']) } },
        OVERRIDE_KERNELS,
      );
      expect(p.spec.options).toContainEqual({ name: 'policy-mode', value: 'monitor' });
      expect(kprobe(p, 'sys_pivot_root').selectors[0].matchActions).toStrictEqual([{ action: 'Override', argError: -1 }]);
      const ev = call('security_sb_mount', ['cgroup', dir('/tmp/cgrp'), 'cgroup', 0], inPod('/usr/bin/mount', 'web'));
      expect(p).toMatchEvent(ev);
      expect(p).not.toMatchEvent(ev, { actions: ['Override'] });
    });
  });
});
