/**
 * The kit every detection is built with: scoping, enforcement wiring, the one way to create a detection's
 * TracingPolicy, input checks with construct-path errors, and LogQL rule building for query-side detections.
 */
import { Construct } from 'constructs';
import { DEFAULT_JOB, HOST_NAMESPACE } from '../../observability/log-schema';
import { LokiDetectionRule } from '../../observability/loki-detection-rule';
import { Matcher, q, streamSelector } from '../../observability/queries';
import { trustedBinariesFilter } from '../../policies/library-policy-props';
import { Action } from '../../policy/action';
import { ArgFilter } from '../../policy/arg-filter';
import { EnforcementOptions, PolicyMode } from '../../policy/enforcement';
import { Namespace, NamespaceFilter } from '../../policy/process-filter';
import { Selector, SelectorProps } from '../../policy/selector';
import { Hook, TracingPolicy } from '../../policy/tracing-policy';
import { isDnsLabel } from '../../private/patterns';
import { refuse } from '../../private/problems';
import { DetectionProps, ExecQueryDetectionProps, QueryDetectionProps, ScopedDetectionProps } from '../detection-props';

/** Checks a list prop: non-empty (unless `allowEmpty`), each value accepted by `valid`. */
export function checkList(
  scope: Construct,
  field: string,
  values: readonly string[],
  valid: (v: string) => boolean,
  expected: string,
  allowEmpty = false,
): void {
  const bad = values.filter((v) => typeof v !== 'string' || !valid(v));
  if ((values.length === 0 && !allowEmpty) || bad.length) refuse(scope, field, values, expected);
}

/** Checks a list of absolute paths (or path suffixes when `absolute` is false). */
export function checkPaths(scope: Construct, field: string, values: readonly string[], absolute = true): void {
  if (values.length === 0)
    refuse(scope, field, values, 'the list is empty', 'Give at least one path, or leave the prop out for the defaults');
  for (const v of values) {
    if (typeof v !== 'string' || v === '' || /\s/.test(v))
      refuse(scope, field, v, 'a path has no white space and is not empty', 'Remove the entry or fix it');
    if (absolute && !v.startsWith('/'))
      refuse(
        scope,
        field,
        v,
        'paths are absolute, as the kernel resolves them',
        `Write it as ${JSON.stringify('/' + v.replace(/^\.?\/*/, ''))}`,
      );
    if (!absolute && !v.startsWith('/') && !v.startsWith('.') && !v.startsWith('_')) {
      refuse(
        scope,
        field,
        v,
        'a suffix starts with "/", "." or "_" so it cannot match the middle of a name by accident',
        `Write it as ${JSON.stringify('/' + v)}`,
      );
    }
  }
}

/**
 * The actions of an enforcing selector, or undefined when the detection only observes.
 * When `overrideAllowed` is false, Override is refused with `why`.
 */
export function enforcementActions(scope: Construct, props: DetectionProps, overrideAllowed: boolean, why: string): Action[] | undefined {
  if (!overrideAllowed) refuseOverride(scope, props, why);
  return actionsOf(props);
}

/** Refuses Override on a detection whose hooks cannot fail the call with an errno, saying why. */
export function refuseOverride(scope: Construct, props: DetectionProps, why: string): void {
  if (props.enforcement?.action.isOverride) {
    refuse(
      scope,
      'enforcement.action',
      'override',
      `this detection cannot fail the call with an errno: ${why}`,
      'Use EnforcementAction.sigkill() or EnforcementAction.signal(...)',
    );
  }
}

function actionsOf(props: DetectionProps): Action[] | undefined {
  return props.enforcement ? [props.enforcement.action.toAction()] : undefined;
}

/** Refuses enforcement on a detection that only observes, saying why. */
export function refuseEnforcement(scope: Construct, props: DetectionProps, why: string): void {
  if (props.enforcement) refuse(scope, 'enforcement', 'set', `this detection only observes: ${why}`, 'Remove enforcement');
}

/**
 * `matchNamespaces` for "inside a container": a mount namespace other than the host's. Host services that systemd
 * sandboxes in their own mount namespace (`PrivateTmp=`, `ProtectSystem=`, ...) pass it too; a `podSelector`
 * narrows a detection to Kubernetes pods.
 */
export function inContainer(containersOnly: boolean): NamespaceFilter[] {
  return containersOnly ? [NamespaceFilter.notHost(Namespace.MNT)] : [];
}

/** A selector with the detection's trusted-binaries allowlist and (when enforcing) its enforcement action. */
export function detectionSelector(
  props: DetectionProps,
  filters: Omit<SelectorProps, 'actions' | 'matchBinaries'>,
  actions?: readonly Action[],
): Selector {
  return new Selector({ ...filters, matchBinaries: trustedBinariesFilter(props), actions });
}

/**
 * One selector per entry of `matchArgs` (selectors are ORed, filters inside one are ANDed; none: one selector
 * without argument filters), each with the trusted-binaries allowlist, for container-only detections a mount
 * namespace other than the host's, and the enforcement action when the detection enforces.
 */
