/**
 * A scenario, described once: what to do on a real node (the trigger, run inside the verifier's virtual machine)
 * and how the same action looks to the simulator (the event description). The simulator runs the event in every
 * test run; the verifier runs the trigger against the real agent and compares both with the expectation.
 */
import { SimulatedEvent } from '../simulate/event';

/** Whether the policy must report the action or must stay silent. */
export type ScenarioExpectation = 'catch' | 'ignore';

/**
 * Where the trigger runs inside the guest. A container's root file system is busybox with its applet links,
 * `/etc/passwd`, `/etc/group`, `/etc/hosts`, `/tmp`, and the trigger programs in {@link GUEST_TRIGGER_DIR}.
 * The simulator's events give container processes the pod {@link VERIFY_POD}, as on a Kubernetes node; the
 * guest has no Kubernetes, so a policy with a pod or container selector needs the agent to learn that identity
 * (or the report says the scenario is unproven).
 */
export type TriggerPlace =
  /** A process on the node itself (host namespaces). */
  | 'host'
  /**
   * A process inside a container started by the guest's runc from `runc spec` defaults (its own mount, pid,
   * uts, ipc, net and cgroup namespaces; only CAP_AUDIT_WRITE, CAP_KILL and CAP_NET_BIND_SERVICE).
   */
  | 'container'
  /**
   * A privileged container, as a privileged pod with a hostPath volume of `/`: every capability, every device
   * allowed, no seccomp profile, no masked or read-only paths, and the node's root file system mounted
   * (recursively) at `/host`.
   */
  | 'privileged-container';

/** How a container trigger is started. */
export type ContainerStart =
  /** `argv` is the entrypoint of a new container (`runc run`): the container start is part of the scenario. */
  | 'run'
  /** `argv` joins a running container (`runc exec`, with `--user uid:gid` when `uid` is set). */
  | 'exec';

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
  /** For container places: a new container or an exec into a running one. @default 'exec' */
  readonly start?: ContainerStart;
  /** Numeric user id to run as (the verifier drops to it before the exec). @default 0 */
  readonly uid?: number;
  /** Numeric group id to run as. @default the uid */
  readonly gid?: number;
  /** Shell commands (busybox sh) run before the trigger, as root on the host, not watched. @default - none */
  readonly setup?: readonly string[];
  /**
   * For container places: the Debian suite whose `runc` runs the container (`bookworm`: runc 1.1; `sid`: the
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
  /**
   * Props of the library construct that emits `policy`, when the scenario needs other than its defaults
   * (plain JSON data, so the verifier synthesizes the same policy). A detection takes them as its
   * `Detections` options.
   * @default - the construct's defaults
   */
  readonly props?: Readonly<Record<string, unknown>>;
}

/** A disagreement that is understood and documented. */
export interface KnownLimit {
  /**
   * Which side disagrees: the `simulator` (a model limit), the `agent` (the real run, e.g. on one kernel), or
   * the `policy` itself (both report the same, against the expectation: the policy cannot do what the
   * scenario asks, and says so in its documentation or the report lists it as a defect).
   */
  readonly side: 'simulator' | 'agent' | 'policy';
  /** Debian kernels (`debian-11`, ...) where it applies. @default - every kernel */
  readonly kernels?: readonly string[];
  /** Why, in one or two sentences a user can act on. */
  readonly reason: string;
}

/** Where the guest (and the container's root file system) keeps busybox-static. */
export const GUEST_BUSYBOX = '/bin/busybox';
/** Where the guest and its containers keep the trigger programs (`vt-*`); it is on the PATH. */
export const GUEST_TRIGGER_DIR = '/usr/local/bin';
/** Debian's runc in the guest. */
export const GUEST_RUNC = '/usr/sbin/runc';
/** The pod identity the simulator's events give container processes. */
export const VERIFY_POD = {
  namespace: 'verify',
  name: 'verify-triggers',
  labels: { app: 'verify-triggers' },
  container: { name: 'triggers', image: 'docker.io/library/busybox:1.36' },
} as const;
