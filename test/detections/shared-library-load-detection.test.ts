import { SharedLibraryLoadDetection } from '../../lib/detections/shared-library-load-detection';
import { newChart, policyNamed, synth } from '../support/synth';
import { logqlErrors, logRuleCounts, problemsOf } from './_support';

/** The kernels of a cluster whose nodes all run 5.19+ (context cdk8s-tetragon:kernels). */
const NEW_KERNELS = ['debian-12-6.1', 'debian-13-6.12', 'debian-sid-7.2'];

function build(props = {}, kernels: string[] | null = NEW_KERNELS) {
  const chart = newChart();
  if (kernels) chart.node.setContext('cdk8s-tetragon:kernels', kernels);
  const detection = new SharedLibraryLoadDetection(chart, 'Libs', props);
  return { detection, policy: policyNamed(synth(chart), 'shared-library-load') };
}

const { detection, policy } = build();
const loader = (library: string, binary: string, namespace?: string) => ({
  process_loader: {
    process: {
      exec_id: 'bm9kZS1hOjE6Mg==',
      pid: 812,
      binary,
      ...(namespace ? { pod: { namespace, name: `${namespace}-api-5f6d-xk2p9`, container: { name: 'api' } } } : {}),
    },
    path: library,
    buildid: 'Ab3f0c2e9d',
  },
  node_name: 'node-a',
  time: '2026-05-04T09:12:01.120432000Z',
});
const [rule] = detection.lokiRules;

describe('SharedLibraryLoadDetection', () => {
  test('a hookless loader policy: spec.loader true with disable-kprobe-multi, no selectors', () => {
    expect(policy.spec).toStrictEqual({ loader: true, options: [{ name: 'disable-kprobe-multi', value: '1' }] });
    expect(problemsOf(policy)).toStrictEqual([expect.stringMatching(/^loader-kernel debian-11-5.10: .*needs kernel 5.19\+/)]);
    expect(detection.installRequirements).toStrictEqual({ exportEventTypes: ['PROCESS_LOADER'] });
  });

  test('a kernel set with a kernel older than 5.19 fails synth, naming the kernel and the way out', () => {
    expect(() => build({}, null)).toThrow(
      /test\/Libs\/Policy: \[loader-kernel\] policy 'shared-library-load' spec.loader: the loader sensor needs kernel 5.19\+: the policy fails to load on kernel debian-11-5.10.*name only kernels 5.19\+ in the kernel set/,
    );
  });

  test('the alert parses as LogQL and counts libraries from scratch directories (LD_PRELOAD drops)', () => {
    expect(logqlErrors(rule.expr)).toStrictEqual([]);
    expect(rule.expr).toBe(
      'sum by (namespace, pod, binary, library) (count_over_time({job="tetragon", event_type="process_loader"} | json library="process_loader.path" | library=~"/(tmp|dev/shm|var/tmp)/.*" [5m])) > 0',
    );
    expect(logRuleCounts(rule.expr, loader('/tmp/libprocesshider.so', '/usr/bin/ps', 'shop'))).toBe(true);
    expect(logRuleCounts(rule.expr, loader('/dev/shm/.x/libhook.so', '/usr/sbin/sshd'))).toBe(true);
    expect(logRuleCounts(rule.expr, loader('/var/tmp/libc.so.6', '/usr/bin/curl', 'ci'))).toBe(true);
  });

  test('the alert ignores system libraries, app-bundled libraries and exec events', () => {
    expect(logRuleCounts(rule.expr, loader('/usr/lib/x86_64-linux-gnu/libssl.so.3', '/usr/bin/curl', 'shop'))).toBe(false);
    expect(logRuleCounts(rule.expr, loader('/app/node_modules/sharp/build/Release/sharp.node', '/usr/local/bin/node', 'shop'))).toBe(false);
    expect(logRuleCounts(rule.expr, loader('/opt/tmp/lib.so', '/opt/app/bin/app', 'shop'))).toBe(false);
    expect(logRuleCounts(rule.expr, { process_exec: { process: { binary: '/tmp/x' } }, node_name: 'node-a' })).toBe(false);
  });

  test('namespaces can be excluded and the name is checked', () => {
    const { detection: excluded } = build({ excludeNamespaces: ['ci', 'host'] });
    expect(logRuleCounts(excluded.lokiRules[0].expr, loader('/var/tmp/libc.so.6', '/usr/bin/curl', 'ci'))).toBe(false);
    expect(logRuleCounts(excluded.lokiRules[0].expr, loader('/tmp/libhook.so', '/usr/sbin/sshd'))).toBe(false);
    expect(logRuleCounts(excluded.lokiRules[0].expr, loader('/tmp/libhook.so', '/usr/bin/ps', 'shop'))).toBe(true);
    expect(() => build({ name: 'Loader' })).toThrow(
      'test/Libs/Policy: invalid TracingPolicy\n  - name: got "Loader"; a policy name is a DNS subdomain',
    );
  });
});
