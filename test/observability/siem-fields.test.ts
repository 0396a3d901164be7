import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chart, Testing } from 'cdk8s';
import * as ts from 'typescript';
import * as lib from '../../lib';
import { AlloyLogShipping } from '../../lib/observability/alloy-log-shipping';
import { ALLOY_COMPONENTS } from '../../lib/observability/private/alloy-components';
import { EventSeverity, SEVERITY_ORDER, severityId, SIEM_FIELDS } from '../../lib/observability/siem-fields';
import { SiemSink } from '../../lib/observability/siem-sink';
import { conformanceErrors } from './support/alloy-conformance';
import { parseAlloy } from './support/alloy-parser';

// jmespath.js exports compile(); its type declarations list search() only.
const { compile } = require('jmespath') as { compile(expression: string): unknown };

const DOC = readFileSync(join(__dirname, '..', '..', 'docs', 'siem.md'), 'utf8');

/** The rows of the first markdown table after a heading. */
function table(heading: string): string[][] {
  const start = DOC.indexOf(`\n${heading}\n`);
  expect(start).toBeGreaterThan(0);
  const rows: string[][] = [];
  let inTable = false;
  for (const line of DOC.slice(start + heading.length + 2).split('\n')) {
    if (line.startsWith('|')) {
      inTable = true;
      rows.push(
        line
          .split(/(?<!\\)\|/)
          .slice(1, -1)
          .map((c) => c.trim()),
      );
    } else if (inTable) break;
  }
  return rows.slice(2);
}

/** Runs a ```ts block of the page with `cdk8s-tetragon` resolved to the library; returns its exports. */
function runExample(code: string): Record<string, unknown> {
  const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const exports: Record<string, unknown> = {};
  const requireFor = (name: string) => (name === 'cdk8s-tetragon' ? lib : require(name));
  const chart = new Chart(Testing.app(), 'docs');
  new Function('exports', 'require', 'chart', js)(exports, requireFor, chart);
  Testing.synth(chart);
  return exports;
}

describe('normalized SIEM fields', () => {
  test("given docs/siem.md, then its field table is the library's table, row by row, with ECS and OCSF mappings", () => {
    const rows = table('## Normalized fields');
    expect(rows).toStrictEqual(SIEM_FIELDS.map((f) => [`\`${f.name}\``, f.description, f.ecs, f.ocsf]));
    expect(rows.map((r) => r[0])).toStrictEqual([
      '`timestamp`',
      '`event_type`',
      '`cluster`',
      '`node`',
      '`namespace`',
      '`pod`',
      '`container`',
      '`workload`',
      '`binary`',
      '`arguments`',
      '`policy`',
      '`tags`',
      '`mitre_technique`',
      '`severity`',
      '`severity_id`',
    ]);
  });

  test('given every field expression, then it compiles as JMESPath and every field name is a valid label name', () => {
    for (const f of SIEM_FIELDS) {
      expect(f.name).toMatch(/^[a-z_][a-z0-9_]*$/);
      if (f.expression !== undefined) expect(() => compile(f.expression!)).not.toThrow();
    }
    expect(SIEM_FIELDS.filter((f) => f.expression === undefined).map((f) => f.name)).toStrictEqual([
      'timestamp',
      'severity',
      'severity_id',
    ]);
  });

  test("given the severities, then their ids are OCSF's 1 (informational) to 5 (critical)", () => {
    expect(SEVERITY_ORDER.map((s) => [s, severityId(s)])).toStrictEqual([
      ['info', 1],
      ['low', 2],
      ['medium', 3],
      ['high', 4],
      ['critical', 5],
    ]);
    expect(severityId(EventSeverity.HIGH)).toBe(4);
  });

  test('given the sink table of docs/siem.md, then each sink names its factory and the Alloy component the table pins', () => {
    const rows = table('once, each with its own filter, batching, retries and buffer:');
    expect(rows.map((r) => [r[1], r[2]])).toStrictEqual([
      ['`SiemSink.otlpGrpc`', '`otelcol.exporter.otlp`'],
      ['`SiemSink.otlpHttp`', '`otelcol.exporter.otlphttp`'],
      ['`SiemSink.splunkHec`', '`otelcol.exporter.splunkhec`'],
      ['`SiemSink.kafka`', '`otelcol.exporter.kafka`'],
      ['`SiemSink.syslog`', '`otelcol.exporter.syslog`'],
      ['`SiemSink.s3`', '`otelcol.exporter.awss3`'],
    ]);
    for (const [, factory, component] of rows) {
      expect(typeof (SiemSink as any)[factory.slice(10, -1)]).toBe('function');
      expect(ALLOY_COMPONENTS[component.slice(1, -1)]).toBeDefined();
    }
    expect(DOC).toContain('Grafana Alloy v1.18.1');
    expect(DOC).toContain('Promtail** reached end of life on 2026-03-02');
  });

  test('given every TypeScript example of docs/siem.md, when run, then its sinks render a configuration that conforms to the pinned table', () => {
    const blocks = [...DOC.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks.length).toBe(8);
    const sinks: SiemSink[] = [];
    for (const code of blocks) {
      const exported = runExample(code);
      for (const v of Object.values(exported).flatMap((x) => (Array.isArray(x) ? x : [x]))) if (v instanceof SiemSink) sinks.push(v);
    }
    expect(sinks.map((s) => s.spec.kind).sort()).toStrictEqual([
      'kafka',
      'otlp-grpc',
      'otlp-grpc',
      'otlp-grpc',
      'otlp-http',
      'otlp-http',
      's3',
      'splunk-hec',
      'syslog',
    ]);
    const chart = new Chart(Testing.app(), 'o');
    const config = new AlloyLogShipping(chart, 'A', { siemSinks: sinks }).config;
    expect(conformanceErrors(parseAlloy(config))).toStrictEqual([]);
  });
});
