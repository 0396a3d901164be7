import { Construct, IConstruct } from 'constructs';
import { checkPolicy } from '../check/engine';
import { FEATURE_NAMES, FeatureName, KernelFeatures, VERSION_GATES, atLeast } from '../kernels/kernel-features';
import { KernelTable, bundledKernelInfo, loadKernel } from '../kernels/kernel-table';
import { LokiDetectionRule } from '../observability/loki-detection-rule';
import { TracingPolicy } from '../policy/tracing-policy';

/** Install settings a detection needs from the Tetragon install (merged into its values by the cluster). */
export interface InstallRequirements {
  /** Needs process credentials and binary properties in events (`tetragon.enableProcessCred`). */
  readonly processCredentials?: boolean;
  /** Needs these event types in the export allow list (e.g. `PROCESS_LOADER`). */
  readonly exportEventTypes?: readonly string[];
  /** Needs the parents map agent flag (`matchParentBinaries`). */
  readonly parentsMap?: boolean;
  /** Needs host-process events in the export (the chart's default deny list drops namespace ""). */
  readonly exportHostEvents?: boolean;
}

/**
 * What a detection's policies need from the node's kernel, in the terms of {@link KernelFeatures}: found by asking the
 * check engine (the same one that runs at synth time) how each policy fares on a kernel that lacks one feature, or
 * that is just older than one of Tetragon's version gates ({@link VERSION_GATES}), and has everything else.
 */
export interface KernelRequirements {
  /** Features without which some policy does not load (e.g. `modifyReturn` for Override on a `security_*` function). */
  readonly features: readonly FeatureName[];
  /** The oldest release on which every policy loads (e.g. `5.19` for the loader sensor), when a version gate matters. */
  readonly minRelease?: string;
  /**
   * Features without which some policy loads but does less than it says (e.g. `bpfLsmByDefault`: LSM hooks load only
   * on nodes booted with `lsm=...,bpf`).
   */
  readonly limitedWithout: readonly FeatureName[];
  /** The oldest release on which every filter works (e.g. `5.11` for sockaddr_un filters), when it is newer than `minRelease`. */
  readonly fullFromRelease?: string;
}

/**
 * The contract of every detection of this library, the module's monitors included: what it creates and what it
 * needs. `Detections` and `TetragonCluster` read detections only through it.
 */
export interface Detection extends IConstruct {
  /** The TracingPolicies it creates (none for a detection that only reads events from Loki). */
  readonly policies: readonly TracingPolicy[];
  /** The alerts it ships for the Loki ruler (none when its signal is a policy's events and metrics). */
  readonly lokiRules: readonly LokiDetectionRule[];
  /** What it needs from the Tetragon install. */
  readonly installRequirements: InstallRequirements;
  /** The MITRE ATT&CK techniques it reports, as ids (`T1611`, `T1552.005`); its hooks carry them as `mitre.<id>` tags. */
  readonly mitreTechniques: readonly string[];
  /** What its policies need from the node's kernel. */
  readonly kernelRequirements: KernelRequirements;
}

/**
 * Base of the library's detections: the {@link Detection} contract, with no Loki rules and no install requirements
 * unless a detection sets them, and the kernel requirements read from its policies.
 */
export abstract class DetectionConstruct extends Construct implements Detection {
  public abstract readonly policies: readonly TracingPolicy[];
  public abstract readonly mitreTechniques: readonly string[];
  /** None, unless the detection ships alerts (it then redeclares the field and sets it in its constructor). */
  public readonly lokiRules: readonly LokiDetectionRule[] = [];
  /** Nothing beyond the default install, unless the detection says otherwise. */
  public readonly installRequirements: InstallRequirements = {};

  /** What its policies need from the node's kernel (computed by the check engine when read). */
  public get kernelRequirements(): KernelRequirements {
    return kernelRequirementsOf(this.policies);
  }
}

/** Merges install requirements: flags ORed, event types united and sorted. */
export function mergeRequirements(list: readonly InstallRequirements[]): InstallRequirements {
  const types = [...new Set(list.flatMap((r) => r.exportEventTypes ?? []))].sort();
  return {
    ...(list.some((r) => r.processCredentials) ? { processCredentials: true } : {}),
    ...(types.length ? { exportEventTypes: types } : {}),
    ...(list.some((r) => r.parentsMap) ? { parentsMap: true } : {}),
    ...(list.some((r) => r.exportHostEvents) ? { exportHostEvents: true } : {}),
  };
}

