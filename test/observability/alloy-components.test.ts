import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { AlloyLogShipping } from '../../lib/observability/alloy-log-shipping';
import {
  ALLOY_COMPONENTS,
  ALLOY_RELEASE,
  needsCommunityComponents,
  requiredStability,
} from '../../lib/observability/private/alloy-components';
import { SiemAuth, SiemSink } from '../../lib/observability/siem-sink';
import { conformanceErrors } from './support/alloy-conformance';
import { parseAlloy } from './support/alloy-parser';

const ROOT = join(__dirname, '..', '..');

/** Every config.alloy the committed dist/ holds. */
function distConfigs(): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  const walk = (dir: string) => {
    for (const n of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, n.name);
      if (n.isDirectory()) walk(full);
      else if (n.name.endsWith('.yaml')) {
        const doc = parse(readFileSync(full, 'utf8'));
        if (doc?.kind === 'ConfigMap' && typeof doc.data?.['config.alloy'] === 'string')
          out.push({ file: full, text: doc.data['config.alloy'] });
      }
    }
  };
  walk(join(ROOT, 'dist'));
  return out;
}

function config(props: ConstructorParameters<typeof AlloyLogShipping>[2]) {
  const chart = new Chart(Testing.app(), 'o');
  return new AlloyLogShipping(chart, 'A', props).config;
}

describe('pinned Alloy component table', () => {
  test("given the table, then it pins one Alloy release and names each component's reference page under it", () => {
    expect(ALLOY_RELEASE).toStrictEqual({
      repository: 'grafana/alloy',
      tag: 'v1.18.1',
      componentDocs: 'docs/sources/reference/components',
      sharedBlockDocs: 'docs/sources/shared/reference/components',
    });
    const names = Object.keys(ALLOY_COMPONENTS);
    expect(names).toHaveLength(17);
    for (const [name, spec] of Object.entries(ALLOY_COMPONENTS)) {
      expect(spec.doc).toBe(`${name.split('.')[0]}/${name}.md`);
      expect(spec.exports.every((e) => /^[a-z_]+$/.test(e))).toBe(true);
    }
  });

  test('given every config.alloy in dist/, when parsed, then it uses only components and arguments of the table', () => {
    const configs = distConfigs();
    expect(configs.length).toBeGreaterThanOrEqual(1);
    for (const { file, text } of configs) expect({ file, errors: conformanceErrors(parseAlloy(text)) }).toStrictEqual({ file, errors: [] });
  });

  test('given every option of the constructs that changes the configuration, when rendered, then each parses and conforms', () => {
    const variants = [
      config({}),
      config({ cluster: 'c', tenantId: 't', lokiUrl: 'https://loki.example.com/loki/api/v1/push' }),
      config({ forwardTo: 'loki.write.default.receiver' }),
      config({
        siemSinks: [
          SiemSink.otlpGrpc({
            name: 'a',
            endpoint: 'c:4317',
            auth: SiemAuth.header('X-SF-Token', { name: 'sfx', key: 'token' }),
            tls: { serverName: 'ingest.example.com' },
            headers: { 'X-Scope-OrgID': 'sec' },
          }),
          SiemSink.otlpHttp({ name: 'b', endpoint: 'http://collector:4318', insecure: true }),
          SiemSink.syslog({ name: 'c', host: 'syslog', insecure: true, octetCounting: true }),
          SiemSink.kafka({ name: 'd', brokers: ['k:9092'], topic: 't', protocolVersion: '3.7.0', insecure: true }),
          SiemSink.splunkHec({
            name: 'e',
            endpoint: 'https://s:8088/services/collector',
            token: { name: 'hec', key: 'token' },
            insecureSkipVerify: true,
          }),
        ],
      }),
    ];
    for (const text of [variants[0], variants[1], variants[3]]) expect(conformanceErrors(parseAlloy(text))).toStrictEqual([]);
    // forwardTo names the user's own loki.write, declared in their part of the configuration, not in this file.
    expect(conformanceErrors(parseAlloy(variants[2]))).toStrictEqual(['reference loki.write.default.receiver names no declared component']);
  });

  test('given a configuration with an unknown component, argument, block or reference, then the check reports each (it can fail)', () => {
    const bad = parseAlloy(
      [
        'otelcol.exporter.elasticsearch "x" {\n  endpoints = ["https://es:9200"]\n}',
        'otelcol.exporter.otlp "y" {\n  client {\n    endpoint = "c:4317"\n    tls_insecure = true\n  }\n  batch {}\n}',
        'otelcol.receiver.loki "z" {\n  output {\n    logs = [otelcol.exporter.otlp.missing.input, otelcol.exporter.otlp.y.receiver]\n  }\n}',
      ].join('\n'),
    );
    expect(conformanceErrors(bad)).toStrictEqual([
      'component otelcol.exporter.elasticsearch is not in the pinned table',
      'otelcol.exporter.otlp "y" > client: attribute tls_insecure is not in the table',
      'otelcol.exporter.otlp "y": block batch is not in the table',
      'reference otelcol.exporter.otlp.missing.input names no declared component',
      'reference otelcol.exporter.otlp.y.receiver: otelcol.exporter.otlp exports no receiver',
    ]);
  });

  test('given component sets, then the stability level and community flag a configuration needs follow the least stable component', () => {
    expect(requiredStability(['loki.process', 'otelcol.exporter.otlp'])).toBe('generally-available');
    expect(requiredStability(['loki.process', 'otelcol.exporter.syslog'])).toBe('public-preview');
    expect(requiredStability(['otelcol.storage.file', 'otelcol.exporter.awss3'])).toBe('experimental');
    expect(requiredStability(['otelcol.exporter.splunkhec'])).toBe('generally-available');
    expect(needsCommunityComponents(['otelcol.exporter.splunkhec'])).toBe(true);
    expect(needsCommunityComponents(['otelcol.exporter.otlp'])).toBe(false);
    expect(() => requiredStability(['otelcol.exporter.elasticsearch'])).toThrow(/not in the pinned component table/);
  });
});
