import { ApiObject } from 'cdk8s';
import { checkPolicy } from '../../lib/check';
import {
  BUNDLE_MEMBERS,
  DETECTION_CLASSES,
  DETECTION_REGISTRY,
  DetectionBundle,
  DetectionName,
  Detections,
  KERNEL_LIMITED_DETECTIONS,
} from '../../lib/detections/bundles';
import { EnforcementAction } from '../../lib/detections/detection-props';
import { PacketSocketDetection } from '../../lib/detections/packet-socket-detection';
import { FEATURE_NAMES, KernelTable, atLeast, bundledKernels, loadKernel } from '../../lib/kernels';
import { Detection, KernelRequirements, mergeKernelRequirements } from '../../lib/policies/detection';
import { NetworkConnectionMonitor } from '../../lib/policies/network-connection-monitor';
import { PrivilegeEscalationMonitor } from '../../lib/policies/privilege-escalation-monitor';
import { ProcessExecMonitor } from '../../lib/policies/process-exec-monitor';
import { SensitiveFileAccessMonitor } from '../../lib/policies/sensitive-file-access-monitor';
import { ShellAccessMonitor } from '../../lib/policies/shell-access-monitor';
import { EnforcementScope } from '../../lib/policy/enforcement';
import { TracingPolicy } from '../../lib/policy/tracing-policy';
import { newChart } from '../support/synth';

/** Options a detection cannot run without. */
const REQUIRED: Partial<Record<DetectionName, object>> = { [DetectionName.KUBERNETES_API_CONTACT]: { apiServerAddresses: ['10.96.0.1'] } };

/** Every detection with its default props (and the module's monitors), each in its own chart. */
function everyDetection(): [string, Detection][] {
  const detections = DETECTION_REGISTRY.map((e): [string, Detection] => {
    const detections = new Detections(newChart(), 'Detections', { include: [e.name], options: { [e.name]: REQUIRED[e.name] ?? {} } });
    return [e.name, detections.detection(e.name)!];
  });
  const monitors: [string, Detection][] = [
    [ProcessExecMonitor.NAME, new ProcessExecMonitor(newChart(), 'M')],
    [SensitiveFileAccessMonitor.NAME, new SensitiveFileAccessMonitor(newChart(), 'M')],
    [PrivilegeEscalationMonitor.NAME, new PrivilegeEscalationMonitor(newChart(), 'M')],
    [ShellAccessMonitor.NAME, new ShellAccessMonitor(newChart(), 'M')],
    [NetworkConnectionMonitor.NAME, new NetworkConnectionMonitor(newChart(), 'M')],
  ];
  return [...detections, ...monitors];
}

const ALL = everyDetection();
const KERNELS = bundledKernels().map((k) => loadKernel(k));
const NEWEST = KERNELS.reduce((a, b) => (atLeast(b.features.release!, a.features.release!) ? b : a));
/** Warnings the check engine gives where a kernel feature limits a policy that loads. */
const LIMITING_RULES = ['sockaddr-un-filter', 'lsm-not-default'];

describe('the registry', () => {
  test('one entry per name, in DetectionName order; the bundles and class table are read from it', () => {
    expect(DETECTION_REGISTRY.map((e) => e.name)).toStrictEqual(Object.values(DetectionName));
    for (const e of DETECTION_REGISTRY) expect(DETECTION_CLASSES[e.name]).toBe(e.construct);
    for (const bundle of [DetectionBundle.BASELINE, DetectionBundle.CRYPTO_MINING, DetectionBundle.CONTAINER_ESCAPE]) {
      expect(BUNDLE_MEMBERS[bundle]).toStrictEqual(DETECTION_REGISTRY.filter((e) => e.bundles.includes(bundle)).map((e) => e.name));
    }
    expect(KERNEL_LIMITED_DETECTIONS).toStrictEqual({ [DetectionName.SHARED_LIBRARY_LOAD]: expect.stringContaining('5.19') });
  });

  test('a detection is left out of strict for its kernels exactly when its policies do not load on every bundled kernel', () => {
    for (const [name, d] of ALL.filter(([n]) => (Object.values(DetectionName) as string[]).includes(n))) {
      const everywhere = KERNELS.every((k) => loadsOn(d.kernelRequirements, k));
      expect({ name, notInStrict: name in KERNEL_LIMITED_DETECTIONS }).toStrictEqual({ name, notInStrict: !everywhere });
    }
  });
});

