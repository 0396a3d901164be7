import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nameScope } from '../../lib/check/name-scope';
import { run } from '../../lib/cli/check';
import { OUTPUT_MANIFEST } from '../../lib/private/output-folder';

const FIXTURES = join(__dirname, '..', 'fixtures', 'broken-policies');

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((s: any) => {
    out += s;
    return true;
  });
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((s: any) => {
    err += s;
    return true;
  });
  try {
    const code = await run(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const CLEAN = `apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: clean
spec:
  kprobes:
  - call: security_file_open
    syscall: false
    args: [{index: 0, type: file}]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ignored
data: {a: b}
`;

describe('cdk8s-tetragon check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'check-cli-'));
  writeFileSync(join(dir, 'clean.yaml'), CLEAN);

  test('a clean multi-document file exits 0 and ignores other kinds', async () => {
    const r = await cli([join(dir, 'clean.yaml')]);
    expect(r.code).toBe(0);
    expect(r.out).toBe('1 policy checked, 0 errors, 0 warnings\n');
  });

  test('an error exits 1 with one line per finding and a summary', async () => {
    const file = join(FIXTURES, 'implicit-syscall.yaml');
    const r = await cli([file]);
    expect(r.code).toBe(1);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(
        `^${file.replace(/[.+]/g, '\\$&')}: error implicit-syscall policy 'implicit-syscall' kprobes\\[0\\] security_file_open spec.kprobes\\[0\\].syscall: .* \\(fix: Set syscall: false\\)$`,
      ),
    );
    expect(lines.at(-1)).toBe('1 policy checked, 1 error, 0 warnings');
  });

  test('warnings alone exit 0', async () => {
    const r = await cli(['--kernel', 'debian-12-6.1', join(FIXTURES, 'kernel-arg-type.yaml')]);
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n').at(-1)).toBe('1 policy checked, 0 errors, 1 warning');
  });

  test('folders are recursed; json format gives findings and a summary', async () => {
    const r = await cli(['--format', 'json', '--no-kernels', FIXTURES]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out);
    // one policy per rule fixture, two in duplicate-policy-name, none readable in yaml-syntax and helm-template
    const { RULES } = require('../../lib/check');
    expect(doc.summary.policies).toBe(RULES.length + 1 - 2);
    expect(doc.findings.some((f: any) => f.ruleId === 'max-selectors' && f.file.endsWith('max-selectors.yaml'))).toBe(true);
    expect(doc.findings.some((f: any) => f.ruleId.startsWith('kernel-'))).toBe(false);
  });

  test('--kernel restricts the kernel set', async () => {
    const r = await cli(['--kernel', 'debian-sid-7.2', join(FIXTURES, 'kernel-missing-function.yaml')]);
    expect(r.out.match(/: error kernel-missing-function /g)).toHaveLength(1);
    expect(r.out).toContain('debian-sid-7.2');
  });

  test('usage errors exit 2', async () => {
    expect((await cli([])).code).toBe(2);
    expect((await cli(['--format', 'xml', dir])).code).toBe(2);
    expect((await cli(['--kernel', 'no-such-kernel', dir])).err).toContain('unknown kernel');
    expect((await cli(['--bogus', dir])).code).toBe(2);
    expect((await cli([join(dir, 'missing.yaml')])).code).toBe(2);
  });
});

describe('cdk8s-tetragon check: a path that holds no policy', () => {
  test('a path that does not exist exits 2 naming it', async () => {
    const { code, err } = await cli(['/nonexistent']);
    expect(code).toBe(2);
    expect(err).toContain('cdk8s-tetragon check: /nonexistent: no such file or folder');
  });

  test('an empty folder, a folder of other kinds and a text file each exit 2 with one line saying so, so a wrong path cannot pass CI', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'check-empty-'));
    const others = mkdtempSync(join(tmpdir(), 'check-others-'));
    writeFileSync(join(others, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
    const text = join(others, 'notes.txt');
    writeFileSync(text, 'remember to check the policies\n');
    for (const [path, why] of [
      [empty, 'no *.yaml or *.yml file in it'],
      [others, '1 file read, none holds one'],
      [text, '1 file read, none holds one'],
    ]) {
      const { code, out, err } = await cli([path]);
      expect({ path, code, out, err }).toStrictEqual({
        path,
        code: 2,
        out: '',
        err: `cdk8s-tetragon check: ${path}: holds no TracingPolicy or TracingPolicyNamespaced (${why}); check the path\n`,
      });
    }
  });

  test('one good path does not hide an empty one', async () => {
    const good = mkdtempSync(join(tmpdir(), 'check-good-'));
    writeFileSync(join(good, 'p.yaml'), CLEAN);
    const empty = mkdtempSync(join(tmpdir(), 'check-empty-'));
    expect((await cli([good])).code).toBe(0);
    expect((await cli([good, empty])).code).toBe(2);
  });
});

