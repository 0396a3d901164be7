/**
 * Kernel tables: which functions a kernel's BTF has, their parameter types, and the kernel features that decide
 * whether Tetragon loads a policy. The check engine uses them to tell whether a TracingPolicy loads on a given kernel.
 */
export { parseBtfFunctions, findBtf } from './btf';
export type { FunctionPrototype, FunctionTable } from './btf';
export {
  KernelTable,
  BundledKernelInfo,
  TABLE_FORMAT,
  TABLE_SUFFIX,
  bundledKernelDir,
  bundledKernelInfo,
  bundledKernels,
  decodeKernelTable,
  encodeKernelTable,
  kernelTableFromBtf,
  kernelTableOf,
  loadKernel,
  tablesIn,
  writeKernelTable,
} from './kernel-table';
export {
  FEATURE_LABELS,
  FEATURE_NAMES,
  FeatureName,
  KernelConfig,
  KernelFeatures,
  VERSION_GATES,
  atLeast,
  bpfObjectVariant,
  describeFeatures,
  featuresFromConfig,
  parseKernelConfig,
} from './kernel-features';
export {
  SYSCALL_TABLE_FILE,
  SyscallArg,
  SyscallTable,
  bundledSyscallTable,
  encodeSyscallTable,
  mergeSyscallTables,
  parseSyscallMetadata,
  readSyscallTable,
} from './syscall-metadata';
