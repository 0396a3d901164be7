import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AptRelease,
  DEBIAN_RELEASES,
  aptSources,
  findRelease,
  globMatch,
  kernelFilePackages,
  kernelFromMetaDepends,
  kernelMemberPatterns,
  parseAptCandidate,
  parseAptDepends,
  resolveKernel,
} from '../../lib/verify/debian';
import { CommandRunner } from '../../lib/verify/private/exec';

// Captured from `apt-cache` with the verifier's private configurations (Debian 12 and sid, November 2026).
const fixture = (name: string) => readFileSync(join(__dirname, '..', 'fixtures', 'verify', 'apt', name), 'utf8');

describe('apt-cache output', () => {
  test('depends of the meta package: the image package and nothing else on Debian 12', () => {
    expect(parseAptDepends(fixture('bookworm-depends-linux-image-cloud-amd64.txt'))).toStrictEqual([
      { type: 'Depends', name: 'linux-image-6.1.0-57-cloud-amd64', alternative: false },
    ]);
  });

  test('depends keep alternatives and virtual packages, and skip the provider lines under them', () => {
    const deps = parseAptDepends(fixture('bookworm-depends-linux-image-6.1.0-57-cloud-amd64.txt'));
    expect(deps.filter((d) => d.type === 'Depends').map((d) => d.name)).toStrictEqual([
      'kmod',
      'linux-base',
      'initramfs-tools',
      '<linux-initramfs-tool>',
    ]);
    expect(deps.find((d) => d.name === 'initramfs-tools' && d.type === 'Depends')!.alternative).toBe(true);
    expect(deps.map((d) => d.name)).not.toContain('dracut');
  });

  test('the candidate version, and none for an unknown package', () => {
    expect(parseAptCandidate(fixture('bookworm-policy-linux-image-cloud-amd64.txt'))).toBe('6.1.192-3');
    expect(parseAptCandidate(fixture('sid-policy-runc.txt'))).toBe('1.3.6+ds1-1');
    expect(parseAptCandidate(fixture('sid-policy-missing.txt'))).toBeUndefined();
    expect(parseAptCandidate('foo:\n  Installed: (none)\n  Candidate: (none)\n')).toBeUndefined();
  });
});

describe('kernel resolution', () => {
  test('the ABI comes from the meta package on Debian 12 and on sid (where linux-base-* is also a dependency)', () => {
    expect(kernelFromMetaDepends('cloud-amd64', parseAptDepends(fixture('bookworm-depends-linux-image-cloud-amd64.txt')))).toStrictEqual({
      uname: '6.1.0-57-cloud-amd64',
      imagePackage: 'linux-image-6.1.0-57-cloud-amd64',
    });
    expect(kernelFromMetaDepends('cloud-amd64', parseAptDepends(fixture('sid-depends-linux-image-cloud-amd64.txt')))).toStrictEqual({
      uname: '7.2.13+deb14-cloud-amd64',
      imagePackage: 'linux-image-7.2.13+deb14-cloud-amd64',
    });
  });

  test('the generic flavour does not take a cloud image, and an -unsigned image is accepted', () => {
    const deps = [{ type: 'Depends', name: 'linux-image-6.1.0-57-cloud-amd64', alternative: false }];
    expect(kernelFromMetaDepends('amd64', deps)).toBeUndefined();
    expect(
      kernelFromMetaDepends('amd64', [{ type: 'Depends', name: 'linux-image-6.1.0-57-amd64-unsigned', alternative: false }]),
    ).toStrictEqual({ uname: '6.1.0-57-amd64', imagePackage: 'linux-image-6.1.0-57-amd64-unsigned' });
  });

  test('a split image (sid) is downloaded as its linux-binary and linux-modules packages; a classic one as itself', () => {
    expect(
      kernelFilePackages(
        'linux-image-7.2.13+deb14-cloud-amd64',
        '7.2.13+deb14-cloud-amd64',
        parseAptDepends(fixture('sid-depends-linux-image-7.2.13+deb14-cloud-amd64.txt')),
      ),
    ).toStrictEqual(['linux-binary-7.2.13+deb14-cloud-amd64', 'linux-modules-7.2.13+deb14-cloud-amd64']);
    expect(
      kernelFilePackages(
        'linux-image-6.1.0-57-cloud-amd64',
        '6.1.0-57-cloud-amd64',
        parseAptDepends(fixture('bookworm-depends-linux-image-6.1.0-57-cloud-amd64.txt')),
      ),
    ).toStrictEqual(['linux-image-6.1.0-57-cloud-amd64']);
  });

  test('resolveKernel asks apt through the private configuration and prefers the cloud flavour', async () => {
    const calls: string[][] = [];
    const run: CommandRunner = async (cmd, args) => {
      calls.push([cmd, ...args]);
      const pkg = args[args.length - 1];
      const verb = args[args.length - 2];
      const out: Record<string, string> = {
        'policy linux-image-cloud-amd64': fixture('bookworm-policy-linux-image-cloud-amd64.txt'),
        'depends linux-image-cloud-amd64': fixture('bookworm-depends-linux-image-cloud-amd64.txt'),
        'policy linux-image-6.1.0-57-cloud-amd64': 'linux-image-6.1.0-57-cloud-amd64:\n  Installed: (none)\n  Candidate: 6.1.192-3\n',
        'depends linux-image-6.1.0-57-cloud-amd64': fixture('bookworm-depends-linux-image-6.1.0-57-cloud-amd64.txt'),
      };
      return { code: 0, stdout: out[`${verb} ${pkg}`] ?? '', stderr: '' };
    };
    const apt = new AptRelease(findRelease('debian-12')!, '/cache/apt/debian-12', run);
    await expect(resolveKernel(apt)).resolves.toStrictEqual({
      release: 'debian-12',
      uname: '6.1.0-57-cloud-amd64',
      flavour: 'cloud-amd64',
      imagePackage: 'linux-image-6.1.0-57-cloud-amd64',
      version: '6.1.192-3',
      packages: ['linux-image-6.1.0-57-cloud-amd64'],
    });
    expect(calls.every((c) => c[0] === 'apt-cache' && c.includes('Dir::State::lists=/cache/apt/debian-12/lists'))).toBe(true);
  });

  test('a release without any kernel meta package is an error naming what was tried', async () => {
    const apt = new AptRelease(findRelease('sid')!, '/c', async () => ({ code: 0, stdout: '', stderr: '' }));
    await expect(resolveKernel(apt)).rejects.toThrow(
      /Debian unstable \(sid\): no kernel image found through linux-image-cloud-amd64 or linux-image-amd64/,
    );
  });
});

