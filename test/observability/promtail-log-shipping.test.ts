import { Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { AlloyLogShipping } from '../../lib/observability/alloy-log-shipping';
import { PromtailLogShipping, PromtailLogShippingProps } from '../../lib/observability/promtail-log-shipping';
import { EXEC_HOST_PROCESS, EXEC_IN_POD, KPROBE_SENSITIVE_FILE, KPROBE_TCP_CONNECT } from './fixtures/events';
import { attrOf, findBlocks, parseAlloy } from './support/alloy-parser';
import { ship } from './support/pipeline';

function synth(props?: PromtailLogShippingProps) {
  const chart = new Chart(Testing.app(), 'observability');
  new PromtailLogShipping(chart, 'Promtail', props);
  const [cm] = Testing.synth(chart);
  return { cm, scrape: parse(cm.data['scrape-configs.yaml']), values: parse(cm.data['values.yaml']) };
}

/** Runs the Promtail stages (json, labels, structured_metadata, timestamp) on an event. */
function shipWithPromtail(scrape: any[], event: unknown) {
  const job = scrape[0];
  const stage = (name: string) => {
    const found = job.pipeline_stages.filter((s: any) => name in s);
    expect(found).toHaveLength(1);
    return found[0][name];
  };
  const staticLabels = Object.fromEntries(
    Object.entries(job.static_configs[0].labels as Record<string, string>).filter(([k]) => !k.startsWith('__')),
  );
  return ship(stage('json').expressions, stage('labels'), stage('structured_metadata'), stage('timestamp').source, staticLabels, event);
}

describe('PromtailLogShipping', () => {
  test('given defaults, when synthesized, then the scrape config tails exactly the export file with job="tetragon" and the module\'s stages', () => {
    const { cm, scrape } = synth();
    expect(cm.metadata).toMatchObject({ name: 'tetragon-promtail', namespace: 'logging' });
    expect(scrape).toHaveLength(1);
    expect(scrape[0].job_name).toBe('tetragon');
    expect(scrape[0].static_configs).toStrictEqual([
      { targets: ['localhost'], labels: { __path__: '/var/run/cilium/tetragon/tetragon.log', job: 'tetragon' } },
    ]);
    expect(scrape[0].pipeline_stages.map((s: object) => Object.keys(s)[0])).toStrictEqual([
      'json',
      'labels',
      'structured_metadata',
      'timestamp',
      'labeldrop',
    ]);
    expect(scrape[0].pipeline_stages[3].timestamp).toStrictEqual({ source: 'time', format: 'RFC3339Nano' });
  });

  test.each([
    ['exec in a pod', EXEC_IN_POD, { job: 'tetragon', event_type: 'process_exec', namespace: 'shop' }],
    [
      'kprobe hit in a pod',
      KPROBE_SENSITIVE_FILE,
      { job: 'tetragon', event_type: 'process_kprobe', namespace: 'shop', policy_name: 'sensitive-file-access-monitor' },
    ],
    [
      'kprobe hit on the node',
      KPROBE_TCP_CONNECT,
      { job: 'tetragon', event_type: 'process_kprobe', namespace: 'host', policy_name: 'network-connection-monitor' },
    ],
    ['host process', EXEC_HOST_PROCESS, { job: 'tetragon', event_type: 'process_exec', namespace: 'host' }],
  ])("given a %s, when the Promtail stages run, then the stream labels are as the module's queries expect", (_name, event, labels) => {
    expect(shipWithPromtail(synth().scrape, event).labels).toStrictEqual({ ...labels, node: event.node_name });
  });

  test('given the same event, when Promtail and Alloy pipelines run, then both produce identical streams', () => {
    const { scrape } = synth({ cluster: 'c1' });
    const chart = new Chart(Testing.app(), 'o');
    const alloyConfig = parseAlloy(new AlloyLogShipping(chart, 'A', { cluster: 'c1' }).config);
    const proc = findBlocks(alloyConfig, 'loki.process', 'tetragon')[0];
    const stage = (name: string) => attrOf(findBlocks(proc.body, name)[0], 'values') as Record<string, string>;
    const expressions = attrOf(findBlocks(proc.body, 'stage.json')[0], 'expressions') as Record<string, string>;
    const target = (attrOf(findBlocks(alloyConfig, 'local.file_match', 'tetragon')[0], 'path_targets') as Array<Record<string, string>>)[0];
    const alloyStatic = Object.fromEntries(Object.entries(target).filter(([k]) => !k.startsWith('__')));
    expect(scrape[0].pipeline_stages[0].json.expressions).toStrictEqual(expressions);
    for (const event of [EXEC_IN_POD, KPROBE_SENSITIVE_FILE, KPROBE_TCP_CONNECT, EXEC_HOST_PROCESS]) {
      const viaPromtail = shipWithPromtail(scrape, event);
      const viaAlloy = ship(expressions, stage('stage.labels'), stage('stage.structured_metadata'), 'time', alloyStatic, event);
      expect(viaPromtail).toStrictEqual(viaAlloy);
      expect(viaPromtail.labels.cluster).toBe('c1');
      expect(viaPromtail.metadata.binary).toBe((Object.values(event)[0] as any).process.binary);
    }
  });

  test('given Helm values, when parsed, then extraScrapeConfigs is the same YAML list and the export directory is mounted read-only', () => {
    const { cm, values } = synth();
    expect(values.config.snippets.extraScrapeConfigs).toBe(cm.data['scrape-configs.yaml']);
    expect(values.extraVolumeMounts).toStrictEqual([{ name: 'tetragon-export', mountPath: '/var/run/cilium/tetragon', readOnly: true }]);
    expect(values.extraVolumes[0].hostPath.path).toBe('/var/run/cilium/tetragon');
  });

  test('given a glob export file, when constructed, then it throws with path and fix', () => {
    expect(() => synth({ exportFile: '/var/run/cilium/tetragon/tetragon*.log' })).toThrow(
      /observability\/Promtail: exportFile: .*not a glob.*Name the live file only/,
    );
  });
});
