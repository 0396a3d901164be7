import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promtoolPath } from '../observability/support/promtool';
import { SHARED_TREES_ENV, synthesizeSharedTrees } from './shared-trees';

/**
 * Runs once before the suites: synthesizes the trees several of them read (test/support/shared-trees.ts) and, meanwhile,
 * provisions promtool, so two workers never download it at once. The workers inherit the trees' folders through the
 * environment; the global teardown removes them.
 */
export default async function globalSetup(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'cdk8s-tetragon-trees-'));
  const trees = synthesizeSharedTrees(root);
  promtoolPath();
  process.env[SHARED_TREES_ENV] = JSON.stringify(await trees);
  process.env[`${SHARED_TREES_ENV}_ROOT`] = root;
}
