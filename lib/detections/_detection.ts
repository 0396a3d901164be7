import { Action, Signal } from '../policy/action';
import { EnforcementOptions, EnforcementScope, NeverKillOptOut, PolicyMode } from '../policy/enforcement';
import { LibraryPolicyProps } from '../policies/_common';

/** What an enforcing detection does on a match. */
export class EnforcementAction {
  /** Kill the process. */
  public static sigkill(): EnforcementAction {
    return new EnforcementAction(() => Action.sigkill(), false);
  }
  /** Fail the call with `-errno` (only detections whose hooks allow Override accept it). */
  public static override(errno: number): EnforcementAction {
    return new EnforcementAction(() => Action.override(errno), true);
  }
  /** Send a signal. */
  public static signal(signal: Signal | number): EnforcementAction {
    return new EnforcementAction(() => Action.signal(signal), false);
  }
  private constructor(private readonly make: () => Action, public readonly isOverride: boolean) {}
  /** The selector action. */
  public toAction(): Action {
    return this.make();
  }
}

/** Enforcement settings of a detection. Without them a detection only observes. */
export interface DetectionEnforcementProps {
  /** Sigkill, Override with an errno, or Signal. */
  readonly action: EnforcementAction;
  /**
   * Roll out in monitor mode (actions loaded, events only), then flip to enforce.
   * @default PolicyMode.MONITOR
   */
  readonly mode?: PolicyMode;
  /** Pods where enforcement acts (never the host). */
  readonly scope: EnforcementScope;
  /**
   * A named, reasoned exception to the never-kill list.
   * @default - none
   */
  readonly neverKillOptOut?: NeverKillOptOut;
}

/** Props of every detection. */
export interface DetectionProps extends LibraryPolicyProps {
  /**
   * Enforce instead of only observing (only detections that document it can enforce).
   * @default - observe only
   */
  readonly enforcement?: DetectionEnforcementProps;
}

/** The selector actions of a detection: a rate-limited Post, or the enforcement action. */
export function detectionActions(props: DetectionProps): Action[] | undefined {
  return props.enforcement ? [props.enforcement.action.toAction()] : undefined;
}

/** The TracingPolicy enforcement options of a detection, if it enforces. */
export function detectionEnforcement(props: DetectionProps): EnforcementOptions | undefined {
  const e = props.enforcement;
  if (!e) return undefined;
  return { mode: e.mode ?? PolicyMode.MONITOR, scope: e.scope, neverKillOptOut: e.neverKillOptOut };
}

/** A LogQL alert a detection ships when the signal lives in the default events rather than in a policy. */
export interface LokiDetectionRule {
  /** Alert name, PascalCase. */
  readonly alert: string;
  /** LogQL expression (a metric query, e.g. `sum by (namespace) (count_over_time({job="tetragon"} ... [5m])) > 0`). */
  readonly expr: string;
  /** Severity label: `info`, `warning` or `critical`. */
  readonly severity: 'info' | 'warning' | 'critical';
  /** One-line summary annotation. */
  readonly summary: string;
  /** What to check and do, for the runbook annotation. */
  readonly runbook: string;
}

/** Install settings a detection needs from the Tetragon install (merged into its values by the cluster). */
export interface InstallRequirements {
  /** Needs process credentials and binary properties in events (`tetragon.enableProcessCred`). */
  readonly processCredentials?: boolean;
  /** Needs these event types in the export allow list (e.g. `PROCESS_LOADER`). */
  readonly exportEventTypes?: readonly string[];
  /** Needs the parents map agent flag (`matchParentBinaries`). */
  readonly parentsMap?: boolean;
  /** Needs host-process events in the export (the chart's default deny list drops namespace ""). */
  readonly exportHostEvents?: boolean;
}

/** A detection's scope narrowed to pods: used by container-only detections. */
export const ANY_POD = {} as const;
