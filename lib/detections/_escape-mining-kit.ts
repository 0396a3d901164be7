import { Construct } from 'constructs';
import { Arg } from '../policy/argument';
import { ArgFilter } from '../policy/arg-filter';
import { Namespace, NamespaceFilter } from '../policy/process-filter';
import { Selector } from '../policy/selector';
import { TracingPolicy } from '../policy/tracing-policy';
import { LabelSelector } from '../policy/label-selector';
import { trustedBinariesFilter } from '../policies/_common';
import { ANY_POD, DetectionProps, detectionActions, detectionEnforcement } from './_detection';
import { ScopedDetectionProps } from './_kit';

/**
 * A `struct sockaddr_un *` argument: the Unix socket path exactly as the caller wrote it (not resolved).
 * Tetragon filters it with Equal, NotEqual, Prefix and NotPrefix (and Family); the BPF filter exists only on
 * kernels 5.11 and later (on older kernels every call passes the path filter).
 */
export function sockaddrUnArg(index: number, label?: string): Arg<'string'> {
  return Arg.sockaddrUn(index, label ? { label } : {});
}

/** Whether a detection is scoped to pods only (no host processes). */
export interface ScopeOptions {
  /** Detections that only make sense inside containers also require a mount namespace other than the host's. */
  readonly containersOnly: boolean;
}

/**
 * Builds the selectors of a detection: each entry of `matchArgs` becomes one selector (selectors are ORed,
 * filters inside one are ANDed), narrowed by the trusted binaries and, for container-only detections, by a
 * mount namespace other than the host's; the action is the enforcement action or a rate-limited Post.
 */
export function detectionSelectors(props: DetectionProps, containersOnly: boolean, matchArgs: readonly (readonly ArgFilter[])[]): Selector[] {
  const base = {
    matchBinaries: trustedBinariesFilter(props),
    matchNamespaces: containersOnly ? [NamespaceFilter.notHost(Namespace.MNT)] : undefined,
    actions: detectionActions(props),
  };
  const groups = matchArgs.length ? matchArgs : [[]];
  return groups.map((filters) => new Selector({ ...base, matchArgs: filters.length ? filters : undefined }));
}

/** The pod selector of a detection: the user's, else every pod for container-only detections. */
export function detectionPodSelector(props: DetectionProps, containersOnly: boolean): LabelSelector | undefined {
  return props.podSelector ?? (containersOnly ? ANY_POD : undefined);
}

/**
 * Throws if a detection that cannot block a call is asked to enforce with Override: its hooks are not all
 * syscalls or `security_*` functions.
 */
export function rejectOverride(scope: Construct, props: DetectionProps, why: string): void {
  if (props.enforcement?.action.isOverride) {
    throw new Error(`${scope.node.path}: enforcement.action: got EnforcementAction.override(); ${why}. `
      + 'Use EnforcementAction.sigkill() (or signal()), or leave enforcement out to observe only');
  }
}

/** Creates the single kprobe TracingPolicy most detections need. */
export function detectionPolicy(scope: Construct, props: ScopedDetectionProps, options: {
  readonly name: string;
  readonly description: string;
  readonly containersOnly: boolean;
  readonly hooks: ConstructorParameters<typeof TracingPolicy>[2]['hooks'];
}): TracingPolicy {
  return new TracingPolicy(scope, 'Policy', {
    name: props.name ?? options.name,
    description: options.description,
    podSelector: detectionPodSelector(props, options.containersOnly),
    containerSelector: props.containerSelector,
    defaultRateLimit: props.rateLimit,
    enforcement: detectionEnforcement(props),
    hooks: options.hooks,
  });
}

/** Checks a list prop: non-empty (unless `allowEmpty`), each value accepted by `valid`. */
export function checkList(scope: Construct, field: string, values: readonly string[], valid: (v: string) => boolean, expected: string,
  allowEmpty = false): void {
  const bad = values.filter((v) => typeof v !== 'string' || !valid(v));
  if ((values.length === 0 && !allowEmpty) || bad.length) {
    throw new Error(`${scope.node.path}: ${field}: got ${JSON.stringify(values)}; ${expected}`);
  }
}
