import { rmSync } from 'node:fs';
import { RUN_TMP_ENV } from './global-setup';

/** Removes the run's temporary folder: the shared trees and every folder the suites made under TMPDIR. */
export default function globalTeardown(): void {
  const runTmp = process.env[RUN_TMP_ENV];
  if (runTmp) rmSync(runTmp, { recursive: true, force: true });
}