/** Merges kernel requirements: features united (in {@link FEATURE_NAMES} order), releases the newest. */
export function mergeKernelRequirements(list: readonly KernelRequirements[]): KernelRequirements {
  const united = (pick: (r: KernelRequirements) => readonly FeatureName[]) =>
    FEATURE_NAMES.filter((f) => list.some((r) => pick(r).includes(f)));
  const newest = (releases: readonly (string | undefined)[]) =>
    releases
      .filter((r): r is string => r !== undefined)
      .reduce<string | undefined>((a, b) => (a === undefined || atLeast(b, a) ? b : a), undefined);
  const features = united((r) => r.features);
  const minRelease = newest(list.map((r) => r.minRelease));
  const fullFromRelease = newest(list.map((r) => r.fullFromRelease));
  return {
    features,
    ...(minRelease ? { minRelease } : {}),
    limitedWithout: united((r) => r.limitedWithout).filter((f) => !features.includes(f)),
    ...(fullFromRelease && (!minRelease || !atLeast(minRelease, fullFromRelease)) ? { fullFromRelease } : {}),
  };
}

/**
 * What policies need from the kernel. Each policy is checked on probe kernels with the function table of the newest
 * bundled kernel: one with every feature, one per feature without it, and one just older than each version gate.
 * A finding the full kernel does not have is the probe's doing: an error means the policy does not load without
 * it, a warning that it loads but does less.
 */
export function kernelRequirementsOf(policies: readonly TracingPolicy[]): KernelRequirements {
  return mergeKernelRequirements(policies.map((p) => policyRequirements(p.apiObject.toJson())));
}

function policyRequirements(manifest: unknown): KernelRequirements {
  const reference = newestBundledKernel();
  const full: KernelFeatures = { ...Object.fromEntries(FEATURE_NAMES.map((f) => [f, true])), release: reference.features.release };
  const findings = (features: KernelFeatures) => {
    const kernel: KernelTable = { name: 'probe', describe: 'probe', size: reference.size, features, lookup: (fn) => reference.lookup(fn) };
    return checkPolicy(manifest, { kernels: [kernel] }).filter((f) => f.severity !== 'info');
  };
  const baseline = new Set(findings(full).map((f) => `${f.ruleId} ${f.field}`));
  const effect = (features: KernelFeatures): 'error' | 'warning' | undefined => {
    const added = findings(features).filter((f) => !baseline.has(`${f.ruleId} ${f.field}`));
    return added.some((f) => f.severity === 'error') ? 'error' : added.length ? 'warning' : undefined;
  };
  const byFeature = FEATURE_NAMES.map((f) => [f, effect({ ...full, [f]: false })] as const);
  const gates = [...new Set(Object.values(VERSION_GATES))].sort((a, b) => (atLeast(a, b) ? 1 : -1));
  const byGate = gates.map((g) => [g, effect({ ...full, release: justBefore(g) })] as const);
  const newestGate = (wanted: 'error' | 'warning') =>
    byGate
      .filter(([, e]) => e === wanted)
      .map(([g]) => g)
      .pop();
  return mergeKernelRequirements([
    {
      features: byFeature.filter(([, e]) => e === 'error').map(([f]) => f),
      ...(newestGate('error') ? { minRelease: newestGate('error') } : {}),
      limitedWithout: byFeature.filter(([, e]) => e === 'warning').map(([f]) => f),
      ...(newestGate('warning') ? { fullFromRelease: newestGate('warning') } : {}),
    },
  ]);
}

/** The release just before a `major.minor` gate (`5.19` → `5.18`). */
function justBefore(gate: string): string {
  const [major, minor] = gate.split('.').map(Number);
  return minor > 0 ? `${major}.${minor - 1}` : `${major - 1}.255`;
}

function newestBundledKernel(): KernelTable {
  const known = bundledKernelInfo().filter((k) => k.features?.release);
  const newest = known.reduce((a, b) => (atLeast(b.features!.release!, a.features!.release!) ? b : a));
  return loadKernel(newest.name);
}
