import { checkPolicy } from '../../lib/check';
import {
  BUNDLE_MEMBERS,
  DETECTION_CLASSES,
  DetectionBundle,
  DetectionName,
  DetectionOf,
  DetectionPropsOf,
  Detections,
  DetectionsProps,
} from '../../lib/detections/bundles';
import { MiningPoolConnectionDetection, MiningPoolConnectionDetectionProps } from '../../lib/detections/mining-pool-connection-detection';
import { mergeRequirements } from '../../lib/policies/detection';
import { validateAgainstCrd } from '../../lib/private/crd-schema';
import { newChart, synth } from '../support/synth';
import { logqlErrors } from './_support';

function build(props: DetectionsProps) {
  const chart = newChart();
  const detections = new Detections(chart, 'Detections', props);
  return { detections, manifests: synth(chart) };
}

const policiesOf = (manifests: any[]) => manifests.filter((m) => m.kind.startsWith('TracingPolicy'));

describe('DetectionName and DetectionBundle', () => {
  test('every name is the NAME of its construct class, and every class is listed once', () => {
    // Query-side detections without a policy have no NAME; any other class must carry its name.
    const withoutName = ['fileless-exec', 'suid-exec', 'sudo', 'privilege-escalation', 'suspicious-command'];
    for (const name of Object.values(DetectionName)) {
      expect({ name, NAME: DETECTION_CLASSES[name].NAME }).toStrictEqual({ name, NAME: withoutName.includes(name) ? undefined : name });
    }
    const classes = Object.values(DETECTION_CLASSES).map((c) => c.name);
    expect(new Set(classes).size).toBe(classes.length);
  });

  test('the topical bundles hold the escape and mining detections', () => {
    expect(BUNDLE_MEMBERS[DetectionBundle.CONTAINER_ESCAPE]).toStrictEqual([
      'namespace-change',
      'container-mount',
      'runtime-socket',
      'host-path-access',
      'container-kernel-load',
      'release-agent',
      'kernel-control-write',
    ]);
    expect(BUNDLE_MEMBERS[DetectionBundle.CRYPTO_MINING]).toStrictEqual([
      'crypto-miner-exec',
      'stratum-protocol',
      'mining-pool-connection',
      'msr-access',
      'huge-pages',
      'tmp-exec',
      'fileless-exec',
    ]);
  });

  test('strict is every detection except those that need cluster-specific options or do not load on every bundled kernel; baseline is a subset of strict', () => {
    const strict = BUNDLE_MEMBERS[DetectionBundle.STRICT];
    expect(strict).not.toContain(DetectionName.KUBERNETES_API_CONTACT);
    expect(strict).not.toContain(DetectionName.SHARED_LIBRARY_LOAD); // the loader sensor needs 5.19+
    expect(strict).toHaveLength(Object.values(DetectionName).length - 2);
    for (const n of BUNDLE_MEMBERS[DetectionBundle.BASELINE]) expect(strict).toContain(n);
    // Noisy detections stay out of the baseline.
    for (const noisy of [
      DetectionName.HOST_PATH_ACCESS,
      DetectionName.BPF_ACTIVITY,
      DetectionName.MINING_POOL_CONNECTION,
      DetectionName.SHARED_LIBRARY_LOAD,
    ]) {
      expect(BUNDLE_MEMBERS[DetectionBundle.BASELINE]).not.toContain(noisy);
    }
  });
});

