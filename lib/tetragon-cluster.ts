import { Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { Detections, DetectionsProps } from './detections/bundles';
import { FluxKustomizations, FluxKustomizationsProps } from './gitops/flux-kustomizations';
import { TetragonInstall, TetragonInstallProps } from './install/tetragon-install';
import { ExportSidecarMode } from './install/values';
import { ExpectedPolicy, PolicyStatusProps } from './observability/policy-status';
import { TetragonObservability, TetragonObservabilityProps } from './observability/tetragon-observability';
import { Detection, InstallRequirements, mergeRequirements } from './policies/detection';
import { NetworkConnectionMonitor, NetworkConnectionMonitorProps } from './policies/network-connection-monitor';
import { PrivilegeEscalationMonitor, PrivilegeEscalationMonitorProps } from './policies/privilege-escalation-monitor';
import { ProcessExecMonitor, ProcessExecMonitorProps } from './policies/process-exec-monitor';
import { SensitiveFileAccessMonitor, SensitiveFileAccessMonitorProps } from './policies/sensitive-file-access-monitor';
import { ShellAccessMonitor, ShellAccessMonitorProps } from './policies/shell-access-monitor';
import { ENFORCEMENT_DRY_RUN_CONTEXT } from './policy/enforcement';
import { TracingPolicy } from './policy/tracing-policy';
import { CLUSTER } from './private/cluster-scope';
import { isDnsLabel } from './private/patterns';
import { Problems, fail, refuse } from './private/problems';
import { PropKeys, refuseUnknownProps } from './private/props';

/** Policy live status of a {@link TetragonCluster}, for the policies it deploys. */
export interface ClusterPolicyStatusProps extends Omit<PolicyStatusProps, 'policies'> {
  /**
   * Emit the policy status rules and dashboard row.
   * @default true (with enableAlertRules)
   */
  readonly enabled?: boolean;
  /**
   * Silence windows by policy name (a policy this cluster deploys): `TetragonPolicySilent` fires when the policy is
   * live on a node but posted nothing there for that long. Only for policies that always have something to report.
   * Policies added to the `policies` unit after the cluster's construction are covered too.
   * @default - none
   */
  readonly silentAfter?: Record<string, Duration>;
}

/**
 * Props of a {@link TetragonCluster}: the OpenTofu module's variables, typed.
 * Each toggle keeps the module's default; each options prop narrows or extends its part.
 */
export interface TetragonClusterProps {
  /** The cluster's name (`cluster_name`): labels its events and names its folder in `dist/`. */
  readonly clusterName: string;
  /**
   * The Tetragon chart version (`tetragon_version`): the one value to change for an upgrade.
   * @default '1.7.0'
   */
  readonly tetragonVersion?: string;
  /**
   * Install settings (renderer, chart source, values). `clusterName` and `tetragonVersion` fill them in.
   * @default {} - secure defaults, rendered as a Flux HelmRelease
   */
  readonly install?: Omit<TetragonInstallProps, 'clusterName' | 'chartVersion'>;

  /**
   * Deploy `process-exec-monitor`.
   * @default true
   */
  readonly enableProcessExecMonitor?: boolean;
  /**
   * Deploy `sensitive-file-access-monitor`.
   * @default true
   */
  readonly enableSensitiveFileMonitor?: boolean;
  /**
   * Deploy `privilege-escalation-monitor`.
   * @default true
   */
  readonly enablePrivilegeEscalationMonitor?: boolean;
  /**
   * Deploy `shell-access-monitor`.
   * @default true
   */
  readonly enableShellAccessMonitor?: boolean;
  /**
   * Deploy `network-connection-monitor` (noisy, so off as in the module).
   * @default false
   */
  readonly enableNetworkMonitor?: boolean;
  /** Options of `process-exec-monitor`. @default {} */
  readonly processExecMonitor?: ProcessExecMonitorProps;
  /** Options of `sensitive-file-access-monitor`. @default {} */
  readonly sensitiveFileMonitor?: SensitiveFileAccessMonitorProps;
  /** Options of `privilege-escalation-monitor`. @default {} */
  readonly privilegeEscalationMonitor?: PrivilegeEscalationMonitorProps;
  /** Options of `shell-access-monitor`. @default {} */
  readonly shellAccessMonitor?: ShellAccessMonitorProps;
  /** Options of `network-connection-monitor`. @default {} */
  readonly networkMonitor?: NetworkConnectionMonitorProps;
  /**
   * Detections of the library to add, by bundle (`baseline`, `strict`, `crypto-mining`, `container-escape`) or by
   * name, with per-detection options. Their Loki alerts join the Loki rules, and the install is checked to provide
   * what they need (process credentials, export event types) or extended with it (the parents map).
   * @default - none: only the module's five policies
   */
  readonly detections?: DetectionsProps;
  /**
   * Render every enforcing policy in `policy-mode: monitor`, whatever its own mode: a dry run of enforcement
   * for the whole cluster (events show what would have been killed or blocked).
   * @default false
   */
  readonly enforcementDryRun?: boolean;

  /**
   * Deploy the Grafana dashboard ConfigMap (`enable_grafana_dashboard`).
   * @default true
   */
  readonly enableGrafanaDashboard?: boolean;
  /**
   * Namespace of the dashboard ConfigMap (the module's dashboard namespace variable).
   * @default 'monitoring'
   */
  readonly grafanaDashboardNamespace?: string;
  /**
   * Deploy the PrometheusRule alerts.
   * @default true
   */
  readonly enableAlertRules?: boolean;
  /**
   * Deploy the Loki ruler alerts.
   * @default true
   */
  readonly enableLokiRules?: boolean;
  /**
   * Deploy the log-shipping configuration (Grafana Alloy by default), which tails the export file on each node; the
   * install then leaves out the chart's export-stdout sidecar (set `install.export.sidecar` to keep it).
   * @default true
   */
  readonly enableLogShipping?: boolean;
  /**
   * Policy live status for every TracingPolicy the `policies` unit holds: alerts naming the policy and the node where
   * it is not live, failed to load, stays silent (opt-in per policy) or suddenly posts far more events, and the
   * dashboard's "Policy status" row with a policy × node grid.
   * @default {} - on with the alert rules, no silence alerts
   */
  readonly policyStatus?: ClusterPolicyStatusProps;
  /**
   * Other observability settings (namespaces, Alloy/Promtail and SIEM sinks, alert labels).
   * @default {}
   */
  readonly observability?: Omit<
    TetragonObservabilityProps,
    | 'enableGrafanaDashboard'
    | 'grafanaDashboardNamespace'
    | 'enableAlertRules'
    | 'enableLokiRules'
    | 'enableLogShipping'
    | 'policyNames'
    | 'policyStatus'
  >;
  /**
   * Flux Kustomizations that apply the units in order (Git source, interval, prefix).
   * @default {} - GitRepository `flux-system`, paths under `./dist`
   */
  readonly flux?: Omit<FluxKustomizationsProps, 'cluster' | 'install'>;
}

/**
 * Everything Tetragon needs on one cluster, as GitOps units: one cdk8s Chart per unit, which
 * {@link synthesizeClusters} writes to `dist/<clusterName>/<unit>/` (several clusters may share one App):
 *
 * - `install`: Tetragon from its Helm chart (a Flux HelmRelease, or the rendered objects with `helm-template`);
 * - `policies`: the TracingPolicies the toggles select, and any library detections;
 * - `observability`: the Grafana dashboard, alert rules, Loki rules and log-shipping configuration;
 * - `flux`: the Kustomizations that apply the others in order (install first, with the CRDs).
 */
export class TetragonCluster extends Construct {
  /** Whether `x` is a TetragonCluster (also across copies of this package). */
  public static isTetragonCluster(x: unknown): x is TetragonCluster {
    return CLUSTER.has(x);
  }

  /** The cluster's name. */
  public readonly clusterName: string;
  /** The `install` unit. */
  public readonly installChart: Chart;
  /** The `policies` unit. */
  public readonly policies: Chart;
  /** The `observability` unit. */
  public readonly observabilityChart: Chart;
  /** The `flux` unit. */
  public readonly fluxChart: Chart;
  /** The selected detections, when any. */
  public readonly detections?: Detections;
  /** The Tetragon install. */
  public readonly install: TetragonInstall;
  /** Dashboard, alerts, Loki rules and log shipping. */
  public readonly observability: TetragonObservability;
  /** The Flux Kustomizations. */
  public readonly kustomizations: FluxKustomizations;
  /** The monitors and detections deployed, read through the {@link Detection} contract. */
  private readonly parts: Detection[] = [];

  constructor(scope: Construct, id: string, props: TetragonClusterProps) {
    super(scope, id);
    CLUSTER.mark(this);
    refuseUnknownProps(this.node.path, '', props, CLUSTER_PROPS);
    for (const [field, keys] of Object.entries(PART_PROPS)) {
      refuseUnknownProps(this.node.path, field, props[field as keyof typeof PART_PROPS], keys as PropKeys<unknown>);
    }
    if (!isDnsLabel(props.clusterName)) {
      refuse(
        this,
        'clusterName',
        props.clusterName,
        "use a DNS label (lowercase letters, digits and '-', at most 63 characters), as it names the cluster's folder and labels its events",
      );
    }
    this.clusterName = props.clusterName;
    const chartProps = { disableResourceNameHashes: true };

    // One chart per unit, inside the cluster so that several clusters fit in one app; ids are the folder names.
    this.installChart = new Chart(this, 'install', chartProps);
    this.policies = new Chart(this, 'policies', chartProps);
    if (props.enforcementDryRun) this.policies.node.setContext(ENFORCEMENT_DRY_RUN_CONTEXT, true);
    const names = {
      processExec: props.processExecMonitor?.name ?? ProcessExecMonitor.NAME,
      sensitiveFileAccess: props.sensitiveFileMonitor?.name ?? SensitiveFileAccessMonitor.NAME,
      privilegeEscalation: props.privilegeEscalationMonitor?.name ?? PrivilegeEscalationMonitor.NAME,
      shellAccess: props.shellAccessMonitor?.name ?? ShellAccessMonitor.NAME,
      networkConnection: props.networkMonitor?.name ?? NetworkConnectionMonitor.NAME,
    };
    this.addPart(
      'enableProcessExecMonitor',
      props.enableProcessExecMonitor ?? true,
      'processExecMonitor',
      props.processExecMonitor,
      (s, i, p) => new ProcessExecMonitor(s, i, p),
      'ProcessExecMonitor',
    );
    this.addPart(
      'enableSensitiveFileMonitor',
      props.enableSensitiveFileMonitor ?? true,
      'sensitiveFileMonitor',
      props.sensitiveFileMonitor,
      (s, i, p) => new SensitiveFileAccessMonitor(s, i, p),
      'SensitiveFileAccessMonitor',
    );
    this.addPart(
      'enablePrivilegeEscalationMonitor',
      props.enablePrivilegeEscalationMonitor ?? true,
      'privilegeEscalationMonitor',
      props.privilegeEscalationMonitor,
      (s, i, p) => new PrivilegeEscalationMonitor(s, i, p),
      'PrivilegeEscalationMonitor',
    );
    this.addPart(
      'enableShellAccessMonitor',
      props.enableShellAccessMonitor ?? true,
      'shellAccessMonitor',
      props.shellAccessMonitor,
      (s, i, p) => new ShellAccessMonitor(s, i, p),
      'ShellAccessMonitor',
    );
    this.addPart(
      'enableNetworkMonitor',
      props.enableNetworkMonitor ?? false,
      'networkMonitor',
      props.networkMonitor,
      (s, i, p) => new NetworkConnectionMonitor(s, i, p),
      'NetworkConnectionMonitor',
    );
    this.detections = props.detections ? new Detections(this.policies, 'Detections', props.detections) : undefined;
    if (this.detections) this.parts.push(this.detections);

    // The install comes after the detections so it can provide what they need.
    const needs = mergeRequirements(this.parts.map((d) => d.installRequirements));
    const extraValues = needs.parentsMap
      ? mergeValues(props.install?.extraValues ?? {}, { tetragon: { extraArgs: { 'parents-map-enabled': 'true' } } })
      : props.install?.extraValues;
    // The log shipping tails the export file, so the export-stdout sidecar would only make the cluster's pod-log
    // pipeline ship every event a second time; it stays on when this library does not ship the logs.
    const shipsExportFile = props.enableLogShipping ?? true;
    this.install = new TetragonInstall(this.installChart, 'Tetragon', {
      ...props.install,
      export: {
        ...props.install?.export,
        sidecar: props.install?.export?.sidecar ?? (shipsExportFile ? ExportSidecarMode.NONE : ExportSidecarMode.STDOUT),
      },
      ...(extraValues ? { extraValues } : {}),
      clusterName: props.clusterName,
      chartVersion: props.tetragonVersion ?? '1.7.0',
    });
    this.checkInstallProvides(needs);

    this.observabilityChart = new Chart(this, 'observability', chartProps);
    const observability = props.observability ?? {};
    const observabilityProps: TetragonObservabilityProps = {
      ...observability,
      tetragonNamespace: observability.tetragonNamespace ?? this.install.namespace,
      alloy:
        (observability.logShipper ?? 'alloy') === 'alloy' ? { cluster: props.clusterName, ...observability.alloy } : observability.alloy,
      promtail:
        observability.logShipper === 'promtail' ? { cluster: props.clusterName, ...observability.promtail } : observability.promtail,
      enableGrafanaDashboard: props.enableGrafanaDashboard,
      grafanaDashboardNamespace: props.grafanaDashboardNamespace,
      enableAlertRules: props.enableAlertRules,
      enableLokiRules: props.enableLokiRules,
      lokiRules: {
        ...observability.lokiRules,
        detectionRules: [...(observability.lokiRules?.detectionRules ?? []), ...this.parts.flatMap((d) => d.lokiRules)],
      },
      enableLogShipping: props.enableLogShipping,
      policyNames: names,
      policyStatus: this.policyStatus(props),
    };
    // Options of a part that is off are still checked: built once with the part on, under the same path, then dropped.
    const offWithOptions = (
      [
        ['enableGrafanaDashboard', props.enableGrafanaDashboard === false && observability.dashboard !== undefined],
        ['enableAlertRules', props.enableAlertRules === false && observability.alertRules !== undefined],
        ['enableLokiRules', props.enableLokiRules === false && observability.lokiRules !== undefined],
        [
          'enableLogShipping',
          props.enableLogShipping === false && (observability.alloy !== undefined || observability.promtail !== undefined),
        ],
      ] as const
    )
      .filter(([, off]) => off)
      .map(([toggle]) => toggle);
    if (offWithOptions.length) {
      try {
        new TetragonObservability(this.observabilityChart, 'Observability', {
          ...observabilityProps,
          ...Object.fromEntries(offWithOptions.map((t) => [t, true])),
        });
      } catch (e) {
        throw new Error(
          `${(e as Error).message} (observability options are checked although ${offWithOptions.join(', ')} ${offWithOptions.length > 1 ? 'are' : 'is'} false)`,
        );
      } finally {
        this.observabilityChart.node.tryRemoveChild('Observability');
      }
    }
    this.observability = new TetragonObservability(this.observabilityChart, 'Observability', observabilityProps);

    this.fluxChart = new Chart(this, 'flux', chartProps);
    this.kustomizations = new FluxKustomizations(this.fluxChart, 'Kustomizations', {
      ...props.flux,
      cluster: props.clusterName,
      install: this.install,
    });
  }

  /** Policy status settings for the policies of the `policies` unit, or undefined when off. */
  private policyStatus(props: TetragonClusterProps): PolicyStatusProps | undefined {
    const { enabled, silentAfter = {}, ...rest } = props.policyStatus ?? {};
    if (enabled === false || props.enableAlertRules === false) {
      if (props.policyStatus?.silentAfter !== undefined) {
        fail(
          this,
          'policyStatus.silentAfter',
          'set while policy status is off (enabled false or enableAlertRules false); drop it or turn policy status on',
        );
      }
      return undefined;
    }
    const deployed = () => this.policies.node.findAll().filter((c): c is TracingPolicy => TracingPolicy.isTracingPolicy(c));
    const expected = (): ExpectedPolicy[] =>
      deployed().map((p) => ({
        name: p.name,
        ...(p.namespace !== undefined ? { namespace: p.namespace } : {}),
        ...(silentAfter[p.name] !== undefined ? { silentAfter: silentAfter[p.name] } : {}),
      }));
    // On the finished tree: a policy may be added to the policies unit after the cluster is constructed.
    this.node.addValidation({
      validate: () => {
        const names = deployed().map((p) => p.name);
        const unknown = Object.keys(silentAfter).filter((name) => !names.includes(name));
        return unknown.length === 0
          ? []
          : [
              `${this.node.path}: policyStatus.silentAfter: ${unknown.map((n) => `'${n}'`).join(', ')} ` +
                `${unknown.length === 1 ? 'is' : 'are'} not deployed by this cluster; use one of ${names.sort().join(', ')}`,
            ];
      },
    });
    if (expected().length === 0) return undefined;
    // Read when the rules render, so policies added to the policies unit after construction are expected too.
    return {
      ...rest,
      get policies() {
        return expected();
      },
    };
  }

  /**
   * Adds one of the module's policies when its toggle is on. When it is off, its options are still built once and
   * thrown away, so a mistake in them fails now rather than on the day the toggle is turned on.
   */
  private addPart<P>(
    toggle: string,
    on: boolean,
    field: string,
    options: P | undefined,
    build: (scope: Construct, id: string, props: P | undefined) => Detection,
    id: string,
  ): void {
    if (on) {
      this.parts.push(build(this.policies, id, options));
      return;
    }
    if (options === undefined) return;
    try {
      build(this.policies, id, options);
    } catch (e) {
      throw new Error(`${(e as Error).message} (${field} is checked although ${toggle} is false)`);
    } finally {
      this.policies.node.tryRemoveChild(id);
    }
  }

  /** Fails when the install turns off something a selected detection depends on. */
  private checkInstallProvides(needs: InstallRequirements): void {
    const tetragon = (this.install.values.tetragon ?? {}) as Record<string, unknown>;
    const problems = new Problems();
    if (needs.processCredentials && tetragon.enableProcessCred !== true) {
      problems.add(
        'install.processCredentials',
        'is false, but selected detections read binary_properties and credentials; leave it on (the default) or drop those detections',
      );
    }
    const allow = String(tetragon.exportAllowList ?? '');
    const missing = (needs.exportEventTypes ?? []).filter((t) => allow !== '' && !allow.includes(`"${t}"`));
    if (missing.length) {
      problems.add(
        'install.export.allowList',
        `leaves out ${missing.join(', ')}, which selected detections emit; add them to the allow list or drop those detections`,
      );
    }
    const dropsHost = String(tetragon.exportDenyList ?? '')
      .split('\n')
      .some((line) => {
        try {
          const filter = JSON.parse(line) as Record<string, unknown>;
          return Object.keys(filter).length === 1 && Array.isArray(filter.namespace) && filter.namespace.includes('');
        } catch {
          return false;
        }
      });
    if (needs.exportHostEvents && dropsHost) {
      problems.add(
        'install.export.denyList',
        'drops every host-process event (namespace ""), which selected node-level detections report; deny narrower filters instead',
      );
    }
    problems.throwIfAny(this);
  }
}

/** Deep-merges chart values (objects merged, everything else replaced by `b`). */
function mergeValues(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      prev && typeof prev === 'object' && !Array.isArray(prev) && v && typeof v === 'object' && !Array.isArray(v)
        ? mergeValues(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/** Every prop of {@link TetragonClusterProps}, checked at run time. */
const CLUSTER_PROPS: PropKeys<TetragonClusterProps> = {
  clusterName: true,
  tetragonVersion: true,
  install: true,
  enableProcessExecMonitor: true,
  enableSensitiveFileMonitor: true,
  enablePrivilegeEscalationMonitor: true,
  enableShellAccessMonitor: true,
  enableNetworkMonitor: true,
  processExecMonitor: true,
  sensitiveFileMonitor: true,
  privilegeEscalationMonitor: true,
  shellAccessMonitor: true,
  networkMonitor: true,
  detections: true,
  enforcementDryRun: true,
  enableGrafanaDashboard: true,
  grafanaDashboardNamespace: true,
  enableAlertRules: true,
  enableLokiRules: true,
  enableLogShipping: true,
  observability: true,
  flux: true,
  policyStatus: true,
};

/** The props of each part's options, checked at run time one level deep. */
const PART_PROPS: {
  [K in keyof TetragonClusterProps as NonNullable<TetragonClusterProps[K]> extends object ? K : never]-?: PropKeys<
    NonNullable<TetragonClusterProps[K]>
  >;
} = {
  install: {
    method: true,
    chart: true,
    chartName: true,
    releaseName: true,
    namespace: true,
    kubeVersion: true,
    includeCrds: true,
    helmExecutable: true,
    flux: true,
    export: true,
    processCredentials: true,
    processNamespaces: true,
    metrics: true,
    resources: true,
    tolerations: true,
    priorityClassName: true,
    rthooks: true,
    crdInstallMethod: true,
    operator: true,
    images: true,
    extraValues: true,
  },
  processExecMonitor: { failureErrnos: true, name: true, podSelector: true, trustedBinaries: true, rateLimit: true },
  sensitiveFileMonitor: {
    files: true,
    writeOnlyFiles: true,
    prefixes: true,
    suffixes: true,
    watchServiceAccountTokens: true,
    name: true,
    podSelector: true,
    trustedBinaries: true,
    rateLimit: true,
  },
  privilegeEscalationMonitor: {
    trustedBinaries: true,
    watchSetuid: true,
    watchCapset: true,
    watchUserNamespaces: true,
    name: true,
    podSelector: true,
    rateLimit: true,
  },
  shellAccessMonitor: { shells: true, containersOnly: true, name: true, podSelector: true, trustedBinaries: true, rateLimit: true },
  networkMonitor: {
    podCidrs: true,
    serviceCidrs: true,
    excludeCidrs: true,
    name: true,
    podSelector: true,
    trustedBinaries: true,
    rateLimit: true,
  },
  detections: { bundles: true, include: true, exclude: true, options: true },
  observability: {
    dashboard: true,
    alertRulesNamespace: true,
    alertRules: true,
    lokiRulesNamespace: true,
    lokiRules: true,
    logShippingNamespace: true,
    logShipper: true,
    alloy: true,
    promtail: true,
    job: true,
    tetragonNamespace: true,
  },
  policyStatus: { enabled: true, silentAfter: true, nodeLabel: true, notLiveFor: true, rateJumpFactor: true, rateJumpMinPerSecond: true },
  flux: {
    namespace: true,
    units: true,
    installUnit: true,
    gitRepository: true,
    gitRepositoryNamespace: true,
    distDir: true,
    interval: true,
    retryInterval: true,
    timeout: true,
    prune: true,
    namePrefix: true,
  },
};
