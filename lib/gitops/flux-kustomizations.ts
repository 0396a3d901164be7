import { Construct } from 'constructs';
import * as kustomize from '../../imports/kustomize.toolkit.fluxcd.io';
import type { InstallHealthCheck, TetragonInstall } from '../install/tetragon-install';
import { isDnsLabel, isDnsSubdomain, isDuration } from '../private/patterns';
import { Problems, fail, gotExpected, invalid, show } from '../private/problems';

/** The unit folders of `dist/<cluster>/`, in apply order. */
export enum GitOpsUnit {
  /** The Tetragon install (chart objects or HelmRelease), including the CRDs. */
  INSTALL = 'install',
  /** TracingPolicies; need the CRDs from `install`. */
  POLICIES = 'policies',
  /** Dashboards, alert rules, log shipping. */
  OBSERVABILITY = 'observability',
  /** The Flux Kustomizations of the units above (this construct's output). */
  FLUX = 'flux',
}

/** One folder of `dist/<cluster>/` that Flux applies as one Kustomization. */
export interface GitOpsUnitSpec {
  /** Folder name under `dist/<cluster>/`, also the suffix of the Kustomization name. */
  readonly name: string;
  /** Units that must be applied and healthy first. @default - none */
  readonly dependsOn?: string[];
  /**
   * Objects whose readiness marks the unit as healthy. When set, `wait` is off (Flux ignores
   * health checks when `wait` is on).
   *
   * @default - none
   */
  readonly healthChecks?: InstallHealthCheck[];
  /** Wait for every applied object to become ready. @default true when there are no health checks */
  readonly wait?: boolean;
  /** Delete objects that were removed from the folder. @default - the construct's `prune` */
  readonly prune?: boolean;
}

/** Props of {@link FluxKustomizations}. */
export interface FluxKustomizationsProps {
  /** Cluster folder name: units live in `./<distDir>/<cluster>/<unit>`. */
  readonly cluster: string;
  /**
   * The units, in any order.
   *
   * @default install; policies and observability, both depending on install
   */
  readonly units?: GitOpsUnitSpec[];
  /** The install whose health checks (HelmRelease, DaemonSet, operator) gate the install unit. @default - none */
  readonly install?: TetragonInstall;
  /** Which unit {@link FluxKustomizationsProps.install} belongs to. @default 'install' */
  readonly installUnit?: string;
  /** Name of the GitRepository that holds `dist/`. @default 'flux-system' */
  readonly gitRepository?: string;
  /** Namespace of the GitRepository. @default - the Kustomizations' namespace */
  readonly gitRepositoryNamespace?: string;
  /** Namespace of the Kustomizations. @default 'flux-system' */
  readonly namespace?: string;
  /** Folder of the committed YAML, relative to the repository root. @default 'dist' */
  readonly distDir?: string;
  /** Reconcile interval. @default '10m' */
  readonly interval?: string;
  /** Retry interval after a failure. @default '1m' */
  readonly retryInterval?: string;
  /** Timeout of apply and health checks. @default '5m' */
  readonly timeout?: string;
  /** Prune removed objects. @default true */
  readonly prune?: boolean;
  /** Prefix of the Kustomization names (`tetragon-install`...). @default 'tetragon-' */
  readonly namePrefix?: string;
}

/** The default units: install first, then policies and observability. */
export const DEFAULT_GITOPS_UNITS: readonly GitOpsUnitSpec[] = Object.freeze([
  { name: GitOpsUnit.INSTALL },
  { name: GitOpsUnit.POLICIES, dependsOn: [GitOpsUnit.INSTALL] },
  { name: GitOpsUnit.OBSERVABILITY, dependsOn: [GitOpsUnit.INSTALL] },
]);

/**
 * Flux `Kustomization`s that apply the units of `dist/<cluster>/` in order: `install` (with the
 * CRDs) before `policies` and `observability`, each waiting for its dependencies to be healthy.
 * Put it in the `flux` unit and point the cluster's bootstrap Kustomization at `dist/<cluster>/flux`.
 */
export class FluxKustomizations extends Construct {
  /** Cluster folder name. */
  public readonly cluster: string;
  /** Kustomizations by unit name. */
  public readonly kustomizations = new Map<string, kustomize.Kustomization>();
  private readonly units = new Map<string, GitOpsUnitSpec>();
  private readonly settings: Required<Omit<FluxKustomizationsProps, 'units' | 'install' | 'cluster' | 'gitRepositoryNamespace'>> & {
    gitRepositoryNamespace: string;
  };

