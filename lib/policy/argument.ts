import { LIMITS } from '../model/limits';
import { Problems, show } from '../private/problems';

/**
 * Tetragon argument types a hook can declare (`args[].type`).
 * `auto` and `syscall64` are left out on purpose: Tetragon rejects both on kprobes.
 * @see https://tetragon.io/docs/concepts/tracing-policy/hooks/#arguments
 */
export enum ArgType {
  INT = 'int',
  SINT8 = 'sint8',
  INT8 = 'int8',
  UINT8 = 'uint8',
  SINT16 = 'sint16',
  INT16 = 'int16',
  UINT16 = 'uint16',
  UINT32 = 'uint32',
  SINT32 = 'sint32',
  INT32 = 'int32',
  ULONG = 'ulong',
  UINT64 = 'uint64',
  SIZE_T = 'size_t',
  LONG = 'long',
  SINT64 = 'sint64',
  INT64 = 'int64',
  CHAR_BUF = 'char_buf',
  CHAR_IOVEC = 'char_iovec',
  STRING = 'string',
  DATA_LOC = 'data_loc',
  CONST_BUF = 'const_buf',
  SKB = 'skb',
  SOCK = 'sock',
  SOCKET = 'socket',
  SOCKADDR = 'sockaddr',
  SOCKADDR_UN = 'sockaddr_un',
  NET_DEVICE = 'net_device',
  FD = 'fd',
  FILE = 'file',
  FILENAME = 'filename',
  PATH = 'path',
  DENTRY = 'dentry',
  LINUX_BINPRM = 'linux_binprm',
  NOP = 'nop',
  CRED = 'cred',
  USER_NAMESPACE = 'user_namespace',
  CAPABILITY = 'capability',
  KERNEL_CAP_T = 'kernel_cap_t',
  CAP_INHERITABLE = 'cap_inheritable',
  CAP_PERMITTED = 'cap_permitted',
  CAP_EFFECTIVE = 'cap_effective',
  BPF_ATTR = 'bpf_attr',
  BPF_CMD = 'bpf_cmd',
  BPF_MAP = 'bpf_map',
  BPF_PROG = 'bpf_prog',
  PERF_EVENT = 'perf_event',
  KIOCB = 'kiocb',
  IOV_ITER = 'iov_iter',
  LOAD_INFO = 'load_info',
  MODULE = 'module',
}

/**
 * The operator family an argument type supports, from Tetragon's `parseMatchArg` (pkg/selectors/kernel.go):
 * - `string`: Equal/NotEqual compare strings, Prefix/Postfix work;
 * - `file`: as `string`, plus FileType;
 * - `int`: Equal/NotEqual/GT/LT/Mask/InRange compare numbers;
 * - `cap`: capability sets, numeric operators and CapabilitiesGained;
 * - `sock`: socket operators (ports, addresses, family, protocol, state);
 * - `sockaddr`: the sockaddr subset (source address and port, family);
 * - `dentry`: a path relative to its file system's root, Prefix and Postfix only (Tetragon refuses Equal on it);
 * - `opaque`: shown in events, not filterable.
 */
export type ArgKind = 'string' | 'file' | 'int' | 'cap' | 'sock' | 'sockaddr' | 'dentry' | 'opaque';

const KIND_OF: Record<ArgType, ArgKind> = {
  int: 'int',
  sint8: 'int',
  int8: 'int',
  uint8: 'int',
  sint16: 'int',
  int16: 'int',
  uint16: 'int',
  uint32: 'int',
  sint32: 'int',
  int32: 'int',
  ulong: 'int',
  uint64: 'int',
  size_t: 'int',
  long: 'int',
  sint64: 'int',
  int64: 'int',
  capability: 'int',
  bpf_cmd: 'int',
  string: 'string',
  char_buf: 'string',
  data_loc: 'string',
  fd: 'string',
  linux_binprm: 'string',
  net_device: 'string',
  sockaddr_un: 'string',
  file: 'file',
  path: 'file',
  kernel_cap_t: 'cap',
  cap_inheritable: 'cap',
  cap_permitted: 'cap',
  cap_effective: 'cap',
  sock: 'sock',
  skb: 'sock',
  socket: 'sock',
  sockaddr: 'sockaddr',
  dentry: 'dentry',
  char_iovec: 'opaque',
  const_buf: 'opaque',
  filename: 'opaque',
  nop: 'opaque',
  cred: 'opaque',
  user_namespace: 'opaque',
  bpf_attr: 'opaque',
  bpf_map: 'opaque',
  bpf_prog: 'opaque',
  perf_event: 'opaque',
  kiocb: 'opaque',
  iov_iter: 'opaque',
  load_info: 'opaque',
  module: 'opaque',
};

