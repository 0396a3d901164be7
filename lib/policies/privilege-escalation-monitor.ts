import { Construct } from 'constructs';
import { Capability } from '../model/capability';
import { ArgFilter } from '../policy/arg-filter';
import { Arg, ArgType } from '../policy/argument';
import { KprobeHook } from '../policy/kprobe-hook';
import { CapabilityFilter } from '../policy/process-filter';
import { Selector } from '../policy/selector';
import { TracingPolicy } from '../policy/tracing-policy';
import { DetectionConstruct } from './detection';
import { LibraryPolicyProps, trustedBinariesFilter } from './library-policy-props';
import { CONTAINER_RUNTIME_BINARIES } from './private/container-runtimes';

/** Props of a {@link PrivilegeEscalationMonitor}. */
export interface PrivilegeEscalationMonitorProps extends LibraryPolicyProps {
  /**
   * Executables (resolved paths) never reported. Container runtimes switch ids and set capabilities for every
   * container they start, by design; spread the default to extend it, or pass `[]` to watch them too.
   * @default PrivilegeEscalationMonitor.DEFAULT_TRUSTED_BINARIES
   */
  readonly trustedBinaries?: readonly string[];
  /**
   * Report set*id calls that switch to root.
   * @default true
   */
  readonly watchSetuid?: boolean;
  /**
   * Report capset calls that add a capability to the effective set.
   * @default true
   */
  readonly watchCapset?: boolean;
  /**
   * Report user namespaces created by processes without CAP_SYS_ADMIN (they become root inside).
   * @default true
   */
  readonly watchUserNamespaces?: boolean;
}

/** The internal set*id implementations and how many id arguments each takes. */
const SET_ID_CALLS: readonly (readonly [string, number])[] = [
  ['__sys_setuid', 1],
  ['__sys_setgid', 1],
  ['__sys_setfsuid', 1],
  ['__sys_setfsgid', 1],
  ['__sys_setreuid', 2],
  ['__sys_setregid', 2],
  ['__sys_setresuid', 3],
  ['__sys_setresgid', 3],
];

/**
 * `privilege-escalation-monitor`: processes switching to root, raising their effective capabilities, or creating user namespaces
 * without privilege. Every selector is rate-limited (1 minute by default).
 *
 * set*id calls are probed at the internal `__sys_set*id` functions (`syscall: false`), which the 64-bit, 32-bit
 * compat and 16-bit variants of each syscall all call, so a 32-bit binary cannot slip past. Each id argument
 * gets its own selector (`Equal 0`): selectors are ORed, so `setresuid(-1, 0, -1)` is caught too.
 *
 * Noise: container runtimes (runc, crun, conmon) switch ids and capabilities for every container start and are
 * trusted by default; sudo, su, sshd and login do so by design on nodes: add their resolved paths to
 * `trustedBinaries`, or limit the policy to pods with `podSelector: {}`.
 * Misses: root gained through a SUID binary (no set*id call: see the exec events' `binary_properties`, which
 * need process credentials in the install), and kernel exploits that write creds directly.
 */
export class PrivilegeEscalationMonitor extends DetectionConstruct {
  /** The policy's well-known name. */
  public static readonly NAME = 'privilege-escalation-monitor';
  /** Container runtimes and shims: every container start switches ids and capabilities through them. */
  public static readonly DEFAULT_TRUSTED_BINARIES: readonly string[] = CONTAINER_RUNTIME_BINARIES;
  /** The generated policy. */
  public readonly policy: TracingPolicy;
  /** The generated policy, as the contract lists it. */
  public readonly policies: readonly TracingPolicy[];
  /** The MITRE ATT&CK techniques it reports. */
  public readonly mitreTechniques: readonly string[] = ['T1548', 'T1548.001', 'T1611'];

  constructor(scope: Construct, id: string, props: PrivilegeEscalationMonitorProps = {}) {
    super(scope, id);
    const trusted = trustedBinariesFilter({
      trustedBinaries: props.trustedBinaries ?? PrivilegeEscalationMonitor.DEFAULT_TRUSTED_BINARIES,
    });
    const tags = ['observability.privilege_escalation', 'mitre.T1548'];
    const hooks: KprobeHook[] = [];

    if (props.watchCapset ?? true) {
      // security_capset(new, old, effective, inheritable, permitted): compare the old credentials' effective set
      // (read through BTF with `resolve`) with the requested one, so only capsets that gain a capability report,
      // not the constant drops of daemons shedding privileges. As Tetragon's own CapabilitiesGained test does.
      const oldEffective = Arg.capabilities(1, ArgType.CAP_EFFECTIVE, { resolve: 'cap_effective', label: 'old_effective' });
      const newEffective = Arg.capabilities(2, ArgType.CAP_EFFECTIVE, { label: 'effective' });
      const newPermitted = Arg.capabilities(4, ArgType.CAP_PERMITTED, { label: 'permitted' });
      hooks.push(
        KprobeHook.function('security_capset', {
          message: 'Process raised its effective capabilities with capset',
          tags: [...tags, 'mitre.T1548.001'],
          args: [oldEffective, newEffective, newPermitted],
          selectors: [new Selector({ matchArgs: [ArgFilter.capabilitiesGained(oldEffective, newEffective)], matchBinaries: trusted })],
        }),
      );
    }
    if (props.watchUserNamespaces ?? true) {
      hooks.push(
        KprobeHook.function('create_user_ns', {
          message: 'Unprivileged process created a user namespace where it is root',
          tags: [...tags, 'mitre.T1611'],
          args: [Arg.nop(0)],
          selectors: [new Selector({ matchCapabilities: [CapabilityFilter.notIn([Capability.SYS_ADMIN])], matchBinaries: trusted })],
        }),
      );
    }
    if (props.watchSetuid ?? true) {
      for (const [call, count] of SET_ID_CALLS) {
        const ids = Array.from({ length: count }, (_, i) => Arg.int(i, { label: count === 1 ? 'id' : ['real', 'effective', 'saved'][i] }));
        hooks.push(
          KprobeHook.function(call, {
            message: `Privileged operation ${call.replace('__sys_', '')} to root`,
            tags: [...tags, 'mitre.T1548.001'],
            args: ids,
            selectors: ids.map((idArg) => new Selector({ matchArgs: [ArgFilter.equal(idArg, [0])], matchBinaries: trusted })),
          }),
        );
      }
    }

    this.policy = new TracingPolicy(this, 'Policy', {
      name: props.name ?? PrivilegeEscalationMonitor.NAME,
      description: 'Switches to root, capability changes and unprivileged user namespaces',
      podSelector: props.podSelector,
      defaultRateLimit: props.rateLimit,
      hooks,
    });
    this.policies = [this.policy];
  }
}
