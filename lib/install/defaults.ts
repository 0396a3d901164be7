import { ALL_EVENT_TYPES, ExportFilter, HOST_EXPORT_NAMESPACE } from './export-filter';
import { RedactionFilter } from './redaction-filter';

/**
 * Node daemons whose own exec events are constant, low-value noise when they run on the host
 * (namespace `""`). Anchored full paths, so a binary named `kubelet` elsewhere (`/tmp/kubelet`) still
 * reaches the export. Only the daemons' own execs are dropped: what they start (a shell, `mount`,
 * `nsenter`) still shows, unless listed in {@link DEFAULT_KUBELET_HELPER_BINARIES}.
 */
export const DEFAULT_HOST_NOISE_BINARIES: readonly string[] = Object.freeze([
  '^/usr/(local/)?bin/kubelet$',
  '^/usr/(local/)?bin/containerd$',
  '^/usr/(local/)?bin/containerd-shim(-runc-v[12])?$',
  '^/usr/(local/)?s?bin/(runc|crun)$',
  '^/usr/(local/)?bin/(crio|conmon)$',
]);

/**
 * Helpers the kubelet runs on every node every few seconds (firewall canary chains, volume mounts).
 * Dropped only when their parent is the kubelet, so an operator or attacker running `iptables` from
 * a shell on the node is still exported.
 */
export const DEFAULT_KUBELET_HELPER_BINARIES: readonly string[] = Object.freeze([
  '^/usr/s?bin/(ip6?tables|ip6?tables-(legacy|nft))(-save|-restore)?$',
  '^/usr/s?bin/xtables-(legacy|nft)-multi$',
  '^/(usr/)?bin/u?mount$',
]);

/** The kubelet's binary paths, as parent of {@link DEFAULT_KUBELET_HELPER_BINARIES}. */
export const KUBELET_BINARY_REGEX = '^/usr/(local/)?bin/kubelet$';

/**
 * Export allow list: every event type, so whatever a policy produces is exported. The chart's
 * default leaves out `PROCESS_LOADER`, `PROCESS_USDT`, `PROCESS_THROTTLE` and `RATE_LIMIT_INFO`,
 * which silently drops the output of loader and USDT policies and hides throttling and rate-limit
 * drops from the log pipeline.
 */
export const DEFAULT_EXPORT_ALLOW_LIST: readonly ExportFilter[] = Object.freeze([ExportFilter.eventTypes(...ALL_EVENT_TYPES)]);

/**
 * Export deny list. Unlike the chart's default (which drops every event of the host, `cilium` and
 * `kube-system`), it keeps node-level and kube-system activity, where sshd logins, sudo on the node,
 * kernel-module loads and privileged system pods show up, and drops only deliberate, narrow noise:
 * Kubernetes exec health checks, the node's container-runtime daemons, and the kubelet's periodic
 * helpers. Extend it with `[...DEFAULT_EXPORT_DENY_LIST, ExportFilter.namespaces('noisy')]`.
 */
export const DEFAULT_EXPORT_DENY_LIST: readonly ExportFilter[] = Object.freeze([
  ExportFilter.healthChecks(),
  ExportFilter.hostBinaries([...DEFAULT_HOST_NOISE_BINARIES]),
  ExportFilter.of({
    namespaces: [HOST_EXPORT_NAMESPACE],
    parentBinaryRegex: [KUBELET_BINARY_REGEX],
    binaryRegex: [...DEFAULT_KUBELET_HELPER_BINARIES],
  }),
]);

/**
 * Redaction of secrets in process arguments (RE2). Each capture group is replaced with `*****`:
 * - flags such as `--password`, `--db-password`, `--token`, `--client-secret`, `--api-key`,
 *   `--access-key`, `--private-key`, `--passphrase` followed by a space or `=`;
 * - environment-style assignments such as `PGPASSWORD=...`, `AWS_SECRET_ACCESS_KEY=...`, `api_token=...`
 *   (e.g. in `env X=... cmd` or `sh -c "export X=..."`);
 * - credentials in URLs and connection strings (`postgres://user:pass@host`, `https://u:p@host`);
 * - HTTP authentication headers (`Authorization: Bearer ...`, `X-Api-Key: ...`, `Private-Token: ...`);
 * - well-known token shapes anywhere (GitHub `ghp_...`/`github_pat_...`, GitLab `glpat-...`, Slack `xox?-...`);
 * - `curl`/`wget` `-u user:password`, the MySQL/MariaDB clients' `-pPASSWORD`, and `sshpass -p`.
 *
 * A quoted secret with spaces is only redacted up to the first space. Values are case-insensitive.
 */
