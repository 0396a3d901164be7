/**
 * `npm run e2e:docs [REPORT.json...]`: publishes verifier reports as docs/verification/<release>.json and renders
 * docs/verification.md from every published kernel. Default input: build/e2e/report-*.json. A release found in
 * several reports is taken from the newest.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PublishedKernel, publishKernel, renderVerificationPage } from '../lib/verify/published';
import { VerifyReport } from '../lib/verify/report';

// The bundle runs from build/e2e/.
const root = resolve(__dirname, '..', '..');
const out = join(root, 'docs', 'verification');
const args = process.argv.slice(2);
const inputs = args.length
  ? args
  : readdirSync(join(root, 'build', 'e2e'))
      .filter((f) => /^report-.*\.json$/.test(f))
      .map((f) => join(root, 'build', 'e2e', f));
const newest = new Map<string, { report: VerifyReport; kernel: VerifyReport['kernels'][number] }>();
for (const file of inputs) {
  const report = JSON.parse(readFileSync(file, 'utf8')) as VerifyReport;
  for (const kernel of report.kernels) {
    const seen = newest.get(kernel.release);
    if (!seen || seen.report.startedAt < report.startedAt) newest.set(kernel.release, { report, kernel });
  }
}
mkdirSync(out, { recursive: true });
for (const [release, { report, kernel }] of newest) {
  const published = publishKernel(kernel, report.agent, report.startedAt.slice(0, 10), join(root, 'build', 'e2e', 'policies'));
  writeFileSync(join(out, `${release}.json`), JSON.stringify(published, null, 2) + '\n');
  process.stdout.write(`docs/verification/${release}.json from the run of ${report.startedAt}\n`);
}
const all: PublishedKernel[] = readdirSync(out)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(out, f), 'utf8')));
writeFileSync(join(root, 'docs', 'verification.md'), renderVerificationPage(all));
process.stdout.write(`docs/verification.md: ${all.map((k) => k.release).join(', ')}\n`);
