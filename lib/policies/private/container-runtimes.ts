/**
 * Container runtimes and shims, at the paths distributions install them. Every container start and `exec`
 * goes through them: they switch ids and capabilities, create and join namespaces (the cgroup namespace from
 * inside the container's mount namespace) and mount proc and sysfs. Measured with Debian's runc 1.1.5 and
 * 1.3.6 under Tetragon 1.7.0: those calls are reported with runc's own path, because runc init's children
 * are cloned with CLONE_PARENT and carry the identity of `runc run` / `runc exec`, so this list exempts them.
 */
export const CONTAINER_RUNTIME_BINARIES: readonly string[] = [
  '/usr/bin/runc',
  '/usr/sbin/runc',
  '/usr/local/bin/runc',
  '/usr/local/sbin/runc',
  '/usr/bin/crun',
  '/usr/bin/conmon',
  '/usr/libexec/crio/conmon',
];
