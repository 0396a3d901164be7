import { Duration } from 'cdk8s';
import { LabelSelector } from '../policy/label-selector';
import { BinaryFilter } from '../policy/process-filter';

/** Props every library policy takes, to rename, scope and quieten it. */
export interface LibraryPolicyProps {
  /**
   * The TracingPolicy name (it labels events in Loki and Prometheus).
   * @default - the policy's well-known name, e.g. `sensitive-file-access-monitor`
   */
  readonly name?: string;
  /**
   * Only pods matching these labels (`{}`: every pod, no host processes).
   * @default - as each policy documents
   */
  readonly podSelector?: LabelSelector;
  /**
   * Executables (resolved absolute paths) whose calls are never reported, e.g. a backup agent that reads
   * `/etc/shadow`. Rendered as `matchBinaries NotIn` in every selector.
   * @default - none
   */
  readonly trustedBinaries?: readonly string[];
  /**
   * Report the same call (same arguments, same thread) at most once per this interval.
   * @default Duration.minutes(1)
   */
  readonly rateLimit?: Duration;
}

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

/** The binary filter for `trustedBinaries`, if any. */
export function trustedBinariesFilter(props: LibraryPolicyProps): BinaryFilter | undefined {
  return props.trustedBinaries?.length ? BinaryFilter.notIn(props.trustedBinaries) : undefined;
}

/** Errno values as the kernel returns them (negative). */
export enum Errno {
  EPERM = 1,
  ENOENT = 2,
  ENOEXEC = 8,
  EACCES = 13,
  ETXTBSY = 26,
}