describe('Detections', () => {
  test('the strict bundle instantiates every detection once; every policy validates and loads on every bundled kernel', () => {
    const { detections, manifests } = build({ bundles: [DetectionBundle.STRICT] });
    expect(detections.names).toStrictEqual(BUNDLE_MEMBERS[DetectionBundle.STRICT]);
    const policies = policiesOf(manifests);
    expect(policies.map((p) => p.metadata.name).sort()).toStrictEqual(detections.policies.map((p) => p.name).sort());
    expect(new Set(policies.map((p) => p.metadata.name)).size).toBe(policies.length);
    for (const p of policies) {
      expect({ policy: p.metadata.name, crd: validateAgainstCrd(p) }).toStrictEqual({ policy: p.metadata.name, crd: [] });
      const errors = checkPolicy(p)
        .filter((f) => f.severity === 'error')
        .map((f) => f.message);
      expect({ policy: p.metadata.name, errors }).toStrictEqual({ policy: p.metadata.name, errors: [] });
    }
    for (const rule of detections.lokiRules)
      expect({ alert: rule.alert, errors: logqlErrors(rule.expr) }).toStrictEqual({ alert: rule.alert, errors: [] });
    expect(new Set(detections.lokiRules.map((r) => r.alert)).size).toBe(detections.lokiRules.length);
    expect(detections.installRequirements).toMatchObject({ processCredentials: true });
    // What the bundled kernels limit is listed (Debian 11 compiles the runtime-socket sockaddr_un filter out)
    expect(detections.kernelNotes).toStrictEqual([expect.stringMatching(/^runtime-socket: sockaddr-un-filter \(debian-11-5.10\): /)]);
  });

  test('bundles merge; include adds, exclude removes; the query-side rules are collected', () => {
    const { detections, manifests } = build({
      bundles: [DetectionBundle.CRYPTO_MINING, DetectionBundle.CONTAINER_ESCAPE],
      include: [DetectionName.PTRACE],
      exclude: [DetectionName.HUGE_PAGES, DetectionName.HOST_PATH_ACCESS, DetectionName.FILELESS_EXEC],
    });
    expect(detections.names).toStrictEqual([
      'namespace-change',
      'container-mount',
      'runtime-socket',
      'container-kernel-load',
      'release-agent',
      'kernel-control-write',
      'crypto-miner-exec',
      'stratum-protocol',
      'mining-pool-connection',
      'msr-access',
      'ptrace',
      'tmp-exec',
    ]);
    // stratum-protocol creates no policy.
    expect(policiesOf(manifests).map((p) => p.metadata.name)).not.toContain('stratum-protocol');
    expect(policiesOf(manifests)).toHaveLength(detections.policies.length);
    expect(detections.lokiRules.map((r) => r.alert)).toEqual(
      expect.arrayContaining(['TetragonCryptoMinerExecuted', 'TetragonStratumArguments']),
    );
    // fileless-exec, the only one needing process credentials, is excluded.
    expect(detections.installRequirements.processCredentials).toBeUndefined();
    expect(detections.detection(DetectionName.HUGE_PAGES)).toBeUndefined();
    expect(detections.detection(DetectionName.PTRACE)?.node.path).toBe('test/Detections/ptrace');
  });

  test('options reach the detection they name', () => {
    const { detections } = build({
      bundles: [DetectionBundle.CRYPTO_MINING],
      options: { [DetectionName.MINING_POOL_CONNECTION]: { clusterCidrs: ['10.244.0.0/16'], name: 'pool-ports' } },
    });
    // detection() is typed by name: no cast to reach the class's own members.
    const pool: MiningPoolConnectionDetection | undefined = detections.detection(DetectionName.MINING_POOL_CONNECTION);
    expect(pool).toBeInstanceOf(MiningPoolConnectionDetection);
    const spec = pool!.policies[0].renderSpec() as any;
    expect(pool!.policies[0].name).toBe('pool-ports');
    expect(spec.kprobes[0].selectors[0].matchArgs[1].values).toContain('10.244.0.0/16');
    expect(MiningPoolConnectionDetection.PRIVATE_RANGES.every((r) => spec.kprobes[0].selectors[0].matchArgs[1].values.includes(r))).toBe(
      true,
    );
  });

  test('options are typed by name: the props of one detection do not fit another', () => {
    // Exact type equality (a type that resolved to `never` or `unknown` fails to compile here).
    type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
    const detectionType: Same<DetectionOf<DetectionName.MINING_POOL_CONNECTION>, MiningPoolConnectionDetection> = true;
    const propsType: Same<DetectionPropsOf<DetectionName.MINING_POOL_CONNECTION>, MiningPoolConnectionDetectionProps> = true;
    expect([detectionType, propsType]).toStrictEqual([true, true]);
    const props: DetectionsProps = {
      include: [DetectionName.PTRACE],
      // @ts-expect-error: `miners` is a prop of crypto-miner-exec, not of ptrace
      options: { [DetectionName.PTRACE]: { miners: ['xmrig'] } },
    };
    expect(props.include).toStrictEqual(['ptrace']);
  });

  test('a detection that needs cluster input runs when its options are given', () => {
    const { detections } = build({
      include: [DetectionName.KUBERNETES_API_CONTACT],
      options: { [DetectionName.KUBERNETES_API_CONTACT]: { apiServerAddresses: ['10.96.0.1', '172.18.0.2'] } },
    });
    expect(detections.names).toStrictEqual(['kubernetes-api-contact']);
  });

  describe('bad selections fail with the construct path, the field and the fix', () => {
    const cases: [string, DetectionsProps, string][] = [
      [
        'unknown detection',
        { include: ['crypto-miner' as DetectionName] },
        'test/Detections: include[0]: got "crypto-miner", which is not a detection; use one of namespace-change',
      ],
      [
        'unknown bundle',
        { bundles: ['paranoid' as DetectionBundle] },
        'test/Detections: bundles[0]: got "paranoid", which is not a bundle; use one of baseline, strict, crypto-mining, container-escape',
      ],
      [
        'duplicate include',
        { include: [DetectionName.PTRACE, DetectionName.PTRACE] },
        'test/Detections: include[1]: "ptrace" is listed twice; remove the duplicate',
      ],
      [
        'duplicate bundle',
        { bundles: [DetectionBundle.BASELINE, DetectionBundle.BASELINE] },
        'test/Detections: bundles[1]: "baseline" is listed twice',
      ],
      [
        'include of a bundle member',
        { bundles: [DetectionBundle.CRYPTO_MINING], include: [DetectionName.MSR_ACCESS] },
        'test/Detections: include[0]: "msr-access" is already in bundle "crypto-mining"; remove it from include',
      ],
      [
        'exclude of something not selected',
        { bundles: [DetectionBundle.CRYPTO_MINING], exclude: [DetectionName.PTRACE] },
        'test/Detections: exclude[0]: "ptrace" is not in the chosen bundles (crypto-mining), so there is nothing to exclude',
      ],
      ['nothing selected', {}, 'test/Detections: bundles: no detection is selected'],
      [
        'options for an unselected detection',
        { bundles: [DetectionBundle.CRYPTO_MINING], options: { [DetectionName.PTRACE]: {} } },
        'test/Detections: options.ptrace: "ptrace" is not selected, so its options would be ignored',
      ],
      [
        'options under an unknown name',
        { bundles: [DetectionBundle.CRYPTO_MINING], options: { miner: {} } as any },
        'test/Detections: options.miner: "miner" is not a detection',
      ],
      [
        'required options missing',
        { include: [DetectionName.KUBERNETES_API_CONTACT] },
        'test/Detections: options.kubernetes-api-contact: is required: this detection needs apiServerAddresses',
      ],
    ];
    test.each(cases)('%s', (_what, props, message) => {
      expect(() => build(props)).toThrow(message);
    });
  });

  test('install requirements merge: flags ORed, event types united and sorted', () => {
    expect(
      mergeRequirements([
        { exportEventTypes: ['PROCESS_LOADER'] },
        { processCredentials: true, exportEventTypes: ['PROCESS_EXEC', 'PROCESS_LOADER'] },
        {},
      ]),
    ).toStrictEqual({ processCredentials: true, exportEventTypes: ['PROCESS_EXEC', 'PROCESS_LOADER'] });
    expect(mergeRequirements([{}, {}])).toStrictEqual({});
  });

  test('output is deterministic: the same selection synthesizes identical YAML', () => {
    const props = { bundles: [DetectionBundle.BASELINE] };
    expect(JSON.stringify(build(props).manifests)).toBe(JSON.stringify(build(props).manifests));
  });
});
