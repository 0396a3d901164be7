import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The shape of lib/: its folders form layers (no folder imports, directly or through others, a folder that imports
 * it), and private code is marked one way only.
 */
const LIB = resolve(__dirname, '..', 'lib');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The unit of lib/ a path belongs to: its top folder (`policy`), or the file itself for a file directly in lib/. */
function unitOf(path: string): string {
  const [top, ...rest] = relative(LIB, path).split('/');
  return rest.length || isFolder(path) ? top : top.replace(/\.ts$/, '') + '.ts';
}

/** Every relative import, re-export, import() and require() of a file, resolved to the path it names. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:\bfrom|\bimport|\brequire)\s*\(?\s*'(\.{1,2}\/[^']*)'/g)].map((m) => resolve(dirname(file), m[1]));
}

/** unit → unit → the files of the first that import the second. */
function unitGraph(): Map<string, Map<string, string[]>> {
  const graph = new Map<string, Map<string, string[]>>();
  for (const file of sourceFiles(LIB)) {
    const from = unitOf(file);
    for (const target of importsOf(file).filter((t) => t.startsWith(LIB + '/'))) {
      const to = unitOf(target);
      if (to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string[]>();
      edges.set(to, [...(edges.get(to) ?? []), relative(LIB, file)]);
      graph.set(from, edges);
    }
  }
  return graph;
}

/** The units reachable from `start` by imports. */
function reachable(graph: Map<string, Map<string, string[]>>, start: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(graph.get(start)?.keys() ?? [])];
  while (stack.length) {
    const unit = stack.pop()!;
    if (seen.has(unit)) continue;
    seen.add(unit);
    stack.push(...(graph.get(unit)?.keys() ?? []));
  }
  return seen;
}

describe('layers of lib/', () => {
  const graph = unitGraph();

  test('the graph is read: the check engine stands on the policy model, the constructs on the check engine', () => {
    expect([...graph.get('check')!.keys()]).toContain('model');
    expect([...graph.get('policy')!.keys()]).toContain('check');
    expect(graph.size).toBeGreaterThan(10);
  });

  test('no file imports from a folder that imports it back, directly or through other folders', () => {
    // given every import between the folders (and top-level files) of lib/
    // when each import is followed onward
    const cycles = [...graph].flatMap(([from, edges]) =>
      [...edges].filter(([to]) => reachable(graph, to).has(from)).map(([to, files]) => `${from} -> ${to} (${files.join(', ')})`),
    );
    // then none of them comes back
    expect(cycles).toStrictEqual([]);
  });
});

describe('the public surface', () => {
  const index = readFileSync(join(LIB, 'index.ts'), 'utf8');

  test('private code lives in private/ folders: no _name.ts file in lib/ outside lib/verify', () => {
    const underscored = sourceFiles(LIB)
      .map((f) => relative(LIB, f))
      .filter((f) => f.split('/').some((part) => part.startsWith('_')));
    expect(underscored.filter((f) => !f.startsWith('verify/'))).toStrictEqual([]);
  });

  test('lib/index.ts names what it exports, and exports no private file', () => {
    expect(index).not.toMatch(/export \* from/);
    const sources = [...index.matchAll(/from '(\.[^']+)'/g)].map((m) => m[1]);
    expect(sources.length).toBeGreaterThan(50);
    expect(sources.filter((s) => s.split('/').some((part) => part === 'private' || part.startsWith('_')))).toStrictEqual([]);
  });

  test('the runtime exports are the values the API report lists (npm run build && npm run api:report updates it)', () => {
    // given the committed report: a heading per export with its kind
    const report = readFileSync(resolve(LIB, '..', 'etc', 'cdk8s-tetragon.api.md'), 'utf8');
    const values = [...report.matchAll(/^## (\S+) \((class|const|enum|function|namespace)\)$/gm)].map((m) => m[1]).sort();
    // when the package root is loaded
    const runtime = Object.keys(require('../lib')).sort();
    // then both list the same names, and no helper such as q, matchers or stableJson
    expect(runtime).toStrictEqual(values);
    for (const helper of ['q', 'matchers', 'stableJson', 'cidrProblem', 'show', 'Problems']) expect(runtime).not.toContain(helper);
    expect(report).not.toMatch(/^\s+_[a-zA-Z]+[(:?]/m);
  });
});
