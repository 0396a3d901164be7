import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { validateAgainstCrd, hasCrdSchema } from '../lib/private/crd-schema';
import { validateCoreObjects } from './support/k8s-validate';
import { sharedTree } from './support/shared-trees';

const ROOT = join(__dirname, '..');

function files(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const full = join(dir, n);
      return statSync(full).isDirectory() ? files(full) : [full];
    });
}

/** The files of a tree `npm run synth` wrote (two separate runs, shared with other suites), by relative path. */
function synthesized(tree: 'main' | 'main-again'): Map<string, string> {
  const outdir = sharedTree(tree);
  return new Map(files(outdir).map((f) => [relative(outdir, f), readFileSync(f, 'utf8')]));
}

describe('dist/', () => {
  const first = synthesized('main');
  const second = synthesized('main-again');

  test('two synths are byte-identical, and the committed dist/ is what the code synthesizes', () => {
    expect([...second.entries()]).toStrictEqual([...first.entries()]);
    const committed = new Map(files(join(ROOT, 'dist')).map((f) => [relative(join(ROOT, 'dist'), f), readFileSync(f, 'utf8')]));
    expect([...committed.keys()]).toStrictEqual([...first.keys()]);
    for (const [file, text] of first) expect(committed.get(file)).toBe(text);
  });

  test('nlcl01k8s holds the four default-on policies and not the network one', () => {
    const policies = [...first.keys()].filter((f) => f.startsWith('nlcl01k8s/policies/'));
    expect(policies).toStrictEqual([
      'nlcl01k8s/policies/tracingpolicy-privilege-escalation-monitor.yaml',
      'nlcl01k8s/policies/tracingpolicy-process-exec-monitor.yaml',
      'nlcl01k8s/policies/tracingpolicy-sensitive-file-access-monitor.yaml',
      'nlcl01k8s/policies/tracingpolicy-shell-access-monitor.yaml',
    ]);
  });

  test('every custom resource in dist/ validates strictly against its pinned CRD', () => {
    let checked = 0;
    for (const [file, text] of first) {
      for (const doc of parseAllDocuments(text)) {
        const object = doc.toJS();
        if (!hasCrdSchema(object.apiVersion, object.kind)) continue;
        expect({ file, errors: validateAgainstCrd(object) }).toStrictEqual({ file, errors: [] });
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(4);
  });
});

describe('dist/ core objects', () => {
  test('every object of a Kubernetes core kind validates against the Kubernetes API schema', () => {
    const objects = files(join(ROOT, 'dist'))
      .filter((f) => f.endsWith('.yaml'))
      .flatMap((f) => parseAllDocuments(readFileSync(f, 'utf8')).map((d) => d.toJS()))
      .filter((o) => !hasCrdSchema(o.apiVersion, o.kind));
    expect(objects.length).toBeGreaterThanOrEqual(3);
    const results = validateCoreObjects(objects);
    expect(results.filter((r) => r.unknown)).toStrictEqual([]);
    for (const r of results) expect(r).toStrictEqual({ kind: r.kind, name: r.name, errors: [] });
    // The API server's own ConfigMap rules: key syntax and 1 MiB in total.
    for (const cm of objects.filter((o) => o.kind === 'ConfigMap')) {
      for (const key of Object.keys(cm.data ?? {})) expect(key).toMatch(/^[-._a-zA-Z0-9]+$/);
      expect(Buffer.byteLength(JSON.stringify(cm.data ?? {}))).toBeLessThan(1024 * 1024);
    }
  });

  test('the validator does reject an object of the wrong shape', () => {
    const [bad] = validateCoreObjects([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { key: 1 } }]);
    expect(bad.errors.join()).toMatch(/must be string/);
  });
});

describe('npm run synth with helm-template', () => {
  test('renders the chart through the synth bundle (cdk8s Helm runs from the bundled app) into plain objects', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'dist-helm-'));
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'synth.mjs'), '--no-typecheck'], {
      cwd: ROOT,
      stdio: 'pipe',
      env: {
        ...process.env,
        CDK8S_OUTDIR: outdir,
        TETRAGON_INSTALL_METHOD: 'helm-template',
        TETRAGON_CHART: join(ROOT, 'test', 'fixtures', 'helm-chart'),
      },
    });
    const install = readdirSync(join(outdir, 'nlcl01k8s', 'install'));
    expect(install).toContain('daemonset-kube-system.tetragon.yaml');
    expect(install.some((f) => f.startsWith('helmrelease'))).toBe(false);
  });
});
