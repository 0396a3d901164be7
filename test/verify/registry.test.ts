import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { AgentUnavailableError } from '../../lib/verify/agent';
import { agentFromRegistry, parseImageReference, pullAgentImage, registryReachable, tarFiles } from '../../lib/verify/registry';

/** A ustar archive of regular files (names up to 100 bytes, or a PAX path record when longer). */
function tar(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = [];
  const header = (name: string, size: number, type: string) => {
    const h = Buffer.alloc(512);
    h.write(name.slice(0, 100), 0);
    h.write('0000644\0', 100);
    h.write(size.toString(8).padStart(11, '0') + '\0', 124);
    h.write(type, 156);
    h.write('ustar\0', 257);
    h.write('        ', 148);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    return h;
  };
  const pad = (n: number) => Buffer.alloc((512 - (n % 512)) % 512);
  for (const [name, body] of Object.entries(files)) {
    if (name.length > 100) {
      const rec = ` path=${name}\n`;
      const len = String(rec.length + String(rec.length).length + 1).length;
      const pax = `${rec.length + len}${rec}`;
      blocks.push(header('PaxHeader', pax.length, 'x'), Buffer.from(pax), pad(pax.length));
    }
    blocks.push(header(name, Buffer.byteLength(body), '0'), Buffer.from(body), pad(Buffer.byteLength(body)));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('tar reader', () => {
  test('regular files by path, ./ stripped, long names through PAX records', () => {
    const long = `var/lib/tetragon/${'x'.repeat(120)}.o`;
    const files = tarFiles(tar({ './usr/bin/tetra': 'T', 'etc/other': 'no', [long]: 'L' }), (p) => !p.startsWith('etc/'));
    expect([...files.keys()]).toStrictEqual(['usr/bin/tetra', long]);
    expect(files.get(long)!.toString()).toBe('L');
  });
});

describe('agent from an image registry', () => {
  let server: Server;
  let base: string;
  const requests: string[] = [];
  const layer1 = gzipSync(tar({ 'usr/bin/tetragon': 'agent-v1', 'usr/bin/tetra': 'cli', 'etc/passwd': 'root' }));
  const layer2 = gzipSync(tar({ 'var/lib/tetragon/bpf_execve_event.o': 'bpf', 'usr/bin/tetragon': 'agent-v2' }));
  const manifest = Buffer.from(
    JSON.stringify({
      config: { digest: sha(Buffer.from('cfg')) },
      layers: [
        { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(layer1) },
        { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(layer2) },
      ],
    }),
  );
  const index = Buffer.from(
    JSON.stringify({
      manifests: [
        { digest: 'sha256:arm', platform: { os: 'linux', architecture: 'arm64' } },
        { digest: sha(manifest), platform: { os: 'linux', architecture: 'amd64' } },
      ],
    }),
  );

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(`${req.url} ${req.headers.authorization ?? ''}`);
      if (req.url!.startsWith('/token')) {
        res.end(JSON.stringify({ token: 'tok' }));
        return;
      }
      if (req.headers.authorization !== 'Bearer tok') {
        res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="${base}/token",service="test",scope="repository:cilium/tetragon:pull"` });
        res.end();
        return;
      }
      const bodies: Record<string, Buffer> = {
        '/v2/cilium/tetragon/manifests/v1.7.0': index,
        [`/v2/cilium/tetragon/manifests/${sha(manifest)}`]: manifest,
        [`/v2/cilium/tetragon/blobs/${sha(layer1)}`]: layer1,
        [`/v2/cilium/tetragon/blobs/${sha(layer2)}`]: layer2,
      };
      const body = bodies[req.url!];
      res.writeHead(body ? 200 : 404);
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server.close());

  test('image references', () => {
    expect(parseImageReference('quay.io/cilium/tetragon:v1.7.0')).toStrictEqual({
      registry: 'quay.io',
      repository: 'cilium/tetragon',
      reference: 'v1.7.0',
    });
    expect(parseImageReference(`localhost:5000/t@sha256:${'a'.repeat(64)}`).reference).toBe(`sha256:${'a'.repeat(64)}`);
    expect(() => parseImageReference('tetragon')).toThrow(AgentUnavailableError);
  });

  test('pulls the amd64 image with an anonymous token and keeps only the agent files, later layers winning', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'registry-'));
    const host = base.replace('http://', '');
    const dir = await pullAgentImage(`${host}/cilium/tetragon:v1.7.0`, cache, () => undefined, undefined, 'http');
    expect(readFileSync(join(dir, 'bin', 'tetragon'), 'utf8')).toBe('agent-v2');
    expect(readFileSync(join(dir, 'bin', 'tetra'), 'utf8')).toBe('cli');
    expect(readdirSync(join(dir, 'lib'))).toStrictEqual(['bpf_execve_event.o']);
    expect(existsSync(join(dir, '.complete'))).toBe(true);
    expect(requests[0]).toBe('/v2/cilium/tetragon/manifests/v1.7.0 ');
    expect(requests.some((r) => r.startsWith('/token?service=test&scope=repository%3Acilium%2Ftetragon%3Apull'))).toBe(true);
    expect(requests.some((r) => r.includes('/manifests/sha256:arm'))).toBe(false);
  });

  test('reachability: an answering registry (401) is reachable, a closed port is not', async () => {
    await expect(registryReachable(base.replace('http://', ''), 'http')).resolves.toMatchObject({ reachable: true, detail: 'HTTP 401' });
    await expect(registryReachable('127.0.0.1:1', 'http', 2000)).resolves.toMatchObject({ reachable: false });
  });

  test('no registry: one line that says what to pass instead', async () => {
    await expect(agentFromRegistry('/tmp/x', () => undefined, '127.0.0.1:1/cilium/tetragon:v1.7.0')).rejects.toThrow(
      /^no Tetragon agent: 127\.0\.0\.1:1 is not reachable \(.+\) to pull 127\.0\.0\.1:1\/cilium\/tetragon:v1\.7\.0; pass --tetragon with a bundle/,
    );
  });
});
