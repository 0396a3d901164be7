import { Arg } from './argument';
import { Selector } from './selector';

/** Props every hook kind shares. */
export interface HookBaseProps {
  /**
   * A short sentence that explains the event, shown in every event this hook emits (`message`, 2-256 characters).
   */
  readonly message: string;
  /**
   * Tags that classify events, e.g. `observability.filesystem` or MITRE ATT&CK ids such as `mitre.T1003.008` (at most 16).
   */
  readonly tags: readonly string[];
  /**
   * Arguments to read (at most 5, indexes 0-4).
   * @default - none
   */
  readonly args?: readonly Arg[];
  /**
   * Selectors, ORed (at most 5).
   * @default - none: every call is reported, without rate limit
   */
  readonly selectors?: readonly Selector[];
}
