import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, stableJson } from '../../lib/cli/simulate';

const FIXTURES = join(__dirname, 'fixtures');

async function cli(args: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(args, {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    readStdin: () => stdin,
  });
  return { code, out, err };
}

function tmpFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'simulate-cli-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('cdk8s-tetragon simulate', () => {
  test('given a policy file and two events, when run, then it prints one sorted-key JSON line per event and exits 0', async () => {
    const { code, out, err } = await cli(['--policies', join(FIXTURES, 'shadow-policy.yaml'), '--events', join(FIXTURES, 'events.jsonl')]);
    expect(err).toBe('');
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const [first, second] = lines.map((l) => JSON.parse(l));
    expect(first).toMatchObject({ event: 'cat-shadow', matched: true, posted: true, actions: ['Post'] });
    expect(first.matches[0]).toMatchObject({
      policy: 'shadow-read',
      hook: 'kprobe:security_file_permission',
      selector: 0,
      message: 'Read of /etc/shadow',
    });
    expect(second).toMatchObject({ event: 'nginx-passwd', matched: false });
    expect(second.misses[0].reason).toContain('"/etc/passwd" does not match Equal');
    expect(Object.keys(first)).toEqual([...Object.keys(first)].sort());
    expect(lines[0]).toBe(stableJson(first));
  });

  test('given a folder and events on stdin, when run twice, then the output is identical', async () => {
    const jsonl = '{"hook":"kprobe:security_file_permission","args":["/etc/shadow",4],"process":{"binary":"/usr/bin/cat"}}\n';
    const a = await cli(['--policies', FIXTURES, '--events', '-'], jsonl);
    const b = await cli(['--policies', FIXTURES, '--events', '-'], jsonl);
    expect(a.code).toBe(0);
    expect(a.out).toBe(b.out);
    expect(JSON.parse(a.out).event).toBe('<stdin>:1');
  });

  test('--help prints usage and exits 0', async () => {
    const { code, out } = await cli(['--help']);
    expect(code).toBe(0);
    expect(out).toContain('usage: cdk8s-tetragon simulate --policies PATH... --events FILE.jsonl');
  });

  test.each([
    [[], '--policies is required'],
    [['--policies', 'x.yaml'], '--events is required'],
    [['--events'], '--events needs a value'],
    [['--frobnicate'], "unknown option '--frobnicate'"],
    [['--policies', 'a', '--events', 'b', '--arch', 'mips'], '--arch must be x86_64 or arm64'],
  ])('usage error %j exits 2 with %s', async (args, message) => {
    const { code, err } = await cli(args as string[]);
    expect(code).toBe(2);
    expect(err).toContain(message);
    expect(err).toContain('usage:');
  });

  test('a malformed event line exits 2 naming the file, the line and the field', async () => {
    const events = tmpFile('bad.jsonl', '{"hook":"kprobe:f","process":{"binary":"/x"}}\n{"hook":"kprobe:f","process":{"binary":"x"}}\n');
    const { code, out, err } = await cli(['--policies', join(FIXTURES, 'shadow-policy.yaml'), '--events', events]);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain(`${events}:2: process.binary: required; expected an absolute path, got "x"`);
  });

  test('a file without TracingPolicy exits 2', async () => {
    const yaml = tmpFile('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
    const { code, err } = await cli(['--policies', yaml, '--events', join(FIXTURES, 'events.jsonl')]);
    expect(code).toBe(2);
    expect(err).toContain('no TracingPolicy or TracingPolicyNamespaced found (got ConfigMap)');
  });

  test('broken YAML exits 2 naming the file', async () => {
    const yaml = tmpFile('broken.yaml', 'kind: [unclosed\n');
    const { code, err } = await cli(['--policies', yaml, '--events', join(FIXTURES, 'events.jsonl')]);
    expect(code).toBe(2);
    expect(err).toContain(`${yaml}: YAML document 1 does not parse`);
  });
});

describe('cdk8s-tetragon simulate: verdicts for CI', () => {
  const policies = ['--policies', join(FIXTURES, 'shadow-policy.yaml')];
  const line = (e: object) => JSON.stringify(e);
  const cat = { hook: 'kprobe:security_file_permission', args: ['/etc/shadow', 4], process: { binary: '/usr/bin/cat' } };

  test('--format summary prints one line per event and a verdict line; met expectations exit 0', async () => {
    const events = tmpFile(
      'ok.jsonl',
      [
        line({ name: 'cat-shadow', ...cat, expect: 'match' }),
        line({ name: 'cat-hosts', ...cat, args: ['/etc/hosts', 4], expect: 'no-match' }),
        line({ name: 'plain', ...cat }),
      ].join('\n'),
    );
    const { code, out, err } = await cli([...policies, '--events', events, '--format', 'summary']);
    expect(err).toBe('');
    expect(out.split('\n')).toStrictEqual([
      'PASS         cat-shadow  kprobe:security_file_permission  shadow-read kprobe:security_file_permission selector 0 -> Post',
      expect.stringMatching(
        /^PASS {9}cat-hosts {2}kprobe:security_file_permission {2}shadow-read selector 0: .*"\/etc\/hosts" does not match Equal/,
      ),
      'MATCH        plain  kprobe:security_file_permission  shadow-read kprobe:security_file_permission selector 0 -> Post',
      '3 events: 2 passed, 0 failed, 0 inconclusive, 1 without expect (1 matched): PASS',
      '',
    ]);
    expect(code).toBe(0);
  });

  test('a missed expectation or an inconclusive event (a misspelt hook) exits 1, in both formats', async () => {
    const events = tmpFile(
      'bad.jsonl',
      [
        line({ name: 'wants-kill', ...cat, expect: { actions: ['Sigkill'] } }),
        line({ name: 'typo', ...cat, hook: 'kprobe:security_file_permision', expect: 'no-match' }),
      ].join('\n'),
    );
    const summary = await cli([...policies, '--events', events, '--format', 'summary']);
    expect(summary.code).toBe(1);
    expect(summary.out.split('\n')).toStrictEqual([
      'FAIL         wants-kill  kprobe:security_file_permission  expected Sigkill; effective actions [Post]: shadow-read kprobe:security_file_permission selector 0 -> Post',
      'INCONCLUSIVE typo  kprobe:security_file_permision  no policy hooks kprobe:security_file_permision (misspelt hook?)',
      '2 events: 0 passed, 1 failed, 1 inconclusive, 0 without expect (0 matched): FAIL',
      '',
    ]);
    const json = await cli([...policies, '--events', events]);
    expect(json.code).toBe(1);
    expect(
      json.out
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).hooked),
    ).toStrictEqual([true, false]);
  });

  test('a malformed expectation is refused with the line and the field', async () => {
    const events = tmpFile('expect.jsonl', line({ ...cat, expect: 'maybe' }));
    const { code, err } = await cli([...policies, '--events', events]);
    expect(code).toBe(2);
    expect(err).toContain(`${events}:1: expect: expected "match", "no-match" or {"actions": ["Sigkill", ...]}, got "maybe"`);
  });
});
