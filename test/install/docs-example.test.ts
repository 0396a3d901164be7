import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Testing } from 'cdk8s';
import * as ts from 'typescript';
import * as gitops from '../../lib/gitops';
import * as install from '../../lib/install';
import { validateAgainstCrd } from '../../lib/private/crd-schema';

/** Runs the first TypeScript block of docs/install.md, with the package name mapped to the sources. */
function runDocsExample(): App {
  const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'install.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(doc);
  if (!block) throw new Error('docs/install.md has no ts example');
  const js = ts.transpileModule(`${block[1]}\nexports.app = app;`, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const exportsObj: { app?: App } = {};
  const req = (name: string) => (name === 'cdk8s-tetragon' ? { ...install, ...gitops } : require(name));
  new Function('require', 'exports', js)(req, exportsObj);
  return exportsObj.app!;
}

describe('docs/install.md example', () => {
  test('runs and yields a valid install unit and ordered Kustomizations', () => {
    // given the documented example, with no environment override
    const saved = { m: process.env.TETRAGON_INSTALL_METHOD, c: process.env.TETRAGON_CHART };
    delete process.env.TETRAGON_INSTALL_METHOD;
    delete process.env.TETRAGON_CHART;
    let app: App;
    try {
      app = runDocsExample();
    } finally {
      if (saved.m !== undefined) process.env.TETRAGON_INSTALL_METHOD = saved.m;
      if (saved.c !== undefined) process.env.TETRAGON_CHART = saved.c;
    }
    const charts = Object.fromEntries(app.charts.map((c) => [c.node.id, Testing.synth(c)]));

    // then the install unit holds the HelmRelease with the documented settings
    const hr = charts.install.find((m: any) => m.kind === 'HelmRelease');
    expect(hr.spec.values.tetragon.clusterName).toBe('nlcl01k8s');
    expect(hr.spec.values.tetragon.prometheus.serviceMonitor.extraLabels).toStrictEqual({ release: 'kube-prometheus-stack' });
    expect(hr.spec.values.tetragon.exportDenyList.split('\n').pop()).toBe('{"namespace":["load-tests"]}');
    // and the flux unit orders install before policies and observability
    const names = charts.flux.map((m: any) => `${m.metadata.name}<-${(m.spec.dependsOn ?? []).map((d: any) => d.name).join(',')}`).sort();
    expect(names).toStrictEqual(['tetragon-install<-', 'tetragon-observability<-tetragon-install', 'tetragon-policies<-tetragon-install']);
    for (const m of [...charts.install, ...charts.flux]) expect(validateAgainstCrd(m)).toStrictEqual([]);
  });
});
