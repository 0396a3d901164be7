import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { logqlErrors } from './observability/support/grammars';

const ROOT = join(__dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

function blocks(language: string): string[] {
  return [...README.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
}

describe('README', () => {
  test('every TypeScript block is an example file, verbatim, so the tests compile and run what the README shows', () => {
    const ts = blocks('ts');
    expect(ts.length).toBeGreaterThanOrEqual(3);
    for (const block of ts) {
      const first = block.split('\n')[0];
      if (first.startsWith('const app = new App();')) {
        // The main.ts excerpt.
        expect(readFileSync(join(ROOT, 'main.ts'), 'utf8')).toContain(block.trimEnd());
        continue;
      }
      // The consumer's main.ts imports 'cdk8s-tetragon': test/consumer.test.ts compiles it against the published declarations.
      if (first.startsWith('// main.ts in your project')) continue;
      const m = /^\/\/ (examples\/[a-z0-9.-]+\.ts)/.exec(first);
      expect({ block: first, file: m?.[1] }).toStrictEqual({ block: first, file: expect.stringMatching(/^examples\//) });
      expect(existsSync(join(ROOT, m![1]))).toBe(true);
      expect(readFileSync(join(ROOT, m![1]), 'utf8')).toBe(block);
    }
  });

  test("every LogQL example parses with Grafana's LogQL grammar", () => {
    const queries = blocks('logql').flatMap((b) => b.split('\n').filter((l) => l.trim() && !l.startsWith('#')));
    expect(queries.length).toBeGreaterThanOrEqual(4);
    for (const q of queries) expect({ q, errors: logqlErrors(q) }).toStrictEqual({ q, errors: [] });
  });

  test("the module's invalid shell query is not in the README", () => {
    expect(README).not.toContain('|= "bash" or |= "/bin/sh"');
  });
});

describe('README coverage tables', () => {
  function table(heading: RegExp): string[][] {
    const start = README.search(heading);
    expect(start).toBeGreaterThan(0);
    const lines = README.slice(start).split('\n').slice(1);
    const rows = [];
    let inTable = false;
    for (const line of lines) {
      if (line.startsWith('|')) {
        inTable = true;
        rows.push(
          line
            .split('|')
            .slice(1, -1)
            .map((c) => c.trim()),
        );
      } else if (inTable) break;
    }
    return rows.slice(2);
  }

  test('the Falco table lists the 25 stable rules and its heading counts them right', () => {
    const rows = table(/### Coverage: Falco's stable rules/);
    expect(rows).toHaveLength(25);
    const full = rows.filter((r) => r[2] === 'yes').length;
    const partly = rows.filter((r) => r[2].startsWith('partly')).length;
    expect(README).toContain(`${full + partly} of 25 covered (${full} fully, ${partly} partly)`);
  });

  test('the Tetragon library table lists 14 entries, each covered by a construct the package exports', () => {
    const lib = require('../lib');
    const rows = table(/### Coverage: Tetragon's observability policy library/);
    expect(rows).toHaveLength(14);
    for (const [, constructs] of rows) {
      for (const name of constructs.match(/`([A-Za-z]+)`/g)!.map((n) => n.slice(1, -1)))
        expect({ name, exported: typeof lib[name] }).toStrictEqual({ name, exported: 'function' });
    }
  });
});

describe('README rule list', () => {
  test('lists every check rule with its severity, and nothing else', () => {
    const { RULES } = require('../lib/check/rules');
    const listed = [...README.matchAll(/^\| `([a-z0-9-]+)` \| (error|warning|info) \|/gm)].map((m) => [m[1], m[2]]);
    expect(listed).toStrictEqual(RULES.map((r: any) => [r.id, r.severity]));
  });
});

describe('README numbers', () => {
  test('the detection count matches the library', () => {
    const { DetectionName } = require('../lib');
    const m = /Beyond the module's five policies, (\d+) detections/.exec(README);
    expect(Number(m?.[1])).toBe(Object.values(DetectionName).length);
  });

  test('the rule count in docs matches the engine', () => {
    const { RULES } = require('../lib/check/rules');
    expect(README.match(/^\| `[a-z0-9-]+` \| (error|warning|info) \|/gm)).toHaveLength(RULES.length);
  });
});