export const DEFAULT_REDACTION_FILTERS: readonly RedactionFilter[] = Object.freeze([
  RedactionFilter.of({
    redact: [
      '(?i)(?:^|\\s)--?[a-z0-9-]*(?:password|passwd|passphrase|secret|token|api-?key|access-?key|private-?key)(?:\\s+|=)(\\S+)',
      '(?i)(?:^|[\\s"\'])[a-z0-9_]*(?:password|passwd|passphrase|secret|token|api_?key|access_?key|private_?key)[a-z0-9_]*=([^\\s"\']+)',
      '(?i)[a-z][a-z0-9+.-]*://[^\\s:/@]+:([^\\s@/]+)@',
      '(?i)(?:authorization|x-api-key|x-auth-token|private-token)\\s*:\\s*(?:(?:bearer|basic|token|digest)\\s+)?([^\\s"\']+)',
      '((?:ghp|gho|ghu|ghs|ghr|github_pat)_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,}|xox[abprs]-[A-Za-z0-9-]{10,})',
    ],
  }),
  RedactionFilter.of({
    binaryRegex: ['(?:^|/)(?:curl|wget)$'],
    redact: ['(?:^|\\s)(?:-u|--user|--proxy-user|-U)(?:\\s+|=)?[^\\s:]*:(\\S+)'],
  }),
  RedactionFilter.of({
    binaryRegex: ['(?:^|/)(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump|mariadb-admin)$'],
    redact: ['(?:^|\\s)-p(\\S+)'],
  }),
  RedactionFilter.of({
    binaryRegex: ['(?:^|/)sshpass$'],
    redact: ['(?:^|\\s)-p\\s*(\\S+)'],
  }),
]);

/** Container image reference: repository, tag and optional digest. */
export interface ImageRef {
  /** Registry and repository, e.g. `quay.io/cilium/tetragon`. */
  readonly repository: string;
  /** Tag, e.g. `v1.7.0`. */
  readonly tag: string;
  /**
   * Content digest of the image (index), e.g. `sha256:...`. With a digest the node pulls exactly
   * that image even if the tag is moved.
   *
   * @default - pinned by tag only
   */
  readonly digest?: string;
}

/** The images a chart version deploys. */
export interface ChartImages {
  /** The agent DaemonSet (`tetragon.image`). */
  readonly agent: ImageRef;
  /** The operator Deployment (`tetragonOperator.image`). */
  readonly operator: ImageRef;
  /** The export-stdout sidecar (`export.stdout.image`). @default - the chart's own pinned tag */
  readonly exportStdout?: ImageRef;
  /** The runtime-hooks DaemonSet (`rthooks.image`). @default - the chart's own pinned tag */
  readonly rthooks?: ImageRef;
}

/**
 * Images known for chart versions, with multi-arch image-index digests where they are known.
 * A chart version not listed here gets `v<chartVersion>` tags for the agent and operator (what the
 * chart itself would deploy) and no digests; pin digests through the `images` prop.
 */
export const KNOWN_CHART_IMAGES: Readonly<Record<string, ChartImages>> = Object.freeze({
  '1.7.0': {
    agent: {
      repository: 'quay.io/cilium/tetragon',
      tag: 'v1.7.0',
      digest: 'sha256:deda51c3f88e4d26b4d76c99ea207f2b05f9e40c210e0f04a37ca632ab7bf527',
    },
    operator: {
      repository: 'quay.io/cilium/tetragon-operator',
      tag: 'v1.7.0',
      digest: 'sha256:074ffbd19208eed79f68e191ed606e05009f910b4bb5148efcf2973e13504b82',
    },
    exportStdout: { repository: 'quay.io/cilium/hubble-export-stdout', tag: 'v1.1.1' },
    rthooks: { repository: 'quay.io/cilium/tetragon-rthooks', tag: 'v0.8' },
  },
});

/**
 * Images for a chart version: the known table, else `v<chartVersion>` tags for the agent and the
 * operator (the chart's own default) and the chart's own pinned sidecar and rthooks tags.
 */
export function defaultImages(chartVersion: string): ChartImages {
  const known = KNOWN_CHART_IMAGES[chartVersion];
  if (known) return known;
  const base = KNOWN_CHART_IMAGES['1.7.0'];
  return {
    agent: { repository: base.agent.repository, tag: `v${chartVersion}` },
    operator: { repository: base.operator.repository, tag: `v${chartVersion}` },
  };
}
