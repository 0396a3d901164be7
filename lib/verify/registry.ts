/**
 * The agent from the official image, when its registry is reachable: the image's manifest for linux/amd64 is
 * read through the OCI distribution API (anonymous bearer token), its layers are unpacked in memory and only
 * the agent's files are kept (`usr/bin/tetragon`, `usr/bin/tetra`, `var/lib/tetragon/*.o`), laid out as a
 * bundle directory (`bin/`, `lib/`) in the cache.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { AgentUnavailableError } from './agent';

/** The image the library's install deploys. */
export const DEFAULT_AGENT_IMAGE = 'quay.io/cilium/tetragon:v1.7.0';

/** A parsed image reference. */
export interface ImageReference {
  readonly registry: string;
  readonly repository: string;
  /** Tag or `sha256:` digest. */
  readonly reference: string;
}

/** Parses `host/repo[:tag|@digest]`. */
export function parseImageReference(ref: string): ImageReference {
  const m = /^([a-z0-9.-]+(?::\d+)?)\/([a-z0-9._/-]+?)(?::([\w.-]+)|@(sha256:[0-9a-f]{64}))?$/.exec(ref);
  if (!m) throw new AgentUnavailableError(`${ref}: not an image reference (host/repository:tag)`);
  return { registry: m[1], repository: m[2], reference: m[4] ?? m[3] ?? 'latest' };
}

/** HTTP GET with headers; returns status, headers and body. Replaceable in tests. */
export type HttpGet = (url: string, headers: Record<string, string>) => Promise<{ status: number; headers: Headers; body: Buffer }>;

const fetchGet: HttpGet = async (url, headers) => {
  const r = await fetch(url, { headers, redirect: 'follow', signal: AbortSignal.timeout(120_000) });
  return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
};

/** Whether the registry answers its API root within the time limit (200 or 401 both mean it is there). */
export async function registryReachable(
  registry: string,
  scheme = 'https',
  timeoutMs = 5000,
): Promise<{ reachable: boolean; detail: string }> {
  try {
    const r = await fetch(`${scheme}://${registry}/v2/`, { signal: AbortSignal.timeout(timeoutMs) });
    return { reachable: r.status === 200 || r.status === 401, detail: `HTTP ${r.status}` };
  } catch (e) {
    const cause = (e as any)?.cause?.code ?? (e as Error).name ?? 'error';
    return { reachable: false, detail: String(cause) };
  }
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** A client for one repository, handling the anonymous bearer token. */
class RegistryClient {
  private token?: string;
  constructor(
    private readonly ref: ImageReference,
    private readonly get: HttpGet,
    private readonly scheme: string,
  ) {}

  public async fetch(path: string, accept?: string): Promise<Buffer> {
    const url = `${this.scheme}://${this.ref.registry}/v2/${this.ref.repository}/${path}`;
    const headers = (): Record<string, string> => ({
      ...(accept ? { Accept: accept } : {}),
      ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}),
    });
    let r = await this.get(url, headers());
    if (r.status === 401 && !this.token) {
      this.token = await this.authenticate(r.headers.get('www-authenticate') ?? '');
      r = await this.get(url, headers());
    }
    if (r.status !== 200) throw new AgentUnavailableError(`${url}: HTTP ${r.status}`);
    return r.body;
  }

  private async authenticate(challenge: string): Promise<string> {
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (!/^Bearer /i.test(challenge) || !params.realm)
      throw new AgentUnavailableError(`${this.ref.registry}: unsupported authentication (${challenge || 'none offered'})`);
    const q = new URLSearchParams({
      ...(params.service ? { service: params.service } : {}),
      scope: params.scope ?? `repository:${this.ref.repository}:pull`,
    });
    const r = await this.get(`${params.realm}?${q}`, {});
    if (r.status !== 200) throw new AgentUnavailableError(`${params.realm}: token request answered HTTP ${r.status}`);
    const body = JSON.parse(r.body.toString('utf8'));
    return String(body.token ?? body.access_token);
  }
}

