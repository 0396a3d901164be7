import { Action, Signal } from '../policy/action';
import { EnforcementScope, NeverKillOptOut, PolicyMode } from '../policy/enforcement';
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