/** Options shared by every argument. */
export interface ArgOptions {
  /**
   * A label shown with the argument in events (`args[].label`), e.g. `"mask"`.
   * @default - no label
   */
  readonly label?: string;
  /**
   * Follow a field path from the argument through BTF and read that instead (`args[].resolve`), e.g.
   * `cap_effective` on a `const struct cred *` reads the credentials' effective set.
   * @default - the argument itself
   */
  readonly resolve?: string;
}

/** Options of buffer arguments (`char_buf`, `char_iovec`). */
export interface BufferArgOptions extends ArgOptions {
  /** Index of the argument that holds the buffer's size. */
  readonly sizeArgIndex?: number;
  /**
   * Read the buffer when the function returns (for output buffers such as `read()`'s).
   * @default false
   */
  readonly returnCopy?: boolean;
  /**
   * Read up to 327360 bytes instead of 4096 (needs kernel 5.3+).
   * @default false
   */
  readonly maxData?: boolean;
}

/**
 * A typed hook argument: its position in the hooked function's signature and the Tetragon type used to read it.
 * The kind parameter records which filter operators fit, so `ArgFilter.prefix(Arg.int(1), ...)` does not compile.
 *
 * @example
 * const file = Arg.file(0);          // struct file *
 * const mask = Arg.int(1, { label: 'mask' });
 */
export class Arg<K extends ArgKind = ArgKind> {
  /** A NUL-terminated string read from user or kernel memory (`const char *`). */
  public static string(index: number, options: ArgOptions = {}): Arg<'string'> {
    return new Arg(index, ArgType.STRING, options);
  }
  /** A buffer with a size given by another argument. */
  public static charBuf(index: number, options: BufferArgOptions = {}): Arg<'string'> {
    return new Arg(index, ArgType.CHAR_BUF, options);
  }
  /** A file descriptor, resolved to its path (needs fd tracking). */
  public static fd(index: number, options: ArgOptions = {}): Arg<'string'> {
    return new Arg(index, ArgType.FD, options);
  }
  /** A `struct file *`, resolved to its path with d_path (container view, symlinks resolved). */
  public static file(index: number, options: ArgOptions = {}): Arg<'file'> {
    return new Arg(index, ArgType.FILE, options);
  }
  /** A `struct path *`, resolved like `file`. */
  public static path(index: number, options: ArgOptions = {}): Arg<'file'> {
    return new Arg(index, ArgType.PATH, options);
  }
  /**
   * A `struct dentry *`, read as its path up to the root of the file system it is on (Tetragon does not cross mount
   * points for a dentry): `/etc/passwd` on the root file system, but a file on a separate mount shows its path
   * inside that mount. Filter it with Prefix or Postfix; Tetragon refuses Equal on this type.
   */
  public static dentry(index: number, options: ArgOptions = {}): Arg<'dentry'> {
    return new Arg(index, ArgType.DENTRY, options);
  }
  /** A `struct linux_binprm *`, shown as the path of the file being executed. */
  public static linuxBinprm(index: number, options: ArgOptions = {}): Arg<'string'> {
    return new Arg(index, ArgType.LINUX_BINPRM, options);
  }
  /** A 32-bit signed integer (`int`, `uid_t` read as signed, errno return values). */
  public static int(index: number, options: ArgOptions = {}): Arg<'int'> {
    return new Arg(index, ArgType.INT, options);
  }
  /** Any integer type. */
  public static integer(index: number, type: IntegerType, options: ArgOptions = {}): Arg<'int'> {
    return new Arg(index, type as unknown as ArgType, options);
  }
  /** A `struct sock *` (TCP/UDP socket with addresses, ports, protocol and state). */
  public static sock(index: number, options: ArgOptions = {}): Arg<'sock'> {
    return new Arg(index, ArgType.SOCK, options);
  }
  /** A `struct sk_buff *`. */
  public static skb(index: number, options: ArgOptions = {}): Arg<'sock'> {
    return new Arg(index, ArgType.SKB, options);
  }
  /** A `struct socket *`. */
  public static socket(index: number, options: ArgOptions = {}): Arg<'sock'> {
    return new Arg(index, ArgType.SOCKET, options);
  }
  /** A `struct sockaddr *` (the target of connect/bind). */
  public static sockaddr(index: number, options: ArgOptions = {}): Arg<'sockaddr'> {
    return new Arg(index, ArgType.SOCKADDR, options);
  }
  /**
   * A `struct sockaddr_un *`: the Unix socket path exactly as the caller wrote it (not resolved). Tetragon's BPF
   * filter on it exists on kernels 5.11 and later only.
   */
  public static sockaddrUn(index: number, options: ArgOptions = {}): Arg<'string'> {
    return new Arg(index, ArgType.SOCKADDR_UN, options);
  }
  /** A capability set (`kernel_cap_t *`), shown as hex; `type` names which set it is. */
  public static capabilities(index: number, type: CapabilitySetType = ArgType.KERNEL_CAP_T, options: ArgOptions = {}): Arg<'cap'> {
    return new Arg(index, type as unknown as ArgType, options);
  }
  /** An argument shown in events but not filterable (`cred`, `bpf_attr`, `module`, ...). */
  public static opaque(index: number, type: OpaqueType, options: ArgOptions = {}): Arg<'opaque'> {
    return new Arg(index, type as unknown as ArgType, options);
  }
  /** A placeholder that reads nothing (keeps later indexes aligned). */
  public static nop(index: number): Arg<'opaque'> {
    return new Arg(index, ArgType.NOP, {});
  }

