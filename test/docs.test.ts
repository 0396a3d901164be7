import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const DOCS = join(ROOT, 'docs');

/** Names the docs' examples use without declaring them (a chart the reader already has, input data). */
const FREE: Record<string, string> = {
  chart: 'import("cdk8s").Chart',
  observabilityChart: 'import("cdk8s").Chart',
  policyJson: 'unknown',
  docs: 'unknown[]',
};

describe('docs/ examples', () => {
  test('every complete TypeScript example (one that starts with its imports) type-checks against the library', () => {
    // given: each ```ts block of docs/*.md that starts with `import`, with the package name mapped to lib/
    const dir = mkdtempSync(join(tmpdir(), 'docs-ts-'));
    const files: string[] = [];
    for (const page of readdirSync(DOCS).filter((f) => f.endsWith('.md')).sort()) {
      const text = readFileSync(join(DOCS, page), 'utf8');
      [...text.matchAll(/```ts\n([\s\S]*?)```/g)].forEach((m, i) => {
        const code = m[1];
        if (!code.startsWith('import ')) return;
        const free = Object.entries(FREE).filter(([name]) => new RegExp(`\\b${name}\\b`).test(code)
          && !new RegExp(`\\b(const|let|var|function|class)\\s+${name}\\b`).test(code));
        const file = join(dir, `${page.replace(/\.md$/, '')}-${i}.ts`);
        writeFileSync(file, `${code}\n${free.map(([n, t]) => `declare const ${n}: ${t};`).join('\n')}\nexport {};\n`);
        files.push(file);
      });
    }
    expect(files.length).toBeGreaterThanOrEqual(6);
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'commonjs', moduleResolution: 'node', strict: true, noEmit: true, skipLibCheck: true,
        esModuleInterop: true, resolveJsonModule: true, types: ['node', 'jest'], typeRoots: [join(ROOT, 'node_modules', '@types')],
        baseUrl: ROOT, paths: { 'cdk8s-tetragon': ['lib/index.ts'], '*': ['node_modules/*'] },
      },
      files,
    }));
    // when / then: tsc reports nothing
    let output = '';
    try {
      execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      output = `${(e as { stdout?: string }).stdout ?? ''}${(e as { stderr?: string }).stderr ?? ''}`;
    }
    expect(output).toBe('');
  }, 60_000);
});

describe('docs/install.md', () => {
  test('says what the cluster renders about the export-stdout sidecar: none while its log shipping tails the file', () => {
    // given: the code's behaviour
    const { App } = require('cdk8s');
    const { TetragonCluster } = require('../lib');
    const mode = (props: object) => new TetragonCluster(new App(), 'c', { clusterName: 'c', ...props }).install.values.export.mode;
    expect(mode({})).toBe('');
    expect(mode({ enableLogShipping: false })).toBe('stdout');
    // then: the page's rendering checklist does not promise a sidecar the default cluster leaves out
    const page = readFileSync(join(DOCS, 'install.md'), 'utf8');
    const checklist = page.slice(page.indexOf('## Verify the real chart renders'));
    expect(checklist).toContain('no\n  export-stdout sidecar');
    expect(checklist).not.toMatch(/and the\s+export-stdout sidecar/);
  });
});
