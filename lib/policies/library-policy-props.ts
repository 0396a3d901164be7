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