describe('releases and sources', () => {
  test('names, codenames and numbers find the same release', () => {
    expect(findRelease('debian-13')!.codename).toBe('trixie');
    expect(findRelease('trixie')!.name).toBe('debian-13');
    expect(findRelease('11')!.codename).toBe('bullseye');
    expect(findRelease('debian-10')).toBeUndefined();
    expect(DEBIAN_RELEASES.map((r) => r.name)).toStrictEqual(['debian-11', 'debian-12', 'debian-13', 'debian-sid']);
  });

  test('sources list the release, its updates and its security suite; sid has no security suite', () => {
    const bookworm = aptSources(findRelease('debian-12')!);
    expect(bookworm).toContain('URIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\n');
    expect(bookworm).toContain('URIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\n');
    expect(aptSources(findRelease('sid')!)).not.toContain('debian-security');
  });

  test('the apt options keep the system configuration and status out', () => {
    const opts = new AptRelease(findRelease('debian-12')!, '/c/apt', async () => ({ code: 0, stdout: '', stderr: '' })).options();
    expect(opts).toContain('Dir::State::status=/dev/null');
    expect(opts).toContain('Dir::Etc::sourceparts=/c/apt/sources.list.d');
  });
});

describe('kernel package members', () => {
  test('both layouts: /boot (Debian 11 to 13) and /usr/lib/modules (sid)', () => {
    const patterns = kernelMemberPatterns('7.2.13+deb14-cloud-amd64', []);
    expect(patterns.some((p) => globMatch(p, './usr/lib/modules/7.2.13+deb14-cloud-amd64/vmlinuz'))).toBe(true);
    expect(kernelMemberPatterns('6.1.0-57-cloud-amd64', []).some((p) => globMatch(p, './boot/vmlinuz-6.1.0-57-cloud-amd64'))).toBe(true);
    expect(patterns.some((p) => globMatch(p, './usr/lib/modules/7.2.13+deb14-cloud-amd64/kernel/drivers/net/dummy.ko.xz'))).toBe(false);
    expect(
      kernelMemberPatterns('7.2.13+deb14-cloud-amd64', ['dummy']).some((p) =>
        globMatch(p, './usr/lib/modules/7.2.13+deb14-cloud-amd64/kernel/drivers/net/dummy.ko.xz'),
      ),
    ).toBe(true);
  });
});