/** The files of a tar archive, by path without a leading `./` or `/` (pax and GNU long names handled). */
export function tarFiles(tar: Buffer, wanted: (path: string) => boolean): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let pos = 0;
  let longName: string | undefined;
  while (pos + 512 <= tar.length) {
    const header = tar.subarray(pos, pos + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, len: number) =>
      header
        .subarray(start, start + len)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1) || '0';
    const prefix = field(345, 155);
    let name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    const body = tar.subarray(pos + 512, pos + 512 + size);
    pos += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      const path = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'));
      if (path) longName = path[1];
      continue;
    }
    if (type === 'L') {
      longName = body.toString('utf8').replace(/\0.*$/s, '');
      continue;
    }
    name = name.replace(/^\.?\/+/, '');
    if ((type === '0' || type === '7') && wanted(name)) files.set(name, Buffer.from(body));
  }
  return files;
}

const AGENT_FILE = /^(usr\/bin\/(tetragon|tetra)|var\/lib\/tetragon\/[^/]+\.o)$/;

/** Pulls the agent's files of an image into `cacheDir/agents/image-<digest>`; returns that directory. */
export async function pullAgentImage(
  image: string,
  cacheDir: string,
  log: (line: string) => void,
  get: HttpGet = fetchGet,
  scheme = 'https',
): Promise<string> {
  const ref = parseImageReference(image);
  const client = new RegistryClient(ref, get, scheme);
  let manifest = JSON.parse((await client.fetch(`manifests/${ref.reference}`, MANIFEST_TYPES)).toString('utf8'));
  if (Array.isArray(manifest.manifests)) {
    const entry = manifest.manifests.find((m: any) => m.platform?.os === 'linux' && m.platform?.architecture === 'amd64');
    if (!entry) throw new AgentUnavailableError(`${image}: no linux/amd64 image in its index`);
    manifest = JSON.parse((await client.fetch(`manifests/${entry.digest}`, MANIFEST_TYPES)).toString('utf8'));
  }
  const layers: { digest: string; mediaType: string }[] = manifest.layers ?? [];
  if (layers.length === 0) throw new AgentUnavailableError(`${image}: the manifest lists no layers`);
  const key = String(manifest.config?.digest ?? layers[layers.length - 1].digest)
    .replace(/^sha256:/, '')
    .slice(0, 16);
  const dir = join(cacheDir, 'agents', `image-${key}`);
  if (existsSync(join(dir, '.complete'))) return dir;
  const files = new Map<string, Buffer>();
  for (const layer of layers) {
    log(`agent image: layer ${layer.digest.slice(7, 19)}`);
    const blob = await client.fetch(`blobs/${layer.digest}`);
    const tar = /gzip/.test(layer.mediaType) || (blob[0] === 0x1f && blob[1] === 0x8b) ? gunzipSync(blob) : blob;
    for (const [path, data] of tarFiles(tar, (p) => AGENT_FILE.test(p))) files.set(path, data);
  }
  if (!files.has('usr/bin/tetragon') || !files.has('usr/bin/tetra') || ![...files.keys()].some((p) => p.endsWith('.o'))) {
    throw new AgentUnavailableError(`${image}: the image has no usr/bin/tetragon, usr/bin/tetra and var/lib/tetragon/*.o`);
  }
  const tmp = `${dir}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'bin'), { recursive: true });
  mkdirSync(join(tmp, 'lib'), { recursive: true });
  for (const [path, data] of files) {
    const out = path.startsWith('usr/bin/') ? join(tmp, 'bin', path.slice(8)) : join(tmp, 'lib', path.slice('var/lib/tetragon/'.length));
    writeFileSync(out, data, { mode: path.startsWith('usr/bin/') ? 0o755 : 0o644 });
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  mkdirSync(join(dir, '.complete'));
  return dir;
}

/**
 * The agent when no `--tetragon` is given: the official image if its registry answers, else an
 * AgentUnavailableError that says what to pass instead.
 */
export async function agentFromRegistry(cacheDir: string, log: (line: string) => void, image = DEFAULT_AGENT_IMAGE): Promise<string> {
  const ref = parseImageReference(image);
  const probe = await registryReachable(ref.registry);
  if (!probe.reachable) {
    throw new AgentUnavailableError(
      `no Tetragon agent: ${ref.registry} is not reachable (${probe.detail}) to pull ${image}; pass --tetragon with a bundle (.tar.xz) or a directory holding bin/tetragon, bin/tetra and lib/*.o`,
    );
  }
  log(`agent: pulling ${image}`);
  return pullAgentImage(image, cacheDir, log);
}
