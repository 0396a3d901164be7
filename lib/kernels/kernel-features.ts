import { gunzipSync } from 'node:zlib';

/**
 * The facts of one kernel build that decide whether Tetragon loads a policy, beyond which functions exist.
 * Taken from the kernel's own configuration (`/boot/config-<release>`, `/proc/config.gz`). A field that is
 * absent is **unknown** (a table built from BTF alone), never assumed.
 */
export interface KernelFeatures {
  /** Kernel release as in the config header, e.g. `6.1.192`. Decides Tetragon's version gates. */
  readonly release?: string;
  /**
   * kprobe_multi links (`CONFIG_FPROBE`, 5.18+). Where present Tetragon attaches all kprobes of a policy through one
   * link: the same call twice, and Override on `security_*` without `disable-kprobe-multi`, are refused.
   */
  readonly kprobeMulti?: boolean;
  /** The `bpf_override_return` helper (`CONFIG_BPF_KPROBE_OVERRIDE`): Override on syscalls. */
  readonly overrideReturn?: boolean;
  /**
   * `CONFIG_FUNCTION_ERROR_INJECTION`: syscalls are in the error-injection list, so fmod_ret can attach to them (the
   * enforcer sensor's fallback when `bpf_override_return` is missing).
   */
  readonly errorInjection?: boolean;
  /**
   * BPF trampolines with ftrace direct calls (`CONFIG_BPF_JIT`, `CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS`): fmod_ret, Override on
   * `security_*`.
   */
  readonly modifyReturn?: boolean;
  /** The BPF LSM is built (`CONFIG_BPF_LSM`). */
  readonly bpfLsm?: boolean;
  /** `bpf` is in the default LSM list (`CONFIG_LSM`); without it, lsmhooks need `lsm=...,bpf` on the kernel command line. */
  readonly bpfLsmByDefault?: boolean;
}

/** The feature names, in display order. */
export const FEATURE_NAMES = ['kprobeMulti', 'overrideReturn', 'errorInjection', 'modifyReturn', 'bpfLsm', 'bpfLsmByDefault'] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

/** How each feature is named in findings and listings. */
export const FEATURE_LABELS: Readonly<Record<FeatureName, string>> = {
  kprobeMulti: 'kprobe_multi (CONFIG_FPROBE)',
  overrideReturn: 'bpf_override_return (CONFIG_BPF_KPROBE_OVERRIDE)',
  errorInjection: 'fmod_ret on syscalls (CONFIG_FUNCTION_ERROR_INJECTION)',
  modifyReturn: 'fmod_ret on security_* functions (BPF trampolines)',
  bpfLsm: 'the BPF LSM (CONFIG_BPF_LSM)',
  bpfLsmByDefault: 'bpf in the default LSM list (CONFIG_LSM)',
};

/** A kernel configuration as name → value (`y`, `m`, a number or the unquoted string); options not set are absent. */
export type KernelConfig = ReadonlyMap<string, string>;

/** Parses a kernel config (plain text, or gzip as in `/proc/config.gz`). Returns the options and the release from the header. */
export function parseKernelConfig(data: Uint8Array | string): { options: KernelConfig; release?: string } {
  const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const text = (bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
  const options = new Map<string, string>();
  let release: string | undefined;
  for (const line of text.split('\n')) {
    const header = /^# Linux\/\S+ (\d+\.\d+(?:\.\d+)?)\S* Kernel Configuration/.exec(line);
    if (header) {
      release = header[1];
      continue;
    }
    const m = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(line);
    if (m) options.set(m[1], m[2].replace(/^"(.*)"$/, '$1'));
  }
  if (options.size === 0) throw new Error('not a kernel config: no CONFIG_ lines (expected /proc/config.gz or /boot/config-<release>)');
  return { options, ...(release ? { release } : {}) };
}

/**
 * The features a kernel config gives. `release` overrides the config header (a config without one, or a node whose
 * header is unusual).
 */
export function featuresFromConfig(data: Uint8Array | string, release?: string): KernelFeatures {
  const { options, release: fromHeader } = parseKernelConfig(data);
  const rel = release ?? fromHeader;
  const on = (name: string) => options.get(name) === 'y';
  const lsm = (options.get('CONFIG_LSM') ?? '').split(',').map((s) => s.trim());
  return {
    ...(rel ? { release: rel } : {}),
    kprobeMulti: on('CONFIG_FPROBE') && (rel === undefined || atLeast(rel, '5.18')),
    overrideReturn: on('CONFIG_BPF_KPROBE_OVERRIDE'),
    errorInjection: on('CONFIG_FUNCTION_ERROR_INJECTION'),
    modifyReturn: on('CONFIG_BPF_JIT') && on('CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS') && (rel === undefined || atLeast(rel, '5.7')),
    bpfLsm: on('CONFIG_BPF_LSM'),
    bpfLsmByDefault: on('CONFIG_BPF_LSM') && lsm.includes('bpf'),
  };
}

/** Compares a release (`6.1.192`, `5.10.0-46-amd64`) with `major.minor`. */
export function atLeast(release: string, version: string): boolean {
  const [a, b] = release.split(/[.-]/).map(Number);
  const [c, d] = version.split('.').map(Number);
  return a > c || (a === c && (b || 0) >= d);
}

/**
 * Kernel versions at which Tetragon v1.7.0 changes behaviour, with what changes. The BPF object variant follows
 * the same versions (`pkg/config/config_linux.go`): `_v61` from 6.1, `_v511` from 5.11, `_v53` from 5.3.
 */
export const VERSION_GATES = {
  /** Loader sensor (`spec.loader`): `hasLoaderEvents` needs 5.19 and perf build ids (`pkg/sensors/tracing/loader_linux.go`). */
  loader: '5.19',
  /** sockaddr_un arguments are read and filtered only by the `_v511` objects; before, a filter on them passes every call. */
  sockaddrUn: '5.11',
  /** Equal/NotEqual string values up to 4096 bytes from 5.11, 510 from 5.4 (`ArgStringSelectorValue`). */
  longStrings: '5.11',
  /** `_v61` objects: paths resolved through up to 2048 components instead of 128 (`bpf_d_path.h`). */
  v61Objects: '6.1',
} as const;

/** The BPF object variant Tetragon v1.7.0 loads on a release (`bpf_generic_kprobe_v61.o`, ...), or undefined when unknown. */
export function bpfObjectVariant(release: string | undefined): 'v61' | 'v511' | 'v53' | undefined {
  if (!release) return undefined;
  return atLeast(release, '6.1') ? 'v61' : atLeast(release, '5.11') ? 'v511' : atLeast(release, '5.3') ? 'v53' : undefined;
}

/** One line summarizing what is known, for `kernel list` and messages. */
export function describeFeatures(f: KernelFeatures): string {
  const known = FEATURE_NAMES.filter((n) => f[n] !== undefined);
  if (!f.release && known.length === 0) return 'features unknown (table made from BTF without a kernel config)';
  const parts = [`release ${f.release ?? 'unknown'}`];
  const variant = bpfObjectVariant(f.release);
  if (variant) parts.push(`BPF objects _${variant}`);
  for (const n of FEATURE_NAMES) parts.push(`${n} ${f[n] === undefined ? 'unknown' : f[n] ? 'yes' : 'no'}`);
  return parts.join(', ');
}
