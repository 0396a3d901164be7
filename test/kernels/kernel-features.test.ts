import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { run } from '../../lib/cli/kernel';
import {
  bpfObjectVariant,
  bundledKernelInfo,
  decodeKernelTable,
  describeFeatures,
  encodeKernelTable,
  featuresFromConfig,
  loadKernel,
} from '../../lib/kernels';

/** A config the way a distribution writes it: header with the release, options set, options not set. */
const CONFIG = `#
# Automatically generated file; DO NOT EDIT.
# Linux/x86 6.8.12 Kernel Configuration
#
CONFIG_BPF_JIT=y
CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS=y
CONFIG_FPROBE=y
CONFIG_FUNCTION_ERROR_INJECTION=y
CONFIG_BPF_KPROBE_OVERRIDE=y
CONFIG_BPF_LSM=y
CONFIG_LSM="landlock,lockdown,yama,integrity,apparmor,bpf"
`;

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
    return { code: await run(args), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** A hand-built BTF blob with one function `my_open(int)`. */
function tinyBtf(): Buffer {
  const strings = Buffer.from('\0int\0my_open\0');
  const u32 = (...v: number[]) => {
    const b = Buffer.alloc(4 * v.length);
    v.forEach((x, i) => b.writeUInt32LE(x >>> 0, 4 * i));
    return b;
  };
  const types = Buffer.concat([u32(1, 1 << 24, 4, (1 << 24) | 32), u32(0, (13 << 24) | 1, 1, 0, 1), u32(5, 12 << 24, 2)]);
  const header = Buffer.alloc(24);
  header.writeUInt16LE(0xeb9f, 0);
  header[2] = 1;
  header.writeUInt32LE(24, 4);
  header.writeUInt32LE(types.length, 12);
  header.writeUInt32LE(types.length, 16);
  header.writeUInt32LE(strings.length, 20);
  return Buffer.concat([header, types, strings]);
}

describe('kernel features from the kernel config', () => {
  test('reads kprobe_multi, bpf_override_return, error injection, fmod_ret, BPF LSM and the release', () => {
    expect(featuresFromConfig(CONFIG)).toStrictEqual({
      release: '6.8.12',
      kprobeMulti: true,
      overrideReturn: true,
      errorInjection: true,
      modifyReturn: true,
      bpfLsm: true,
      bpfLsmByDefault: true,
    });
  });

  test('reads /proc/config.gz (gzip) the same, and options not set are false, not unknown', () => {
    const plain = CONFIG.replace('CONFIG_FPROBE=y', '# CONFIG_FPROBE is not set')
      .replace(',bpf"', '"')
      .replace('CONFIG_BPF_KPROBE_OVERRIDE=y\n', '');
    expect(featuresFromConfig(gzipSync(plain))).toMatchObject({
      kprobeMulti: false,
      overrideReturn: false,
      bpfLsm: true,
      bpfLsmByDefault: false,
    });
  });

  test('kprobe_multi needs 5.18 even with CONFIG_FPROBE, and --release overrides the header', () => {
    expect(featuresFromConfig(CONFIG, '5.15.0').kprobeMulti).toBe(false);
    expect(featuresFromConfig(CONFIG, '5.15.0').release).toBe('5.15.0');
  });

  test('text that is not a kernel config is refused', () => {
    expect(() => featuresFromConfig('hello\n')).toThrow(/not a kernel config/);
  });

  test('the BPF object variant follows the release as in Tetragon (v61, v511, v53)', () => {
    // Debian 11's 5.10 gets the _v53 objects: built without __V511_BPF_PROG, so without the sockaddr_un filter
    expect(['7.2.13', '6.1.192', '5.11.0', '5.10.262', '4.19.0', undefined].map(bpfObjectVariant)).toStrictEqual([
      'v61',
      'v61',
      'v511',
      'v53',
      undefined,
      undefined,
    ]);
  });
});

describe('bundled kernels', () => {
  test('carry the features of their Debian configs', () => {
    const f = Object.fromEntries(bundledKernelInfo().map((k) => [k.name, k.features]));
    // kprobe_multi only from 6.12 on Debian (6.1 has no CONFIG_FPROBE); no kernel has bpf_override_return or error injection
    expect(Object.values(f).map((x) => x?.kprobeMulti)).toStrictEqual([false, false, true, true]);
    expect(Object.values(f).every((x) => x?.overrideReturn === false && x?.errorInjection === false && x?.modifyReturn === true)).toBe(
      true,
    );
    // the BPF LSM is built everywhere, in the default list from Debian 12
    expect(Object.values(f).map((x) => x?.bpfLsmByDefault)).toStrictEqual([false, true, true, true]);
    expect(Object.values(f).map((x) => x?.release)).toStrictEqual(['5.10.262', '6.1.192', '6.12.118', '7.2.13']);
    expect(loadKernel('debian-12-6.1').features).toStrictEqual(f['debian-12-6.1']);
  });
});

describe('table format', () => {
  const fns = new Map([['my_open', { ret: 'int', params: ['int'] }]]);

  test('the table format round-trips the features; format 2 tables still load, with features unknown', () => {
    const features = { release: '6.8.12', kprobeMulti: true, overrideReturn: false };
    expect(decodeKernelTable(encodeKernelTable('n', 'd', fns, features)).features).toStrictEqual(features);
    const v2 = Buffer.from(`${JSON.stringify({ format: 2, name: 'old', describe: 'old table' })}\n["int"]\nmy_open\t0,0\n`);
    const { brotliCompressSync } = require('node:zlib');
    const old = decodeKernelTable(brotliCompressSync(v2));
    expect(old.features).toStrictEqual({});
    expect(old.lookup('my_open')).toStrictEqual({ ret: 'int', params: ['int'] });
    expect(describeFeatures(old.features)).toBe('features unknown (table made from BTF without a kernel config)');
    const future = brotliCompressSync(Buffer.from(`${JSON.stringify({ format: 9, name: 'x', describe: 'y' })}\n[]\n`));
    expect(() => decodeKernelTable(future)).toThrow(/unsupported kernel table format 9 \(this version reads 2, 3 and 4\)/);
  });
});

describe('cdk8s-tetragon kernel add', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kernel-add-'));
  const btf = join(dir, 'vmlinux.btf');
  writeFileSync(btf, tinyBtf());

  test('with --config records the features in the table and in index.json', async () => {
    writeFileSync(join(dir, 'config.gz'), gzipSync(CONFIG));
    const r = await cli(['add', btf, '--name', 'my-node-6.8', '--config', join(dir, 'config.gz'), '--out', join(dir, 'out')]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('features: release 6.8.12, BPF objects _v61, kprobeMulti yes, overrideReturn yes');
    expect(loadKernel(join(dir, 'out', 'my-node-6.8.json.br')).features.kprobeMulti).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'out', 'index.json'), 'utf8')).kernels[0].features.release).toBe('6.8.12');
  });

  test('without --config says plainly that the features are unknown and how to know them', async () => {
    const r = await cli(['add', btf, '--name', 'bare', '--out', join(dir, 'out')]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      'features: unknown: no --config given, so check cannot tell whether this kernel has kprobe_multi, bpf_override_return',
    );
    expect(r.out).toContain('Add --config /proc/config.gz');
    expect(loadKernel(join(dir, 'out', 'bare.json.br')).features).toStrictEqual({});
  });

  test('a file that is not a config is a usage error naming it', async () => {
    writeFileSync(join(dir, 'notes.txt'), 'not a config');
    const r = await cli(['add', btf, '--name', 'x', '--config', join(dir, 'notes.txt'), '--out', join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`--config ${join(dir, 'notes.txt')}: not a kernel config`);
  });

  test('kernel list shows each bundled kernel with its features', async () => {
    const r = await cli(['list']);
    expect(r.out).toMatch(
      /^debian-12-6\.1\t44134 functions\trelease 6\.1\.192, BPF objects _v61, kprobeMulti no, overrideReturn no, errorInjection no, modifyReturn yes, bpfLsm yes, bpfLsmByDefault yes\t/m,
    );
  });
});
