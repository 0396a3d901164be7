import { rmSync } from 'node:fs';
import { SHARED_TREES_ENV } from './shared-trees';

/** Removes the trees the global setup synthesized. */
export default function globalTeardown(): void {
  const root = process.env[`${SHARED_TREES_ENV}_ROOT`];
  if (root) rmSync(root, { recursive: true, force: true });
}
