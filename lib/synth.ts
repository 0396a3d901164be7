import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { App, Chart, Yaml } from 'cdk8s';

/**
 * Writes a cluster's app as GitOps units: one folder per chart (named by the chart's id, e.g. `policies/`),
 * one file per object (`<kind>-<name>.yaml`, lowercase), in a deterministic order.
 *
 * Every construct's validations run first, and the folder is replaced only after everything rendered, so a
 * failed synth never leaves a half-written `dist/`.
 *
 * @param app the app holding the cluster's charts
 * @param outdir the cluster's folder, e.g. `dist/nlcl01k8s`
 * @returns the files written, relative to `outdir`
 */
export function synthesizeUnits(app: App, outdir: string): string[] {
  const errors = app.node.findAll().flatMap((c) => c.node.validate().map((e) => (e.startsWith(c.node.path) ? e : `${c.node.path}: ${e}`)));
  if (errors.length) throw new Error(`synth failed validation:\n  - ${errors.join('\n  - ')}`);

  const files = new Map<string, string>();
  for (const chart of app.charts) {
    const unit = chart.node.id;
    for (const object of chart.toJson()) {
      const ns = object.metadata?.namespace ? `${object.metadata.namespace}.` : '';
      const file = join(unit, `${object.kind}-${ns}${object.metadata?.name}.yaml`.toLowerCase().replace(/[^a-z0-9._-]/g, '-'));
      if (files.has(file)) throw new Error(`${chart.node.path}: two objects would be written to ${file}; give them distinct names`);
      files.set(file, Yaml.stringify(object));
    }
  }

  const staging = `${outdir}.synth-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  for (const [file, text] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    mkdirSync(dirname(join(staging, file)), { recursive: true });
    writeFileSync(join(staging, file), text);
  }
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(dirname(outdir), { recursive: true });
  renameSync(staging, outdir);
  return [...files.keys()].sort();
}

/** The charts of an app, by unit name. */
export function unitsOf(app: App): Record<string, Chart> {
  return Object.fromEntries(app.charts.map((c) => [c.node.id, c]));
}
