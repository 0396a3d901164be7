import { LibraryPolicyProps } from '../policies/library-policy-props';
import { Action, Signal } from '../policy/action';
import { EnforcementScope, NeverKillOptOut, PolicyMode } from '../policy/enforcement';
import { LabelSelector } from '../policy/label-selector';

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
  private constructor(
    private readonly make: () => Action,
    public readonly isOverride: boolean,
  ) {}
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

/** Props of a detection that can also be narrowed to containers by name or image. */
export interface ScopedDetectionProps extends DetectionProps {
  /**
   * Only containers matching (keys `name` and `repo`, the image repository).
   * @default - every container
   */
  readonly containerSelector?: LabelSelector;
}

/** Props of a detection that reads events from Loki instead of creating a policy. */
export interface QueryDetectionProps {
  /**
   * Value of the `job` stream label of Tetragon's events.
   * @default 'tetragon'
   */
  readonly job?: string;
  /**
   * Kubernetes namespaces whose events never alert (exact names; `host` stands for processes outside pods).
   * @default - none
   */
  readonly excludeNamespaces?: readonly string[];
  /**
   * Look-back window of each alert expression, in minutes.
   * @default 5
   */
  readonly windowMinutes?: number;
}

/** Props shared by the detections of connections to a fixed set of addresses. */
export interface ConnectDetectionProps extends ScopedDetectionProps {
  /**
   * Namespaces whose pods are never reported (their controllers talk to these addresses by design).
   * Combined with `podSelector`.
   * @default ['kube-system']
   */
  readonly excludeNamespaces?: readonly string[];
}

/** Props of a query-side detection over exec events, with a binary allowlist. */
export interface ExecQueryDetectionProps extends QueryDetectionProps {
  /**
   * Executables never alerted on, as events show them (`process.binary`: the path given to exec, made absolute).
   * @default - none
   */
  readonly excludeBinaries?: readonly string[];
}
