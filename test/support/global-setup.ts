import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promtoolPath } from '../observability/support/promtool';
import { SHARED_TREES_ENV, synthesizeSharedTrees } from './shared-trees';

/** Environment variable naming the run's own temporary folder, which the global teardown removes. */
export const RUN_TMP_ENV = 'CDK8S_TETRAGON_TEST_TMP';

/**
 * Runs once before the suites: synthesizes the trees several of them read (test/support/shared-trees.ts) and, meanwhile,
 * provisions promtool, so two workers never download it at once. The workers inherit the trees' folders through the
 * environment; the global teardown removes them.
 */
export default async function globalSetup(): Promise<void> {
  // Every temporary folder of the run (cdk8s `Testing.app()` makes one per app and never removes it) goes under one
  // folder of the run's own: the workers inherit TMPDIR, and the teardown removes that folder and nothing else.
  const runTmp = mkdtempSync(join(tmpdir(), 'cdk8s-tetragon-test-'));
  process.env[RUN_TMP_ENV] = runTmp;
  process.env.TMPDIR = runTmp;
  const root = mkdtempSync(join(runTmp, 'trees-'));
  const trees = synthesizeSharedTrees(root);
  promtoolPath();
  process.env[SHARED_TREES_ENV] = JSON.stringify(await trees);
  process.env[`${SHARED_TREES_ENV}_ROOT`] = root;
}
