import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Chart, Duration, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { AlloyLogShipping, AlloyLogShippingProps } from '../../lib/observability/alloy-log-shipping';
import { EventSeverity, SIEM_FIELDS } from '../../lib/observability/siem-fields';
import {
  KafkaSaslMechanism,
  OtlpHttpEncoding,
  S3Format,
  SiemAuth,
  SiemSink,
  SyslogFacility,
  TetragonEventType,
} from '../../lib/observability/siem-sink';
import { synthesizeUnits } from '../../lib/synth';
import { TetragonCluster } from '../../lib/tetragon-cluster';
import { bodyOf } from '../support/agent-events';
import { EXEC_HOST_PROCESS, EXEC_IN_POD, EXIT_IN_POD, KPROBE_SENSITIVE_FILE, KPROBE_SETID_MITRE } from './fixtures/events';
import { conformanceErrors } from './support/alloy-conformance';
import { attrOf, Block, findBlocks, parseAlloy, Statement } from './support/alloy-parser';
import { Delivered, runEvent } from './support/alloy-runtime';
import { logqlErrors } from './support/grammars';

function synth(props: AlloyLogShippingProps) {
  const chart = new Chart(Testing.app(), 'observability');
  const shipping = new AlloyLogShipping(chart, 'Alloy', props);
  const [cm] = Testing.synth(chart);
  return {
    shipping,
    text: cm.data['config.alloy'] as string,
    config: parseAlloy(cm.data['config.alloy']),
    values: parse(cm.data['values.yaml']),
  };
}

const one = (config: Statement[], name: string, label?: string): Block => {
  const found = findBlocks(config, name, label);
  expect(found).toHaveLength(1);
  return found[0];
};
const got = (out: Delivered[], exporter: string) => out.filter((d) => d.exporter === exporter);

/** One sink of every kind, each with a different filter. */
const ALL_SINKS = [
  SiemSink.otlpGrpc({ name: 'collector', endpoint: 'otel-collector.observability.svc:4317', insecure: true }),
  SiemSink.otlpHttp({
    name: 'elastic',
    endpoint: 'https://apm.example.com:8200',
    auth: SiemAuth.bearer({ name: 'elastic-apm', key: 'api-key' }, 'ApiKey'),
    encoding: OtlpHttpEncoding.JSON,
    filter: { minSeverity: EventSeverity.MEDIUM },
  }),
  SiemSink.splunkHec({
    name: 'splunk',
    endpoint: 'https://splunk.example.com:8088/services/collector',
    token: { name: 'splunk-hec', key: 'token' },
    index: 'k8s_security',
    filter: { eventTypes: [TetragonEventType.PROCESS_KPROBE, TetragonEventType.PROCESS_LSM] },
  }),
  SiemSink.kafka({
    name: 'kafka',
    brokers: ['kafka-0.kafka.svc:9093', 'kafka-1.kafka.svc:9093'],
    topic: 'tetragon-events',
    protocolVersion: '3.7.0',
    sasl: { mechanism: KafkaSaslMechanism.SCRAM_SHA_512, username: 'tetragon', password: { name: 'kafka-user', key: 'password' } },
    tls: { ca: { name: 'kafka-ca', key: 'ca.crt' } },
    filter: { namespaces: ['payments'] },
  }),
  SiemSink.syslog({
    name: 'qradar',
    host: 'qradar.example.com',
    facility: SyslogFacility.LOCAL4,
    tls: {
      ca: { name: 'qradar-tls', key: 'ca.crt' },
      clientCertificate: { name: 'qradar-tls', key: 'tls.crt' },
      clientKey: { name: 'qradar-tls', key: 'tls.key' },
    },
    filter: { tags: ['mitre.T1548'] },
  }),
  SiemSink.s3({
    name: 'archive',
    bucket: 'security-archive',
    prefix: 'tetragon/prod',
    endpoint: 'https://minio.storage.svc:9000',
    forcePathStyle: true,
    credentials: {
      accessKeyId: { name: 'archive-s3', key: 'access-key-id' },
      secretAccessKey: { name: 'archive-s3', key: 'secret-access-key' },
    },
    buffer: { persistent: true, maxEvents: 100_000 },
    batching: { minEvents: 5000, maxEvents: 20_000, flushInterval: Duration.minutes(1) },
  }),
];

