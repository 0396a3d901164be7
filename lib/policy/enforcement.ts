import { Marker } from '../private/marker';
import { isDnsLabel } from '../private/patterns';
import { Problems, show } from '../private/problems';
import { LabelSelector, POD_NAMESPACE_LABEL, validateLabelSelector } from './label-selector';

/**
 * How an enforcing policy runs, rendered as Tetragon's `policy-mode` option so it can be flipped on a live
 * cluster (`tetra tracingpolicy set-mode`) without redeploying.
 */
export enum PolicyMode {
  /** Enforcement actions are loaded but only post events: roll out in this mode first. */
  MONITOR = 'monitor',
  /** Enforcement actions kill or block. */
  ENFORCE = 'enforce',
}

const ENFORCEMENT_SCOPE = new Marker('EnforcementScope');

/**
 * Where enforcement may act. There is deliberately no "everywhere": enforcing on host processes by accident
 * can take a node down, so the scope is always pods, chosen explicitly.
 */
export class EnforcementScope {
  /** Whether `x` is an EnforcementScope (also across copies of the package). */
  public static isEnforcementScope(x: unknown): x is EnforcementScope {
    return ENFORCEMENT_SCOPE.has(x);
  }

  /** Pods of these namespaces. */
  public static namespaces(namespaces: readonly string[]): EnforcementScope {
    return new EnforcementScope({ matchExpressions: [{ key: POD_NAMESPACE_LABEL, operator: 'In', values: [...namespaces] }] }, namespaces);
  }
  /** Pods whose labels match a non-empty selector. */
  public static pods(selector: LabelSelector): EnforcementScope {
    return new EnforcementScope(selector);
  }
  /** Every pod (never host processes). Explicit, because it is the widest scope allowed. */
  public static allPods(): EnforcementScope {
    return new EnforcementScope({}, undefined, true);
  }

  private constructor(
    /** The pod selector the scope renders to. */
    public readonly podSelector: LabelSelector,
    private readonly namespaceList?: readonly string[],
    private readonly everyPod = false,
  ) {
    ENFORCEMENT_SCOPE.mark(this);
  }

  /** @internal */
  public _validate(field: string, problems: Problems): void {
    if (this.namespaceList !== undefined) {
      if (this.namespaceList.length === 0)
        problems.add(`${field}.namespaces`, 'is empty; name at least one namespace, or use EnforcementScope.allPods() deliberately');
      this.namespaceList.forEach((ns, i) => {
        if (!isDnsLabel(ns)) problems.add(`${field}.namespaces[${i}]`, `got ${show(ns)}; expected a namespace name`);
      });
      return;
    }
    const empty = Object.keys(this.podSelector.matchLabels ?? {}).length === 0 && (this.podSelector.matchExpressions ?? []).length === 0;
    if (empty && !this.everyPod) {
      problems.add(`${field}.podSelector`, 'is empty; give labels, or use EnforcementScope.allPods() if every pod is really meant');
    }
    validateLabelSelector(`${field}.podSelector`, this.podSelector, problems);
  }
}

/**
 * Executables that enforcement never kills or blocks: the node agent, container runtimes and shims, init,
 * and the networking and security agents. Killing one of these can take a node down. Resolved paths, as
 * `matchBinaries` compares them.
 */
export const NEVER_KILL_BINARIES: readonly string[] = [
  '/usr/bin/kubelet',
  '/usr/local/bin/kubelet',
  '/usr/bin/containerd',
  '/usr/local/bin/containerd',
  '/usr/bin/containerd-shim-runc-v2',
  '/usr/local/bin/containerd-shim-runc-v2',
  '/usr/bin/runc',
  '/usr/sbin/runc',
  '/usr/local/bin/runc',
  '/usr/local/sbin/runc',
  '/usr/bin/crun',
  '/usr/bin/crio',
  '/usr/local/bin/crio',
  '/usr/bin/conmon',
  '/usr/libexec/crio/conmon',
  '/usr/bin/dockerd',
  '/usr/bin/docker-proxy',
  '/usr/lib/systemd/systemd',
  '/lib/systemd/systemd',
  '/sbin/init',
  '/usr/lib/systemd/systemd-journald',
  '/lib/systemd/systemd-journald',
  '/usr/bin/tetragon',
  '/usr/bin/cilium-agent',
  '/usr/bin/cilium-envoy',
  '/usr/bin/cilium-operator-generic',
  '/usr/bin/kube-proxy',
  '/usr/local/bin/kube-proxy',
];

/** A deliberate, named exception to the never-kill list. */
export interface NeverKillOptOut {
  /** Binaries (from {@link NEVER_KILL_BINARIES}) that this policy may kill or block after all. */
  readonly binaries: readonly string[];
  /** Why: kept as an annotation on the policy so reviewers see it. */
  readonly reason: string;
}

/** Enforcement settings of a policy whose selectors use Sigkill, Override or Signal. */
export interface EnforcementOptions {
  /** Monitor (actions loaded, events only) or enforce. */
  readonly mode: PolicyMode;
  /** Where enforcement acts: always pods, chosen explicitly. */
  readonly scope: EnforcementScope;
  /**
   * Let this policy kill or block some never-kill binaries.
   * @default - none: every binary in NEVER_KILL_BINARIES is exempt from enforcing selectors
   */
  readonly neverKillOptOut?: NeverKillOptOut;
}

/** Context key: when true, every enforcing policy under the scope renders `policy-mode: monitor`. */
export const ENFORCEMENT_DRY_RUN_CONTEXT = 'cdk8s-tetragon:enforcementDryRun';

/** The never-kill binaries that still apply once the opt-out is taken into account. */
export function neverKillFor(options: EnforcementOptions): string[] {
  const out = new Set(options.neverKillOptOut?.binaries ?? []);
  return NEVER_KILL_BINARIES.filter((b) => !out.has(b));
}

/** Validates enforcement options. */
export function validateEnforcement(field: string, options: EnforcementOptions, problems: Problems): void {
  if (!Object.values(PolicyMode).includes(options.mode))
    problems.add(`${field}.mode`, `got ${show(options.mode)}; use PolicyMode.MONITOR or PolicyMode.ENFORCE`);
  if (!EnforcementScope.isEnforcementScope(options.scope)) {
    problems.add(
      `${field}.scope`,
      'is missing; enforcement needs an explicit scope: EnforcementScope.namespaces([...]), .pods({...}) or .allPods()',
    );
  } else {
    options.scope._validate(`${field}.scope`, problems);
  }
  const optOut = options.neverKillOptOut;
  if (optOut) {
    if (!optOut.reason || optOut.reason.trim().length < 10)
      problems.add(`${field}.neverKillOptOut.reason`, 'say why (at least 10 characters): it is kept on the policy for reviewers');
    optOut.binaries.forEach((b, i) => {
      if (!NEVER_KILL_BINARIES.includes(b))
        problems.add(`${field}.neverKillOptOut.binaries[${i}]`, `${show(b)} is not on the never-kill list; nothing to opt out of`);
    });
  }
}