export function detectionSelectors(
  props: DetectionProps,
  containersOnly: boolean,
  matchArgs: readonly (readonly ArgFilter[])[],
): Selector[] {
  const groups = matchArgs.length ? matchArgs : [[]];
  const matchNamespaces = inContainer(containersOnly);
  return groups.map((filters) =>
    detectionSelector(props, { matchArgs: filters.length ? filters : undefined, matchNamespaces }, actionsOf(props)),
  );
}

/** Options of {@link detectionPolicy}. */
export interface DetectionPolicyOptions {
  /** The policy's well-known name, used unless the props rename it. */
  readonly name: string;
  readonly description: string;
  readonly hooks: readonly Hook[];
  /**
   * Watch pods only: without a `podSelector` in the props, the policy selects every pod (`{}`), which leaves host
   * processes out.
   * @default false
   */
  readonly containersOnly?: boolean;
}

/** The TracingPolicy of a detection, named, scoped and (when enforcing) wired to the enforcement guardrails. */
export function detectionPolicy(scope: Construct, props: ScopedDetectionProps, options: DetectionPolicyOptions): TracingPolicy {
  const enforces = options.hooks.some((h) => (h.props.selectors ?? []).some((s) => s.enforces));
  return new TracingPolicy(scope, 'Policy', {
    name: props.name ?? options.name,
    description: options.description,
    podSelector: props.podSelector ?? (options.containersOnly ? {} : undefined),
    containerSelector: props.containerSelector,
    defaultRateLimit: props.rateLimit,
    enforcement: enforces ? detectionEnforcement(props) : undefined,
    hooks: options.hooks,
  });
}

/** The TracingPolicy enforcement options of a detection, if it enforces. */
function detectionEnforcement(props: DetectionProps): EnforcementOptions | undefined {
  const e = props.enforcement;
  if (!e) return undefined;
  return { mode: e.mode ?? PolicyMode.MONITOR, scope: e.scope, neverKillOptOut: e.neverKillOptOut };
}

/** Pieces of a LogQL alert over Tetragon's event stream. */
export interface LogRuleQuery {
  /** Stream label matchers besides `job` (event_type, policy_name, namespace). */
  readonly stream: readonly Matcher[];
  /** Pipeline stages after the selector, written out (`| binary=~"..."`, `|= "..."`, `| json a="b"`). */
  readonly pipeline: readonly string[];
  /** Labels to group the alert by. @default ['namespace', 'pod', 'binary'] */
  readonly by?: readonly string[];
}

/** Builds `sum by (...) (count_over_time({job=...} | ... [Nm])) > 0`, with namespace exclusions. */
export function logRuleExpr(scope: Construct, props: QueryDetectionProps, query: LogRuleQuery): string {
  const job = props.job ?? DEFAULT_JOB;
  const window = props.windowMinutes ?? 5;
  if (!Number.isInteger(window) || window < 1 || window > 1440) {
    refuse(scope, 'windowMinutes', window, 'a whole number of minutes from 1 to 1440', 'Use e.g. 5');
  }
  if (!/^[A-Za-z0-9_.-]+$/.test(job))
    refuse(
      scope,
      'job',
      job,
      'a job label value of letters, digits, "_", "." and "-"',
      'Use the job label your log shipper sets, e.g. "tetragon"',
    );
  const excluded = props.excludeNamespaces ?? [];
  for (const ns of excluded) {
    if (ns !== HOST_NAMESPACE && !isDnsLabel(ns)) {
      refuse(
        scope,
        'excludeNamespaces',
        ns,
        `a Kubernetes namespace name, or "${HOST_NAMESPACE}" for processes outside pods`,
        'Fix the name',
      );
    }
  }
  const stream: Matcher[] = [...query.stream];
  if (excluded.length) stream.push(['namespace', '!~', excluded.map(escapeRegex).join('|')]);
  const by = (query.by ?? ['namespace', 'pod', 'binary']).join(', ');
  return `sum by (${by}) (count_over_time(${streamSelector(job, stream)} ${query.pipeline.join(' ')} [${window}m])) > 0`;
}

/** Escapes a literal for a RE2 regex. */
export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A label filter stage: `| name=~"regex"` (anchored by Loki). */
export function labelRegex(name: string, regex: string): string {
  return `| ${name}=~${q(regex)}`;
}

/** Makes a LokiDetectionRule, checking the alert name. */
export function lokiRule(rule: LokiDetectionRule): LokiDetectionRule {
  if (!/^[A-Z][A-Za-z0-9]+$/.test(rule.alert)) refuse('lokiRule', 'alert', rule.alert, 'an alert name is PascalCase');
  return rule;
}

/** `| binary!~"a|b"` for the excluded binaries, or nothing. */
export function excludeBinariesStage(scope: Construct, props: ExecQueryDetectionProps): string[] {
  const list = props.excludeBinaries ?? [];
  if (list.length === 0) return [];
  checkPaths(scope, 'excludeBinaries', list);
  return [`| binary!~${q(list.map(escapeRegex).join('|'))}`];
}

/** A regex for executables directly or indirectly under one of `directories` (each ending in `/`). */
export function underDirectoriesRegex(directories: readonly string[]): string {
  return `(${directories.map(escapeRegex).join('|')}).*`;
}