describe('SIEM sinks', () => {
  test('given one sink of every kind, when synthesized, then the configuration parses and uses only components and arguments of the pinned Alloy table', () => {
    const { config } = synth({ cluster: 'nlcl01k8s', siemSinks: ALL_SINKS });
    expect(conformanceErrors(config)).toStrictEqual([]);
    const exporters = config
      .filter((s): s is Block => s.kind === 'block' && s.name.startsWith('otelcol.exporter.'))
      .map((b) => `${b.name} ${b.label}`);
    expect(exporters).toStrictEqual([
      'otelcol.exporter.otlp siem_collector',
      'otelcol.exporter.otlphttp siem_elastic',
      'otelcol.exporter.splunkhec siem_splunk',
      'otelcol.exporter.kafka siem_kafka',
      'otelcol.exporter.syslog siem_qradar',
      'otelcol.exporter.awss3 siem_archive',
    ]);
    // The file source feeds Loki and the shared SIEM normalization; each match selector parses as LogQL.
    expect(attrOf(one(config, 'loki.source.file', 'tetragon'), 'forward_to')).toStrictEqual([
      { ref: 'loki.process.tetragon.receiver' },
      { ref: 'loki.process.siem.receiver' },
    ]);
    for (const m of findBlocks(config, 'stage.match')) {
      const sel = attrOf(m, 'selector') as string;
      expect({ sel, errors: logqlErrors(sel) }).toStrictEqual({ sel, errors: [] });
    }
  });

  test('given the sinks, when the Helm values are built, then stability, community flag, Secret mounts, S3 environment and the pinned image follow the components used', () => {
    const { values } = synth({ siemSinks: ALL_SINKS });
    expect(values.image).toStrictEqual({ tag: 'v1.18.1' });
    expect(values.alloy.stabilityLevel).toBe('experimental'); // otelcol.exporter.awss3
    expect(values.alloy.extraArgs).toStrictEqual(['--feature.community-components.enabled=true']); // otelcol.exporter.splunkhec
    expect(values.alloy.extraEnv).toStrictEqual([
      { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: 'archive-s3', key: 'access-key-id' } } },
      { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: 'archive-s3', key: 'secret-access-key' } } },
    ]);
    expect(values.alloy.mounts.extra.map((m: any) => m.mountPath)).toStrictEqual([
      '/var/run/cilium/tetragon',
      '/etc/alloy/siem-secrets/kafka-ca',
      '/etc/alloy/siem-secrets/qradar-tls',
      '/var/lib/alloy-tetragon-siem',
    ]);
    expect(values.controller.volumes.extra.slice(1)).toStrictEqual([
      { name: 'tetragon-siem-secret-0', secret: { secretName: 'kafka-ca' } },
      { name: 'tetragon-siem-secret-1', secret: { secretName: 'qradar-tls' } },
      { name: 'tetragon-siem-queue', hostPath: { path: '/var/lib/alloy-tetragon-siem', type: 'DirectoryOrCreate' } },
    ]);

    const onlyGa = synth({ siemSinks: [ALL_SINKS[0]] }).values;
    expect(onlyGa.alloy.stabilityLevel).toBeUndefined();
    expect(onlyGa.alloy.extraArgs).toBeUndefined();
    expect(synth({ siemSinks: [ALL_SINKS[4]] }).values.alloy.stabilityLevel).toBe('public-preview'); // otelcol.exporter.syslog
    expect(synth({}).values.alloy).not.toHaveProperty('extraEnv');
  });

  test('given a MITRE-tagged kprobe event, when it runs through the pipeline, then every sink that selects it gets the intact event and the normalized fields', () => {
    const { config } = synth({
      cluster: 'nlcl01k8s',
      siemSinks: ALL_SINKS,
      siemSeverity: { policies: { 'privilege-escalation-monitor': EventSeverity.HIGH } },
    });
    const out = runEvent(config, KPROBE_SETID_MITRE);
    const line = JSON.stringify(KPROBE_SETID_MITRE);
    const [otlp] = got(out, 'otelcol.exporter.otlp.siem_collector');
    expect(otlp.body).toBe(line);
    const process = bodyOf(KPROBE_SETID_MITRE).process;
    expect(otlp.timestamp).toBe(KPROBE_SETID_MITRE.time);
    expect(otlp.attributes).toStrictEqual({
      event_type: 'process_kprobe',
      cluster: 'nlcl01k8s',
      node: KPROBE_SETID_MITRE.node_name,
      namespace: 'payments',
      pod: process.pod.name,
      container: 'api',
      workload: 'api',
      binary: process.binary,
      arguments: process.arguments,
      policy: 'privilege-escalation-monitor',
      tags: 'observability.privilege_escalation,mitre.T1548,mitre.T1548.001',
      mitre_technique: 'T1548,T1548.001',
      severity: 'high',
      severity_id: 4,
    });
    // Every normalized attribute is a documented field, and Loki's bookkeeping (job, filename, the label hint) is gone.
    const documented = SIEM_FIELDS.map((f) => f.name);
    for (const key of Object.keys(otlp.attributes)) expect(documented).toContain(key);
    // Loki still gets its own labels from the same line.
    expect(got(out, 'loki.write.tetragon')[0].attributes).toMatchObject({
      job: 'tetragon',
      policy_name: 'privilege-escalation-monitor',
      namespace: 'payments',
    });
    // Filters: splunk (kprobe), kafka (payments), qradar (mitre.T1548), elastic (>= medium) and the archive all take it.
    expect(out.map((d) => d.exporter).sort()).toStrictEqual([
      'loki.write.tetragon',
      'otelcol.exporter.awss3.siem_archive',
      'otelcol.exporter.kafka.siem_kafka',
      'otelcol.exporter.otlp.siem_collector',
      'otelcol.exporter.otlphttp.siem_elastic',
      'otelcol.exporter.splunkhec.siem_splunk',
      'otelcol.exporter.syslog.siem_qradar',
    ]);
  });

  test("given events of other kinds, namespaces and tags, when they run through the pipeline, then each sink's filter decides alone", () => {
    const { config } = synth({ siemSinks: ALL_SINKS });
    const sinksFor = (event: unknown) =>
      runEvent(config, event)
        .map((d) => d.exporter.replace(/^.*\.siem_/, '').replace(/^loki\.write\./, 'loki:'))
        .sort();
    // An exec in shop: no policy, so info severity; not a kprobe; not in payments; untagged.
    expect(sinksFor(EXEC_IN_POD)).toStrictEqual(['archive', 'collector', 'loki:tetragon']);
    // A sensitive-file kprobe in shop, tagged observability.filesystem and MITRE credential-access techniques (not T1548): medium severity.
    expect(sinksFor(KPROBE_SENSITIVE_FILE)).toStrictEqual(['archive', 'collector', 'elastic', 'loki:tetragon', 'splunk']);
    const hostOnly = synth({
      siemSinks: [SiemSink.otlpGrpc({ name: 'host', endpoint: 'c:4317', insecure: true, filter: { namespaces: ['host'] } })],
    }).config;
    expect(runEvent(hostOnly, EXEC_HOST_PROCESS).map((d) => d.exporter)).toContain('otelcol.exporter.otlp.siem_host');
    expect(runEvent(hostOnly, EXIT_IN_POD).map((d) => d.exporter)).not.toContain('otelcol.exporter.otlp.siem_host');
    // A host process has no namespace attribute (Loki's "host" label is Loki's convention only).
    const [host] = got(runEvent(hostOnly, EXEC_HOST_PROCESS), 'otelcol.exporter.otlp.siem_host');
    expect(host.attributes).not.toHaveProperty('namespace');
    expect(host.attributes).toMatchObject({
      severity: 'info',
      severity_id: 1,
      binary: bodyOf(EXEC_HOST_PROCESS).process.binary,
      node: EXEC_HOST_PROCESS.node_name,
    });
  });

  test('given policy filters and severity rules, when events run, then only the listed policies pass and severities follow the rules', () => {
    const { config } = synth({
      siemSinks: [
        SiemSink.otlpGrpc({ name: 'p', endpoint: 'c:4317', insecure: true, filter: { policies: ['privilege-escalation-monitor'] } }),
      ],
      siemSeverity: {
        policyEvents: EventSeverity.LOW,
        otherEvents: EventSeverity.INFO,
        policies: { 'privilege-escalation-monitor': EventSeverity.CRITICAL },
      },
    });
    expect(got(runEvent(config, KPROBE_SETID_MITRE), 'otelcol.exporter.otlp.siem_p')[0].attributes).toMatchObject({
      severity: 'critical',
      severity_id: 5,
    });
    expect(got(runEvent(config, KPROBE_SENSITIVE_FILE), 'otelcol.exporter.otlp.siem_p')).toHaveLength(0);
    expect(got(runEvent(config, EXEC_IN_POD), 'otelcol.exporter.otlp.siem_p')).toHaveLength(0);
    const all = synth({
      siemSinks: [SiemSink.otlpGrpc({ name: 'a', endpoint: 'c:4317', insecure: true })],
      siemSeverity: { policyEvents: EventSeverity.LOW },
    }).config;
    expect(got(runEvent(all, KPROBE_SENSITIVE_FILE), 'otelcol.exporter.otlp.siem_a')[0].attributes).toMatchObject({
      severity: 'low',
      severity_id: 2,
    });
  });

  test('given a syslog sink, when an event runs, then the RFC 5424 message is the intact event and host, app, msgid and priority come from the event', () => {
    const { config } = synth({ siemSinks: ALL_SINKS, siemSeverity: { policies: { 'privilege-escalation-monitor': EventSeverity.HIGH } } });
    const [sys] = got(runEvent(config, KPROBE_SETID_MITRE), 'otelcol.exporter.syslog.siem_qradar');
    expect(sys.attributes).toMatchObject({
      message: JSON.stringify(KPROBE_SETID_MITRE),
      hostname: KPROBE_SETID_MITRE.node_name,
      appname: 'tetragon',
      msg_id: 'process_kprobe',
      priority: String(SyslogFacility.LOCAL4 * 8 + 3), // local4, error (high)
    });
    const exporter = one(config, 'otelcol.exporter.syslog', 'siem_qradar');
    expect(attrOf(exporter, 'port')).toBe(6514);
    expect(attrOf(exporter, 'protocol')).toBe('rfc5424');
    expect(attrOf(exporter, 'network')).toBe('tcp');
    expect(attrOf(exporter, 'enable_octet_counting')).toBe(true);
    expect(one(exporter.body, 'tls').body.map((s) => [s.name, (s as any).value])).toStrictEqual([
      ['ca_file', '/etc/alloy/siem-secrets/qradar-tls/ca.crt'],
      ['cert_file', '/etc/alloy/siem-secrets/qradar-tls/tls.crt'],
      ['key_file', '/etc/alloy/siem-secrets/qradar-tls/tls.key'],
    ]);
  });

  test("given batching, retry and buffer settings, then each sink's exporter carries its own, and the buffer never blocks the shared pipeline", () => {
    const { config } = synth({
      siemSinks: [
        SiemSink.otlpGrpc({
          name: 'fast',
          endpoint: 'c:4317',
          insecure: true,
          batching: { minEvents: 10, maxEvents: 100, flushInterval: Duration.millis(500) },
          retry: { initialInterval: Duration.seconds(1), maxInterval: Duration.seconds(10), maxElapsedTime: Duration.hours(1) },
          buffer: { maxEvents: 500 },
        }),
        SiemSink.otlpGrpc({ name: 'slow', endpoint: 'd:4317', insecure: true }),
      ],
    });
    const queue = (label: string) => one(one(config, 'otelcol.exporter.otlp', label).body, 'sending_queue');
    const flat = (b: Block) => Object.fromEntries(b.body.filter((s) => s.kind === 'attr').map((s: any) => [s.name, s.value]));
    expect(flat(queue('siem_fast'))).toStrictEqual({ enabled: true, queue_size: 500, sizer: 'items', block_on_overflow: false });
    expect(flat(one(queue('siem_fast').body, 'batch'))).toStrictEqual({
      flush_timeout: '500ms',
      min_size: 10,
      max_size: 100,
      sizer: 'items',
    });
    expect(flat(one(one(config, 'otelcol.exporter.otlp', 'siem_fast').body, 'retry_on_failure'))).toStrictEqual({
      enabled: true,
      initial_interval: '1s',
      max_interval: '10s',
      max_elapsed_time: '60m',
    });
    expect(flat(queue('siem_slow'))).toMatchObject({ queue_size: 20000 });
    expect(flat(one(queue('siem_slow').body, 'batch'))).toStrictEqual({
      flush_timeout: '5s',
      min_size: 1000,
      max_size: 5000,
      sizer: 'items',
    });
    expect(flat(one(one(config, 'otelcol.exporter.otlp', 'siem_slow').body, 'retry_on_failure'))).toMatchObject({
      max_elapsed_time: '10m',
    });
  });

  test('given credentials, then they are references to Secrets read by Alloy (remote.kubernetes.secret), TLS files mounted from Secrets, S3 keys from the environment', () => {
    const { config } = synth({ siemSinks: ALL_SINKS });
    expect(findBlocks(config, 'remote.kubernetes.secret').map((b) => [b.label, attrOf(b, 'namespace'), attrOf(b, 'name')])).toStrictEqual([
      ['secret_elastic_apm', 'logging', 'elastic-apm'],
      ['secret_kafka_user', 'logging', 'kafka-user'],
      ['secret_splunk_hec', 'logging', 'splunk-hec'],
    ]);
    expect(attrOf(one(config, 'otelcol.auth.bearer', 'siem_elastic'), 'token')).toStrictEqual({
      ref: 'remote.kubernetes.secret.secret_elastic_apm.data',
      key: 'api-key',
    });
    expect(attrOf(one(config, 'otelcol.auth.bearer', 'siem_elastic'), 'scheme')).toBe('ApiKey');
    expect(attrOf(one(one(config, 'otelcol.exporter.splunkhec', 'siem_splunk').body, 'splunk'), 'token')).toStrictEqual({
      ref: 'remote.kubernetes.secret.secret_splunk_hec.data',
      key: 'token',
    });
    expect(attrOf(findBlocks(config, 'sasl')[0], 'password')).toStrictEqual({
      ref: 'remote.kubernetes.secret.secret_kafka_user.data',
      key: 'password',
    });
    const basic = synth({
      siemSinks: [
        SiemSink.otlpHttp({
          name: 'grafana',
          endpoint: 'https://otlp-gateway.grafana.net/otlp',
          auth: SiemAuth.basic('123456', { name: 'grafana-cloud', key: 'token' }),
        }),
      ],
    }).config;
    expect(findBlocks(basic, 'client_auth')[0].body.map((s: any) => [s.name, s.value])).toStrictEqual([
      ['username', '123456'],
      ['password', { ref: 'remote.kubernetes.secret.secret_grafana_cloud.data', key: 'token' }],
    ]);
    const dd = synth({
      siemSinks: [
        SiemSink.otlpHttp({
          name: 'datadog',
          endpoint: 'https://otlp.datadoghq.eu',
          auth: SiemAuth.header('DD-API-KEY', { name: 'datadog', key: 'api-key' }),
        }),
      ],
    }).config;
    expect(findBlocks(dd, 'header')[0].body.map((s: any) => [s.name, s.value])).toStrictEqual([
      ['key', 'DD-API-KEY'],
      ['value', { ref: 'remote.kubernetes.secret.secret_datadog.data', key: 'api-key' }],
    ]);
    expect(conformanceErrors(basic)).toStrictEqual([]);
    expect(conformanceErrors(dd)).toStrictEqual([]);
  });

  test("given a cluster with every sink kind, when dist/ is written, then no test token value appears in any file, only the Secrets' names", () => {
    // The values the platform team stores in the Secrets; the library only ever sees the Secrets' names.
    const TOKENS = [
      'hec-3f9c1e7a-token',
      'ApiKeyZ2xhZGlvbHVz',
      'kafka-pw-8d1b5',
      'AKIAEXAMPLE0TEST',
      'wJalrXUtnFEMI-example-secret',
      'dd-4c0ffee1234',
    ];
    const app = new App();
    new TetragonCluster(app, 'siemtest', { clusterName: 'siemtest', observability: { alloy: { siemSinks: ALL_SINKS } } });
    const outdir = mkdtempSync(join(tmpdir(), 'siem-dist-'));
    synthesizeUnits(app, outdir);
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
    const all = files(outdir)
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    expect(all.length).toBeGreaterThan(10_000);
    for (const token of TOKENS) expect(all).not.toContain(token);
    expect(all).not.toMatch(/^kind: Secret$/m);
    for (const name of ['splunk-hec', 'elastic-apm', 'kafka-user', 'archive-s3', 'qradar-tls']) expect(all).toContain(name);
    // And the only ways to smuggle a value into the config are refused at synth time.
    const attempt = (sink: SiemSink) => () => synth({ siemSinks: [sink] });
    expect(attempt(SiemSink.otlpHttp({ name: 'x', endpoint: `https://user:${TOKENS[0]}@siem.example.com` }))).toThrow(
      /endpoint: got "<URL with credentials>"; expected a URL without user or password/,
    );
    expect(
      attempt(SiemSink.otlpHttp({ name: 'x', endpoint: 'https://siem.example.com', headers: { Authorization: `Bearer ${TOKENS[1]}` } })),
    ).toThrow(/headers\.Authorization: got "<hidden>"; expected no credential in a plain header.*SiemAuth\.header\('Authorization'/);
    expect(attempt(SiemSink.otlpGrpc({ name: 'x', endpoint: 'c:4317', headers: { 'DD-API-KEY': TOKENS[5] } }))).toThrow(
      /headers\.DD-API-KEY: got "<hidden>"/,
    );
    let message = '';
    try {
      attempt(SiemSink.otlpHttp({ name: 'x', endpoint: 'https://siem.example.com', headers: { 'X-Api-Key': TOKENS[1] } }))();
    } catch (e) {
      message = String(e);
    }
    expect(message).not.toContain(TOKENS[1]);
  });

  test.each([
    [
      SiemSink.otlpGrpc({ name: 'Splunk', endpoint: 'c:4317' }),
      /siemSinks\[0\]\.name: got "Splunk"; expected lower-case letters, digits and "_"/,
    ],
    [
      SiemSink.otlpGrpc({ name: 'x', endpoint: 'https://c:4317' }),
      /siemSinks\[0\]\(x\)\.endpoint: got "https:\/\/c:4317"; expected host:port without a scheme/,
    ],
    [
      SiemSink.otlpGrpc({ name: 'x', endpoint: 'c:4317', insecure: true, auth: SiemAuth.bearer({ name: 's', key: 'k' }) }),
      /siemSinks\[0\]\(x\)\.insecure: got true; expected no credentials over a plaintext connection\. Enable TLS/,
    ],
    [
      SiemSink.otlpHttp({ name: 'x', endpoint: 'http://collector:4318' }),
      /endpoint: got "http:\/\/collector:4318"; expected an https:\/\/ URL\. .*insecure: true/,
    ],
    [
      SiemSink.splunkHec({ name: 'x', endpoint: 'https://s:8088/services/collector', token: { name: 'Bad_Name', key: 'token' } }),
      /siemSinks\[0\]\(x\)\.token\.name: got "Bad_Name"; expected the name of a Secret .* Create the Secret in namespace logging/,
    ],
    [
      SiemSink.kafka({
        name: 'x',
        brokers: ['k:9092'],
        topic: 't',
        protocolVersion: '3.7.0',
        insecure: true,
        sasl: { mechanism: KafkaSaslMechanism.PLAIN, username: 'u', password: { name: 'k', key: 'p' } },
      }),
      /sasl\.mechanism: got "PLAIN"; expected SCRAM, or TLS with PLAIN/,
    ],
    [
      SiemSink.kafka({ name: 'x', brokers: [], topic: 't', protocolVersion: '3.7.0' }),
      /brokers: got \[\]; expected at least one host:port/,
    ],
    [
      SiemSink.syslog({ name: 'x', host: 'h', tls: { clientCertificate: { name: 'c', key: 'tls.crt' } } }),
      /tls\.clientKey: got "unset"; expected clientCertificate and clientKey together/,
    ],
    [SiemSink.s3({ name: 'x', bucket: 'b', prefix: 'p' }), /bucket: got "b"; expected an S3 bucket name/],
    [SiemSink.s3({ name: 'x', bucket: 'bucket', prefix: '/p/' }), /prefix: got "\/p\/"; expected a key prefix/],
    [
      SiemSink.otlpGrpc({ name: 'x', endpoint: 'c:4317', insecure: true, filter: { eventTypes: [] } }),
      /filter\.eventTypes: got \[\]; expected a non-empty list\. Leave eventTypes out/,
    ],
    [
      SiemSink.otlpGrpc({ name: 'x', endpoint: 'c:4317', insecure: true, filter: { namespaces: ['Shop'] } }),
      /filter\.namespaces\[0\]: got "Shop"/,
    ],
    [
      SiemSink.otlpGrpc({ name: 'x', endpoint: 'c:4317', insecure: true, batching: { minEvents: 100, maxEvents: 10 } }),
      /batching\.maxEvents: got 10; expected at least minEvents \(100\)/,
    ],
    [
      SiemSink.otlpGrpc({ name: 'x', endpoint: 'c:4317', insecure: true, buffer: { maxEvents: 100 } }),
      /buffer\.maxEvents: got 100; expected at least batching\.maxEvents \(5000\)/,
    ],
    [
      SiemSink.otlpGrpc({
        name: 'x',
        endpoint: 'c:4317',
        insecure: true,
        retry: { initialInterval: Duration.minutes(5), maxInterval: Duration.seconds(30) },
      }),
      /retry\.maxInterval: got "30s"; expected at least initialInterval \(5m\)/,
    ],
    [
      SiemSink.s3({ name: 'x', bucket: 'bucket', prefix: 'p', retry: {} } as any),
      /retry: got \{\}; expected no retry settings on an S3 sink/,
    ],
  ] as Array<[SiemSink, RegExp]>)(
    'given an invalid sink (%#), when constructed, then it throws naming the construct, field and fix',
    (sink, message) => {
      expect(() => synth({ siemSinks: [sink] })).toThrow(message);
    },
  );

  test('given two sinks with one name, two S3 credential pairs, or severity rules without sinks, then synth fails with the fix', () => {
    const a = SiemSink.otlpGrpc({ name: 'dup', endpoint: 'c:4317', insecure: true });
    expect(() => synth({ siemSinks: [a, a] })).toThrow(
      /observability\/Alloy: siemSinks\[1\]\.name: got "dup"; expected a name no other sink has/,
    );
    const s3 = (name: string, secret: string) =>
      SiemSink.s3({
        name,
        bucket: 'bucket',
        prefix: 'p',
        credentials: { accessKeyId: { name: secret, key: 'id' }, secretAccessKey: { name: secret, key: 'key' } },
      });
    expect(() => synth({ siemSinks: [s3('a', 's1'), s3('b', 's2')] })).toThrow(
      /siemSinks\[1\]\(b\)\.credentials: .*expected the same credentials as siemSinks\[0\]\(a\)/,
    );
    expect(() => synth({ siemSinks: [s3('a', 's1'), s3('b', 's1')] })).not.toThrow();
    expect(() => synth({ siemSeverity: { policyEvents: EventSeverity.HIGH } })).toThrow(
      /siemSeverity: .*expected no severity rules without SIEM sinks/,
    );
    expect(() => synth({ siemSinks: [a], siemSeverity: { policies: { 'Not A Policy': EventSeverity.HIGH } } })).toThrow(
      /siemSeverity\.policies key: got "Not A Policy"/,
    );
  });

  test('given no sinks, when synthesized, then the Loki pipeline is unchanged and no SIEM component appears', () => {
    const { config } = synth({});
    expect(config.filter((s) => s.kind === 'block').map((s) => s.name)).toStrictEqual([
      'local.file_match',
      'loki.source.file',
      'loki.process',
      'loki.write',
    ]);
    expect(conformanceErrors(config)).toStrictEqual([]);
  });

  test('given the same sinks twice, when synthesized, then the configuration is byte-identical', () => {
    expect(synth({ siemSinks: ALL_SINKS }).text).toBe(synth({ siemSinks: ALL_SINKS }).text);
  });

  test('given S3 settings, then bucket, prefix, endpoint, path style, format and compression reach the uploader', () => {
    const { config } = synth({
      siemSinks: [
        ALL_SINKS[5],
        SiemSink.s3({ name: 'raw', bucket: 'raw-events', prefix: 'tetragon', format: S3Format.EVENTS, gzip: false, region: 'eu-west-1' }),
      ],
    });
    const uploader = (label: string) =>
      Object.fromEntries(one(one(config, 'otelcol.exporter.awss3', label).body, 's3_uploader').body.map((s: any) => [s.name, s.value]));
    expect(uploader('siem_archive')).toMatchObject({
      s3_bucket: 'security-archive',
      s3_prefix: 'tetragon/prod',
      endpoint: 'https://minio.storage.svc:9000',
      s3_force_path_style: true,
      compression: 'gzip',
      region: 'us-east-1',
    });
    expect(uploader('siem_raw')).toMatchObject({ s3_bucket: 'raw-events', compression: 'none', region: 'eu-west-1' });
    expect(attrOf(one(one(config, 'otelcol.exporter.awss3', 'siem_raw').body, 'marshaler'), 'type')).toBe('body');
    expect(attrOf(one(one(config, 'otelcol.exporter.awss3', 'siem_archive').body, 'sending_queue'), 'storage')).toStrictEqual({
      ref: 'otelcol.storage.file.siem_queue.handler',
    });
  });
});
