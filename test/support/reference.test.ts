import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('reference data for the tests', () => {
  test('without the local folder and without network, a missing file fails with one line naming it and both sources', () => {
    // given: an empty reference folder, an empty cache and a download address nothing listens on
    const saved = { ...process.env };
    process.env.REFERENCE_DIR = mkdtempSync(join(tmpdir(), 'reference-'));
    process.env.REFERENCE_CACHE_DIR = mkdtempSync(join(tmpdir(), 'reference-cache-'));
    process.env.REFERENCE_DOWNLOAD_BASE = 'http://127.0.0.1:59999';
    try {
      jest.isolateModules(() => {
        const { referenceFile } = require('./reference');
        // when / then
        let message = '';
        try {
          referenceFile('tetragon/v1.7.0/chart/values.yaml');
        } catch (e) {
          message = (e as Error).message;
        }
        expect(message).toMatch(
          /^reference file tetragon\/v1\.7\.0\/chart\/values\.yaml is not in .* \(put the reference data there or set REFERENCE_DIR\) and downloading http:\/\/127\.0\.0\.1:59999\/cilium\/tetragon\/.*\/install\/kubernetes\/tetragon\/values\.yaml failed \([A-Z_]+\); npm test needs one of the two$/,
        );
        expect(message).not.toContain('\n');
      });
    } finally {
      process.env = saved;
    }
  });
});