  public constructor(scope: Construct, id: string, props: FluxKustomizationsProps) {
    super(scope, id);
    const namespace = props.namespace ?? 'flux-system';
    this.cluster = props.cluster;
    this.settings = {
      installUnit: props.installUnit ?? GitOpsUnit.INSTALL,
      gitRepository: props.gitRepository ?? 'flux-system',
      gitRepositoryNamespace: props.gitRepositoryNamespace ?? namespace,
      namespace,
      distDir: props.distDir ?? 'dist',
      interval: props.interval ?? '10m',
      retryInterval: props.retryInterval ?? '1m',
      timeout: props.timeout ?? '5m',
      prune: props.prune ?? true,
      namePrefix: props.namePrefix ?? 'tetragon-',
    };
    const s = this.settings;
    const problems = new Problems('invalid FluxKustomizations props');
    problems.check(
      /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(props.cluster ?? ''),
      'cluster',
      props.cluster,
      'a folder name such as nlcl01k8s',
    );
    problems.check(isDnsLabel(s.namespace), 'namespace', s.namespace, 'a namespace name');
    problems.check(isDnsLabel(s.gitRepositoryNamespace), 'gitRepositoryNamespace', s.gitRepositoryNamespace, 'a namespace name');
    problems.check(isDnsSubdomain(s.gitRepository), 'gitRepository', s.gitRepository, 'a GitRepository name');
    problems.check(
      /^[a-z0-9]([-a-z0-9]*-)?$/.test(s.namePrefix),
      'namePrefix',
      s.namePrefix,
      "lowercase letters, digits and '-', e.g. 'tetragon-'",
    );
    problems.check(
      /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(s.distDir) && !s.distDir.split('/').includes('..'),
      'distDir',
      s.distDir,
      "a relative folder such as 'dist'",
    );
    for (const f of ['interval', 'retryInterval', 'timeout'] as const) problems.check(isDuration(s[f]), f, s[f], 'a duration such as 5m');
    problems.throwIfAny(this);

    for (const unit of props.units ?? DEFAULT_GITOPS_UNITS) {
      const healthChecks =
        unit.name === s.installUnit && props.install ? [...props.install.healthChecks, ...(unit.healthChecks ?? [])] : unit.healthChecks;
      this.addUnit({ ...unit, healthChecks });
    }
    if (props.install && !this.units.has(s.installUnit)) {
      invalid(
        this,
        'installUnit',
        s.installUnit,
        `one of the units (${[...this.units.keys()].join(', ')})`,
        'Add the unit or set installUnit',
      );
    }
    this.node.addValidation({ validate: () => this.validateGraph() });
  }

  /** The repository path of a unit's folder, e.g. `./dist/nlcl01k8s/install`. */
  public pathOf(unit: string): string {
    return `./${this.settings.distDir}/${this.cluster}/${unit}`;
  }

  /** The Kustomization name of a unit, e.g. `tetragon-install`. */
  public nameOf(unit: string): string {
    return `${this.settings.namePrefix}${unit}`;
  }

  /** Adds a unit; throws on a duplicate or invalid name. Returns its Kustomization. */
  public addUnit(unit: GitOpsUnitSpec): kustomize.Kustomization {
    const field = `units[${show(unit.name)}]`;
    if (!isDnsLabel(unit.name))
      fail(this, field, gotExpected(unit.name, "a DNS label (lowercase letters, digits, '-'), as it names a folder and a Kustomization"));
    if (unit.name === GitOpsUnit.FLUX)
      fail(this, field, "unit 'flux' holds these Kustomizations themselves and is applied by the cluster's bootstrap; it cannot be a unit");
    if (this.units.has(unit.name)) fail(this, field, `unit ${show(unit.name)} is defined twice`);
    if (unit.wait && unit.healthChecks?.length) {
      fail(this, field, 'sets wait: true and healthChecks; Flux ignores health checks when wait is on. Drop one of them');
    }
    if (new Set(unit.dependsOn ?? []).size !== (unit.dependsOn ?? []).length) {
      fail(this, `${field}.dependsOn`, `lists a dependency twice: ${show(unit.dependsOn)}`);
    }
    this.units.set(unit.name, unit);
    const s = this.settings;
    const healthChecks = [...(unit.healthChecks ?? [])]
      .sort((a, b) => `${a.kind}/${a.namespace}/${a.name}`.localeCompare(`${b.kind}/${b.namespace}/${b.name}`))
      .map((h) => ({ apiVersion: h.apiVersion, kind: h.kind, name: h.name, namespace: h.namespace }));
    const k = new kustomize.Kustomization(this, unit.name, {
      metadata: { name: this.nameOf(unit.name), namespace: s.namespace },
      spec: {
        interval: s.interval,
        retryInterval: s.retryInterval,
        timeout: s.timeout,
        path: this.pathOf(unit.name),
        prune: unit.prune ?? s.prune,
        wait: unit.wait ?? healthChecks.length === 0,
        sourceRef: {
          kind: kustomize.KustomizationSpecSourceRefKind.GIT_REPOSITORY,
          name: s.gitRepository,
          ...(s.gitRepositoryNamespace !== s.namespace ? { namespace: s.gitRepositoryNamespace } : {}),
        },
        ...(unit.dependsOn?.length ? { dependsOn: [...unit.dependsOn].sort().map((d) => ({ name: this.nameOf(d) })) } : {}),
        ...(healthChecks.length ? { healthChecks } : {}),
      },
    });
    this.kustomizations.set(unit.name, k);
    return k;
  }

  /** The units in an order that respects dependsOn (ties by name). */
  public applyOrder(): string[] {
    const order: string[] = [];
    const done = new Set<string>();
    const visit = (name: string, stack: string[]) => {
      if (done.has(name)) return;
      if (stack.includes(name)) throw new Error(`dependency cycle: ${[...stack, name].join(' -> ')}`);
      for (const d of [...(this.units.get(name)?.dependsOn ?? [])].sort()) if (this.units.has(d)) visit(d, [...stack, name]);
      done.add(name);
      order.push(name);
    };
    for (const name of [...this.units.keys()].sort()) visit(name, []);
    return order;
  }

  private validateGraph(): string[] {
    const errors: string[] = [];
    for (const [name, unit] of this.units) {
      for (const d of unit.dependsOn ?? []) {
        if (d === name) errors.push(`unit ${show(name)} depends on itself`);
        else if (!this.units.has(d))
          errors.push(`unit ${show(name)} depends on ${show(d)}, which is not a unit (units: ${[...this.units.keys()].join(', ')})`);
      }
    }
    if (errors.length === 0) {
      try {
        this.applyOrder();
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    return errors;
  }
}
