import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App, Chart, Testing } from 'cdk8s';
import { findOrProvisionHelm } from '../../scripts/support/helm';

/** The test chart that echoes values into objects. */
export const FIXTURE_CHART = resolve(__dirname, '..', 'fixtures', 'helm-chart');

/** A real `helm` for rendering the fixture chart: from PATH, or provisioned once into the git-ignored cache. */
export function testHelm(): string {
  return findOrProvisionHelm({ cacheDir: resolve(__dirname, '..', '..', '.cache', 'helm') });
}

/** A fresh chart to put constructs in. */
export function newChart(app: App = Testing.app()): Chart {
  return new Chart(app, 'install');
}

/** Finds the one object of a kind (and name) in synthesized manifests. */
export function find(manifests: any[], kind: string, name?: string): any {
  const hits = manifests.filter((m) => m.kind === kind && (name === undefined || m.metadata?.name === name));
  if (hits.length !== 1) {
    throw new Error(
      `expected one ${kind}${name ? ` ${name}` : ''}, found ${hits.length}: ${manifests.map((m) => `${m.kind}/${m.metadata?.name}`).join(', ')}`,
    );
  }
  return hits[0];
}

/** Parses a filter list (one JSON object per line). */
export function lines(text: string): unknown[] {
  return text === '' ? [] : text.split('\n').map((l) => JSON.parse(l));
}

/**
 * A stand-in `helm` that records its argv and the values file it was given into a ConfigMap, or
 * fails like helm does when `FAKE_HELM_FAIL` text is set at creation.
 */
export function fakeHelm(options: { fail?: string } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'fake-helm-'));
  const path = join(dir, 'helm');
  const script = `#!${process.execPath}
const fs = require('fs');
const args = process.argv.slice(2);
${options.fail ? `process.stderr.write(${JSON.stringify(options.fail)}); process.exit(1);` : ''}
const f = args.indexOf('-f');
const values = f >= 0 ? fs.readFileSync(args[f + 1], 'utf8') : '';
process.stdout.write(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'helm-call' }, data: { args: JSON.stringify(args.map((a, i) => i === f + 1 && f >= 0 ? '<values-file>' : a)), values } }));
`;
  writeFileSync(path, script);
  chmodSync(path, 0o755);
  return path;
}
