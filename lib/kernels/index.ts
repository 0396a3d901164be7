/**
 * Kernel function tables: which functions a kernel's BTF has, and their parameter types.
 * The check engine uses them to tell whether a TracingPolicy's hooks load on a given kernel.
 */
export { parseBtfFunctions, findBtf } from './btf';
export type { FunctionPrototype, FunctionTable } from './btf';
export {
  KernelTable, BundledKernelInfo, TABLE_SUFFIX, bundledKernelDir, bundledKernelInfo, bundledKernels, decodeKernelTable,
  encodeKernelTable, kernelTableFromBtf, kernelTableOf, loadKernel, tablesIn, writeKernelTable,
} from './kernel-table';
