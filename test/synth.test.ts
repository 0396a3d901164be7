import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ApiObject, App, Chart, IResolver, Lazy } from 'cdk8s';
import {
  Arg,
  ArgFilter,
  KprobeHook,
  OUTPUT_MANIFEST,
  Selector,
  TetragonCluster,
  TracingPolicy,
  synthesizeClusters,
  synthesizeUnits,
} from '../lib';
import { dangerousOutputReason } from '../lib/private/output-folder';

/** Every file under a folder with its bytes, by relative path (empty folders included as `dir/`). */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    const names = readdirSync(d).sort();
    if (names.length === 0 && d !== dir) out[`${relative(dir, d)}/`] = '';
    for (const n of names) {
      const full = join(d, n);
      if (statSync(full).isDirectory()) walk(full);
      else out[relative(dir, full)] = readFileSync(full, 'latin1');
    }
  };
  walk(dir);
  return out;
}

function tmp(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** An app with one small custom policy (fast to synthesize). */
function policyApp(name = 'payments-secret-access', path = '/etc/payments/api-key'): App {
  const app = new App();
  const chart = new Chart(app, 'policies');
  const file = Arg.file(0);
  new TracingPolicy(chart, 'Secret', {
    name,
    hooks: [
      KprobeHook.function('security_file_open', {
        message: 'Secret opened',
        tags: ['observability.filesystem'],
        args: [file],
        selectors: [new Selector({ matchArgs: [ArgFilter.equal(file, [path])] })],
      }),
    ],
  });
  return app;
}

describe('synthesizeUnits: output safety', () => {
  test('writes the units and the list of what it wrote, and the next synth replaces exactly those files', () => {
    const out = join(tmp('units-'), 'out');
    expect(synthesizeUnits(policyApp(), out)).toStrictEqual(['policies/tracingpolicy-payments-secret-access.yaml']);
    expect(
      readFileSync(join(out, OUTPUT_MANIFEST), 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith('#')),
    ).toStrictEqual(['policies/tracingpolicy-payments-secret-access.yaml']);
    // when: the policy is renamed, the old file goes and the new one comes
    synthesizeUnits(policyApp('payments-key-access'), out);
    expect(Object.keys(tree(out)).sort()).toStrictEqual([OUTPUT_MANIFEST, 'policies/tracingpolicy-payments-key-access.yaml']);
  });

  test('refuses a folder holding files it did not write, in one line naming the folder, what it found and how to proceed, and changes nothing', () => {
    const out = tmp('foreign-');
    mkdirSync(join(out, 'nlcl01k8s', 'policies'), { recursive: true });
    writeFileSync(join(out, 'nlcl01k8s', 'policies', 'x.yaml'), 'kind: X\n');
    writeFileSync(join(out, 'notes.md'), 'mine\n');
    const before = tree(out);
    let message = '';
    try {
      synthesizeUnits(policyApp(), out);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(
      `refusing to replace ${out}: it holds nlcl01k8s/ (1 files), notes.md that this synth did not write ` +
        `(no ${OUTPUT_MANIFEST} lists them); write to an empty or new folder, or move them away first`,
    );
    expect(tree(out)).toStrictEqual(before);
  });

  test('a file added beside its own output is refused too, and a file identical to what it would write is adopted', () => {
    const out = join(tmp('adopt-'), 'out');
    synthesizeUnits(policyApp(), out);
    // A folder from before the list existed: same files, no list.
    rmSync(join(out, OUTPUT_MANIFEST));
    expect(() => synthesizeUnits(policyApp(), out)).not.toThrow();
    writeFileSync(join(out, 'policies', 'hand-written.yaml'), 'kind: Mine\n');
    expect(() => synthesizeUnits(policyApp(), out)).toThrow(/it holds policies\/ \(1 files\)/);
    expect(readFileSync(join(out, 'policies', 'hand-written.yaml'), 'utf8')).toBe('kind: Mine\n');
  });

  test('knows the folders it must never replace: the filesystem root, the home folder, the working directory and its parents', () => {
    const reason = (path: string) => dangerousOutputReason(path, '/home/ann/work/project', '/home/ann');
    expect(['/', '/home/ann', '/home/ann/work/project', '/home/ann/work', '/home'].map(reason)).toStrictEqual([
      'it is the filesystem root',
      'it is the home folder',
      'it contains the working directory',
      'it contains the working directory',
      'it contains the working directory',
    ]);
    expect(['/home/ann/work/project/dist', '/home/ann/work/project-dist', '/tmp/out'].map(reason)).toStrictEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  test('refuses the working directory and its parents (inside a sandbox here) and leaves them as they were', () => {
    const box = tmp('sandbox-');
    const project = join(box, 'work', 'project');
    mkdirSync(join(project, 'src'), { recursive: true });
    writeFileSync(join(project, 'src', 'main.ts'), 'source\n');
    const before = tree(box);
    const saved = process.cwd();
    process.chdir(project);
    try {
      expect(() => synthesizeUnits(policyApp(), '.')).toThrow(
        /^refusing to write into \.: it contains the working directory; set the output to a folder of its own, e\.g\. dist$/,
      );
      expect(() => synthesizeUnits(policyApp(), '..')).toThrow(/^refusing to write into \.\.: it contains the working directory;/);
      expect(() => synthesizeUnits(policyApp(), box)).toThrow(/: it contains the working directory;/);
    } finally {
      process.chdir(saved);
    }
    expect(tree(box)).toStrictEqual(before);
  });

  test('stages inside the output root and leaves nothing beside it', () => {
    const parent = tmp('beside-');
    synthesizeUnits(policyApp(), join(parent, 'out'));
    expect(readdirSync(parent)).toStrictEqual(['out']);
    expect(readdirSync(join(parent, 'out')).sort()).toStrictEqual([OUTPUT_MANIFEST, 'policies']);
  });

  test('removes a staging folder left by a synth that was killed, and only that', () => {
    const out = join(tmp('stale-'), 'out');
    mkdirSync(join(out, '.cdk8s-tetragon-staging-999999999-abc', 'new'), { recursive: true });
    synthesizeUnits(policyApp(), out);
    expect(readdirSync(out).sort()).toStrictEqual([OUTPUT_MANIFEST, 'policies']);
  });
});

describe('one synth, one production of each Lazy', () => {
  /** A chart with one object whose annotation is Lazy (counting its productions) and a validation that renders it. */
  function lazyApp(resolvers: IResolver[] = []) {
    const app = new App({ resolvers });
    const chart = new Chart(app, 'unit');
    let produced = 0;
    const object = new ApiObject(chart, 'Map', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'lazy', annotations: { produced: Lazy.any({ produce: () => String(++produced) }) as unknown as string } },
    });
    chart.node.addValidation({ validate: () => (object.toJson().metadata.annotations.produced ? [] : ['no annotation']) });
    return { app, produced: () => produced };
  }

  test('validation and rendering share one production per synth; the next synth produces again; the resolvers are as before', () => {
    const { app, produced } = lazyApp();
    const resolvers = [...app.resolvers];
    const out = join(tmp('lazy-'), 'out');
    synthesizeUnits(app, out);
    expect(produced()).toBe(1);
    expect(readFileSync(join(out, 'unit', 'configmap-lazy.yaml'), 'utf8')).toContain('produced: "1"');
    synthesizeUnits(app, out);
    expect(produced()).toBe(2);
    expect(readFileSync(join(out, 'unit', 'configmap-lazy.yaml'), 'utf8')).toContain('produced: "2"');
    expect(app.resolvers).toStrictEqual(resolvers);
  });

  test("an app's own resolvers still come first", () => {
    const mine: IResolver = {
      resolve: (c) => {
        if (c.value instanceof Lazy) c.replaceValue('mine');
      },
    };
    const { app, produced } = lazyApp([mine]);
    const out = join(tmp('lazy-'), 'out');
    synthesizeUnits(app, out);
    expect(produced()).toBe(0);
    expect(readFileSync(join(out, 'unit', 'configmap-lazy.yaml'), 'utf8')).toContain('produced: mine');
  });
});

describe('several clusters in one app', () => {
  const cluster = (app: App, name: string, props: object = {}) =>
    new TetragonCluster(app, name, { clusterName: name, enableGrafanaDashboard: false, ...props });

  test('synthesizeClusters writes each cluster to <outdir>/<clusterName>/ and leaves other folders alone', () => {
    const out = tmp('clusters-');
    mkdirSync(join(out, 'other'));
    writeFileSync(join(out, 'other', 'keep.yaml'), 'kind: Keep\n');
    const app = new App();
    cluster(app, 'alpha');
    cluster(app, 'beta', { enableNetworkMonitor: true });
    const written = synthesizeClusters(app, out);
    expect(Object.keys(written)).toStrictEqual(['alpha', 'beta']);
    expect(written.beta).toContain('policies/tracingpolicy-network-connection-monitor.yaml');
    expect(written.alpha).not.toContain('policies/tracingpolicy-network-connection-monitor.yaml');
    expect(readdirSync(out).sort()).toStrictEqual(['alpha', 'beta', 'other']);
    expect(readFileSync(join(out, 'other', 'keep.yaml'), 'utf8')).toBe('kind: Keep\n');
  });

  test('synthesizeUnits on an app with two clusters says how to write them', () => {
    const app = new App();
    cluster(app, 'alpha');
    cluster(app, 'beta');
    expect(() => synthesizeUnits(app, join(tmp('two-'), 'alpha'))).toThrow(
      /the app holds 2 TetragonClusters \(alpha, beta\), whose units would share .*; call synthesizeClusters\(app, '.*'\) to write each to <outdir>\/<clusterName>\//,
    );
  });

  test('two clusters with one clusterName, or a chart outside any cluster, are refused', () => {
    const same = new App();
    cluster(same, 'a', { clusterName: 'prod' });
    cluster(same, 'b', { clusterName: 'prod' });
    expect(() => synthesizeClusters(same, tmp('same-'))).toThrow(/a and b both have clusterName 'prod'/);
    const loose = policyApp();
    cluster(loose, 'alpha');
    expect(() => synthesizeClusters(loose, tmp('loose-'))).toThrow(/chart 'policies' belongs to no TetragonCluster/);
  });
});
