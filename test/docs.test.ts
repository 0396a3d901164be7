import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const DOCS = join(ROOT, 'docs');

describe('docs/ examples', () => {
  test('every complete TypeScript example (one that starts with its imports) type-checks against the library', () => {
    // given: each ```ts block of docs/*.md that starts with `import`, as a source file importing lib/ for the package
    const { docsExamples, docsExamplesChecked, typeCheck } = require('../scripts/typecheck');
    expect(docsExamples().size).toBeGreaterThanOrEqual(6);
    // when / then: npm test's type-check pass compiles them with the project and records the files of a clean pass;
    // when that record is not of these examples and this code as they are now (jest run alone, or a change since),
    // they are compiled here
    const errors = docsExamplesChecked() ? '' : typeCheck({ docsOnly: true }).text;
    expect(errors).toBe('');
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