describe('cdk8s-tetragon check: duplicate names are per cluster folder', () => {
  const policy = (name: string) => CLEAN.split('---')[0].replace('name: clean', `name: ${name}`);
  /** Writes files (relative path → text) under a new temporary folder. */
  function tree(files: Record<string, string>): string {
    const root = mkdtempSync(join(tmpdir(), 'check-scope-'));
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(join(root, rel, '..'), { recursive: true });
      writeFileSync(join(root, rel), text);
    }
    return root;
  }
  const duplicates = (out: string) => out.split('\n').filter((l) => l.includes(' duplicate-policy-name '));

  test("the same name in two clusters' folders (each with the synth's marker) is not a duplicate", async () => {
    // given dist/ with two clusters, each holding a policy named shared
    const dist = tree({
      [`prod/${OUTPUT_MANIFEST}`]: 'policies/tracingpolicy-shared.yaml\n',
      'prod/policies/tracingpolicy-shared.yaml': policy('shared'),
      [`stage/${OUTPUT_MANIFEST}`]: 'policies/tracingpolicy-shared.yaml\n',
      'stage/policies/tracingpolicy-shared.yaml': policy('shared'),
    });
    // when the whole of dist/ is checked
    const r = await cli(['--no-kernels', dist]);
    // then both are checked and nothing clashes
    expect(r.code).toBe(0);
    expect(r.out).toBe('2 policies checked, 0 errors, 0 warnings\n');
  });

  test("the same name twice within one cluster's folder is a duplicate, also when the cluster is given in parts", async () => {
    const dist = tree({
      [`prod/${OUTPUT_MANIFEST}`]: '',
      'prod/policies/a.yaml': policy('shared'),
      'prod/detections/b.yaml': policy('shared'),
      [`stage/${OUTPUT_MANIFEST}`]: '',
      'stage/policies/a.yaml': policy('shared'),
    });
    const whole = await cli(['--no-kernels', dist]);
    expect(whole.code).toBe(1);
    expect(duplicates(whole.out)).toStrictEqual([expect.stringContaining(`${join(dist, 'prod/policies/a.yaml')}`)]);
    const parts = await cli(['--no-kernels', join(dist, 'prod/detections'), join(dist, 'prod/policies')]);
    expect(duplicates(parts.out)).toHaveLength(1);
  });

  test('without a marker, names clash within one path given, not across paths', async () => {
    const dir = tree({ 'one/a.yaml': policy('shared'), 'one/b.yaml': policy('shared'), 'two/c.yaml': policy('shared') });
    expect(duplicates((await cli(['--no-kernels', join(dir, 'one')])).out)).toHaveLength(1);
    const apart = await cli(['--no-kernels', join(dir, 'one/a.yaml'), join(dir, 'two')]);
    expect(apart.code).toBe(0);
    expect(duplicates(apart.out)).toStrictEqual([]);
  });

  test('the scope is the nearest folder above the file that holds the marker, else the path given', () => {
    const markers = new Set(['/dist/prod/.cdk8s-tetragon-files']);
    const isFile = (p: string) => markers.has(p);
    expect(nameScope('/dist/prod/policies/a.yaml', '/dist', isFile)).toBe('/dist/prod');
    expect(nameScope('/dist/stage/policies/a.yaml', '/dist', isFile)).toBe('/dist');
    expect(nameScope('/elsewhere/a.yaml', '/elsewhere/a.yaml', isFile)).toBe('/elsewhere/a.yaml');
  });
});
