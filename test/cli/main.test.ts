import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../lib/cli/main';

/** Runs the CLI in-process and captures what it prints; a thrown error counts as a raw exception. */
async function cli(args: string[]): Promise<{ code: number | 'threw'; out: string; err: string }> {
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
    return { code: await main(args), out, err };
  } catch (x) {
    return { code: 'threw', out, err: `${err}${(x as Error).name}: ${(x as Error).message}` };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('cdk8s-tetragon', () => {
  test('--version prints the package version', async () => {
    const { version } = require('../../package.json');
    expect(await cli(['--version'])).toStrictEqual({ code: 0, out: `cdk8s-tetragon ${version}\n`, err: '' });
  });

  test.each([
    [['--help'], 'usage: cdk8s-tetragon <command>'],
    [['check', '--help'], 'usage: cdk8s-tetragon check'],
    [['simulate', '--help'], 'usage: cdk8s-tetragon simulate'],
    [['kernel', '--help'], 'cdk8s-tetragon kernel add FILE'],
    [['kernel', 'add', '--help'], 'cdk8s-tetragon kernel add FILE'],
    [['kernel', 'list', '--help'], 'cdk8s-tetragon kernel list'],
    [['kernel', 'show', '-h'], 'cdk8s-tetragon kernel show KERNEL'],
  ])('%j prints its usage and exits 0', async (args, usage) => {
    const r = await cli(args as string[]);
    expect({ code: r.code, err: r.err }).toStrictEqual({ code: 0, err: '' });
    expect(r.out).toContain(usage);
  });
});

describe('cdk8s-tetragon kernel add', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kernel-add-'));
  const btfHeader = Buffer.from([0x9f, 0xeb, 1, 0, 24, 0, 0, 0]);

  test.each([
    ['a BTF file cut inside its header', btfHeader],
    [
      'a BTF file cut inside its type section',
      Buffer.concat([btfHeader, Buffer.from([0, 0, 0, 0, 200, 0, 0, 0, 200, 0, 0, 0, 4, 0, 0, 0]), Buffer.alloc(30)]),
    ],
    ['an ELF image cut after its header', Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(60, 0xff)])],
  ])('%s is refused with one line naming the file, not a raw exception', async (_what, bytes) => {
    const file = join(dir, `vmlinux-${bytes.length}`);
    writeFileSync(file, bytes);
    const r = await cli(['kernel', 'add', file, '--name', 'cut', '--out', dir]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(
      new RegExp(`^cdk8s-tetragon kernel add: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: .*(truncated|ends before)[^\\n]*\\n$`),
    );
    expect(r.err).not.toMatch(/RangeError|ERR_|offset/);
  });

  test('a missing file is named, with exit 2', async () => {
    const r = await cli(['kernel', 'add', join(dir, 'nope'), '--name', 'x', '--out', dir]);
    expect(r).toStrictEqual({ code: 2, out: '', err: `cdk8s-tetragon kernel add: ${join(dir, 'nope')}: no such file\n` });
  });
});