describe.each(ALL)('%s implements the Detection contract', (name, d) => {
  test('its policies are TracingPolicy constructs, and every TracingPolicy object it emits is one of them', () => {
    const constructs = d.node.findAll().filter((c) => TracingPolicy.isTracingPolicy(c));
    expect(constructs).toStrictEqual([...d.policies]);
    const objects = d.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c) && c.kind.startsWith('TracingPolicy'));
    expect(objects).toStrictEqual(d.policies.map((p) => p.apiObject));
  });

  test('MITRE techniques: well-formed ids, each once, covering every mitre tag of its hooks', () => {
    expect(d.mitreTechniques.length).toBeGreaterThan(0);
    for (const id of d.mitreTechniques) expect(id).toMatch(/^T\d{4}(\.\d{3})?$/);
    expect(new Set(d.mitreTechniques).size).toBe(d.mitreTechniques.length);
    const tagged = d.policies
      .flatMap((p) => p.allHooks.flatMap((h) => h.props.tags ?? []))
      .filter((t) => t.startsWith('mitre.'))
      .map((t) => t.slice('mitre.'.length));
    for (const id of tagged) expect({ name, id, listed: d.mitreTechniques.includes(id) }).toStrictEqual({ name, id, listed: true });
  });

  test('its kernel requirements say where the check engine loads its policies, in full or limited', () => {
    const requirements = d.kernelRequirements;
    // Every bundled kernel as it is, and the newest without each feature in turn.
    const kernels: KernelTable[] = [
      ...KERNELS,
      ...FEATURE_NAMES.map((f): KernelTable => ({
        name: `${NEWEST.name}-no-${f}`,
        describe: NEWEST.describe,
        size: NEWEST.size,
        features: { ...NEWEST.features, [f]: false },
        lookup: (fn) => NEWEST.lookup(fn),
      })),
    ];
    for (const kernel of kernels) {
      const findings = d.policies.flatMap((p) => checkPolicy(p.apiObject.toJson(), { kernels: [kernel] }));
      const loads = !findings.some((f) => f.severity === 'error');
      const full = loads && !findings.some((f) => LIMITING_RULES.includes(f.ruleId));
      const predicted = { loads: loadsOn(requirements, kernel), full: fullOn(requirements, kernel) };
      expect({ kernel: kernel.name, loads, full }).toStrictEqual({ kernel: kernel.name, ...predicted });
    }
  });
});

describe('kernel requirements', () => {
  test('the loader needs 5.19, sockaddr_un filters work fully from 5.11, everything else loads anywhere', () => {
    const byName = Object.fromEntries(ALL.map(([n, d]) => [n, d.kernelRequirements]));
    expect(byName[DetectionName.SHARED_LIBRARY_LOAD]).toStrictEqual({ features: [], minRelease: '5.19', limitedWithout: [] });
    expect(byName[DetectionName.RUNTIME_SOCKET]).toStrictEqual({ features: [], limitedWithout: [], fullFromRelease: '5.11' });
    const others = Object.entries(byName).filter(([n]) => n !== DetectionName.SHARED_LIBRARY_LOAD && n !== DetectionName.RUNTIME_SOCKET);
    for (const [n, r] of others) expect({ n, r }).toStrictEqual({ n, r: { features: [], limitedWithout: [] } });
  });

  test('enforcement adds what its action needs: Override on a security_* function needs fmod_ret', () => {
    const observe = new PacketSocketDetection(newChart(), 'Packets');
    const block = new PacketSocketDetection(newChart(), 'Packets', {
      enforcement: { action: EnforcementAction.override(1), scope: EnforcementScope.allPods() },
    });
    expect(observe.kernelRequirements.features).toStrictEqual([]);
    expect(block.kernelRequirements.features).toStrictEqual(['modifyReturn']);
  });

  test('merging keeps every feature once, the newest releases, and drops what the minimum already implies', () => {
    expect(
      mergeKernelRequirements([
        { features: ['modifyReturn'], limitedWithout: ['bpfLsmByDefault'], fullFromRelease: '5.11' },
        { features: ['bpfLsm', 'modifyReturn'], minRelease: '5.19', limitedWithout: ['bpfLsm'] },
      ]),
    ).toStrictEqual({ features: ['modifyReturn', 'bpfLsm'], minRelease: '5.19', limitedWithout: ['bpfLsmByDefault'] });
    expect(mergeKernelRequirements([])).toStrictEqual({ features: [], limitedWithout: [] });
  });

  test('Detections merges the requirements of what it selected', () => {
    const detections = new Detections(newChart(), 'Detections', {
      include: [DetectionName.RUNTIME_SOCKET, DetectionName.SHARED_LIBRARY_LOAD],
    });
    expect(detections.kernelRequirements).toStrictEqual({ features: [], minRelease: '5.19', limitedWithout: [] });
    expect(detections.mitreTechniques).toStrictEqual(['T1611', 'T1610', 'T1574.006']);
  });
});

function loadsOn(r: KernelRequirements, k: KernelTable): boolean {
  return (!r.minRelease || atLeast(k.features.release!, r.minRelease)) && r.features.every((f) => k.features[f] !== false);
}

function fullOn(r: KernelRequirements, k: KernelTable): boolean {
  return (
    loadsOn(r, k) &&
    (!r.fullFromRelease || atLeast(k.features.release!, r.fullFromRelease)) &&
    r.limitedWithout.every((f) => k.features[f] !== false)
  );
}
