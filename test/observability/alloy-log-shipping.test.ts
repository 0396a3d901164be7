import { Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { AlloyLogShipping, AlloyLogShippingProps } from '../../lib/observability/alloy-log-shipping';
import { bodyOf } from '../support/agent-events';
import { EXEC_HOST_PROCESS, EXEC_IN_POD, EXIT_IN_POD, KPROBE_SENSITIVE_FILE, KPROBE_TCP_CONNECT } from './fixtures/events';
import { attrOf, Block, findBlocks, parseAlloy, Statement } from './support/alloy-parser';
import { ship } from './support/pipeline';

function synth(props?: AlloyLogShippingProps) {
  const chart = new Chart(Testing.app(), 'observability');
  new AlloyLogShipping(chart, 'Alloy', props);
  const [cm, ...rest] = Testing.synth(chart);
  expect(rest).toHaveLength(0);
  return { cm, config: parseAlloy(cm.data['config.alloy']), values: parse(cm.data['values.yaml']) };
}

function one(config: Statement[], name: string, label?: string): Block {
  const found = findBlocks(config, name, label);
  expect(found).toHaveLength(1);
  return found[0];
}

/** Runs the emitted loki.process stages on an event. */
function shipWithAlloy(config: Statement[], event: unknown) {
  const proc = one(config, 'loki.process', 'tetragon');
  const expressions = attrOf(one(proc.body, 'stage.json'), 'expressions') as Record<string, string>;
  const labels = attrOf(one(proc.body, 'stage.labels'), 'values') as Record<string, string>;
  const metadata = attrOf(one(proc.body, 'stage.structured_metadata'), 'values') as Record<string, string>;
  const ts = one(proc.body, 'stage.timestamp');
  expect(attrOf(ts, 'format')).toBe('RFC3339Nano');
  const target = (attrOf(one(config, 'local.file_match', 'tetragon'), 'path_targets') as Array<Record<string, string>>)[0];
  const staticLabels = Object.fromEntries(Object.entries(target).filter(([k]) => !k.startsWith('__')));
  return ship(expressions, labels, metadata, attrOf(ts, 'source') as string, staticLabels, event);
}

describe('AlloyLogShipping', () => {
  test('given defaults, when synthesized, then one ConfigMap in logging holds a parseable Alloy pipeline from the export file to Loki', () => {
    const { cm, config } = synth();
    expect(cm.kind).toBe('ConfigMap');
    expect(cm.metadata).toMatchObject({ name: 'tetragon-alloy', namespace: 'logging' });

    const match = one(config, 'local.file_match', 'tetragon');
    expect(attrOf(match, 'path_targets')).toStrictEqual([{ __path__: '/var/run/cilium/tetragon/tetragon.log', job: 'tetragon' }]);
    const source = one(config, 'loki.source.file', 'tetragon');
    expect(attrOf(source, 'targets')).toStrictEqual({ ref: 'local.file_match.tetragon.targets' });
    expect(attrOf(source, 'forward_to')).toStrictEqual([{ ref: 'loki.process.tetragon.receiver' }]);
    const proc = one(config, 'loki.process', 'tetragon');
    expect(attrOf(proc, 'forward_to')).toStrictEqual([{ ref: 'loki.write.tetragon.receiver' }]);
    expect(proc.body.filter((s) => s.kind === 'block').map((s) => (s as Block).name)).toStrictEqual([
      'stage.json',
      'stage.labels',
      'stage.structured_metadata',
      'stage.timestamp',
      'stage.label_drop',
    ]);
    expect(attrOf(one(proc.body, 'stage.label_drop'), 'values')).toStrictEqual(['filename']);
    const endpoint = one(one(config, 'loki.write', 'tetragon').body, 'endpoint');
    expect(attrOf(endpoint, 'url')).toBe('http://loki-gateway.logging.svc.cluster.local/loki/api/v1/push');
  });

  test('given an exec in a pod, when the pipeline runs, then labels are bounded and pod, binary and exec id are metadata', () => {
    const { config } = synth();
    const process = bodyOf(EXEC_IN_POD).process;
    expect(shipWithAlloy(config, EXEC_IN_POD)).toStrictEqual({
      labels: { job: 'tetragon', event_type: 'process_exec', namespace: 'shop', node: EXEC_IN_POD.node_name },
      metadata: { pod: process.pod.name, container: 'web', workload: 'web', binary: process.binary, exec_id: process.exec_id },
      timestamp: EXEC_IN_POD.time,
    });
    expect(process.binary).toMatch(/^\//);
    expect(EXEC_IN_POD.node_name).not.toBe('');
  });

  test('given a kprobe hit, when the pipeline runs, then policy_name is a label and the function is metadata', () => {
    const { config } = synth();
    const shipped = shipWithAlloy(config, KPROBE_SENSITIVE_FILE);
    expect(shipped.labels).toStrictEqual({
      job: 'tetragon',
      event_type: 'process_kprobe',
      namespace: 'shop',
      node: KPROBE_SENSITIVE_FILE.node_name,
      policy_name: 'sensitive-file-access-monitor',
    });
    expect(bodyOf(KPROBE_SENSITIVE_FILE).process.binary).toMatch(/^\/.+/);
    expect(shipped.metadata).toMatchObject({
      function_name: 'security_file_open',
      binary: bodyOf(KPROBE_SENSITIVE_FILE).process.binary,
      pod: bodyOf(KPROBE_SENSITIVE_FILE).process.pod.name,
    });
    expect(shipped.timestamp).toBe(KPROBE_SENSITIVE_FILE.time);
    expect(shipWithAlloy(config, KPROBE_TCP_CONNECT).labels).toMatchObject({
      policy_name: 'network-connection-monitor',
      namespace: 'host',
    });
    expect(shipWithAlloy(config, KPROBE_TCP_CONNECT).metadata).toMatchObject({
      function_name: 'tcp_connect',
      binary: bodyOf(KPROBE_TCP_CONNECT).process.binary,
    });
  });

  test('given a host process, when the pipeline runs, then namespace is "host" (not an empty label) and no pod metadata appears', () => {
    const { config } = synth();
    const shipped = shipWithAlloy(config, EXEC_HOST_PROCESS);
    const process = bodyOf(EXEC_HOST_PROCESS).process;
    expect(shipped.labels).toStrictEqual({
      job: 'tetragon',
      event_type: 'process_exec',
      namespace: 'host',
      node: EXEC_HOST_PROCESS.node_name,
    });
    expect(shipped.metadata).toStrictEqual({ binary: process.binary, exec_id: process.exec_id });
  });

  test('given an exit event, when the pipeline runs, then the event time (not the exit time field) is the timestamp', () => {
    const { config } = synth();
    const shipped = shipWithAlloy(config, EXIT_IN_POD);
    expect(shipped.labels.event_type).toBe('process_exit');
    expect(shipped.labels.namespace).toBe('shop');
    // The real exit line carries both times, and they differ.
    expect(bodyOf(EXIT_IN_POD).time).not.toBe(EXIT_IN_POD.time);
    expect(shipped.timestamp).toBe(EXIT_IN_POD.time);
  });

  test('given no label set holds a high-cardinality field, then pod, container, workload, binary and function stay out of labels', () => {
    const { config } = synth();
    const labels = attrOf(one(one(config, 'loki.process', 'tetragon').body, 'stage.labels'), 'values') as Record<string, string>;
    expect(Object.keys(labels).sort()).toStrictEqual(['event_type', 'namespace', 'node', 'policy_name']);
  });

  test('given a cluster, tenant and URL, when synthesized, then the cluster is a static label and the endpoint carries the tenant', () => {
    const { config } = synth({ cluster: 'nlcl01k8s', lokiUrl: 'https://loki.example.org/loki/api/v1/push', tenantId: 'security' });
    expect(shipWithAlloy(config, EXEC_IN_POD).labels.cluster).toBe('nlcl01k8s');
    const endpoint = one(one(config, 'loki.write', 'tetragon').body, 'endpoint');
    expect(attrOf(endpoint, 'url')).toBe('https://loki.example.org/loki/api/v1/push');
    expect(attrOf(endpoint, 'tenant_id')).toBe('security');
  });

  test('given forwardTo, when synthesized, then no loki.write is emitted and the pipeline forwards to that receiver', () => {
    const { config } = synth({ forwardTo: 'loki.write.default.receiver' });
    expect(findBlocks(config, 'loki.write')).toHaveLength(0);
    expect(attrOf(one(config, 'loki.process', 'tetragon'), 'forward_to')).toStrictEqual([{ ref: 'loki.write.default.receiver' }]);
  });

  test('given a custom export file, when synthesized, then Helm values mount its directory read-only at the same path and point at the ConfigMap', () => {
    const { config, values } = synth({ exportFile: '/var/log/tetragon/events.log' });
    expect((attrOf(one(config, 'local.file_match', 'tetragon'), 'path_targets') as any)[0].__path__).toBe('/var/log/tetragon/events.log');
    expect(values.alloy.configMap).toStrictEqual({ create: false, name: 'tetragon-alloy', key: 'config.alloy' });
    expect(values.alloy.mounts.extra).toStrictEqual([{ name: 'tetragon-export', mountPath: '/var/log/tetragon', readOnly: true }]);
    expect(values.controller.type).toBe('daemonset');
    expect(values.controller.volumes.extra).toStrictEqual([
      { name: 'tetragon-export', hostPath: { path: '/var/log/tetragon', type: 'DirectoryOrCreate' } },
    ]);
  });

  test.each([
    [
      { exportFile: '/var/run/cilium/tetragon/*.log' },
      /Alloy: exportFile: got "\/var\/run\/cilium\/tetragon\/\*\.log"; expected one exact file, not a glob/,
    ],
    [{ exportFile: 'tetragon.log' }, /exportFile: got "tetragon.log"; expected an absolute, normalized file path/],
    [{ lokiUrl: 'loki:3100' }, /lokiUrl: got "loki:3100"; expected an http:\/\/ or https:\/\/ URL/],
    [{ forwardTo: 'loki.write.default.receiver', lokiUrl: 'http://loki/x' }, /expected no lokiUrl or tenantId when forwardTo is set/],
    [
      { forwardTo: 'prometheus.remote_write.x.receiver' },
      /forwardTo: got "prometheus.remote_write.x.receiver"; expected a Loki receiver reference/,
    ],
    [{ namespace: 'Logging' }, /namespace: got "Logging"; expected a Kubernetes namespace name/],
    [{ cluster: '' }, /cluster: got ""; expected a non-empty single-line string/],
  ] as Array<[AlloyLogShippingProps, RegExp]>)(
    'given %j, when constructed, then it throws a message naming path, field and fix',
    (props, message) => {
      expect(() => synth(props)).toThrow(message);
    },
  );

  test('given the same props twice, when synthesized, then the output is byte-identical', () => {
    expect(synth({ cluster: 'a' }).cm).toStrictEqual(synth({ cluster: 'a' }).cm);
  });
});
