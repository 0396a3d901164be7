import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

/** Where a chart comes from. */
export enum ChartSourceKind {
  /** A classic Helm chart repository served over HTTP(S) (`index.yaml`). */
  REPOSITORY = 'repository',
  /** A chart in an OCI registry (`oci://registry/path/chart`). */
  OCI = 'oci',
  /** A chart directory or packaged `.tgz` on the local disk (air-gapped rendering). */
  LOCAL = 'local',
  /** A packaged chart `.tgz` downloaded from an HTTP(S) URL. */
  ARCHIVE_URL = 'archive-url',
}

/** The Cilium project's chart repository, which serves the `tetragon` chart. */
export const CILIUM_CHART_REPOSITORY = 'https://helm.cilium.io';

/**
 * The source of the Tetragon chart: the Cilium chart repository by default, a mirror, an OCI
 * registry, or a local chart for air-gapped clusters.
 *
 * @example
 * ChartSource.repository('https://helm.cilium.io')
 * ChartSource.oci('oci://registry.example.com/mirror/charts/tetragon')
 * ChartSource.local('./vendor/tetragon-1.7.0.tgz')
 * ChartSource.parse(process.env.TETRAGON_CHART!)
 */
export class ChartSource {
  /** The Cilium chart repository (`https://helm.cilium.io`). */
  public static cilium(): ChartSource {
    return ChartSource.repository(CILIUM_CHART_REPOSITORY);
  }

  /** A Helm chart repository URL (`http://` or `https://`). */
  public static repository(url: string): ChartSource {
    if (!/^https?:\/\/[^\s/]+/.test(url)) {
      throw new Error(`chart repository ${JSON.stringify(url)} is not an http(s) URL such as ${CILIUM_CHART_REPOSITORY}`);
    }
    return new ChartSource(ChartSourceKind.REPOSITORY, url.replace(/\/+$/, ''));
  }

  /** An OCI chart reference including the chart name, e.g. `oci://registry.example.com/charts/tetragon`. */
  public static oci(reference: string): ChartSource {
    if (!/^oci:\/\/[^\s/]+(\/[^\s/:@]+)+$/.test(reference)) {
      throw new Error(
        `OCI chart reference ${JSON.stringify(reference)} must look like oci://<registry>/<path>/<chart> without a tag (the version is the chartVersion prop)`,
      );
    }
    return new ChartSource(ChartSourceKind.OCI, reference);
  }

  /**
   * A chart directory (with `Chart.yaml`) or a packaged `.tgz` on disk. Relative paths are resolved
   * against the current directory. Throws if the path does not exist or is not a chart.
   */
  public static local(path: string): ChartSource {
    const abs = isAbsolute(path) ? path : resolve(process.cwd(), path);
    if (!existsSync(abs)) {
      throw new Error(`local chart ${JSON.stringify(path)} does not exist (resolved to ${abs})`);
    }
    if (statSync(abs).isDirectory()) {
      if (!existsSync(join(abs, 'Chart.yaml'))) {
        throw new Error(
          `local chart directory ${abs} has no Chart.yaml; point at the chart's own folder (the one holding Chart.yaml and templates/)`,
        );
      }
    } else if (!/\.tgz$|\.tar\.gz$/.test(abs)) {
      throw new Error(`local chart ${abs} is a file but not a packaged chart (.tgz)`);
    }
    return new ChartSource(ChartSourceKind.LOCAL, abs);
  }

  /** A packaged chart at an HTTP(S) URL ending in `.tgz`. */
  public static archiveUrl(url: string): ChartSource {
    if (!/^https?:\/\/\S+\.tgz$/.test(url))
      throw new Error(`chart archive URL ${JSON.stringify(url)} must be an http(s) URL ending in .tgz`);
    return new ChartSource(ChartSourceKind.ARCHIVE_URL, url);
  }

  /**
   * Reads the `TETRAGON_CHART` syntax: `oci://...` is an OCI reference, an `http(s)://` URL ending in
   * `.tgz` is a chart archive, any other `http(s)://` URL is a chart repository, anything else is a
   * local path (directory or `.tgz`).
   */
  public static parse(value: string): ChartSource {
    const v = value.trim();
    if (v === '') throw new Error('chart source is empty');
    if (v.startsWith('oci://')) return ChartSource.oci(v);
    if (/^https?:\/\//.test(v)) return v.endsWith('.tgz') ? ChartSource.archiveUrl(v) : ChartSource.repository(v);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) {
      throw new Error(`chart source ${JSON.stringify(v)} has an unsupported scheme; use oci://, https://, http:// or a local path`);
    }
    return ChartSource.local(v);
  }

  private constructor(
    /** Repository, OCI registry, local chart or archive URL. */
    public readonly kind: ChartSourceKind,
    /** The URL, OCI reference or absolute local path. */
    public readonly location: string,
  ) {}

  /** For a local chart directory: the `version:` in its Chart.yaml. */
  public localChartVersion(): string | undefined {
    if (this.kind !== ChartSourceKind.LOCAL || !statSync(this.location).isDirectory()) return undefined;
    const m = /^version:\s*["']?([^"'\s#]+)/m.exec(readFileSync(join(this.location, 'Chart.yaml'), 'utf8'));
    return m?.[1];
  }

  /** A short human description, used in errors. */
  public toString(): string {
    return `${this.kind} ${this.location}`;
  }
}
