import { Capability, capabilityBit } from '../model/capability';
import { LIMITS } from '../model/limits';
import { Problems, show } from '../private/problems';

/** matchBinaries operators. */
export enum BinaryOperator {
  IN = 'In',
  NOT_IN = 'NotIn',
  PREFIX = 'Prefix',
  NOT_PREFIX = 'NotPrefix',
  POSTFIX = 'Postfix',
  NOT_POSTFIX = 'NotPostfix',
}

/**
 * A `matchBinaries` filter: the process's executable. Tetragon compares the **resolved** executable
 * (`mm->exe_file`), not the path given to exec: `/bin/sh` is `/usr/bin/dash` or `/bin/busybox` here,
 * although events show `/bin/sh`. At most one per selector.
 * @see https://tetragon.io/docs/concepts/tracing-policy/selectors/#binaries-filter
 */
export class BinaryFilter {
  /** The executable is one of `paths` (absolute). */
  public static in(paths: readonly string[], options: { followChildren?: boolean } = {}): BinaryFilter {
    return new BinaryFilter(BinaryOperator.IN, paths, options.followChildren);
  }
  /** The executable is none of `paths` (an allowlist of trusted binaries). */
  public static notIn(paths: readonly string[], options: { followChildren?: boolean } = {}): BinaryFilter {
    return new BinaryFilter(BinaryOperator.NOT_IN, paths, options.followChildren);
  }
  /** The executable's path starts with one of `prefixes` (e.g. `/tmp/`). */
  public static prefix(prefixes: readonly string[]): BinaryFilter {
    return new BinaryFilter(BinaryOperator.PREFIX, prefixes);
  }
  /** The executable's path starts with none of `prefixes`. */
  public static notPrefix(prefixes: readonly string[]): BinaryFilter {
    return new BinaryFilter(BinaryOperator.NOT_PREFIX, prefixes);
  }
  /** The executable's path ends with one of `suffixes` (e.g. `/xmrig`). */
  public static postfix(suffixes: readonly string[]): BinaryFilter {
    return new BinaryFilter(BinaryOperator.POSTFIX, suffixes);
  }
  /** The executable's path ends with none of `suffixes`. */
  public static notPostfix(suffixes: readonly string[]): BinaryFilter {
    return new BinaryFilter(BinaryOperator.NOT_POSTFIX, suffixes);
  }

  private constructor(
    public readonly operator: BinaryOperator,
    public readonly values: readonly string[],
    public readonly followChildren?: boolean,
  ) {}

  /** @internal */
  public _validate(field: string, problems: Problems): void {
    if (this.values.length === 0) problems.add(`${field}.values`, `${this.operator} needs at least one path`);
    const absolute = this.operator !== BinaryOperator.POSTFIX && this.operator !== BinaryOperator.NOT_POSTFIX;
    this.values.forEach((v, i) => {
      if (v === '') problems.add(`${field}.values[${i}]`, 'is empty; give a path');
      else if (absolute && !v.startsWith('/'))
        problems.add(`${field}.values[${i}]`, `got ${show(v)}; executables are matched by absolute path, e.g. ${show('/usr/bin/' + v)}`);
      else if (v.length > LIMITS.binaryPathLength)
        problems.add(`${field}.values[${i}]`, `${v.length} characters; at most ${LIMITS.binaryPathLength}`);
    });
    if (this.followChildren && this.operator !== BinaryOperator.IN && this.operator !== BinaryOperator.NOT_IN) {
      problems.add(`${field}.followChildren`, `only works with In or NotIn, not ${this.operator}`);
    }
  }

  /** @internal */
  public _render(): Record<string, unknown> {
    return { operator: this.operator, values: [...this.values], ...(this.followChildren ? { followChildren: true } : {}) };
  }
}

/** Linux namespaces for `matchNamespaces`. */
export enum Namespace {
  UTS = 'Uts',
  IPC = 'Ipc',
  MNT = 'Mnt',
  PID = 'Pid',
  PID_FOR_CHILDREN = 'PidForChildren',
  NET = 'Net',
  TIME = 'Time',
  TIME_FOR_CHILDREN = 'TimeForChildren',
  CGROUP = 'Cgroup',
  USER = 'User',
}

