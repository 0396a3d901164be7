import { Testing } from 'cdk8s';
import { isTracingPolicyManifest } from '../../lib/check';
import { SiemAuth, SiemSink } from '../../lib/observability/siem-sink';
import { EnforcementScope } from '../../lib/policy/enforcement';
import { KprobeHook } from '../../lib/policy/kprobe-hook';
import { TracingPolicy } from '../../lib/policy/tracing-policy';
import { Marker } from '../../lib/private/marker';
import { TetragonCluster } from '../../lib/tetragon-cluster';

/** The library's modules loaded a second time: another copy of the package, as a dependency tree may hold. */
function secondCopy(): { TracingPolicy: typeof TracingPolicy; EnforcementScope: typeof EnforcementScope; SiemSink: typeof SiemSink } {
  let copy: any;
  jest.isolateModules(() => {
    copy = {
      ...require('../../lib/policy/tracing-policy'),
      ...require('../../lib/policy/enforcement'),
      ...require('../../lib/observability/siem-sink'),
    };
  });
  return copy;
}

describe('type checks across copies of the package', () => {
  test('a Marker recognises what it marked, whoever made the Marker', () => {
    const a = new Marker('Thing');
    const thing = {};
    a.mark(thing);
    expect(new Marker('Thing').has(thing)).toBe(true);
    expect(new Marker('Other').has(thing)).toBe(false);
    expect(a.has({})).toBe(false);
    expect(a.has(null)).toBe(false);
    expect(a.has('Thing')).toBe(false);
  });

  test('TracingPolicy.isTracingPolicy holds for a policy of another copy, where instanceof does not', () => {
    // given a policy made by a second copy of the library
    const copy = secondCopy();
    expect(copy.TracingPolicy).not.toBe(TracingPolicy);
    const chart = Testing.chart();
    const hook = KprobeHook.function('security_file_open', { message: 'Open', tags: ['observability.filesystem'] });
    const policy = new copy.TracingPolicy(chart, 'P', { name: 'p', hooks: [hook as any] });
    // then this copy's guard recognises it
    expect(policy instanceof TracingPolicy).toBe(false);
    expect(TracingPolicy.isTracingPolicy(policy)).toBe(true);
    expect(TracingPolicy.isTracingPolicy(chart)).toBe(false);
    expect(TracingPolicy.isTracingPolicy({ name: 'p' })).toBe(false);
  });

  test('value classes are recognised across copies too', () => {
    const copy = secondCopy();
    expect(EnforcementScope.isEnforcementScope(copy.EnforcementScope.allPods())).toBe(true);
    expect(EnforcementScope.isEnforcementScope({ podSelector: {} })).toBe(false);
    expect(SiemSink.isSiemSink(copy.SiemSink.s3({ name: 'archive', bucket: 'archive-bucket', prefix: 'tetragon' } as any))).toBe(true);
    expect(SiemSink.isSiemSink({ name: 'x' })).toBe(false);
    expect(SiemAuth.isSiemAuth(SiemAuth.bearer({ name: 's', key: 'k' }))).toBe(true);
    expect(TetragonCluster.isTetragonCluster({})).toBe(false);
  });

  test('a manifest is told apart by isTracingPolicyManifest, not by the construct guard', () => {
    const manifest = { apiVersion: 'cilium.io/v1alpha1', kind: 'TracingPolicy', metadata: { name: 'p' }, spec: {} };
    expect(isTracingPolicyManifest(manifest)).toBe(true);
    expect(isTracingPolicyManifest({ ...manifest, kind: 'ConfigMap' })).toBe(false);
    expect(TracingPolicy.isTracingPolicy(manifest)).toBe(false);
  });
});
