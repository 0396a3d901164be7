/**
 * A scenario, described once: what to do on a real node (the trigger, run inside the verifier's virtual machine)
 * and how the same action looks to the simulator (the event description). The simulator runs the event in every
 * test run; the verifier runs the trigger against the real agent and compares both with the expectation.
 */
import { SimulatedEvent } from '../simulate/event';

/** Whether the policy must report the action or must stay silent. */
export type ScenarioExpectation = 'catch' | 'ignore';

/** Where the trigger runs inside the guest. */
export type TriggerPlace =
  /** A process on the node itself (host namespaces). */
  | 'host'
  /** A process inside a container started by the guest's runc (its own mount, pid, uts, ipc, net and cgroup namespaces), run with `runc exec`. */
  | 'container'
  /** A new container whose entrypoint is the trigger's argv (`runc run`): the container start itself is the action. */
  | 'container-start';

/**
 * What the guest runs. `argv[0]` is a program name: a busybox applet (`cat`, `sh`), an absolute path in the guest,
 * or one of the verifier's trigger programs (`vt-*`, small static programs built from this repository).
 */
export interface Trigger {
  /** The command and its arguments. */
  readonly argv: readonly string[];
  /**
   * Run the program from this absolute path instead (the verifier copies it there first), for policies that match
   * on the binary path recorded at exec (`/usr/bin/passwd`, `/usr/sbin/runc`).
   * @default - the program's own path
   */
  readonly binaryPath?: string;
  /** @default 'host' */
  readonly place?: TriggerPlace;
  /** Numeric user id to run as (the verifier drops to it before the exec). @default 0 */
  readonly uid?: number;
  /** Numeric group id to run as. @default the uid */
  readonly gid?: number;
  /** Shell commands (busybox sh) run before the trigger, as root on the host, not watched. @default - none */
  readonly setup?: readonly string[];
  /**
   * For the container places: the Debian suite whose `runc` runs the container (`bookworm`: runc 1.1; `sid`: the
   * newest), one of those the verifier carries.
   * @default - the first runtime the verifier carries (Debian 12's runc)
   */
  readonly runtime?: string;
  /** Seconds after which the trigger is killed (a hung trigger must not stall the run). @default 60 */
  readonly timeoutSeconds?: number;
}

/** One action, real and simulated, with the verdict expected from one policy. */
export interface Scenario {
  /** Unique kebab-case id, `<policy>/<what>` (`privilege-escalation-monitor/setuid-root`). */
  readonly id: string;
  /** `metadata.name` of the TracingPolicy the verdict is about. */
  readonly policy: string;
  readonly expect: ScenarioExpectation;
  /** One line for the report: the attack or the routine activity it stands for. */
  readonly summary: string;
  readonly trigger: Trigger;
  /** The simulator's view of the same action: one event per kernel call the trigger makes that the policy hooks. */
  readonly events: readonly SimulatedEvent[];
  /**
   * Known reason why the real agent, the simulator or a kernel disagrees with the expectation; the report lists it
   * and does not fail on it.
   * @default - none: any disagreement fails the run
   */
  readonly knownLimit?: KnownLimit;
}

/** A disagreement that is understood and documented. */
export interface KnownLimit {
  /** Which side disagrees. */
  readonly side: 'simulator' | 'agent';
  /** Debian kernels (`debian-11`, ...) where it applies. @default - every kernel */
  readonly kernels?: readonly string[];
  /** Why, in one or two sentences a user can act on. */
  readonly reason: string;
}