  /** The operator family of this argument. */
  public readonly kind: K;

  private constructor(
    /** Position in the function's parameter list (0-based). */
    public readonly index: number,
    /** The Tetragon type used to read it. */
    public readonly type: ArgType,
    private readonly options: BufferArgOptions,
  ) {
    this.kind = KIND_OF[type] as K;
  }

  /** @internal */
  public _validate(field: string, problems: Problems, maxIndex: number = LIMITS.maxArgIndex): void {
    if (!Number.isInteger(this.index) || this.index < 0 || this.index > maxIndex) {
      problems.add(`${field}.index`, `got ${show(this.index)}; Tetragon reads arguments 0 to ${maxIndex} only`);
    }
    if (!(this.type in KIND_OF)) {
      problems.add(`${field}.type`, `got ${show(this.type)}; use one of ${Object.keys(KIND_OF).join(', ')} (never "auto" on kprobes)`);
    }
    if (this.options.label !== undefined && this.options.label.trim() === '') {
      problems.add(`${field}.label`, 'is empty; give a short label or leave it out');
    }
    if (this.options.resolve !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(this.options.resolve)) {
      problems.add(`${field}.resolve`, `got ${show(this.options.resolve)}; expected a field path such as cap_effective or mm.exe_file`);
    }
  }

  /** @internal */
  public _render(): Record<string, unknown> {
    const o = this.options;
    return {
      index: this.index,
      type: this.type,
      ...(o.label !== undefined ? { label: o.label } : {}),
      ...(o.resolve !== undefined ? { resolve: o.resolve } : {}),
      ...(o.sizeArgIndex !== undefined ? { sizeArgIndex: o.sizeArgIndex } : {}),
      ...(o.returnCopy ? { returnCopy: true } : {}),
      ...(o.maxData ? { maxData: true } : {}),
    };
  }

  /** Whether two arguments describe the same position, type and resolved field. */
  public sameAs(other: Arg): boolean {
    return this.index === other.index && this.type === other.type && this.options.resolve === other.options.resolve;
  }
}

/** Integer argument types. */
export type IntegerType =
  | ArgType.INT
  | ArgType.SINT8
  | ArgType.INT8
  | ArgType.UINT8
  | ArgType.SINT16
  | ArgType.INT16
  | ArgType.UINT16
  | ArgType.UINT32
  | ArgType.SINT32
  | ArgType.INT32
  | ArgType.ULONG
  | ArgType.UINT64
  | ArgType.SIZE_T
  | ArgType.LONG
  | ArgType.SINT64
  | ArgType.INT64
  | ArgType.CAPABILITY
  | ArgType.BPF_CMD;

/** Capability-set argument types (`security_capset` reads the effective, inheritable and permitted sets). */
export type CapabilitySetType = ArgType.KERNEL_CAP_T | ArgType.CAP_EFFECTIVE | ArgType.CAP_INHERITABLE | ArgType.CAP_PERMITTED;

/** Argument types that are shown in events but cannot be filtered on. */
export type OpaqueType =
  | ArgType.CHAR_IOVEC
  | ArgType.CONST_BUF
  | ArgType.FILENAME
  | ArgType.CRED
  | ArgType.USER_NAMESPACE
  | ArgType.BPF_ATTR
  | ArgType.BPF_MAP
  | ArgType.BPF_PROG
  | ArgType.PERF_EVENT
  | ArgType.KIOCB
  | ArgType.IOV_ITER
  | ArgType.LOAD_INFO
  | ArgType.MODULE;