/**
 * A `matchNamespaces` filter. `host_ns` stands for the namespace of the host's init process, so
 * `NamespaceFilter.notHost(Namespace.MNT)` selects processes in containers, whatever runtime started them, and
 * also host processes with a mount namespace of their own: services systemd sandboxes (`PrivateTmp=`,
 * `ProtectSystem=`, ...), `unshare -m`, `ip netns exec`. Use a pod selector on the policy to mean Kubernetes pods.
 */
export class NamespaceFilter {
  /** The process is in the host's namespace of this kind. */
  public static host(namespace: Namespace): NamespaceFilter {
    return new NamespaceFilter(namespace, 'In', ['host_ns']);
  }
  /** The process is not in the host's namespace of this kind (it runs in a container, or in a sandboxed host service). */
  public static notHost(namespace: Namespace): NamespaceFilter {
    return new NamespaceFilter(namespace, 'NotIn', ['host_ns']);
  }
  /** The process's namespace inode is one of `inodes` (or `host_ns`). */
  public static in(namespace: Namespace, inodes: readonly (number | 'host_ns')[]): NamespaceFilter {
    return new NamespaceFilter(namespace, 'In', inodes.map(String));
  }
  /** The process's namespace inode is none of `inodes`. */
  public static notIn(namespace: Namespace, inodes: readonly (number | 'host_ns')[]): NamespaceFilter {
    return new NamespaceFilter(namespace, 'NotIn', inodes.map(String));
  }

  private constructor(
    public readonly namespace: Namespace,
    public readonly operator: 'In' | 'NotIn',
    public readonly values: readonly string[],
  ) {}

  /** @internal */
  public _validate(field: string, problems: Problems): void {
    if (this.values.length === 0 || this.values.length > LIMITS.namespaceValuesPerFilter) {
      problems.add(
        `${field}.values`,
        `${this.values.length} values given; a namespace filter takes 1 to ${LIMITS.namespaceValuesPerFilter}`,
      );
    }
    this.values.forEach((v, i) => {
      if (v !== 'host_ns' && !/^\d+$/.test(v))
        problems.add(`${field}.values[${i}]`, `got ${show(v)}; expected a namespace inode number or host_ns`);
    });
  }

  /** @internal */
  public _render(): Record<string, unknown> {
    return { namespace: this.namespace, operator: this.operator, values: [...this.values] };
  }
}

/** Which capability set a `matchCapabilities` filter reads. */
export enum CapabilitySet {
  EFFECTIVE = 'Effective',
  INHERITABLE = 'Inheritable',
  PERMITTED = 'Permitted',
}

/** A `matchCapabilities` filter on the calling process's capabilities. */
export class CapabilityFilter {
  /** The process has at least one of `capabilities` in `set` (default: effective). */
  public static in(capabilities: readonly Capability[], set: CapabilitySet = CapabilitySet.EFFECTIVE): CapabilityFilter {
    return new CapabilityFilter('In', capabilities, set);
  }
  /** The process has none of `capabilities` in `set` (default: effective). */
  public static notIn(capabilities: readonly Capability[], set: CapabilitySet = CapabilitySet.EFFECTIVE): CapabilityFilter {
    return new CapabilityFilter('NotIn', capabilities, set);
  }

  private constructor(
    public readonly operator: 'In' | 'NotIn',
    public readonly values: readonly Capability[],
    public readonly set: CapabilitySet,
  ) {}

  /** @internal */
  public _validate(field: string, problems: Problems): void {
    if (this.values.length === 0) problems.add(`${field}.values`, 'needs at least one capability');
    this.values.forEach((v, i) => {
      const bit = capabilityBit(String(v));
      if (typeof bit === 'string') problems.add(`${field}.values[${i}]`, `got ${show(v)}; ${bit}; use the Capability enum`);
    });
  }

  /** @internal */
  public _render(): Record<string, unknown> {
    // `type` is emitted although Effective is the CRD default: the output then says what it checks.
    return { type: this.set, operator: this.operator, values: [...this.values] };
  }
}
